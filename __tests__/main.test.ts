import type { GitHubContext } from '../src/github/context.js';
import { run } from '../src/main.js';
import { FakeClock, fakeCore, json, scriptedFetch, type Reply } from './helpers/fakes.js';

const KEY = 'inc_test_key_0123456789';
const context: GitHubContext = {
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  workflow: 'Deploy',
  runId: 1001,
  runNumber: 7,
  runAttempt: 1,
  sha: '0123456789abcdef',
  ref: 'refs/heads/main',
  actor: 'octocat',
  eventName: 'push',
  job: 'deploy',
  payload: {},
};
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
const severities = () =>
  json(200, {
    severities: [
      { id: 'sev-minor', name: 'Minor', rank: 1 },
      { id: 'sev-major', name: 'Major', rank: 2 },
    ],
  });

async function runWith(inputs: Record<string, string>, replies: Reply[]) {
  const core = fakeCore({ 'api-key': KEY, ...inputs });
  const fetch = scriptedFetch(replies);
  const clock = new FakeClock(Date.parse('2026-11-26T12:00:00Z'));
  await run({ core: core.core, fetch, env, clock, context: () => context });
  return { ...core, fetch, bodies: fetch.calls.map((c) => (c.init.body ? JSON.parse(c.init.body as string) : undefined)) };
}

describe('run', () => {
  it('masks the key before anything else', async () => {
    const r = await runWith({ visibility: 'nope' }, []);
    expect(r.secrets).toEqual([KEY]);
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
    const r = await runWith({ severity: ' major ', summary: 'Checkout 500s' }, [severities(), json(200, { incident })]);
    expect(r.fetch.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET https://api.incident.io/v1/severities',
      'POST https://api.incident.io/v2/incidents',
    ]);
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
    });
    expect(r.log.find((l) => l.level === 'notice')?.message).toContain('https://app.incident.io/x/incidents/7');
    expect(r.summaryParts.join('')).toContain('- **Severity:** Major');
    expect(r.failed).toBeUndefined();
  });

  it('says when it defaults to the lowest severity', async () => {
    const incident = { id: '01INC', reference: 'INC-7', name: 'n', created_at: '2026-11-26T12:00:00Z' };
    const r = await runWith({}, [severities(), json(200, { incident })]);
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
    expect(r.outputs).toEqual({ created: 'false' });
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

  it('prints the payload and creates nothing in a dry run', async () => {
    const r = await runWith({ 'dry-run': 'true', severity: 'Major' }, [severities()]);
    expect(r.fetch.calls).toHaveLength(1);
    const printed = r.log.map((l) => l.message).join('\n');
    expect(printed).toContain('"severity_id": "sev-major"');
    expect(printed).not.toContain(KEY);
    expect(r.outputs).toEqual({ created: 'false' });
  });
});
