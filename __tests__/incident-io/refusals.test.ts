/**
 * 401 and 403: each message names the input whose token was sent, says how to check the secret
 * behind it and whether the run was given secrets, and, for a 403, the scope incident.io's spec
 * lists for the request and the input that made the step send it. A key refused by every lookup
 * is reported once. The troubleshooting entries quote the messages word for word.
 */
import { readFileSync } from 'node:fs';
import type { GitHubContext } from '../../src/github/context.js';
import { scopesOf } from '../../src/incident-io/client.js';
import {
  forbidden,
  TROUBLESHOOTING,
  unauthorized,
  type Credential,
  API_KEY_REFUSED,
  NO_SECRETS,
  SCOPE_NEEDED,
  SCOPE_UNPUBLISHED,
  TOKEN_REFUSED,
} from '../../src/incident-io/refusals.js';
import { SCOPES } from '../../src/incident-io/scopes.js';
import { run } from '../../src/main.js';
import { OPERATIONS } from '../../scripts/prune-spec.mjs';
import { FakeClock, fakeCore, json, pushContext, stepOf, type Step } from '../helpers/fakes.js';
// Loaded here because the create imports both at once (see jobs/declare/declare.test.ts).
import '../../src/github/jobs.js';
import '../../src/github/pulls.js';

const KEY = 'inc_test_key_0123456789';
const TOKEN = 'alert-source-token-0123456789';
const SOURCE = '01GW2G3V0S59R238FAHPDS1R66';
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
const refused = () =>
  json(401, { type: 'authentication_error', request_id: 'req-1', errors: [{ message: 'The API key is missing or invalid' }] });
const forbiddenReply = () =>
  json(403, { type: 'resource_forbidden', request_id: 'req-3', errors: [{ message: 'You do not have permission to do this' }] });

/** A workspace that answers every lookup of the inputs below, except `forbidden`'s path (403) or, with `refuse`, everything (401). */
function workspace(forbidden?: string, refuse = false): (url: string, init: RequestInit) => Response {
  const live = { id: '01INC', reference: 'INC-7', name: 'n', incident_status: { id: 's', name: 'Live', category: 'live' } };
  const answers: Record<string, unknown> = {
    'GET /v1/severities': { severities: [{ id: 'sev', name: 'Major', rank: 1 }] },
    'GET /v1/incident_types': { incident_types: [{ id: 't', name: 'Platform' }] },
    'GET /v1/incident_statuses': {
      incident_statuses: [
        { id: 's', name: 'Investigating', category: 'live', rank: 1 },
        { id: 'pi', name: 'Post-incident', category: 'learning', rank: 2 },
      ],
    },
    'GET /v2/custom_fields': { custom_fields: [{ id: 'f1', name: 'Team', field_type: 'single_select' }] },
    'GET /v1/custom_field_options': { custom_field_options: [{ id: 'o1', value: 'Payments' }] },
    'GET /v2/incident_roles': { incident_roles: [{ id: 'r1', name: 'Incident Lead', role_type: 'lead' }] },
    'GET /v2/users': { users: [{ id: 'u1', name: 'Alice', email: 'alice@example.com' }] },
    'GET /v2/incidents': { incidents: [], pagination_meta: {} },
    'GET /v2/incident_timestamps': { incident_timestamps: [{ id: 'ts', name: 'Impact started', rank: 1 }] },
    'GET /v2/incidents/01INC': { incident: live },
  };
  return (url, init) => {
    const route = `${init.method} ${new URL(url).pathname}`;
    if (refuse) return refused();
    if (route === forbidden) return forbiddenReply();
    return route in answers
      ? json(200, answers[route])
      : json(500, { type: 'internal_error', errors: [{ message: `unscripted ${route}` }] });
  };
}

async function runWith(step: Step, answer: (url: string, init: RequestInit) => Response, context: GitHubContext = pushContext) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore({ 'github-token': '', ...inputs });
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push(`${init.method} ${url}`);
    return answer(url, init);
  };
  await run({ core: core.core, fetch, env, clock: new FakeClock(Date.parse('2026-11-26T12:00:00Z')), context: () => context }, job);
  return { ...core, calls };
}

const forkContext: GitHubContext = {
  ...pushContext,
  eventName: 'pull_request',
  payload: {
    pull_request: {
      number: 7,
      html_url: 'https://github.com/acme/shop/pull/7',
      head: { repo: { full_name: 'mallory/shop' } },
      base: { repo: { full_name: 'acme/shop' } },
    },
  },
};

