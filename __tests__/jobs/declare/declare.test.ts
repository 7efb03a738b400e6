/**
 * The declare job on the source, through `run` with the test doubles: what it sends and reports,
 * and, shown on it, what main.ts does for every job (the key masked first, the failure policy,
 * runs GitHub gives no secrets). Every mistake in one run: ../check.test.ts.
 */
import type { GitHubContext } from '../../../src/github/context.js';
import { run } from '../../../src/main.js';
import { secretForms } from '../../../src/core/redact.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply, stepOf, type Step } from '../../helpers/fakes.js';
// Loaded here because the create imports both at once, and jest's ESM loader can fail
// ("… is not in cache") when two dynamic imports share a module that is not loaded yet.
import '../../../src/github/jobs.js';
import '../../../src/github/pulls.js';

const KEY = 'inc_test_key_0123456789';
const context = pushContext;
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
const attached = () =>
  json(201, {
    incident_attachment: {
      id: 'att',
      incident_id: '01INC',
      resource: { resource_type: 'arbitrary_url', permalink: 'x', title: 't', external_id: 'x' },
    },
  });
/** The incident's attachments as listed after this step attached the run: only its own. */
const listedAfter = () =>
  json(200, {
    incident_attachments: [
      {
        id: 'att',
        incident_id: '01INC',
        resource: { resource_type: 'arbitrary_url', permalink: 'https://github.com/acme/shop/actions/runs/1001' },
      },
    ],
  });
const severities = () =>
  json(200, {
    severities: [
      { id: 'sev-minor', name: 'Minor', rank: 1 },
      { id: 'sev-major', name: 'Major', rank: 2 },
    ],
  });

async function runWith(step: Step, replies: Reply[]) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore({ 'api-key': KEY, ...inputs });
  const fetch = scriptedFetch(replies);
  const clock = new FakeClock(Date.parse('2026-11-26T12:00:00Z'));
  await run({ core: core.core, fetch, env, clock, context: () => context }, job);
  return { ...core, fetch, bodies: fetch.calls.map((c) => (c.init.body ? JSON.parse(c.init.body as string) : undefined)) };
}

