import { InputError } from '../../src/core/errors.js';
import { readJobInputs as readInputs, readJobSettings as readSettings } from '../../src/jobs/registry.js';
import { isRfc3339 } from '../../src/settings/changes.js';
import { checkDeclaredInputs, checkNoOperation } from '../../src/settings/read.js';
import { parseApiUrl } from '../../src/settings/values.js';
import type { JobName } from '../../src/settings/inputs.js';

const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();

describe('readSettings', () => {
  it('applies the documented defaults when only the key is given', async () => {
    expect(await readSettings('declare', inputs({ 'api-key': 'k' }))).toEqual({
      job: 'declare',
      apiKey: 'k',
      apiUrl: 'https://api.incident.io',
      severity: '',
      visibility: 'public',
      mode: 'standard',
      name: '',
      summary: '',
      idempotencyKey: '',
      incidentType: '',
      status: '',
      customFields: new Map(),
      roles: new Map(),
      slackChannelName: '',
      incidentKey: '',
      links: new Map(),
      timestamps: new Map(),
      slackTeamId: '',
      postmortemUrl: '',
      slackChannelId: '',
      waitForSlackChannelMs: 0,
      githubToken: '',
      escalationPath: '',
      dryRun: false,
    });
  });

  it('gives each job only its own settings', async () => {
    expect(await readSettings('resolve', inputs({ 'api-key': 'k', 'incident-id': 'INC-7' }))).toEqual({
      job: 'resolve',
      apiKey: 'k',
      apiUrl: 'https://api.incident.io',
      incidentId: '7',
      incidentKey: '',
      mode: 'standard',
      message: '',
      status: '',
      notifyIncidentChannel: true,
      dryRun: false,
    });
  });

  it('accepts choices and booleans in any case', async () => {
    const s = await readSettings(
      'declare',
      inputs({ 'api-key': 'k', visibility: 'PRIVATE', mode: 'Test', 'dry-run': 'TRUE', 'fail-on-error': 'False' }),
    );
    expect([s.visibility, s.mode, s.dryRun]).toEqual(['private', 'test', true]);
  });

  it('explains an empty api-key, including the missing-secret case', async () => {
    await expect(readSettings('declare', inputs({}))).rejects.toThrow(/Input "api-key" is empty.*forks or by Dependabot/s);
  });

  it.each([
    ['visibility', 'secret', /Input "visibility" is "secret"; allowed values: "public", "private"\./],
    ['mode', 'drill', /Input "mode" is "drill"; allowed values: "standard", "retrospective", "test", "tutorial"\./],
    ['dry-run', 'yes', /Input "dry-run" is "yes"; allowed values: "true", "false"\./],
    ['fail-on-error', '1', /Input "fail-on-error" is "1"; allowed values: "true", "false"\./],
    ['alert-status', 'ok', /Input "alert-status" is "ok"; allowed values: "firing", "resolved"\./],
    ['notify-incident-channel', 'no', /Input "notify-incident-channel" is "no"; allowed values: "true", "false"\./],
  ])('rejects %s=%s naming the input, the value and the choices', async (input, value, message) => {
    const given = { 'api-key': 'k', 'incident-id': 'INC-1', status: 'Fixed', 'alert-source-id': 'a', 'alert-token': 't', [input]: value };
    // Keep only what the job under test uses.
    const job = input === 'alert-status' ? 'alert' : input === 'notify-incident-channel' ? 'resolve' : 'declare';
    const keep = (k: string) =>
      k === input ||
      (job === 'alert' ? k.startsWith('alert-') : job === 'resolve' ? ['api-key', 'incident-id', 'status'].includes(k) : k === 'api-key');
    const picked = Object.fromEntries(Object.entries(given).filter(([k]) => keep(k)));
    await expect(readSettings(job, inputs(picked))).rejects.toThrow(InputError);
    await expect(readSettings(job, inputs(picked))).rejects.toThrow(message);
  });
});