describe('a 401', () => {
  it('names "api-key", the secret behind it, the key page and that this run was given secrets', async () => {
    const r = await runWith({ 'api-key': KEY, severity: 'Major' }, workspace(undefined, true));
    expect(r.failed).toBe(
      'incident.io GET /v1/severities answered 401 authentication_error: The API key is missing or invalid (request id req-1). ' +
        'incident.io refused the API key in input "api-key". It must be an API key of this incident.io workspace that is still listed ' +
        "(incident.io: Settings → API keys), not an alert source's token. " +
        "The action sees the value, not the name of the secret it came from: the step's `with:` names it (usually `api-key: ${{ secrets.… }}`). " +
        'Check that this secret holds the current key, and that no environment or repository secret of the same name hides the one you updated. ' +
        'This run\'s event ("push") is given secrets, so the value is what the secret holds.',
    );
    expect(r.failed).not.toContain(KEY);
  });

  it('names "alert-token" and the HTTP alert source for an alert', async () => {
    const r = await runWith({ job: 'alert', 'alert-source-id': SOURCE, 'alert-token': TOKEN }, workspace(undefined, true));
    expect(r.failed).toMatch(/^incident\.io POST \/v2\/alert_events\/http\/01GW2G3V0S59R238FAHPDS1R66 answered 401 authentication_error: /);
    expect(r.failed).toContain(
      `incident.io refused the token in input "alert-token". It must be the token of the HTTP alert source "${SOURCE}" ` +
        "(incident.io: Alerts → Sources → that source), not an API key or another source's token.",
    );
    expect(r.failed).toContain('(usually `alert-token: ${{ secrets.… }}`). Check that this secret holds the current token,');
    expect(r.failed).not.toContain(TOKEN);
  });

  it('names "alert-token" and the heartbeat source for a heartbeat, and a 403 there the same way (no scope fixes a token)', async () => {
    for (const answer of [workspace(undefined, true), workspace(`POST /v2/heartbeat/${SOURCE}/ping`)]) {
      const r = await runWith({ job: 'heartbeat', 'alert-source-id': SOURCE, 'alert-token': TOKEN }, answer);
      expect(r.failed).toContain(
        `incident.io refused the token in input "alert-token". It must be the token of the heartbeat alert source "${SOURCE}" ` +
          "(incident.io: Alerts → Sources → that heartbeat source), not an API key or another source's token.",
      );
      expect(r.failed).not.toContain('scope');
    }
  });

  it.each([
    ["a fork's pull request", forkContext, 'This run is for a pull request from a fork, and GitHub gives such runs no Actions secrets'],
    [
      'Dependabot',
      { ...pushContext, actor: 'dependabot[bot]' },
      'Dependabot triggered this run, and GitHub gives such runs no Actions secrets',
    ],
  ])('on %s (a key that did not come from a secret), says the run gets no secrets', async (_name, context, says) => {
    const r = await runWith({ 'api-key': KEY, severity: 'Major' }, workspace(undefined, true), context);
    expect(r.failed).toContain(
      `${says} (a Dependabot run reads Dependabot secrets instead: Settings → Secrets and variables → Dependabot), so check where this value came from.`,
    );
    expect(r.failed).not.toContain('is given secrets');
  });

  it("names the watcher's own event under workflow_run, not the watched run's", async () => {
    const watcher: GitHubContext = {
      ...pushContext,
      eventName: 'workflow_run',
      payload: { workflow_run: { id: 77, name: 'Deploy', event: 'pull_request', head_branch: 'main', conclusion: 'failure' } },
    };
    const r = await runWith({ 'api-key': KEY, severity: 'Major' }, workspace(undefined, true), watcher);
    expect(r.failed).toContain('This run\'s event ("workflow_run") is given secrets');
  });

  it('says nothing about the event outside GitHub Actions', () => {
    expect(unauthorized({ input: 'api-key', job: 'declare', event: '' })).not.toContain('event');
  });

  it('is reported once when every parallel lookup is refused', async () => {
    const r = await runWith(
      {
        'api-key': KEY,
        severity: 'Major',
        'incident-type': 'Platform',
        status: 'Investigating',
        'custom-fields': 'Team: Payments',
        roles: 'Incident Lead: alice@example.com',
        'incident-key': 'deploy',
      },
      workspace(undefined, true),
    );
    // Every lookup started (in parallel), and every one was refused…
    expect(r.calls.map((c) => new URL(c.split(' ')[1]!).pathname).sort()).toEqual([
      '/v1/incident_statuses',
      '/v1/incident_types',
      '/v1/severities',
      '/v2/custom_fields',
      '/v2/incident_roles',
      '/v2/incidents',
      '/v2/users',
    ]);
    // …and the step says so once.
    expect(r.failed?.split(API_KEY_REFUSED)).toHaveLength(2);
    expect(r.failed?.match(/answered 401/g)).toHaveLength(1);
  });
});

