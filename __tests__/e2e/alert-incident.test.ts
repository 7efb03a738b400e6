/**
 * End-to-end for the alert job's `wait-for-incident` (issue 20 §2): the bundle runs as a child
 * process against the sandbox, whose alert route opens an incident for a new firing alert after a
 * delay. The event goes with the alert token alone, the lookups with the API key alone; the wait
 * ends the step within its seconds whatever the lookups meet.
 */
import { micromark } from 'micromark';
import { runAction } from '../../scripts/run-action.mjs';
import { leakedFragments } from '../helpers/leaks.js';
import { foreignCommands } from '../helpers/runner-commands.js';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const SEND = 'POST /v2/alert_events/http/:id';
const LOOKUPS = ['GET /v2/alerts', 'GET /v2/incident_alerts', 'GET /v2/incidents/:id'];

const alertInputs = (extra: Record<string, string> = {}) => ({
  'api-url': sandbox.url,
  'alert-source-id': sandbox.alertSourceId,
  'alert-token': sandbox.alertToken,
  ...extra,
});
const waiting = (seconds: number) => alertInputs({ 'api-key': sandbox.apiKey, 'wait-for-incident': String(seconds) });
const routes = () => sandbox.requests.map((r) => r.route);
const lookups = () => sandbox.requests.filter((r) => LOOKUPS.includes(r.route));
/** Everything the step showed, but its own masks. */
const shown = (result: Awaited<ReturnType<typeof runAction>>) =>
  [result.stdout.replace(/^::add-mask::.*$/gm, ''), result.stderr, result.summary, JSON.stringify(result.outputs)].join('\n');