describe('jobs', () => {
  it('requires the inputs a job needs, saying where to get them', async () => {
    await expect(readSettings('update', inputs({ 'api-key': 'k', name: 'x' }))).rejects.toThrow(
      /Input "incident-id" is required by the update job, but it is empty\. Pass the incident ID, its reference \(INC-123\)/,
    );
    await expect(readSettings('alert', inputs({ 'alert-source-id': 'a' }))).rejects.toThrow(
      /Input "alert-token" is required by the alert job/,
    );
  });

  it('refuses an input of another job, naming the jobs that take it', async () => {
    const refused = (job: JobName, given: Record<string, string>, env: Record<string, string>) =>
      readSettings(job, inputs({ ...given, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k.slice(6).toLowerCase(), v])) }), {
        env,
      });
    await expect(refused('declare', { 'api-key': 'k' }, { 'INPUT_INCIDENT-ID': 'INC-1' })).rejects.toThrow(
      /^Input "incident-id" is not an input of the declare job \(the step's `with:` passes it as INPUT_INCIDENT-ID\); it is an input of escalate\/, maintenance\/, resolve\/, update\/\./,
    );
    await expect(refused('alert', { 'alert-source-id': 'a', 'alert-token': 't' }, { 'INPUT_INCIDENT-ID': 'INC-1' })).rejects.toThrow(
      /Input "incident-id" is not an input of the alert job .*; it is an input of escalate\/, maintenance\/, resolve\/, update\/\./,
    );
    await expect(refused('resolve', { 'api-key': 'k', 'incident-id': '1' }, { INPUT_SEVERITY: 'Major' })).rejects.toThrow(
      /Input "severity" is not an input of the resolve job .*; it is an input of the root action, update\/\./,
    );
    // Whatever the step gives under a name its job does not declare is never read.
    await expect(
      refused('resolve', { 'api-key': 'k', 'incident-id': '1' }, { INPUT_SEVERITY: 'Major' }).catch(() => 'refused'),
    ).resolves.toBe('refused');
  });

  it('needs something to change on update', async () => {
    await expect(readSettings('update', inputs({ 'api-key': 'k', 'incident-id': '1' }))).rejects.toThrow(/needs something to change/);
  });

  it('parses custom-fields and roles from YAML or JSON, keeping every scalar a string', async () => {
    const s = await readSettings(
      'declare',
      inputs({
        'api-key': 'k',
        'custom-fields': 'Affected service: checkout\nTeams: [Platform, Payments]\nCustomers affected: 012.50',
        roles: '{"lead": "alice@example.com"}',
      }),
    );
    expect(s.customFields).toEqual(
      new Map<string, unknown>([
        ['Affected service', 'checkout'],
        ['Teams', ['Platform', 'Payments']],
        ['Customers affected', '012.50'],
      ]),
    );
    expect(s.roles).toEqual(new Map([['lead', 'alice@example.com']]));
  });

  it.each([
    ['custom-fields', 'Teams: [Platform', /Input "custom-fields" is not valid YAML or JSON: .*Write a mapping such as/],
    ['custom-fields', '- a\n- b', /Input "custom-fields" must be a mapping such as .*; got a list\./],
    ['custom-fields', 'a: 1\na: 2', /Input "custom-fields" is not valid YAML or JSON \(line 2: "a: 2"\): Map keys must be unique/],
    [
      'custom-fields',
      'Service: checkout\nTeams Platform\nNotes: x',
      /Input "custom-fields" is not valid YAML or JSON \(line 2: "Teams Platform"\): /,
    ],
    ['links', '? [a]\n: https://x.example.com', /Input "links" has a key that is not text; each key names one link title, as in/],
    [
      'custom-fields',
      'Owner: {team: x}',
      /Input "custom-fields" has "Owner" set to \{"team":"x"\}; each value must be a string or a list of strings/,
    ],
    ['roles', '{"lead": ["a@b.c", "d@e.f"]}', /Input "roles" gives "lead" a list; each role takes one assignee/],
    ['roles', 'just text', /Input "roles" must be a mapping such as .*; got "just text"\./],
  ])('reports malformed %s naming the input', async (input, raw, message) => {
    await expect(readSettings('declare', inputs({ 'api-key': 'k', [input]: raw }))).rejects.toThrow(message);
  });
});