describe('a 403', () => {
  it('names the request, the scope the spec lists for it, and the input that made the step send it', async () => {
    const r = await runWith({ 'api-key': KEY, severity: 'Major', 'custom-fields': 'Team: Payments' }, workspace('GET /v2/custom_fields'));
    expect(r.failed).toBe(
      'incident.io GET /v2/custom_fields answered 403 resource_forbidden: You do not have permission to do this (request id req-3). ' +
        'The API key in input "api-key" may not make this request: give it the scope "custom_fields.view" (incident.io: Settings → API keys, edit the key). ' +
        'The action sent it for input "custom-fields".',
    );
  });

  it("says exactly that incident.io does not publish the scope where the spec lists none, and that it is the job's own request", async () => {
    const r = await runWith(
      { job: 'update', 'api-key': KEY, 'incident-id': '01INC', name: 'New name' },
      workspace('POST /v2/incidents/01INC/actions/edit'),
    );
    expect(r.failed).toBe(
      'incident.io POST /v2/incidents/01INC/actions/edit answered 403 resource_forbidden: You do not have permission to do this (request id req-3). ' +
        'The API key in input "api-key" may not make this request, and incident.io does not publish the scope for this request: ' +
        'compare the permissions of the key (incident.io: Settings → API keys) with what the step asks of it. ' +
        "It is the update job's own request, not a lookup an input asked for.",
    );
  });

  // Each lookup marks its requests with the input that asked for them, wherever it starts.
  it.each([
    ['severity', '/v1/severities', { severity: 'Major' }, 'severities.view'],
    ['incident-type', '/v1/incident_types', { 'incident-type': 'Platform' }, 'incident_types.view'],
    ['status', '/v1/incident_statuses', { status: 'Investigating' }, 'incident_statuses.view'],
    ['custom-fields', '/v1/custom_field_options', { 'custom-fields': 'Team: Payments' }, 'custom_fields.view'],
    ['roles', '/v2/incident_roles', { roles: 'Incident Lead: alice@example.com' }, 'incident_roles.view'],
    ['roles', '/v2/users', { roles: 'Incident Lead: alice@example.com' }, 'users.view'],
    ['incident-key', '/v2/incidents', { 'incident-key': 'deploy' }, 'incidents.view'],
    ['timestamps', '/v2/incident_timestamps', { timestamps: 'Impact started: 2026-11-26T11:00:00Z' }, undefined],
  ])('on create, names input "%s" for GET %s', async (input, path, inputs, scope) => {
    const r = await runWith({ 'api-key': KEY, severity: 'Major', ...inputs }, workspace(`GET ${path}`));
    expect(r.failed).toMatch(new RegExp(`^incident\\.io GET ${path.replace(/\//g, '\\/')} answered 403 `));
    expect(r.failed).toContain(scope ? `give it the scope "${scope}"` : SCOPE_UNPUBLISHED);
    expect(r.failed).toContain(`The action sent it for input "${input}".`);
  });

  it.each(['update', 'resolve'])('on %s, names input "incident-id" for GET /v2/incidents/{id}', async (job) => {
    const r = await runWith(
      { job, 'api-key': KEY, 'incident-id': '01INC', ...(job === 'update' && { name: 'x' }) },
      workspace('GET /v2/incidents/01INC'),
    );
    expect(r.failed).toMatch(/^incident\.io GET \/v2\/incidents\/01INC answered 403 /);
    expect(r.failed).toContain('give it the scope "incidents.view"');
    expect(r.failed).toContain('The action sent it for input "incident-id".');
  });

  it('on update, names input "custom-fields" for the options too', async () => {
    const r = await runWith(
      { job: 'update', 'api-key': KEY, 'incident-id': '01INC', 'custom-fields': 'Team: Payments' },
      workspace('GET /v1/custom_field_options'),
    );
    expect(r.failed).toContain('GET /v1/custom_field_options answered 403');
    expect(r.failed).toContain('The action sent it for input "custom-fields".');
  });

  it('on update, names input "links" for the attachments (a warning: the update is made)', async () => {
    const answer = workspace('POST /v1/incident_attachments');
    const r = await runWith(
      { job: 'update', 'api-key': KEY, 'incident-id': '01INC', links: 'Runbook: https://runbooks.example.com/x' },
      (url, init) =>
        new URL(url).pathname === '/v1/incident_attachments' && init.method === 'GET'
          ? json(200, { incident_attachments: [] })
          : answer(url, init),
    );
    expect(r.failed).toBeUndefined();
    const warning = r.log.find((l) => l.level === 'warning')?.message;
    expect(warning).toContain('POST /v1/incident_attachments answered 403');
    expect(warning).toContain('give it the scope "attachments.create"');
    expect(warning).toContain('The action sent it for input "links".');
  });

  it('names the create itself for POST /v2/incidents', async () => {
    const r = await runWith({ 'api-key': KEY, severity: 'Major' }, workspace('POST /v2/incidents'));
    expect(r.failed).toMatch(/^incident\.io POST \/v2\/incidents answered 403 /);
    expect(r.failed).toContain('give it the scope "incidents.create"');
    expect(r.failed).toContain("It is the declare job's own request, not a lookup an input asked for.");
  });
});

