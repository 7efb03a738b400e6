/**
 * The sandbox itself, called directly with fetch: every route and fault the client code and its
 * end-to-end tests rely on, the happy path and the refusals. Fast: no bundle, no child process.
 */
import { startSandbox } from '../../sandbox/server.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();

const ID = {
  minor: '01SEVMINOR0000000000000000',
  critical: '01SEVCRITICAL0000000000000',
  triage: '01STATUSTRIAGE000000000000',
  investigating: '01STATUSINVESTIGATING00000',
  fixing: '01STATUSFIXING000000000000',
  paused: '01STATUSPAUSED000000000000',
  documenting: '01STATUSDOCUMENTING0000000',
  reviewing: '01STATUSREVIEWING000000000',
  closed: '01STATUSCLOSED000000000000',
  impactStarted: '01TSIMPACTSTARTED000000000',
  resolvedAt: '01TSRESOLVED00000000000000',
  service: '01CATALOGSERVICE000000000',
};

/** A parsed JSON answer, read as loosely as the sandbox's own objects are. */
type Json = ReturnType<typeof JSON.parse>;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

/** One request to the sandbox, with the API key unless `token` (or `auth`) says otherwise. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; auth?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const auth = options.auth === undefined ? `Bearer ${options.token ?? sandbox.apiKey}` : options.auth;
  const response = await fetch(sandbox.url + path, {
    method,
    redirect: 'manual',
    headers: {
      ...(auth === null ? {} : { authorization: auth }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

let keys = 0;
const createBody = (extra: Record<string, unknown> = {}) => ({
  idempotency_key: `test-${++keys}`,
  visibility: 'public',
  severity_id: ID.minor,
  ...extra,
});

async function declare(extra: Record<string, unknown> = {}) {
  const answer = await call('POST', '/v2/incidents', { body: createBody(extra) });
  expect(answer.status).toBe(200);
  return answer.json.incident;
}

const edit = (id: string, incident: Record<string, unknown>) =>
  call('POST', `/v2/incidents/${id}/actions/edit`, { body: { incident, notify_incident_channel: false } });

/** The one error of an incident.io error answer. */
const error = (answer: Answer) => answer.json.errors[0];

