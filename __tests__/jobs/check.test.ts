/**
 * Every mistake in one run (src/jobs/check.ts): when some inputs are wrong, the names in the
 * well-formed ones are still looked up, and every error is reported together before any write.
 */
import { run } from '../../src/main.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply, stepOf, type Step } from '../helpers/fakes.js';

const KEY = 'inc_test_key_0123456789';
const context = pushContext;
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
async function runWith(step: Step, replies: Reply[]) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore({ 'api-key': KEY, ...inputs });
  const fetch = scriptedFetch(replies);
  const clock = new FakeClock(Date.parse('2026-11-26T12:00:00Z'));
  await run({ core: core.core, fetch, env, clock, context: () => context }, job);
  return { ...core, fetch, bodies: fetch.calls.map((c) => (c.init.body ? JSON.parse(c.init.body as string) : undefined)) };
}

describe('every mistake in one run', () => {
  /** A workspace that answers every lookup by its path, in any order. */
  const workspace =
    (status = 200) =>
    (url: string): Response => {
      const { pathname, searchParams } = new URL(url);
      if (status !== 200) return json(status, { type: 'authentication_error', errors: [{ message: 'The API key is missing or invalid' }] });
      const routes: Record<string, unknown> = {
        '/v1/severities': {
          severities: [
            { id: 'sev-minor', name: 'Minor', rank: 1 },
            { id: 'sev-major', name: 'Major', rank: 2 },
          ],
        },
        '/v1/incident_types': { incident_types: [{ id: 'type-sec', name: 'Security', private_incidents_only: true }] },
        '/v1/incident_statuses': {
          incident_statuses: [
            { id: 'st-inv', name: 'Investigating', rank: 1, category: 'live' },
            { id: 'st-doc', name: 'Documenting', rank: 2, category: 'learning' },
          ],
        },
        '/v2/custom_fields': { custom_fields: [{ id: 'f-teams', name: 'Teams', field_type: 'multi_select' }] },
        '/v1/custom_field_options': {
          custom_field_options: [
            { id: 'o-plat', value: 'Platform' },
            { id: 'o-pay', value: 'Payments' },
          ],
          pagination_meta: {},
        },
        '/v2/incident_roles': {
          incident_roles: [
            { id: 'r-lead', name: 'Incident Lead', shortform: 'lead', role_type: 'lead' },
            { id: 'r-comms', name: 'Communications', shortform: 'comms', role_type: 'custom' },
          ],
        },
        '/v2/users': {
          users: searchParams.get('email') === 'alice@example.com' ? [{ id: 'u-alice', name: 'Alice', email: 'alice@example.com' }] : [],
          pagination_meta: {},
        },
        '/v2/incident_timestamps': { incident_timestamps: [{ id: 'ts-impact', name: 'Impact started', rank: 1 }] },
      };
      if (pathname === '/v2/incidents/999') return json(404, { type: 'not_found', errors: [{ message: 'Not found' }] });
      const body = routes[pathname];
      return body ? json(200, body) : json(500, { type: 'internal', errors: [{ message: `no route ${pathname}` }] });
    };
  const many = (reply: Reply) => Array.from({ length: 30 }, () => reply);
  const lines = (failed: string | undefined) => (failed ?? '').split('\n');

  it('reports a format error, an unknown name, a bad assignee and an unknown option together, and sends nothing', async () => {
    const r = await runWith(
      {
        visibility: 'internal',
        severity: 'Majr',
        roles: 'Incident Lead: ""\ncomms: nobody@example.com',
        'custom-fields': 'Teams: [Platfrm]',
      },
      many(workspace()),
    );
    expect(r.fetch.calls.every((c) => c.init.method === 'GET')).toBe(true);
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "roles" assigns "Incident Lead" to an empty value\. If it comes from `\$\{\{ vars/),
      'Input "visibility" is "internal"; allowed values: "public", "private".',
      expect.stringMatching(/^Input "severity" is "Majr", which is not a severity .*Did you mean "Major"\?$/),
      expect.stringMatching(
        /^Input "custom-fields" sets "Teams" to "Platfrm", which is not one of its options\..*Did you mean "Platform"\?$/,
      ),
      expect.stringMatching(/^Input "roles" assigns "comms" to "nobody@example\.com", but no user has this email/),
    ]);
    expect(r.outputs).toEqual({ created: 'false', skipped: 'false' });
  });

  it('still looks up the name of a role whose assignee is refused, and a field whose value needs the field says so', async () => {
    const r = await runWith(
      { roles: 'Incident Led: ""', 'custom-fields': 'Teems: Platform', timestamps: 'Impact strated: yesterday' },
      many(workspace()),
    );
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "roles" assigns "Incident Led" to an empty value/),
      expect.stringMatching(/^Input "timestamps" gives "Impact strated" the value "yesterday"; allowed values/),
      expect.stringMatching(
        /^Input "custom-fields" names "Teems", .*Did you mean "Teams"\? Its value "Platform" could not be checked without the field\.$/,
      ),
      expect.stringMatching(/^Input "roles" names "Incident Led", which is not an incident role .*Did you mean "Incident Lead"\?$/),
      expect.stringMatching(/^Input "timestamps" names "Impact strated", which is not a timestamp .*Did you mean "Impact started"\?$/),
    ]);
  });

  it('says a mapping it cannot read leaves its names unchecked', async () => {
    const r = await runWith({ severity: 'Majr', roles: 'Incident Lead alice@example.com' }, many(workspace()));
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(
        /^Input "roles" must be a mapping .*Until it reads as a mapping, its roles and their assignees cannot be checked against the workspace\.$/,
      ),
      expect.stringMatching(/^Input "severity" is "Majr"/),
    ]);
  });

  it('checks an incident type against the visibility only when the visibility is well-formed', async () => {
    const typed = await runWith({ 'incident-type': 'Security', mode: 'drill' }, many(workspace()));
    expect(lines(typed.failed)).toEqual([
      expect.stringMatching(/^Input "mode" is "drill"/),
      expect.stringMatching(/^Input "incident-type" is "Security", whose incidents must be private, but "visibility" is "public"/),
    ]);
    const unknown = await runWith({ 'incident-type': 'Security', visibility: 'internal' }, many(workspace()));
    expect(lines(unknown.failed)).toEqual([expect.stringMatching(/^Input "visibility" is "internal"/)]);
  });

  it('says once which inputs a refused key left unchecked', async () => {
    const r = await runWith(
      { visibility: 'internal', severity: 'Major', 'custom-fields': 'Teams: Platform', roles: 'lead: alice@example.com' },
      many(workspace(401)),
    );
    expect(lines(r.failed)).toEqual([
      'Input "visibility" is "internal"; allowed values: "public", "private".',
      expect.stringMatching(
        /^Inputs "severity", "custom-fields" and "roles" could not be checked against the workspace: incident\.io GET \/v\d\/\w+ answered 401/,
      ),
    ]);
  });

  it('says which names it could not check without a key, and sends nothing', async () => {
    const core = fakeCore({ severity: 'Majr', visibility: 'internal' });
    const fetch = scriptedFetch([]);
    await run({ core: core.core, fetch, env, clock: new FakeClock(), context: () => context }, 'declare');
    expect(fetch.calls).toHaveLength(0);
    expect(lines(core.failed)).toEqual([
      expect.stringMatching(/^Input "api-key" is empty/),
      'Input "visibility" is "internal"; allowed values: "public", "private".',
      'Input "severity" could not be checked against the workspace, because "api-key" is empty.',
    ]);
  });

  it('lets the checks that guard the requests stop everything else', async () => {
    const r = await runWith({ visibility: 'internal', severity: 'Majr', name: `Deploy ${KEY}` }, many(workspace()));
    expect(r.fetch.calls).toHaveLength(0);
    expect(lines(r.failed)[0]).toMatch(/^Input "name" contains the value of "api-key"/);
    expect(r.failed).not.toMatch(/visibility|severity/);
    const url = await runWith({ visibility: 'internal', 'api-url': 'http://api.incident.io' }, []);
    expect(url.failed).toMatch(/^Input "api-url" is "http:\/\/api\.incident\.io": the API key must not travel unencrypted/);
    expect(url.failed).not.toMatch(/visibility/);
  });

  it('reports an unknown incident, a wrong severity and a typo in a flag of an update together', async () => {
    const r = await runWith(
      { job: 'update', 'incident-id': 'INC-999', severity: 'Majr', 'notify-incident-channel': 'ture' },
      many(workspace()),
    );
    expect(r.fetch.calls.every((c) => c.init.method === 'GET')).toBe(true);
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "notify-incident-channel" is "ture"/),
      expect.stringMatching(/^Input "incident-id" is "INC-999", but incident\.io has no such incident \(404\)/),
      expect.stringMatching(/^Input "severity" is "Majr"/),
    ]);
  });

  it('reports an unknown timestamp and a type that must be private beside an unknown severity when every input is well-formed', async () => {
    const r = await runWith({ severity: 'Majr', timestamps: 'Impact strated: now', 'incident-type': 'Security' }, many(workspace()));
    expect(r.fetch.calls.every((c) => c.init.method === 'GET')).toBe(true);
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "severity" is "Majr"/),
      expect.stringMatching(/^Input "incident-type" is "Security", whose incidents must be private/),
      expect.stringMatching(/^Input "timestamps" names "Impact strated", which is not a timestamp/),
    ]);
  });

  it('reports an unknown incident and a status that does not resolve together on resolve', async () => {
    const r = await runWith({ job: 'resolve', 'incident-id': 'INC-999', status: 'Investigating' }, many(workspace()));
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "incident-id" is "INC-999", but incident\.io has no such incident/),
      expect.stringMatching(/^Input "status" is "Investigating", a status in the "live" category/),
    ]);
  });

  it('reports a resolve status that is not a resolved one beside a mode it does not use', async () => {
    const r = await runWith({ job: 'resolve', 'incident-id': 'INC-7', mode: 'test', status: 'Investigating' }, [
      ...many((url) =>
        url.includes('/v2/incidents/7') ? json(200, { incident: { id: '01INC', reference: 'INC-7', name: 'n' } }) : workspace()(url),
      ),
    ]);
    expect(lines(r.failed)).toEqual([
      expect.stringMatching(/^Input "mode" is set, but the resolve job uses it only with "incident-key"/),
      expect.stringMatching(
        /^Input "status" is "Investigating", a status in the "live" category; to resolve an incident the status must be in/,
      ),
    ]);
  });
});