describe('the request → scope table (src/incident-io/scopes.ts, generated from the pruned spec)', () => {
  it('has every operation prune-spec keeps, and nothing else', () => {
    expect(Object.keys(SCOPES).sort()).toEqual([...OPERATIONS].sort());
  });

  it('matches a concrete path to its template, an exact path first, and the method too', () => {
    expect(scopesOf('POST', '/v2/incidents/01ABC/actions/edit')).toEqual([]);
    expect(scopesOf('GET', '/v2/incidents/01ABC')).toEqual(['incidents.view']);
    expect(scopesOf('GET', '/v2/incidents')).toEqual(['incidents.view']);
    expect(scopesOf('POST', '/v2/incidents')).toEqual(['incidents.create']);
    expect(scopesOf('GET', '/v2/users/01USER')).toEqual(['users.view']);
    const table = { 'GET /a/{id}': ['template'], 'GET /a/me': ['exact'] };
    expect(scopesOf('GET', '/a/me', table)).toEqual(['exact']);
    expect(scopesOf('GET', '/a/other', table)).toEqual(['template']);
    expect(scopesOf('DELETE', '/a/other', table)).toEqual([]);
    expect(scopesOf('GET', '/a/b/c', table)).toEqual([]);
  });

  it('names both scopes where the spec lists two', () => {
    const credential: Credential = { input: 'api-key', job: 'declare', event: 'push' };
    expect(forbidden(credential, ['a.view', 'b.view'], 'roles')).toContain('give it the scopes "a.view" and "b.view"');
  });
});

describe('troubleshooting entries', () => {
  const credential: Credential = { input: 'api-key', job: 'update', event: 'push' };
  const source: Credential = { input: 'alert-token', job: 'alert', event: 'push', source: { kind: 'HTTP', id: SOURCE } };
  // A message of each kind, built by the functions the client calls.
  const messages = [
    unauthorized(credential),
    unauthorized(source),
    unauthorized({ ...credential, noSecrets: 'Dependabot triggered this run' }),
    forbidden(credential, ['custom_fields.view'], 'custom-fields'),
    forbidden(credential, [], undefined),
  ];

  it('quote words each message says, and each kind of message has its entry', () => {
    for (const entry of TROUBLESHOOTING) expect(messages.some((m) => m.includes(entry.says))).toBe(true);
    expect(messages.map((m) => TROUBLESHOOTING.filter((e) => m.includes(e.says)).length)).toEqual([1, 1, 2, 1, 1]);
    expect(TROUBLESHOOTING.map((e) => e.says)).toEqual([API_KEY_REFUSED, TOKEN_REFUSED, NO_SECRETS, SCOPE_NEEDED, SCOPE_UNPUBLISHED]);
  });

  it("are in the docs' troubleshooting page, each as a row quoting the message", () => {
    const page = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');
    for (const entry of TROUBLESHOOTING) expect(page).toContain(`| \`${entry.says}\` |`);
  });
});