describe('hostile-answer faults', () => {
  it('answers exactly the incident.io error it is given, without processing', async () => {
    sandbox.fault('POST /v2/incidents', {
      type: 'error',
      status: 409,
      code: 'conflict',
      message: 'Slack channel name already taken',
      field: 'slack_channel_name_override',
    });
    const answer = await call('POST', '/v2/incidents', { body: createBody() });
    expect(answer.status).toBe(409);
    expect(answer.json).toEqual({
      type: 'conflict',
      status: 409,
      request_id: expect.any(String),
      errors: [{ code: 'conflict', message: 'Slack channel name already taken', source: { field: 'slack_channel_name_override' } }],
    });
    expect(sandbox.incidents()).toHaveLength(0);
    sandbox.fault('GET /v1/severities', { type: 'error', status: 400, message: 'Odd', type_: 'strange_error' });
    const odd = await call('GET', '/v1/severities');
    expect(odd.json).toMatchObject({ type: 'strange_error', status: 400, errors: [{ code: 'invalid_request_error', message: 'Odd' }] });
    expect(error(odd).source).toBeUndefined();
  });

  it('echoes the bearer token so that a 120-character excerpt of the message cuts it in two', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'echo-key' });
    const answer = await call('POST', '/v2/incidents', { body: createBody() });
    expect(answer.status).toBe(400);
    const message: string = error(answer).message;
    const at = message.indexOf(sandbox.apiKey);
    expect(at).toBe(120 - Math.floor(sandbox.apiKey.length / 2));
    expect(message.slice(0, 120)).not.toContain(sandbox.apiKey);
    expect(sandbox.apiKey.startsWith(message.slice(at, 120))).toBe(true);
    expect(message.length).toBeGreaterThan(200);
  });

  it('puts the key after `padding` characters of a raw text body, or \\u-escaped in JSON', async () => {
    sandbox.fault('GET /v1/severities', { type: 'echo-key', format: 'text', padding: 100, status: 401 });
    const text = await call('GET', '/v1/severities');
    expect(text.status).toBe(401);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.text.indexOf(sandbox.apiKey)).toBe(100);

    sandbox.fault('GET /v1/severities', { type: 'echo-key', escaped: true });
    const escaped = await call('GET', '/v1/severities');
    expect(escaped.text).not.toContain(sandbox.apiKey);
    expect(escaped.text).toContain('\\u0073\\u0061\\u006e\\u0064'); // "sand"
    expect(error(escaped).message).toContain(sandbox.apiKey);

    sandbox.fault('GET /github/repos/:owner/:repo/actions/runs/:run_id/jobs', { type: 'echo-key' });
    const github = await call('GET', '/github/repos/acme/shop/actions/runs/1001/jobs', { auth: `token ${sandbox.githubToken}` });
    expect(github.json.message).toContain(sandbox.githubToken);
  });

  it('redirects elsewhere with an empty body, creating nothing', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'redirect' });
    const answer = await call('POST', '/v2/incidents', { body: createBody() });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('https://elsewhere.example/v2/incidents/01ELSEWHERE');
    expect(answer.text).toBe('');
    expect(sandbox.incidents()).toHaveLength(0);
    sandbox.fault('GET /v1/severities', { type: 'redirect', status: 307, location: 'http://127.0.0.1:1/x' });
    const other = await call('GET', '/v1/severities');
    expect([other.status, other.headers.get('location')]).toEqual([307, 'http://127.0.0.1:1/x']);
  });

  it('answers a huge error whose message is `bytes` long', async () => {
    sandbox.fault('GET /v1/severities', { type: 'huge' });
    const answer = await call('GET', '/v1/severities');
    expect(answer.status).toBe(503);
    expect(error(answer).message).toHaveLength(5_000_000);
    sandbox.fault('GET /v1/severities', { type: 'huge', status: 500, bytes: 1000 });
    expect(error(await call('GET', '/v1/severities')).message).toHaveLength(1000);
  });

  it('creates the incident but leaves fields out of the answer', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'omit', fields: ['reference', 'permalink'] });
    const answer = await call('POST', '/v2/incidents', { body: createBody() });
    expect(answer.status).toBe(200);
    expect(answer.json.incident.id).toBe(sandbox.incidents()[0].id);
    expect(answer.json.incident).not.toHaveProperty('reference');
    expect(answer.json.incident).not.toHaveProperty('permalink');
    expect(sandbox.incidents()[0].reference).toBe('INC-1');
  });

  it('refuses unknown fault types and unusable specs, and knows the new routes', () => {
    expect(() => sandbox.fault('GET /v1/severities', { type: 'gremlin' })).toThrow(/Unknown fault type "gremlin"/);
    expect(() => sandbox.fault('GET /v1/severities', { type: 'omit', fields: [] })).toThrow(/fields/);
    expect(() => sandbox.fault('GET /v1/severities', { type: 'error', status: 200, message: 'x' })).toThrow(/status/);
    for (const route of [
      'GET /v2/incidents',
      'POST /v2/incident_updates',
      'GET /v2/incident_updates',
      'POST /v2/heartbeat/:id/ping',
      'POST /v1/incident_attachments',
      'GET /v1/incident_attachments',
      'GET /v2/incident_timestamps',
      'GET /v3/catalog_entries',
      'GET /github/repos/:owner/:repo/check-runs/:id/annotations',
      'GET /github/repos/:owner/:repo/commits/:sha/pulls',
    ]) {
      expect(() => sandbox.fault(route, { type: 'status', status: 503 })).not.toThrow();
    }
  });

  it('records every value of a repeated query key, and the status answered', async () => {
    await call('GET', '/v1/severities?mode[one_of]=test&mode[one_of]=standard');
    const [entry] = sandbox.requests;
    expect(entry.query).toEqual({ 'mode[one_of]': 'standard' });
    expect(entry.queryAll).toEqual({ 'mode[one_of]': ['test', 'standard'] });
    expect(entry.status).toBe(200);
  });
});