describe('run', () => {
  it('stops the pull request lookup when the create fails, so a slow GitHub cannot hold the failed step', async () => {
    let pullSignal: AbortSignal | undefined;
    const fetch = async (url: string, init: RequestInit): Promise<Response> => {
      if (url.includes('/commits/')) {
        // A GitHub that never answers: only an abort ends this request.
        pullSignal = init.signal ?? undefined;
        return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      if (url.includes('/jobs')) return json(200, { total_count: 0, jobs: [] });
      if (url.endsWith('/v1/severities')) return severities();
      return json(422, { type: 'validation_error', errors: [{ code: 'invalid', message: 'Name is too long', source: { field: 'name' } }] });
    };
    const core = fakeCore({ 'api-key': KEY, 'github-token': 'ghs_test_token_0123456789', severity: 'Major' });
    await run({ core: core.core, fetch, env, clock: new FakeClock(Date.parse('2026-11-26T12:00:00Z')), context: () => context }, 'declare');
    expect(core.failed).toMatch(/Name is too long/);
    expect(pullSignal).toBeDefined();
    expect(pullSignal!.aborted).toBe(true);
  });

  it('masks the key, in every form the Redactor knows, before anything else', async () => {
    const r = await runWith({ visibility: 'nope' }, []);
    expect(r.secrets).toEqual(secretForms(KEY));
  });

  it('resolves the severity, creates once with the derived key, and reports', async () => {
    const incident = {
      id: '01INC',
      reference: 'INC-7',
      name: 'n',
      permalink: 'https://app.incident.io/x/incidents/7',
      created_at: '2026-11-26T12:00:00Z',
      severity: { id: 'sev-major', name: 'Major' },
    };
    const r = await runWith({ severity: ' major ', summary: 'Checkout 500s' }, [
      severities(),
      json(200, { incident }),
      attached(),
      listedAfter(),
    ]);
    expect(r.fetch.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET https://api.incident.io/v1/severities',
      'POST https://api.incident.io/v2/incidents',
      'POST https://api.incident.io/v1/incident_attachments',
      // After attaching: is this step's link to the run the first on the incident (no other job of the run raced it)?
      'GET https://api.incident.io/v1/incident_attachments?incident_id=01INC',
    ]);
    expect(r.bodies[2]).toEqual({
      incident_id: '01INC',
      resource: {
        resource_type: 'arbitrary_url',
        url: 'https://github.com/acme/shop/actions/runs/1001',
        title: 'GitHub Actions: Deploy #7',
      },
    });
    expect(r.bodies[1]).toMatchObject({
      idempotency_key: 'github-actions/acme/shop/runs/1001',
      severity_id: 'sev-major',
      visibility: 'public',
      mode: 'standard',
      name: 'Workflow "Deploy" failed in acme/shop@main (run #7)',
    });
    expect(r.bodies[1].summary).toMatch(/^Checkout 500s\n\n\*\*GitHub Actions context\*\*/);
    expect(r.outputs).toEqual({
      'incident-id': '01INC',
      'incident-reference': 'INC-7',
      'incident-url': 'https://app.incident.io/x/incidents/7',
      'incident-name': 'n',
      created: 'true',
      skipped: 'false',
      // The outputs a later step chains on, as incident.io answered: no channel in this answer.
      severity: 'Major',
      'status-category': '',
      'slack-channel-id': '',
      'slack-channel-name': '',
      'slack-channel-url': '',
    });
    expect(r.log.find((l) => l.level === 'notice')?.message).toContain('https://app.incident.io/x/incidents/7');
    expect(r.summaryParts.join('')).toContain('- **Severity:** Major');
    expect(r.failed).toBeUndefined();
  });

  it('says when it defaults to the lowest severity', async () => {
    const incident = { id: '01INC', reference: 'INC-7', name: 'n', created_at: '2026-11-26T12:00:00Z' };
    const r = await runWith({}, [severities(), json(200, { incident }), attached(), listedAfter()]);
    expect(r.bodies[1].severity_id).toBe('sev-minor');
    expect(r.log.map((l) => l.message)).toContain('Input "severity" is empty, so the lowest-ranked severity "Minor" is used.');
  });

  it('fails on an unknown severity without sending a create', async () => {
    const r = await runWith({ severity: 'Majr' }, [severities()]);
    expect(r.fetch.calls).toHaveLength(1);
    expect(r.failed).toMatch(/Input "severity" is "Majr".*Available: "Minor", "Major"\. Did you mean "Major"\?/);
  });

  it('sends nothing at all on a bad input', async () => {
    const r = await runWith({ mode: 'drill' }, []);
    expect(r.fetch.calls).toHaveLength(0);
    expect(r.failed).toMatch(/Input "mode" is "drill"/);
    expect(r.outputs).toEqual({ created: 'false', skipped: 'false' });
  });

  it('turns errors into warnings when fail-on-error is false', async () => {
    const r = await runWith({ 'fail-on-error': 'false' }, [
      json(401, { type: 'authentication_error', errors: [{ message: 'Invalid API key' }] }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.log.find((l) => l.level === 'warning')?.message).toMatch(
      /answered 401 authentication_error: Invalid API key.*fail-on-error is false/,
    );
  });

  it('still fails on a mistake in the inputs when fail-on-error is false, before any request', async () => {
    const r = await runWith({ 'fail-on-error': 'false', visibility: 'secret' }, []);
    expect(r.fetch.calls).toHaveLength(0);
    expect(r.failed).toMatch(
      /^Input "visibility" is "secret".*fail-on-error: false covers faults of incident.io, GitHub and the network, not a mistake/,
    );
    expect(r.outputs).toEqual({ created: 'false', skipped: 'false' });
  });

  it('still fails when a lookup shows the input wrong (an unknown severity) with fail-on-error false', async () => {
    const r = await runWith({ 'fail-on-error': 'false', severity: 'Sev1' }, [severities()]);
    expect(r.fetch.calls).toHaveLength(1);
    expect(r.failed).toMatch(/^Input "severity" is "Sev1"/);
  });

  it.each([
    ['learning', true],
    ['closed', true],
    ['declined', true],
    ['merged', true],
    ['canceled', true],
    ['live', false],
    ['triage', false],
  ])('on a re-run that gets back an incident in "%s", warns that it is over: %s (and stays green)', async (category, over) => {
    const incident = {
      id: '01INC',
      reference: 'INC-7',
      name: 'n',
      created_at: '2026-11-26T11:00:00Z',
      incident_status: { id: 'st', name: 'Status', category },
    };
    const r = await runWith({ severity: 'Major' }, [
      severities(),
      json(200, { incident }),
      json(200, { incident_attachments: [] }),
      attached(),
      listedAfter(),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.outputs.created).toBe('false');
    const warnings = r.log.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toEqual(
      over ? [expect.stringMatching(/^INC-7 is already over \(status "Status"\), and this step does not reopen it/)] : [],
    );
  });

  it('prints the payload and creates nothing in a dry run', async () => {
    const r = await runWith({ 'dry-run': 'true', severity: 'Major' }, [severities()]);
    expect(r.fetch.calls).toHaveLength(1);
    const printed = r.log.map((l) => l.message).join('\n');
    expect(printed).toContain('"severity_id": "sev-major"');
    expect(printed).not.toContain(KEY);
    expect(r.outputs).toEqual({ created: 'false', skipped: 'false' });
  });

  it('masks each line of a multi-line secret as well as the whole', async () => {
    const r = await runWith({ 'github-token': 'ghs_line_one_abcdef\nghs_line_two_ghijkl' }, []);
    expect(r.secrets).toEqual(expect.arrayContaining(['ghs_line_one_abcdef', 'ghs_line_two_ghijkl']));
    expect(r.failed).toMatch(/^Input "github-token" contains a line break/);
    expect(r.fetch.calls).toHaveLength(0);
  });

  it('fails before any request on an input action.yml does not declare', async () => {
    const core = fakeCore({ 'api-key': KEY });
    const fetch = scriptedFetch([]);
    await run(
      { core: core.core, fetch, env: { ...env, INPUT_SEVERTY: 'Critical' }, clock: new FakeClock(), context: () => context },
      'declare',
    );
    expect(fetch.calls).toHaveLength(0);
    expect(core.failed).toMatch(/Input "severty" is not an input of the declare job .*did you mean "severity"\?/);
  });

  it('masks the credentials of a proxy variable and redacts them from what it prints', async () => {
    const core = fakeCore({ 'api-key': KEY });
    const fetch = scriptedFetch([
      json(401, { type: 'authentication_error', errors: [{ message: 'proxy says: corp-proxy-pw-77 denied' }] }),
    ]);
    const proxyEnv = { ...env, HTTPS_PROXY: 'http://svc-bot:corp-proxy-pw-77@proxy.corp:3128' };
    await run({ core: core.core, fetch, env: proxyEnv, clock: new FakeClock(), context: () => context }, 'declare');
    expect(core.secrets).toEqual(expect.arrayContaining([KEY, 'corp-proxy-pw-77', 'svc-bot:corp-proxy-pw-77']));
    expect(core.failed).toContain('proxy says: *** denied');
  });

  it('refuses a malformed proxy variable before any request, under the failure policy', async () => {
    const core = fakeCore({ 'api-key': KEY, 'fail-on-error': 'false' });
    const fetch = scriptedFetch([]);
    const proxyEnv = { ...env, https_proxy: 'socks5://u:corp-proxy-pw-77@proxy.corp:1080' };
    await run({ core: core.core, fetch, env: proxyEnv, clock: new FakeClock(), context: () => context }, 'declare');
    expect(fetch.calls).toHaveLength(0);
    expect(core.failed).toBeUndefined();
    const warning = core.log.find((l) => l.level === 'warning')?.message ?? '';
    expect(warning).toMatch(
      /^The proxy variable https_proxy is "socks5:\/\/\*\*\*@proxy\.corp:1080": the action supports http:\/\/ and https:\/\//,
    );
    expect(warning).not.toContain('corp-proxy-pw');
    expect(core.secrets).toContain('corp-proxy-pw-77');
  });

  it('reports an unreadable event payload under the failure policy', async () => {
    for (const failOnError of ['true', 'false']) {
      const core = fakeCore({ 'api-key': KEY, 'fail-on-error': failOnError });
      const unreadable = () => {
        throw Object.assign(new Error("EACCES: permission denied, open '/runner/event.json'"), { code: 'EACCES' });
      };
      await run(
        {
          core: core.core,
          fetch: scriptedFetch([]),
          env: { ...env, GITHUB_EVENT_PATH: '/runner/event.json' },
          clock: new FakeClock(),
          context: unreadable,
        },
        'declare',
      );
      const said = failOnError === 'true' ? core.failed : core.log.find((l) => l.level === 'warning')?.message;
      expect(said).toMatch(/^Could not read the workflow's event payload from GITHUB_EVENT_PATH \("\/runner\/event\.json"\): EACCES/);
      expect(core.failed === undefined).toBe(failOnError === 'false');
    }
  });

  it('never turns a created incident into created=false when reporting fails later', async () => {
    const incident = { id: '01INC', reference: 'INC-7', name: 'n', created_at: '2026-11-26T12:00:00Z' };
    const core = fakeCore({ 'api-key': KEY, severity: 'Major', 'fail-on-error': 'false' });
    const setOutput = core.core.setOutput;
    core.core.setOutput = (name: string, value: string) => {
      if (name === 'created' && value === 'false') throw new Error('should not be written');
      setOutput(name, value);
    };
    core.core.notice = () => {
      throw new Error('the notice could not be written');
    };
    await run(
      {
        core: core.core,
        fetch: scriptedFetch([severities(), json(200, { incident }), attached(), listedAfter()]),
        env,
        clock: new FakeClock(),
        context: () => context,
      },
      'declare',
    );
    expect(core.outputs).toMatchObject({ 'incident-id': '01INC', created: 'true' });
    expect(core.log.find((l) => l.level === 'warning')?.message).toMatch(/the notice could not be written/);
  });

  it('follows the failure policy when the outputs cannot be written', async () => {
    for (const failOnError of ['true', 'false']) {
      const core = fakeCore({ 'api-key': KEY, severity: 'Major', 'fail-on-error': failOnError });
      core.core.setOutput = () => {
        throw new Error("EACCES: permission denied, open '/runner/output'");
      };
      const incident = { id: '01INC', reference: 'INC-7', name: 'n', created_at: '2026-11-26T12:00:00Z' };
      await run(
        {
          core: core.core,
          fetch: scriptedFetch([severities(), json(200, { incident }), attached(), listedAfter()]),
          env: { ...env, GITHUB_OUTPUT: '/runner/output' },
          clock: new FakeClock(),
          context: () => context,
        },
        'declare',
      );
      const said = failOnError === 'true' ? core.failed : core.log.find((l) => l.level === 'warning')?.message;
      expect(said).toMatch(/^Could not write the step output "incident-id" \(GITHUB_OUTPUT is "\/runner\/output"\): EACCES/);
      expect(core.log.filter((l) => l.level === 'debug')).toEqual([]);
    }
  });

  it('refuses a secret interpolated into the name or summary, sending nothing', async () => {
    const r = await runWith({ severity: 'Major', name: `Deploy ${KEY}`, summary: `token was ${KEY.slice(2)}` }, []);
    expect(r.fetch.calls).toHaveLength(0);
    expect(r.failed).toMatch(/^Input "name" contains the value of "api-key".*\nInput "summary" contains the value of "api-key"/s);
    expect(r.failed).not.toContain(KEY.slice(2, 14));
  });

  describe('runs GitHub gives no secrets', () => {
    const forkPull = {
      pull_request: {
        number: 7,
        html_url: 'https://github.com/acme/shop/pull/7',
        head: { repo: { full_name: 'mallory/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    };
    const skip = async (ctx: GitHubContext, step: Step, extraEnv: Record<string, string> = {}) => {
      const { job, inputs } = stepOf(step);
      const core = fakeCore(inputs);
      const fetch = scriptedFetch([]);
      await run({ core: core.core, fetch, env: { ...env, ...extraEnv }, clock: new FakeClock(), context: () => ctx }, job);
      return { ...core, fetch };
    };

    it.each([
      ["a fork's pull request", { ...context, eventName: 'pull_request', payload: forkPull }, {}],
      ["a fork's pull request review", { ...context, eventName: 'pull_request_review', payload: forkPull }, {}],
      ['Dependabot', { ...context, actor: 'dependabot[bot]' }, {}],
      ['a re-run Dependabot triggered', context, { GITHUB_TRIGGERING_ACTOR: 'dependabot[bot]' }],
    ])('skips with a notice, skipped=true and no request, on %s with an empty key', async (_name, ctx, extraEnv) => {
      const r = await skip(ctx, { severity: 'Major' }, extraEnv);
      expect(r.failed).toBeUndefined();
      expect(r.fetch.calls).toHaveLength(0);
      expect(r.outputs).toEqual({ skipped: 'true', created: 'false' });
      expect(r.log.find((l) => l.level === 'notice')?.message).toMatch(
        /^Skipped: "api-key" is empty because .*GitHub gives such runs no secrets/,
      );
    });

    it('skips an alert on such a run when its token is empty', async () => {
      const r = await skip({ ...context, actor: 'dependabot[bot]' }, { job: 'alert', 'alert-source-id': 'src' });
      expect(r.outputs.skipped).toBe('true');
      expect(r.failed).toBeUndefined();
    });

    it.each([
      [
        'a pull request from the same repository',
        {
          ...context,
          eventName: 'pull_request',
          payload: { pull_request: { head: { repo: { full_name: 'acme/shop' } }, base: { repo: { full_name: 'acme/shop' } } } },
        },
      ],
      [
        'pull_request_target, which gets secrets',
        { ...context, eventName: 'pull_request_target', payload: forkPull, actor: 'dependabot[bot]' },
      ],
      ['workflow_run, which gets secrets', { ...context, eventName: 'workflow_run', actor: 'dependabot[bot]' }],
      ['a push', context],
    ])('still fails on an empty key on %s', async (_name, ctx) => {
      const r = await skip(ctx, { severity: 'Major' });
      expect(r.failed).toMatch(/Input "api-key" is empty/);
      expect(r.outputs.skipped).toBe('false');
    });

    it('still checks the other inputs first', async () => {
      const r = await skip({ ...context, actor: 'dependabot[bot]' }, { visibility: 'secret' });
      expect(r.failed).toMatch(/Input "visibility" is "secret"/);
    });

    it('runs normally on such a run when the key is there', async () => {
      const incident = { id: '01INC', reference: 'INC-7', name: 'n', created_at: '2026-11-26T12:00:00Z' };
      const core = fakeCore({ 'api-key': KEY, severity: 'Major' });
      const fetch = scriptedFetch([severities(), json(200, { incident }), attached(), listedAfter()]);
      await run(
        { core: core.core, fetch, env, clock: new FakeClock(), context: () => ({ ...context, actor: 'dependabot[bot]' }) },
        'declare',
      );
      expect(core.outputs).toMatchObject({ created: 'true', skipped: 'false' });
    });
  });
});