describe('parseApiUrl', () => {
  it.each([
    ['https://api.incident.io/', 'https://api.incident.io'],
    ['https://proxy.example.com/incident-io/', 'https://proxy.example.com/incident-io'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:9', 'http://localhost:9'],
    ['http://[::1]:9/', 'http://[::1]:9'],
  ])('accepts %s', (raw, expected) => {
    expect(parseApiUrl(raw)).toBe(expected);
  });

  it.each([
    ['http://api.incident.io', /must not travel unencrypted/],
    ['http://10.0.0.5:8080', /must not travel unencrypted/],
    ['http://localhost.evil.com', /must not travel unencrypted/],
    ['ftp://127.0.0.1', /must not travel unencrypted/],
    ['api.incident.io', /not a URL/],
    ['https://api.incident.io/?x=1', /must not carry a query/],
    ['https://api.incident.io?', /must not carry a query/],
    ['https://api.incident.io/#', /must not carry a fragment/],
    ['https://api.incident.io/#top', /must not carry a fragment/],
    ['https://gateway.example.com/a/../v2', /must not carry a "\." or "\.\." path segment/],
    ['https://gateway.example.com/a/./b', /must not carry a "\." or "\.\." path segment/],
    ['https://gateway.example.com/a/%2E%2e/b', /must not carry a "\." or "\.\." path segment/],
    ['https://u:p@api.incident.io', /must not carry credentials/],
    ['https://gateway.example.com/gw\\..', /must not carry a "\." or "\.\." path segment/],
    ['https://gateway.example.com/gw\\.\\v2', /must not carry a "\." or "\.\." path segment/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseApiUrl(raw)).toThrow(message);
    expect(() => parseApiUrl(raw)).toThrow(/Input "api-url" is .*allowed values: an https:\/\/ URL/);
  });

  it.each([
    'https://user:hunter2@api.incident.io/?token=s3cret',
    'http://user:hunter2@10.0.0.5/#s3cret',
    'ftp://user:hunter2@host/?s3cret',
    'user:hunter2@api.incident.io?s3cret', // does not parse
    'https://user:hun/ter2@api.incident.io/x?s3cret', // a slash in the password
    'htps:/user:hunter2@@host#s3cret',
    'http://user:hunter2#x@api.incident.io/', // a "#" in the password, unencoded
    'https://user:hunter2?x@api.incident.io/?s3cret',
  ])('never repeats credentials, a query or a fragment of %s, whatever the scheme', (raw) => {
    let message = '';
    try {
      parseApiUrl(raw);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Input "api-url"/);
    expect(message).not.toMatch(/hunter2|ter2|s3cret/);
  });
});

describe('secrets', () => {
  it.each([
    ['api-key', 'inc_key\nsecond-line', /a line break at position 8/],
    ['api-key', 'inc_key\rx', /a line break/],
    ['api-key', 'inc\u0000key', /a control character \(U\+0000\)/],
    ['api-key', 'inc\u007fkey', /a control character \(U\+007F\)/],
    ['api-key', 'inc_kéy_ok', null],
    ['api-key', 'inc_k€y', /a character outside Latin-1 \(U\+20AC\)/],
    ['github-token', 'ghs_a\u2028b', /a character outside Latin-1/],
  ])('checks %s for what an HTTP header cannot carry', async (input, value, message) => {
    const given = { 'api-key': 'k', [input]: value };
    if (message === null) {
      await expect(readSettings('declare', inputs(given))).resolves.toBeDefined();
      return;
    }
    const error = await readSettings('declare', inputs(given)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^Input "${input}" contains`));
    expect((error as Error).message).toMatch(message);
    // The value itself is never repeated, not even a part of it.
    expect((error as Error).message).not.toContain('inc_k');
    expect((error as Error).message).not.toContain('second-line');
  });

  it('checks the alert token too', async () => {
    await expect(readSettings('alert', inputs({ 'alert-source-id': 'a', 'alert-token': 't\nx' }))).rejects.toThrow(
      /^Input "alert-token" contains a line break/,
    );
  });
});

describe('IDs are opaque', () => {
  it.each([
    ['INC-123', '123'],
    ['inc-42', '42'],
    ['0042', '0042'],
    ['12345678901234567890123', '12345678901234567890123'],
    ['01FDAG4SAP5TYPT98WGR2N7W91', '01FDAG4SAP5TYPT98WGR2N7W91'],
    ['01fdag4sap5typt98wgr2n7w91', '01fdag4sap5typt98wgr2n7w91'],
    ['inc_2026-future.ID~x', 'inc_2026-future.ID~x'],
  ])('passes incident-id %s on as %s, never through Number()', async (raw, expected) => {
    const s = await readSettings('resolve', inputs({ 'api-key': 'k', 'incident-id': raw }));
    expect(s.incidentId).toBe(expected);
  });

  it.each(['..', '.', '../../v1/identity', 'a/b', 'a?b=1', 'INC 12', '%2e%2e', '.hidden'])(
    'refuses the path-like incident-id %s',
    async (raw) => {
      await expect(readSettings('resolve', inputs({ 'api-key': 'k', 'incident-id': raw }))).rejects.toThrow(
        /^Input "incident-id" is .*allowed values: an incident ID/,
      );
    },
  );

  it.each(['..', 'a/b', 'x?token=1'])('refuses the path-like alert-source-id %s', async (raw) => {
    await expect(readSettings('alert', inputs({ 'alert-source-id': raw, 'alert-token': 't' }))).rejects.toThrow(
      /^Input "alert-source-id" is .*allowed values: an ID made of letters/,
    );
  });

  it.each(['..', '../admin', 'a b'])('refuses the path-like role assignee %s', async (raw) => {
    await expect(readSettings('declare', inputs({ 'api-key': 'k', roles: `lead: "${raw}"` }))).rejects.toThrow(
      /Input "roles" assigns "lead" to .*allowed values: an email/,
    );
  });
});

describe('mapping values', () => {
  it.each([
    ['custom-fields', 'Affected service: ""', /sets "Affected service" to an empty value\. If it comes from `\$\{\{ vars/],
    ['custom-fields', 'Affected service:', /sets "Affected service" to an empty value/],
    ['custom-fields', 'Teams: [Platform, ""]', /sets "Teams" to an empty value/],
    ['roles', 'lead: ""', /assigns "lead" to an empty value\. If it comes from `\$\{\{ vars/],
  ])('calls an empty %s value empty, and asks whether the variable is set', async (input, raw, message) => {
    const error = await readSettings('declare', inputs({ 'api-key': 'k', [input]: raw })).catch((e: Error) => e);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/did you mean|no user/i);
  });

  it('says how to unset a field on update, and accepts []', async () => {
    const update = { 'api-key': 'k', 'incident-id': '1' };
    await expect(readSettings('update', inputs({ ...update, 'custom-fields': 'Notes: ""' }))).rejects.toThrow(
      /To unset the field, write "Notes": \[\]\./,
    );
    const s = await readSettings('update', inputs({ ...update, 'custom-fields': 'Notes: []' }));
    expect(s.customFields.get('Notes')).toEqual([]);
    await expect(readSettings('declare', inputs({ 'api-key': 'k', 'custom-fields': 'Notes: []' }))).rejects.toThrow(
      /unsets a field on update; to declare, leave the field out/,
    );
  });

  it.each([
    ['custom-fields', 'Notes: a\nnotes: b', /names "Notes" and "notes", which are the same/],
    ['custom-fields', 'Notes: a\n" Notes ": b', /which are the same/],
    ['roles', 'lead: a@example.com\nLEAD: b@example.com', /Input "roles" names "lead" and "LEAD", which are the same/],
  ])('refuses the same %s key twice in any case', async (input, raw, message) => {
    await expect(readSettings('declare', inputs({ 'api-key': 'k', [input]: raw }))).rejects.toThrow(message);
  });

  it.each([
    ['Notes: !!binary aGVsbG8=', /uses the YAML tag "tag:yaml.org,2002:binary"/],
    ['Notes: !shell echo', /not valid YAML or JSON: Unresolved tag: !shell/],
    ['Notes: !!int 3', /Unresolved tag/],
    ['Teams: !!set {a}', /uses the YAML tag "tag:yaml.org,2002:set"/],
    ['? [a, b]\n: x', /has a key that is not text/],
  ])('refuses YAML beyond plain text, lists and mappings: %s', async (raw, message) => {
    await expect(readSettings('declare', inputs({ 'api-key': 'k', 'custom-fields': raw }))).rejects.toThrow(message);
  });

  it('reports every empty value at once', async () => {
    const error = await readSettings('declare', inputs({ 'api-key': 'k', 'custom-fields': 'A: ""\nB: ""' })).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toHaveLength(2);
  });
});

describe('update with nothing to change', () => {
  it.each([[{ 'custom-fields': '{}' }], [{ roles: '{}' }], [{ 'custom-fields': '{}', roles: '{}' }]])(
    'is an input error, so no empty edit is sent: %j',
    async (given) => {
      await expect(readSettings('update', inputs({ 'api-key': 'k', 'incident-id': '1', ...given }))).rejects.toThrow(
        /The update job needs something to change/,
      );
    },
  );
});

describe('checkDeclaredInputs', () => {
  it("passes the inputs the job's action.yml declares, in the runner's INPUT_ form", () => {
    expect(() => checkDeclaredInputs({ 'INPUT_API-KEY': 'k', INPUT_SEVERITY: 'Major', PATH: '/bin' }, 'declare')).not.toThrow();
    expect(() => checkDeclaredInputs({ 'INPUT_ALERT-TOKEN': 't', 'INPUT_ALERT-SOURCE-ID': 's' }, 'heartbeat')).not.toThrow();
  });

  it.each([
    [
      'INPUT_SEVERTY',
      /Input "severty" is not an input of the declare job \(the step's `with:` passes it as INPUT_SEVERTY\); did you mean "severity"\?/,
    ],
    ['INPUT_API_KEY', /Input "api_key" .*did you mean "api-key"\?/],
    ['INPUT_INCIDENT-TYP', /did you mean "incident-type"\?/],
    [
      'INPUT_ZZZZZZZZZZZZ',
      /Input "zzzzzzzzzzzz" is not an input of the declare job \(the step's `with:` passes it as INPUT_ZZZZZZZZZZZZ\)\./,
    ],
  ])('refuses %s, naming the closest input of the job', (key, message) => {
    expect(() => checkDeclaredInputs({ [key]: 'Critical' }, 'declare')).toThrow(message);
    expect(() => checkDeclaredInputs({ [key]: 'Critical' }, 'declare')).toThrow(/The inputs of the declare job are: "api-key", "severity"/);
  });

  it.each([
    ['resolve', 'INPUT_ALERT-TOKEN', 'alert-token', 'alert/, heartbeat/'],
    ['heartbeat', 'INPUT_INCIDENT-KEY', 'incident-key', 'the root action, resolve/'],
    ['update', 'INPUT_VISIBILITY', 'visibility', 'the root action'],
    ['alert', 'INPUT_NOTIFY-INCIDENT-CHANNEL', 'notify-incident-channel', 'resolve/, update/'],
  ] as const)('refuses on %s the input %s of other jobs, naming them', (job, key, input, others) => {
    expect(() => checkDeclaredInputs({ [key]: 'x' }, job)).toThrow(`Input "${input}" is not an input of the ${job} job`);
    expect(() => checkDeclaredInputs({ [key]: 'x' }, job)).toThrow(`; it is an input of ${others}.`);
  });

  it('never repeats the value, which may be a secret', () => {
    expect(() => checkDeclaredInputs({ INPUT_APIKEY: 'inc_live_secret' }, 'declare')).toThrow(/^(?!.*inc_live_secret)/s);
  });
});

describe('checkNoOperation: each job is an action of its own', () => {
  const env = (operation: string, more: Record<string, string> = {}) => ({ INPUT_OPERATION: operation, ...more });
  it.each([
    ['declare', 'resolve', /to resolve, write `uses: incident-io-action\/incident-io-action\/resolve@v1` and remove "operation"\./],
    ['declare', 'create', /The root action is the declare job, which this step runs: remove "operation"\./],
    [
      'update',
      'create',
      /The root action is the declare job: write `uses: incident-io-action\/incident-io-action@v1` and remove "operation"\./,
    ],
    [
      'update',
      'Update',
      /This is the update job's action \(`uses: incident-io-action\/incident-io-action\/update@v1`\): remove "operation"\./,
    ],
    ['heartbeat', 'alert', /to alert, write `uses: incident-io-action\/incident-io-action\/alert@v1`/],
    [
      'declare',
      '',
      /Input "operation" is "", but the action no longer takes it: .* Each job is its own action: `uses: incident-io-action\/incident-io-action@v1`, /,
    ],
    [
      'resolve',
      'close',
      /Each job is its own action: .*`uses: incident-io-action\/incident-io-action\/heartbeat@v1`.* Remove "operation"\./,
    ],
  ] as const)('on %s, refuses operation %j and names the uses: to write', (job, operation, message) => {
    expect(() => checkNoOperation(env(operation), job)).toThrow(InputError);
    expect(() => checkNoOperation(env(operation), job)).toThrow(message);
  });

  it("names the running action's repository and ref when the runner gives them", () => {
    const given = env('resolve', { GITHUB_ACTION_REPOSITORY: 'acme/incident', GITHUB_ACTION_REF: 'v1.2.3' });
    expect(() => checkNoOperation(given, 'declare')).toThrow('write `uses: acme/incident/resolve@v1.2.3`');
  });

  it('lets a step without the input through', () => {
    expect(() => checkNoOperation({ 'INPUT_API-KEY': 'k' }, 'declare')).not.toThrow();
  });
});

describe('times, links and the channel flag a hurried user gets wrong', () => {
  it.each(['2026-11-26T10:04:00Z', '2028-02-29T23:59:59.999+05:30', '2026-12-31t00:00:00z', '2026-06-30T12:00:00-23:59'])(
    'takes the real time %s',
    (time) => expect(isRfc3339(time)).toBe(true),
  );
  it.each([
    '2026-02-30T10:00:00Z', // Date.parse rolls it over to March 2
    '2027-02-29T10:00:00Z', // not a leap year
    '2026-04-31T10:00:00Z',
    '2026-01-01T24:00:00Z', // Date.parse makes it the next day
    '2026-13-01T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-01-00T10:00:00Z',
    '2026-01-01T10:00:00+24:00',
    '2026-01-01T10:00:00',
    '2026-01-01',
  ])('refuses %s, a time that is not a real RFC 3339 moment', (time) => expect(isRfc3339(time)).toBe(false));

  it('refuses an impossible date in timestamps, naming the input and the value', async () => {
    await expect(readSettings('declare', inputs({ 'api-key': 'k', timestamps: 'Impact started: 2026-02-30T10:00:00Z' }))).rejects.toThrow(
      /Input "timestamps" gives "Impact started" the value "2026-02-30T10:00:00Z"; allowed values: an RFC 3339 time/,
    );
  });

  it('refuses two links whose titles are the same once trimmed', async () => {
    await expect(
      readSettings(
        'declare',
        inputs({ 'api-key': 'k', links: '{"Runbook": "https://a.example.com", "Runbook ": "https://b.example.com"}' }),
      ),
    ).rejects.toThrow(/Input "links" names "Runbook" and "Runbook ", which are the same; name each once\./);
  });

  it.each(['update', 'resolve'] as const)('refuses a notify-incident-channel typo on %s', async (job) => {
    await expect(
      readSettings(job, inputs({ 'api-key': 'k', 'incident-id': '1', name: 'x', 'notify-incident-channel': 'ture' })),
    ).rejects.toThrow(/Input "notify-incident-channel" is "ture"; allowed values: "true", "false"\./);
  });
});

describe('a secret pasted into another input', () => {
  const KEY = 'inc_live_7Hq2xP9vK3mZ8wR4tY6u';
  const TOKEN = 'ghs_9fTq2WmX7pLs4VzR8kYc1NbH';

  it.each([
    ['roles', `Incident Lead: ${KEY}`, 'api-key'],
    ['custom-fields', `Service: ${KEY.slice(5, 20)}`, 'api-key'],
    ['summary', `{"token": "${TOKEN}"}`, 'github-token'],
    ['name', `Deploy ${TOKEN.slice(0, 12)}`, 'github-token'],
  ])('is refused in %s before any request, without repeating it', async (input, value, secret) => {
    const error = await readSettings('declare', inputs({ 'api-key': KEY, 'github-token': TOKEN, [input]: value })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Input "${input}" contains the value of "${secret}", or 12 or more characters of it\\.`));
    expect(message).toMatch(/A secret must not go into incident text, a lookup or the log/);
    for (let i = 0; i + 12 <= KEY.length; i++) expect(message).not.toContain(KEY.slice(i, i + 12));
    for (let i = 0; i + 12 <= TOKEN.length; i++) expect(message).not.toContain(TOKEN.slice(i, i + 12));
  });

  it('leaves ordinary text and an 11-character overlap alone', async () => {
    await expect(readSettings('declare', inputs({ 'api-key': KEY, name: `Deploy ${KEY.slice(0, 11)} failed` }))).resolves.toMatchObject({
      job: 'declare',
    });
  });
});

describe('an input of another job', () => {
  it('is named beside a missing required input: update with incident-key says which jobs take it', async () => {
    const error = await readSettings('update', inputs({ 'api-key': 'k' }), { env: { 'INPUT_INCIDENT-KEY': 'checkout-prod' } }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(
      /^Input "incident-key" is not an input of the update job .*; it is an input of the root action, resolve\/\./,
    );
    expect((error as Error).message).toMatch(/Input "incident-id" is required by the update job/);
  });
});

describe('readInputs: every mistake, and what can still be looked up', () => {
  it('collects a mistake per input and keeps reading, with stand-ins for the inputs in error', async () => {
    const read = await readInputs(
      'declare',
      inputs({
        'api-key': 'k',
        visibility: 'internal',
        mode: 'drill',
        'dry-run': 'yes',
        severity: 'Majr',
        'custom-fields': 'Teams: [Platform]\nNotes: ""',
        roles: 'lead: ""\ncomms: bob@example.com',
        links: 'Runbook: ftp://x',
        timestamps: 'Impact started: soon\nReported at: now',
        'slack-team-id': 'x',
      }),
    );
    expect(read.mistakes).toEqual([
      expect.stringMatching(/^Input "dry-run" is "yes"/),
      expect.stringMatching(/^Input "custom-fields" sets "Notes" to an empty value/),
      expect.stringMatching(/^Input "roles" assigns "lead" to an empty value/),
      expect.stringMatching(/^Input "links" gives "Runbook" the URL "ftp:\/\/x"/),
      expect.stringMatching(/^Input "timestamps" gives "Impact started" the value "soon"/),
      expect.stringMatching(/^Input "visibility" is "internal"/),
      expect.stringMatching(/^Input "mode" is "drill"/),
      expect.stringMatching(/^Input "slack-team-id" is "x"/),
    ]);
    expect([...read.faulty].sort()).toEqual(
      ['custom-fields', 'dry-run', 'links', 'mode', 'roles', 'slack-team-id', 'timestamps', 'visibility'].sort(),
    );
    const s = read.settings;
    // The well-formed entries stay, to be looked up; the refused ones leave only their names.
    expect(s.customFields).toEqual(new Map([['Teams', ['Platform']]]));
    expect(s.roles).toEqual(new Map([['comms', 'bob@example.com']]));
    expect(s.timestamps).toEqual(new Map([['Reported at', 'now']]));
    expect(s.links).toEqual(new Map());
    expect([s.severity, s.visibility, s.mode, s.dryRun]).toEqual(['Majr', 'public', 'standard', false]);
    expect(read.namesOnly).toEqual({ customFields: ['Notes'], roles: ['lead'], timestamps: ['Impact started'] });
  });

  it('keeps the first of two keys that are the same, and names both', async () => {
    const read = await readInputs(
      'declare',
      inputs({ 'api-key': 'k', roles: 'lead: a@example.com\nLEAD: b@example.com\ncomms: c@example.com' }),
    );
    expect(read.mistakes).toEqual([expect.stringMatching(/^Input "roles" names "lead" and "LEAD", which are the same/)]);
    expect(read.settings.roles).toEqual(
      new Map([
        ['lead', 'a@example.com'],
        ['comms', 'c@example.com'],
      ]),
    );
  });

  it('does not call an update empty when the mapping that was its change is refused', async () => {
    const read = await readInputs('update', inputs({ 'api-key': 'k', 'incident-id': '1', 'custom-fields': 'Notes: ""' }));
    expect(read.mistakes).toEqual([expect.stringMatching(/sets "Notes" to an empty value/)]);
  });

  it('checks the retrospective inputs only against a mode that is well-formed', async () => {
    const read = await readInputs('declare', inputs({ 'api-key': 'k', mode: 'retro', 'postmortem-url': 'https://docs.example.com/pm' }));
    expect(read.mistakes).toEqual([expect.stringMatching(/^Input "mode" is "retro"/)]);
  });

  it('reports an input the action does not declare beside the others', async () => {
    const read = await readInputs('declare', inputs({ 'api-key': 'k', visibility: 'internal' }), { env: { INPUT_SEVERTY: 'Major' } });
    expect(read.mistakes).toEqual([
      expect.stringMatching(/^Input "severty" is not an input of the declare job .*did you mean "severity"\?/),
      expect.stringMatching(/^Input "visibility" is "internal"/),
    ]);
  });

  it.each([
    [{ INPUT_OPERATION: 'close', visibility: 'internal' }, /^Input "operation" is "close", but the action no longer takes it/],
    [{ 'api-key': 'k\nx', visibility: 'internal' }, /^Input "api-key" contains a line break/],
    [
      { 'api-key': 'inc_live_7Hq2xP9vK3mZ8wR4tY6u', name: 'inc_live_7Hq2xP9vK3mZ8wR4tY6u', visibility: 'internal' },
      /^Input "name" contains the value of "api-key"/,
    ],
    [{ 'api-key': 'k', 'api-url': 'https://x.example.com/?a', visibility: 'internal' }, /^Input "api-url" is /],
  ])('throws at once, alone, on a check that guards the requests: %j', async (given, message) => {
    const env = Object.fromEntries(Object.entries(given).filter(([k]) => k.startsWith('INPUT_')));
    const error = await readInputs('declare', inputs(given), { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/visibility/);
  });
});