describe('rate limit', () => {
  /** A client that honours Retry-After, as incident.io's own clients do. */
  async function patient(path: string): Promise<{ statuses: number[]; retryAfter: string[] }> {
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    for (;;) {
      const answer = await call('GET', path);
      statuses.push(answer.status);
      if (answer.status !== 429) return { statuses, retryAfter };
      retryAfter.push(answer.headers.get('retry-after')!);
      expect(answer.json.rate_limit).toEqual({
        limit: 10,
        remaining: 0,
        retry_after: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
      expect(Date.parse(answer.json.rate_limit.retry_after)).toBeGreaterThan(Date.now());
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000));
    }
  }

  it('answers 429 with Retry-After when the bucket is empty, and 30 patient clients all get through', async () => {
    sandbox.setRateLimit({ capacity: 10, refillPerSecond: 10 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 30 }, () => patient('/v1/severities')));
    expect(results.every((r) => r.statuses.at(-1) === 200)).toBe(true);
    // 10 tokens at once, then 10 a second: about 20 of the first 30 wait (a few more get in while they arrive).
    expect(results.filter((r) => r.statuses[0] === 429).length).toBeGreaterThanOrEqual(15);
    expect(results.flatMap((r) => r.retryAfter).every((s) => /^[1-9]\d*$/.test(s))).toBe(true);
    expect(Date.now() - started).toBeLessThan(4500);
    // GitHub's routes are not incident.io's: no limit there.
    const github = await call('GET', '/github/repos/acme/shop/actions/runs/1001/jobs', { auth: `token ${sandbox.githubToken}` });
    expect(github.status).toBe(200);
  });

  it('is off by default, set by option, restored by reset and removed with null', async () => {
    const limited = await startSandbox({ rateLimit: { capacity: 1, refillPerSecond: 0.5 } });
    try {
      const get = () => fetch(`${limited.url}/v1/severities`, { headers: { authorization: `Bearer ${limited.apiKey}` } });
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('2');
      limited.setRateLimit(null);
      expect((await get()).status).toBe(200);
      limited.reset();
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(429);
    } finally {
      await limited.close();
    }
    expect(() => sandbox.setRateLimit({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
  });
});

describe('users', () => {
  it('filters by email and Slack user ID', async () => {
    const answer = await call('GET', '/v2/users?email=Alice@Example.com');
    expect(answer.json.users.map((u: { email: string }) => u.email)).toEqual(['alice@example.com']);
    const bob = await call('GET', '/v2/users?slack_user_id=U0BOB');
    expect(bob.json.users.map((u: { name: string }) => u.name)).toEqual(['Bob Example']);
  });

  it('with usersIgnoreFilter answers everyone, a wrong user first', async () => {
    sandbox.state.usersIgnoreFilter = true;
    const alice = await call('GET', '/v2/users?email=alice@example.com');
    expect(alice.json.users).toHaveLength(sandbox.state.users.length);
    expect(alice.json.users[0].email).toBe('alice@example.org');
    const bob = await call('GET', '/v2/users?slack_user_id=U0BOB');
    expect(bob.json.users[0].slack_user_id).not.toBe('U0BOB');
    const decoy = await call('GET', '/v2/users?email=alice@example.org');
    expect(decoy.json.users[0].email).not.toBe('alice@example.org');
  });
});

describe('statuses and refused moves', () => {
  const names = async () => (await call('GET', '/v1/incident_statuses')).json.incident_statuses.map((s: { name: string }) => s.name);

  it('adds Paused among the live statuses and, when asked, Reviewing after Documenting', async () => {
    expect(await names()).toEqual(['Triage', 'Investigating', 'Fixing', 'Monitoring', 'Paused', 'Documenting', 'Closed', 'Declined']);
    sandbox.state.reviewingStatus = true;
    const statuses = (await call('GET', '/v1/incident_statuses')).json.incident_statuses;
    expect(statuses.map((s: { name: string; category: string; rank: number }) => [s.name, s.category, s.rank])).toEqual([
      ['Triage', 'triage', 1],
      ['Investigating', 'live', 2],
      ['Fixing', 'live', 3],
      ['Monitoring', 'live', 4],
      ['Paused', 'paused', 5],
      ['Documenting', 'learning', 6],
      ['Reviewing', 'learning', 7],
      ['Closed', 'closed', 8],
      ['Declined', 'declined', 9],
    ]);
  });

  it('refuses a move to a status in refuseStatusIds, and not the next one', async () => {
    const incident = await declare();
    sandbox.state.reviewingStatus = true;
    sandbox.state.refuseStatusIds = [ID.documenting];
    const refused = await edit(incident.id, { incident_status_id: ID.documenting });
    expect(refused.status).toBe(422);
    expect(error(refused)).toEqual({
      code: 'invalid_value',
      message: 'This status is not part of the post-incident flow that applies to this incident',
      source: { field: 'incident.incident_status_id' },
    });
    expect(sandbox.incidents()[0].incident_status.name).toBe('Investigating');
    const next = await edit(incident.id, { incident_status_id: ID.reviewing });
    expect(next.status).toBe(200);
    expect(next.json.incident.incident_status.name).toBe('Reviewing');
  });

  it('refuses Reviewing while it is not listed, and still refuses a close with refuseClose', async () => {
    const incident = await declare();
    expect(error(await edit(incident.id, { incident_status_id: ID.reviewing }))).toMatchObject({ code: 'not_found' });
    sandbox.state.refuseClose = true;
    const closed = await edit(incident.id, { incident_status_id: ID.closed });
    expect(closed.status).toBe(422);
    expect(error(closed).message).toMatch(/post-incident flow/);
  });
});

describe('GET /v2/incidents', () => {
  /** Five incidents a day apart: 1 triage, 2 test mode, 3 moved to Documenting, 4 retrospective and closed, 5 live. */
  async function seedIncidents() {
    const made = [
      await declare({ incident_status_id: ID.triage }),
      await declare({ mode: 'test' }),
      await declare(),
      await declare({ mode: 'retrospective', incident_status_id: ID.closed }),
      await declare(),
    ];
    await edit(made[2].id, { incident_status_id: ID.documenting });
    sandbox.incidents().forEach((incident, i) => (incident.created_at = new Date(Date.UTC(2026, 10, 20 + i)).toISOString()));
    return made.map((i) => i.reference as string);
  }
  const list = async (query: string) => {
    const answer = await call('GET', `/v2/incidents${query}`);
    expect(answer.status).toBe(200);
    return { refs: answer.json.incidents.map((i: { reference: string }) => i.reference) as string[], meta: answer.json.pagination_meta };
  };

  it('lists newest first, leaving out test and tutorial incidents unless mode asks', async () => {
    await seedIncidents();
    expect(await list('')).toEqual({ refs: ['INC-5', 'INC-4', 'INC-3', 'INC-1'], meta: { page_size: 25, total_record_count: 4 } });
    expect((await list('?mode[one_of]=test')).refs).toEqual(['INC-2']);
    expect((await list('?mode[one_of]=test&mode[one_of]=standard')).refs).toEqual(['INC-5', 'INC-3', 'INC-2', 'INC-1']);
    expect((await list('?sort_by=created_at_oldest_first')).refs).toEqual(['INC-1', 'INC-3', 'INC-4', 'INC-5']);
  });

  it('follows the after cursor page by page, with no cursor on the last page', async () => {
    await seedIncidents();
    const first = await list('?page_size=2');
    expect(first.refs).toEqual(['INC-5', 'INC-4']);
    expect(first.meta.after).toBe(sandbox.incidents()[3].id);
    const second = await list(`?page_size=2&after=${first.meta.after}`);
    expect(second.refs).toEqual(['INC-3', 'INC-1']);
    expect(second.meta).not.toHaveProperty('after');
    sandbox.state.listPageCap = 1;
    const capped = await list('?page_size=25');
    expect(capped.refs).toEqual(['INC-5']);
    expect(capped.meta).toMatchObject({ page_size: 25, after: sandbox.incidents()[4].id });
  });

  it('filters by status category (repeated), created_at and more', async () => {
    await seedIncidents();
    expect((await list('?status_category[one_of]=live&status_category[one_of]=triage')).refs).toEqual(['INC-5', 'INC-1']);
    expect((await list('?status_category[one_of]=learning')).refs).toEqual(['INC-3']);
    expect((await list('?status_category[not_in]=live')).refs).toEqual(['INC-4', 'INC-3', 'INC-1']);
    expect((await list('?created_at[gte]=2026-11-22')).refs).toEqual(['INC-5', 'INC-4', 'INC-3']);
    expect((await list('?created_at[gte]=2026-11-23T00:00:00Z&status_category[one_of]=live')).refs).toEqual(['INC-5']);
    expect((await list('?created_at[lte]=2026-11-22')).refs).toEqual(['INC-3', 'INC-1']);
    expect((await list(`?severity[one_of]=${ID.critical}`)).refs).toEqual([]);
  });

  it('refuses a page size over 250, an unknown category or cursor, and filters it does not know', async () => {
    const refusals: [string, string][] = [
      ['?page_size=251', 'page_size'],
      ['?page_size=0', 'page_size'],
      ['?status_category[one_of]=active', 'status_category[one_of]'],
      ['?status_category[one_of][]=live', 'status_category[one_of][]'],
      ['?status_category[is]=live', 'status_category[is]'],
      ['?created_at[gte]=yesterday', 'created_at[gte]'],
      ['?after=01NOSUCHINCIDENT000000000', 'after'],
    ];
    for (const [query, field] of refusals) {
      const answer = await call('GET', `/v2/incidents${query}`);
      expect([query, answer.status, error(answer).source.field]).toEqual([query, 422, field]);
    }
    expect((await call('GET', '/v2/incidents', { token: 'wrong' })).status).toBe(401);
  });
});

describe('incident updates', () => {
  const post = (body: Record<string, unknown>) => call('POST', '/v2/incident_updates', { body });

  it('posts an update that moves status and severity, and a replay returns it unchanged', async () => {
    const incident = await declare();
    const body = {
      idempotency_key: 'update-1',
      incident_id: incident.id,
      message: 'Rolled back.',
      to_incident_status_id: ID.fixing,
      to_severity_id: ID.critical,
    };
    const first = await post(body);
    expect(first.status).toBe(201);
    expect(first.json.incident_update).toEqual({
      id: expect.any(String),
      incident_id: incident.id,
      message: 'Rolled back.',
      new_incident_status: expect.objectContaining({ id: ID.fixing, name: 'Fixing', category: 'live' }),
      new_severity: expect.objectContaining({ id: ID.critical, name: 'Critical' }),
      updater: { api_key: { id: expect.any(String), name: 'sandbox' } },
      created_at: expect.any(String),
    });
    expect(sandbox.incidents()[0].incident_status.name).toBe('Fixing');
    // The replay asks for a different status: nothing is applied, the first update comes back.
    const replay = await post({ ...body, to_incident_status_id: ID.documenting, message: 'Again' });
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(first.json);
    expect(sandbox.incidents()[0].incident_status.name).toBe('Fixing');
    expect(sandbox.incidentUpdates()).toHaveLength(1);
    const listed = await call('GET', `/v2/incident_updates?incident_id=${incident.id}`);
    expect(listed.json).toEqual({ incident_updates: [first.json.incident_update], pagination_meta: { page_size: 25 } });
  });

  it('lists updates newest first, by incident, a page at a time', async () => {
    const [a, b] = [await declare(), await declare()];
    for (const [i, incident] of [a, a, b].entries()) {
      expect((await post({ idempotency_key: `u${i}`, incident_id: incident.id, message: `m${i}` })).status).toBe(201);
    }
    const page = await call('GET', `/v2/incident_updates?incident_id=${a.id}&page_size=1`);
    expect(page.json.incident_updates.map((u: { message: string }) => u.message)).toEqual(['m1']);
    const next = await call('GET', `/v2/incident_updates?incident_id=${a.id}&page_size=1&after=${page.json.pagination_meta.after}`);
    expect(next.json.incident_updates.map((u: { message: string }) => u.message)).toEqual(['m0']);
    expect(next.json.pagination_meta).toEqual({ page_size: 1 });
    expect((await call('GET', '/v2/incident_updates')).json.incident_updates).toHaveLength(3);
  });

  it('refuses a missing key or incident, an empty update and a refused status, applying nothing', async () => {
    const incident = await declare();
    sandbox.state.refuseStatusIds = [ID.documenting];
    const cases: [Record<string, unknown>, number, string][] = [
      [{ incident_id: incident.id, message: 'x' }, 422, 'idempotency_key'],
      [{ idempotency_key: 'k1', message: 'x' }, 422, 'incident_id'],
      [{ idempotency_key: 'k2', incident_id: '01NOSUCHINCIDENT000000000', message: 'x' }, 404, 'incident_id'],
      [{ idempotency_key: 'k3', incident_id: incident.id }, 422, 'message'],
      [{ idempotency_key: 'k4', incident_id: incident.id, to_incident_status_id: ID.documenting }, 422, 'to_incident_status_id'],
      [{ idempotency_key: 'k5', incident_id: incident.id, to_severity_id: 'nope' }, 422, 'to_severity_id'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await post(body);
      expect([answer.status, error(answer).source.field]).toEqual([status, field]);
    }
    const refused = await post({ idempotency_key: 'k4', incident_id: incident.id, to_incident_status_id: ID.documenting });
    expect(error(refused).message).toBe('This status is not part of the post-incident flow that applies to this incident');
    sandbox.state.refuseClose = true;
    expect(error(await post({ idempotency_key: 'k6', incident_id: incident.id, to_incident_status_id: ID.closed })).source.field).toBe(
      'to_incident_status_id',
    );
    expect(sandbox.incidentUpdates()).toHaveLength(0);
    expect(sandbox.incidents()[0].incident_status.name).toBe('Investigating');
  });
});

describe('heartbeats', () => {
  const ping = (options: { token?: string; query?: string; id?: string } = {}) =>
    call('POST', `/v2/heartbeat/${options.id ?? sandbox.heartbeatSourceId}/ping${options.query ?? ''}`, {
      token: options.token ?? sandbox.heartbeatToken,
    });

  it('answers 204 with no body and records the ping', async () => {
    const answer = await ping();
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(sandbox.heartbeats()).toEqual([{ alert_source_config_id: '01HEARTBEATSOURCE00000000', received_at: expect.any(String) }]);
  });

  it('refuses a wrong token, any ?token= and an unknown source', async () => {
    expect((await ping({ token: sandbox.apiKey })).status).toBe(401);
    expect((await ping({ token: sandbox.alertToken })).status).toBe(401);
    const query = await ping({ query: `?token=${sandbox.heartbeatToken}` });
    expect(query.status).toBe(401);
    expect(error(query).message).toMatch(/Authorization: Bearer/);
    expect((await ping({ id: sandbox.alertSourceId })).status).toBe(404);
    expect(sandbox.heartbeats()).toHaveLength(0);
  });

  it('meets faults like any route', async () => {
    sandbox.fault('POST /v2/heartbeat/:id/ping', { type: 'status', status: 503 });
    expect((await ping()).status).toBe(503);
    expect((await ping()).status).toBe(204);
    expect(sandbox.heartbeats()).toHaveLength(1);
  });
});

describe('attachments', () => {
  const attach = (body: Record<string, unknown>) => call('POST', '/v1/incident_attachments', { body });

  it('attaches a link, twice if asked twice, and lists them by incident', async () => {
    const incident = await declare();
    const body = {
      incident_id: incident.id,
      resource: { resource_type: 'arbitrary_url', url: 'https://github.com/acme/shop/actions/runs/1001', title: 'Run #42', emoji: 'x' },
    };
    const first = await attach(body);
    expect(first.status).toBe(201);
    expect(first.json.incident_attachment).toEqual({
      id: expect.any(String),
      incident_id: incident.id,
      resource: {
        external_id: 'https://github.com/acme/shop/actions/runs/1001',
        permalink: 'https://github.com/acme/shop/actions/runs/1001',
        resource_type: 'arbitrary_url',
        title: 'Run #42',
      },
    });
    expect((await attach(body)).status).toBe(201);
    expect(sandbox.attachments()).toHaveLength(2);
    const listed = await call('GET', `/v1/incident_attachments?incident_id=${incident.id}`);
    expect(listed.json.incident_attachments).toHaveLength(2);
    expect((await call('GET', '/v1/incident_attachments?incident_id=01OTHER')).json).toEqual({ incident_attachments: [] });
  });

  it('needs the GitHub integration for a pull request', async () => {
    const incident = await declare();
    const body = {
      incident_id: incident.id,
      resource: { resource_type: 'github_pull_request', url: 'https://github.com/acme/shop/pull/128' },
    };
    const refused = await attach(body);
    expect(refused.status).toBe(422);
    expect(error(refused)).toMatchObject({
      message: expect.stringMatching(/No GitHub integration/),
      source: { field: 'resource.resource_type' },
    });
    sandbox.state.githubIntegration = true;
    const accepted = await attach(body);
    expect(accepted.json.incident_attachment.resource).toEqual({
      external_id: 'acme/shop#128',
      permalink: 'https://github.com/acme/shop/pull/128',
      resource_type: 'github_pull_request',
      title: 'Retry checkout payments idempotently',
    });
  });

  it('refuses bad bodies, and everything when forbidden', async () => {
    const incident = await declare();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ resource: { resource_type: 'arbitrary_url', url: 'https://x.example' } }, 422, 'incident_id'],
      [
        { incident_id: '01NOSUCHINCIDENT000000000', resource: { resource_type: 'arbitrary_url', url: 'https://x.example' } },
        404,
        'incident_id',
      ],
      [{ incident_id: incident.id }, 422, 'resource'],
      [{ incident_id: incident.id, resource: { resource_type: 'fax', url: 'https://x.example' } }, 422, 'resource.resource_type'],
      [
        { incident_id: incident.id, resource: { resource_type: 'arbitrary_url', url: 'https://x.example', external_id: 'x' } },
        422,
        'resource',
      ],
      [{ incident_id: incident.id, resource: { resource_type: 'arbitrary_url', url: 'javascript:alert(1)' } }, 422, 'resource.url'],
      [{ incident_id: incident.id, resource: { resource_type: 'sentry_issue', external_id: '1', title: 't' } }, 422, 'resource.title'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await attach(body);
      expect([answer.status, error(answer).source?.field]).toEqual([status, field]);
    }
    expect((await call('GET', '/v1/incident_attachments')).status).toBe(422);
    sandbox.state.attachmentsForbidden = true;
    const forbidden = await attach({ incident_id: incident.id, resource: { resource_type: 'arbitrary_url', url: 'https://x.example' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.type).toBe('forbidden');
    expect((await call('GET', `/v1/incident_attachments?incident_id=${incident.id}`)).status).toBe(403);
    expect(sandbox.attachments()).toHaveLength(0);
  });
});

describe('incident timestamps', () => {
  it('lists the timestamps, and create and edit set and unset their values', async () => {
    const listed = await call('GET', '/v2/incident_timestamps');
    expect(listed.json.incident_timestamps.map((t: { name: string; rank: number }) => [t.name, t.rank])).toEqual([
      ['Reported at', 1],
      ['Impact started', 2],
      ['Accepted at', 3],
      ['Resolved at', 4],
    ]);
    const incident = await declare({
      incident_timestamp_values: [
        { incident_timestamp_id: ID.resolvedAt, value: '2026-11-26T10:30:00Z' },
        { incident_timestamp_id: ID.impactStarted, value: '2026-11-26T10:04:00.123+01:00' },
      ],
    });
    expect(incident.incident_timestamp_values).toEqual([
      { incident_timestamp: { id: ID.impactStarted, name: 'Impact started', rank: 2 }, value: { value: '2026-11-26T10:04:00.123+01:00' } },
      { incident_timestamp: { id: ID.resolvedAt, name: 'Resolved at', rank: 4 }, value: { value: '2026-11-26T10:30:00Z' } },
    ]);
    const edited = await edit(incident.id, { incident_timestamp_values: [{ incident_timestamp_id: ID.resolvedAt }] });
    expect(edited.json.incident.incident_timestamp_values.map((t: Json) => t.incident_timestamp.name)).toEqual(['Impact started']);
  });

  it('refuses an unknown timestamp or a value that is not RFC 3339', async () => {
    const cases: [unknown, string][] = [
      [[{ incident_timestamp_id: '01NOSUCH', value: '2026-11-26T10:04:00Z' }], 'incident_timestamp_values[0].incident_timestamp_id'],
      [[{ incident_timestamp_id: ID.impactStarted, value: '2026-11-26 10:04' }], 'incident_timestamp_values[0].value'],
      [[{ incident_timestamp_id: ID.impactStarted, value: null }], 'incident_timestamp_values[0].value'],
      [{}, 'incident_timestamp_values'],
    ];
    for (const [values, field] of cases) {
      const answer = await call('POST', '/v2/incidents', { body: createBody({ incident_timestamp_values: values }) });
      expect([answer.status, error(answer).source.field]).toEqual([422, field]);
    }
    const incident = await declare();
    const refused = await edit(incident.id, { incident_timestamp_values: [{ incident_timestamp_id: ID.impactStarted, value: 'soon' }] });
    expect(error(refused).source.field).toBe('incident.incident_timestamp_values[0].value');
  });
});

describe('GET /v3/catalog_entries', () => {
  const find = async (identifier: string) => {
    const answer = await call('GET', `/v3/catalog_entries?catalog_type_id=${ID.service}&page_size=25&identifier=${identifier}`);
    expect(answer.status).toBe(200);
    return answer.json.catalog_entries.map((e: { name: string }) => e.name);
  };

  it('finds an entry by ID, external ID, alias or exact name', async () => {
    expect(await find('01ENTRYCHECKOUT00000000000')).toEqual(['Checkout']);
    expect(await find('payments')).toEqual(['Payments']);
    expect(await find('co')).toEqual(['Checkout']);
    expect(await find('Search')).toEqual(['Search']);
    expect(await find('search')).toEqual([]); // names match case-sensitively
    const all = await call('GET', `/v3/catalog_entries?catalog_type_id=${ID.service}&page_size=2`);
    expect(all.json.catalog_entries[0]).toEqual({
      id: '01ENTRYCHECKOUT00000000000',
      catalog_type_id: ID.service,
      name: 'Checkout',
      external_id: 'checkout',
      aliases: ['co'],
      rank: 1,
      attribute_values: {},
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(all.json.catalog_type).toMatchObject({ id: ID.service, name: 'Service', use_name_as_identifier: true });
    expect(all.json.pagination_meta).toEqual({ page_size: 2, total_record_count: 3, after: '01ENTRYPAYMENTS00000000000' });
  });

  it('needs page_size (at most 250) and a known type, and answers 403 when forbidden', async () => {
    const refusals: [string, number][] = [
      [`?catalog_type_id=${ID.service}`, 422],
      [`?catalog_type_id=${ID.service}&page_size=251`, 422],
      ['?page_size=25', 422],
      ['?catalog_type_id=01NOSUCHTYPE&page_size=25', 422],
    ];
    for (const [query, status] of refusals) expect((await call('GET', `/v3/catalog_entries${query}`)).status).toBe(status);
    sandbox.state.catalogForbidden = true;
    expect((await call('GET', `/v3/catalog_entries?catalog_type_id=${ID.service}&page_size=25`)).status).toBe(403);
  });

  it('still takes an ID, external ID or alias as a custom field value', async () => {
    const field = '01FIELDSERVICE000000000000';
    for (const value of ['01ENTRYPAYMENTS00000000000', 'payments', 'pay']) {
      const incident = await declare({ custom_field_entries: [{ custom_field_id: field, values: [{ value_catalog_entry_id: value }] }] });
      expect(incident.custom_field_entries[0].values[0].value_catalog_entry.name).toBe('Payments');
    }
  });
});

describe('create extras', () => {
  it('records a retrospective incident in any status, with its options', async () => {
    const incident = await declare({
      mode: 'retrospective',
      incident_status_id: ID.closed,
      slack_team_id: 'T0OTHER',
      retrospective_incident_options: { slack_channel_id: 'C0RETRO', postmortem_document_url: 'https://docs.example/pm', external_id: 77 },
    });
    expect(incident).toMatchObject({
      reference: 'INC-77',
      mode: 'retrospective',
      incident_status: { name: 'Closed' },
      slack_team_id: 'T0OTHER',
      slack_channel_id: 'C0RETRO',
      postmortem_document_url: 'https://docs.example/pm',
    });
    expect((await declare()).reference).toBe('INC-1');
  });

  it('refuses retrospective options outside retrospective mode, and a closed status outside it', async () => {
    const options = await call('POST', '/v2/incidents', { body: createBody({ retrospective_incident_options: {} }) });
    expect([options.status, error(options).source.field]).toEqual([422, 'retrospective_incident_options']);
    const closed = await call('POST', '/v2/incidents', { body: createBody({ incident_status_id: ID.closed }) });
    expect([closed.status, error(closed).source.field]).toEqual([422, 'incident_status_id']);
    for (const external_id of ['12', 77]) {
      if (external_id === 77) await declare({ mode: 'retrospective', retrospective_incident_options: { external_id } });
      const refused = await call('POST', '/v2/incidents', {
        body: createBody({ mode: 'retrospective', retrospective_incident_options: { external_id } }),
      });
      expect([refused.status, error(refused).source.field]).toEqual([422, 'retrospective_incident_options.external_id']);
    }
  });
});

describe('GitHub', () => {
  const github = (path: string, auth = `token ${sandbox.githubToken}`) => call('GET', `/github/repos/acme/shop${path}`, { auth });

  it('lists the failed job annotations, none for a passed job, and 404 for an unknown check run', async () => {
    const answer = await github('/check-runs/5002/annotations');
    expect(answer.status).toBe(200);
    expect(answer.json.map((a: { annotation_level: string }) => a.annotation_level)).toEqual(['failure', 'warning', 'failure']);
    expect(answer.json[0]).toMatchObject({ path: expect.any(String), start_line: 42, end_line: 42, title: 'Deploy to production' });
    expect(answer.json[0].message).toMatch(/^error: /);
    expect(answer.json[2].message).toBe('Process completed with exit code 1.');
    expect(Object.keys(answer.json[0])).toEqual(
      expect.arrayContaining(['path', 'start_line', 'end_line', 'annotation_level', 'message', 'title', 'raw_details']),
    );
    expect((await github('/check-runs/5001/annotations')).json).toEqual([]);
    expect((await github('/check-runs/9999/annotations')).status).toBe(404);
  });

  it("lists a commit's merged pull request, or the ones set for that commit", async () => {
    const [pull] = (await github('/commits/4f1c2a9/pulls', `Bearer ${sandbox.githubToken}`)).json;
    expect(pull).toMatchObject({
      number: 128,
      title: expect.any(String),
      html_url: 'https://github.com/acme/shop/pull/128',
      state: 'closed',
      merged_at: expect.any(String),
      base: { ref: 'main' },
      head: { ref: expect.any(String) },
    });
    sandbox.setPulls([], 'abc');
    expect((await github('/commits/abc/pulls')).json).toEqual([]);
    expect((await github('/commits/4f1c2a9/pulls', `Bearer ${sandbox.apiKey}`)).status).toBe(401);
  });

  it("serves a run's own jobs when given, else the default ones", async () => {
    sandbox.setJobs([{ id: 7001, name: 'watched', status: 'completed', conclusion: 'failure', steps: [] }], 2002);
    const watched = await github('/actions/runs/2002/attempts/1/jobs');
    expect(watched.json.jobs.map((j: { name: string }) => j.name)).toEqual(['watched']);
    expect((await github('/actions/runs/1001/jobs')).json.total_count).toBe(3);
  });

  it('has a mode per endpoint, and setGithubMode still sets the jobs one', async () => {
    sandbox.setGithubModes({ annotations: 'forbidden', pulls: 'error' });
    expect((await github('/check-runs/5002/annotations')).status).toBe(403);
    expect((await github('/commits/abc/pulls')).status).toBe(500);
    expect((await github('/actions/runs/1001/jobs')).status).toBe(200);
    sandbox.setGithubMode('forbidden');
    expect((await github('/actions/runs/1001/jobs')).status).toBe(403);
    expect(sandbox.state.githubModes).toEqual({ jobs: 'forbidden', annotations: 'forbidden', pulls: 'error' });
    const typo: Record<string, string> = { checks: 'ok' };
    expect(() => sandbox.setGithubModes(typo)).toThrow(/Unknown GitHub endpoint/);
  });
});

describe('reset', () => {
  it('restores every flag and record', async () => {
    Object.assign(sandbox.state, {
      usersIgnoreFilter: true,
      refuseStatusIds: [ID.documenting],
      reviewingStatus: true,
      listPageCap: 1,
      githubIntegration: true,
      attachmentsForbidden: true,
      catalogForbidden: true,
    });
    sandbox.setRateLimit({ capacity: 1, refillPerSecond: 1 });
    sandbox.setGithubModes({ jobs: 'error', annotations: 'error', pulls: 'error' });
    await call('POST', `/v2/heartbeat/${sandbox.heartbeatSourceId}/ping`, { token: sandbox.heartbeatToken });
    sandbox.reset();
    expect(sandbox.state).toMatchObject({
      usersIgnoreFilter: false,
      refuseStatusIds: [],
      reviewingStatus: false,
      listPageCap: null,
      githubIntegration: false,
      attachmentsForbidden: false,
      catalogForbidden: false,
      rateLimit: null,
      githubModes: { jobs: 'ok', annotations: 'ok', pulls: 'ok' },
    });
    expect([sandbox.heartbeats(), sandbox.attachments(), sandbox.incidentUpdates(), sandbox.requests]).toEqual([[], [], [], []]);
  });
});