describe('alert: wait-for-incident', () => {
  it('with a 10 s wait, sets the incident outputs for the incident a route opens 2 s later; each secret goes only where it belongs', async () => {
    sandbox.state.alertRoute = { incidentAfterMs: 2_000 };
    // An older alert of the same key and source (an earlier run's, resolved since) is never taken for this one.
    sandbox.state.alertRecords.push({
      id: '01OLDALERT0000000000000000',
      title: 'old',
      status: 'resolved',
      deduplication_key: 'github-actions/acme/shop/Deploy/refs/heads/main',
      alert_source_id: sandbox.alertSourceId,
      alert_group_ids: [],
      attributes: [],
      created_at: '2026-01-05T09:00:00.000Z',
      updated_at: '2026-01-05T09:00:00.000Z',
    });
    const result = await runAction(waiting(10), { job: 'alert' });
    expect(result.code).toBe(0);
    const [incident] = sandbox.incidents();
    const [, alert] = sandbox.alertRecords();
    expect(incident).toBeDefined();
    expect(result.outputs).toMatchObject({
      'alert-id': alert.id,
      'incident-id': incident.id,
      'incident-reference': incident.reference,
      'incident-url': incident.permalink,
      'incident-name': incident.name,
      skipped: 'false',
    });
    expect(result.stdout).not.toMatch(/::(warning|error)/);
    // The summary names the alert's incident.
    expect(result.summary).toContain(`**Alert:** \`${alert.id}\``);
    expect(result.summary).toContain(`**Incident:** [${incident.reference}: ${incident.name}](${incident.permalink})`);
    // The alert token only to the alert source, in its header; the API key only on the lookups.
    const [send, ...rest] = sandbox.requests;
    expect(send!.route).toBe(SEND);
    expect(send!.headers['authorization']).toBe(`Bearer ${sandbox.alertToken}`);
    expect(JSON.stringify(send)).not.toContain(sandbox.apiKey);
    expect(rest.length).toBeGreaterThanOrEqual(3);
    for (const lookup of rest) {
      expect(LOOKUPS).toContain(lookup.route);
      expect(lookup.headers['authorization']).toBe(`Bearer ${sandbox.apiKey}`);
      expect(JSON.stringify(lookup)).not.toContain(sandbox.alertToken);
    }
    // It stopped polling once the incident was there, well within the wait.
    expect(rest.at(-1)!.startedAt - send!.respondedAt!).toBeLessThan(6_000);
    // Both secrets are masked, and neither shows anywhere else.
    expect(result.stdout).toContain(`::add-mask::${sandbox.alertToken}`);
    expect(result.stdout).toContain(`::add-mask::${sandbox.apiKey}`);
    expect(shown(result)).not.toContain(sandbox.alertToken);
    expect(shown(result)).not.toContain(sandbox.apiKey);
  });

  it('names the existing incident a route grouped the alert into', async () => {
    const declared = await runAction({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' });
    expect(declared.code).toBe(0);
    sandbox.state.alertRoute = { incidentAfterMs: 500, incidentId: declared.outputs['incident-id'] };
    const result = await runAction(waiting(10), { job: 'alert' });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.outputs['incident-id']).toBe(declared.outputs['incident-id']);
    expect(result.outputs['incident-reference']).toBe(declared.outputs['incident-reference']);
  });

  it('with the default of 0, makes no lookups', async () => {
    sandbox.state.alertRoute = { incidentAfterMs: 0 };
    const result = await runAction(alertInputs(), { job: 'alert' });
    expect(result.code).toBe(0);
    expect(routes()).toEqual([SEND]);
    expect(result.outputs['alert-id'] ?? '').toBe('');
    expect(result.outputs['incident-id'] ?? '').toBe('');
    // Not a word about the incident: the step did what it always did.
    expect(result.stdout).not.toMatch(/wait-for-incident|incident behind|::warning/);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('::notice'))).toHaveLength(1);
    expect(result.summary).not.toContain('**Incident:**');
  });

  it('makes no lookups for a resolved event', async () => {
    const result = await runAction({ ...waiting(10), 'alert-status': 'resolved' }, { job: 'alert' });
    expect(result.code).toBe(0);
    expect(routes()).toEqual([SEND]);
    expect(result.stdout).toContain('A resolved event opens no incident, so "wait-for-incident" looked nothing up.');
  });

  it('leaves the incident outputs empty, with one notice, when no route opens one within the wait', async () => {
    const result = await runAction(waiting(3), { job: 'alert' });
    expect(result.code).toBe(0);
    // One notice about the incident (beside the one that says the event was sent).
    const notices = result.stdout.split('\n').filter((l) => l.startsWith('::notice') && !l.includes('title=incident.io alert firing'));
    expect(notices).toEqual([expect.stringMatching(/no alert route had opened an incident for it, or attached it to one, within 3 s/)]);
    expect(result.outputs['alert-id']).toBe(sandbox.alertRecords()[0].id);
    expect(result.outputs['incident-id']).toBe('');
    expect(result.summary).toContain('**Incident:** none within 3 s');
  });

  it('warns naming the scope on a 403 from the lookups; the alert was sent and the step stays green', async () => {
    sandbox.state.alertRoute = { incidentAfterMs: 0 };
    sandbox.fault('GET /v2/alerts', { type: 'error', status: 403, message: 'The API key does not have the required scopes' }, 50);
    const result = await runAction(waiting(5), { job: 'alert' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('::error');
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning'));
    expect(warnings).toEqual([expect.stringMatching(/could not look up the incident behind it.*403.*alerts\.view.*wait-for-incident/)]);
    expect(sandbox.alerts()).toHaveLength(1);
    expect(result.outputs['incident-id']).toBe('');
    expect(result.outputs.skipped).toBe('false');
    expect(routes().filter((r) => r === 'GET /v2/alerts')).toHaveLength(1);
  });

  it.each([
    ['a lookup that never answers', { type: 'slow', delayMs: 120_000 }],
    ['lookup answers lost after processing', { type: 'reset', after: 'process' }],
  ])(
    'ends within the wait on %s, with a warning and a green step',
    async (_, fault) => {
      sandbox.state.alertRoute = { incidentAfterMs: 0 };
      sandbox.fault('GET /v2/alerts', fault, 100);
      const result = await runAction(waiting(4), { job: 'alert', timeoutMs: 30_000 });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/::warning.*could not look up the incident behind it.*the 4 s wait for the alert's incident/);
      const send = sandbox.requests.find((r) => r.route === SEND)!;
      // Every lookup started within the wait; the step ended soon after it (the request timeout is 10 s).
      for (const lookup of lookups()) expect(lookup.startedAt - send.respondedAt!).toBeLessThan(4_000);
      expect(result.ms).toBeLessThan(4_000 + 4_000);
    },
    40_000,
  );

  it("keeps the incident's name inert, as incident.io holds it: in the log, the outputs and the summary", async () => {
    sandbox.state.alertRoute = { incidentAfterMs: 0 };
    const name = 'Deploy\n::error::PWNED](https://evil.example) ##[set-output name=incident-id;]PWNED';
    const result = await runAction({ ...waiting(5), name }, { job: 'alert' });
    expect(result.code).toBe(0);
    const [incident] = sandbox.incidents();
    expect(incident.name).toContain('PWNED');
    expect(result.outputs['incident-name']).toBe(incident.name);
    expect(result.outputs['incident-id']).toBe(incident.id);
    const secrets = [sandbox.apiKey, sandbox.alertToken];
    expect(foreignCommands(result.stdout, secrets)).toEqual([]);
    expect(leakedFragments(shown(result), secrets)).toEqual([]);
    expect(micromark(result.summary)).not.toContain('href="https://evil.example"');
  });

  it('refuses a wait without a key, a key without a wait, and the API key inside another input, before sending anything', async () => {
    const noKey = await runAction(alertInputs({ 'wait-for-incident': '10' }), { job: 'alert' });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stdout).toMatch(/::error.*Input "wait-for-incident" is 10, which needs "api-key"/);
    const noWait = await runAction(alertInputs({ 'api-key': sandbox.apiKey }), { job: 'alert' });
    expect(noWait.stdout).toMatch(/::error.*Input "api-key" is set, but "wait-for-incident" is 0 \(off\)/);
    const tooLong = await runAction({ ...waiting(10), 'wait-for-incident': '90' }, { job: 'alert' });
    expect(tooLong.stdout).toMatch(/::error.*Input "wait-for-incident" is "90"; allowed values: a whole number of seconds from 0/);
    const pasted = await runAction({ ...waiting(10), summary: `Deploy failed, key ${sandbox.apiKey}` }, { job: 'alert' });
    expect(pasted.stdout).toMatch(/::error.*Input "summary" contains the value of "api-key"/);
    const sameSecret = await runAction({ ...waiting(10), 'api-key': sandbox.alertToken }, { job: 'alert' });
    expect(sameSecret.stdout).toMatch(/::error.*Input "api-key" has the same value as "alert-token"/);
    expect(sandbox.requests).toHaveLength(0);
    for (const result of [noKey, noWait, tooLong, pasted, sameSecret]) {
      expect(shown(result)).not.toContain(sandbox.apiKey);
      expect(shown(result)).not.toContain(sandbox.alertToken);
    }
  });

  it('prints the lookups a dry run would make, and sends nothing', async () => {
    const result = await runAction({ ...waiting(10), 'dry-run': 'true' }, { job: 'alert' });
    expect(result.code).toBe(0);
    expect(sandbox.requests).toHaveLength(0);
    expect(result.stdout).toContain('Dry run: after a real send, "wait-for-incident" would poll for up to 10 s');
    expect(result.stdout).toContain(`GET ${sandbox.url}/v2/alerts?deduplication_key%5Bis%5D=`);
    expect(result.summary).toContain('**Incident:** would wait up to 10 s for it');
    expect(shown(result)).not.toContain(sandbox.apiKey);
  });

  it("skips on a fork's pull request whose secrets GitHub withheld, even with a wait asked for", async () => {
    const result = await runAction(
      { ...waiting(10), 'alert-token': '', 'api-key': '' },
      {
        job: 'alert',
        env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_ACTOR: 'dependabot[bot]' },
      },
    );
    expect(result.code).toBe(0);
    expect(result.outputs.skipped).toBe('true');
    expect(sandbox.requests).toHaveLength(0);
  });
});
