import { InputError } from '../src/errors.js';
import { parseApiUrl, readSettings } from '../src/settings/settings.js';

const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();

describe('readSettings', () => {
  it('applies the documented defaults when only the key is given', async () => {
    expect(await readSettings(inputs({ 'api-key': 'k' }))).toEqual({
      operation: 'create',
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
      githubToken: '',
      incidentId: '',
      notifyIncidentChannel: true,
      alertSourceId: '',
      alertToken: '',
      alertStatus: 'firing',
      deduplicationKey: '',
      dryRun: false,
      failOnError: true,
    });
  });

  it('accepts choices and booleans in any case', async () => {
    const s = await readSettings(
      inputs({ 'api-key': 'k', visibility: 'PRIVATE', mode: 'Test', 'dry-run': 'TRUE', 'fail-on-error': 'False' }),
    );
    expect([s.visibility, s.mode, s.dryRun, s.failOnError]).toEqual(['private', 'test', true, false]);
  });

  it('explains an empty api-key, including the missing-secret case', async () => {
    await expect(readSettings(inputs({}))).rejects.toThrow(/Input "api-key" is empty.*forks or by Dependabot/s);
  });

  it.each([
    ['visibility', 'secret', /Input "visibility" is "secret"; allowed values: "public", "private"\./],
    ['mode', 'drill', /Input "mode" is "drill"; allowed values: "standard", "retrospective", "test", "tutorial"\./],
    ['dry-run', 'yes', /Input "dry-run" is "yes"; allowed values: "true", "false"\./],
    ['fail-on-error', '1', /Input "fail-on-error" is "1"; allowed values: "true", "false"\./],
    ['operation', 'close', /Input "operation" is "close"; allowed values: "create", "update", "resolve", "alert"\./],
    ['alert-status', 'ok', /Input "alert-status" is "ok"; allowed values: "firing", "resolved"\./],
    ['notify-incident-channel', 'no', /Input "notify-incident-channel" is "no"; allowed values: "true", "false"\./],
  ])('rejects %s=%s naming the input, the value and the choices', async (input, value, message) => {
    const given = { 'api-key': 'k', 'incident-id': 'INC-1', status: 'Fixed', 'alert-source-id': 'a', 'alert-token': 't', [input]: value };
    // Keep only what the operation under test uses.
    const op = input === 'alert-status' ? 'alert' : input === 'notify-incident-channel' ? 'resolve' : 'create';
    const keep = (k: string) =>
      k === input ||
      (op === 'alert' ? k.startsWith('alert-') : op === 'resolve' ? ['api-key', 'incident-id', 'status'].includes(k) : k === 'api-key');
    const picked = Object.fromEntries(Object.entries(given).filter(([k]) => keep(k)));
    if (input !== 'operation') picked['operation'] = op;
    await expect(readSettings(inputs(picked))).rejects.toThrow(InputError);
    await expect(readSettings(inputs(picked))).rejects.toThrow(message);
  });
});

describe('operations', () => {
  it('requires the inputs an operation needs, saying where to get them', async () => {
    await expect(readSettings(inputs({ operation: 'update', 'api-key': 'k', name: 'x' }))).rejects.toThrow(
      /Input "incident-id" is required when "operation" is "update", but it is empty\. Pass the incident ID, its reference \(INC-123\)/,
    );
    await expect(readSettings(inputs({ operation: 'alert', 'alert-source-id': 'a' }))).rejects.toThrow(
      /Input "alert-token" is required when "operation" is "alert"/,
    );
  });

  it('refuses inputs that make no sense for the operation, and says why', async () => {
    await expect(readSettings(inputs({ 'api-key': 'k', 'incident-id': 'INC-1' }))).rejects.toThrow(
      /Input "incident-id" is set, but operation "create" does not use it \(it is used by "update", "resolve"\)/,
    );
    await expect(readSettings(inputs({ operation: 'alert', 'alert-source-id': 'a', 'alert-token': 't', 'api-key': 'k' }))).rejects.toThrow(
      /Input "api-key" is set, but operation "alert" does not use it/,
    );
    await expect(readSettings(inputs({ operation: 'resolve', 'api-key': 'k', 'incident-id': '1', severity: 'Major' }))).rejects.toThrow(
      /Input "severity" is set, but operation "resolve" does not use it/,
    );
  });

  it('needs something to change on update', async () => {
    await expect(readSettings(inputs({ operation: 'update', 'api-key': 'k', 'incident-id': '1' }))).rejects.toThrow(
      /needs something to change/,
    );
  });

  it('parses custom-fields and roles from YAML or JSON, keeping every scalar a string', async () => {
    const s = await readSettings(
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
    ['custom-fields', 'a: 1\na: 2', /Input "custom-fields" is not valid YAML or JSON: Map keys must be unique/],
    [
      'custom-fields',
      'Owner: {team: x}',
      /Input "custom-fields" has "Owner" set to \{"team":"x"\}; each value must be a string or a list of strings/,
    ],
    ['roles', '{"lead": ["a@b.c", "d@e.f"]}', /Input "roles" gives "lead" a list; each role takes one assignee/],
    ['roles', 'just text', /Input "roles" must be a mapping such as .*; got "just text"\./],
  ])('reports malformed %s naming the input', async (input, raw, message) => {
    await expect(readSettings(inputs({ 'api-key': 'k', [input]: raw }))).rejects.toThrow(message);
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
    ['https://api.incident.io/?x=1', /must not carry credentials, a query or a fragment/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseApiUrl(raw)).toThrow(message);
    expect(() => parseApiUrl(raw)).toThrow(/Input "api-url" is .*allowed values: an https:\/\/ URL/);
  });

  it('never repeats credentials embedded in the URL', () => {
    let message = '';
    try {
      parseApiUrl('https://user:hunter2@api.incident.io/?token=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Input "api-url"/);
    expect(message).not.toMatch(/hunter2|s3cret/);
  });
});
