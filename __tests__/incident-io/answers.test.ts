/**
 * Every reader of an incident.io answer, fed answers of the wrong shape: `null`, wrong types,
 * missing fields, objects for lists, lists for objects, HTML with a 200. Each ends in a named
 * outcome, never a TypeError: an ApiError that names the request for what the job cannot do
 * without, a notice for what only enriches it. (GitHub's answers: github/jobs.test.ts; attachments:
 * incident-io/attachments.test.ts; the bundle against the sandbox: e2e/boundary.test.ts.)
 */
import { ApiError } from '../../src/core/errors.js';
import { createIncident, fetchIncident } from '../../src/incident-io/incidents.js';
import { listOptions } from '../../src/incident-io/custom-fields.js';
import { lookUpForDeclare, lookUpForEdit } from '../../src/incident-io/lookups.js';
import { findUser } from '../../src/incident-io/roles.js';
import { postIncidentUpdate } from '../../src/incident-io/incident-updates.js';
import { run } from '../../src/main.js';
import type { UpdateSettings } from '../../src/jobs/update/settings.js';
import { AnswerError } from '../../src/core/shape.js';
import { FakeClock, fakeCore, json, pushContext, testClient, stepOf, type Step } from '../helpers/fakes.js';
// The lookups load these on demand; loaded here first, as jest's ESM loader asks.
import '../../src/incident-io/custom-fields.js';
import '../../src/incident-io/roles.js';
import '../../src/incident-io/timestamps.js';

const HTML = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>';

/** A body, or a whole Response (HTML), answered to every request for a path, however often asked. */
type Answer = unknown;
const html = Symbol('html');

function routed(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const path = new URL(url).pathname;
    calls.push(`${init.method} ${path}`);
    if (!(path in answers)) throw new Error(`unexpected request ${init.method} ${url}`);
    const answer = answers[path];
    if (answer === html) return new Response(HTML, { status: 200, headers: { 'content-type': 'text/html' } });
    return json(200, answer);
  };
  return Object.assign(fetch, { calls });
}

const GOOD: Record<string, Answer> = {
  '/v1/severities': { severities: [{ id: 'sev', name: 'Major', rank: 1 }] },
  '/v1/incident_types': { incident_types: [{ id: 'type', name: 'Platform' }] },
  '/v1/incident_statuses': { incident_statuses: [{ id: 'st', name: 'Fixing', category: 'live', rank: 1 }] },
  '/v2/custom_fields': {
    custom_fields: [
      { id: 'teams', name: 'Teams', field_type: 'single_select' },
      { id: 'svc', name: 'Service', field_type: 'single_select', catalog_type_id: 'ct' },
    ],
  },
  '/v1/custom_field_options': { custom_field_options: [{ id: 'opt', value: 'Platform' }], pagination_meta: {} },
  '/v2/incident_roles': { incident_roles: [{ id: 'lead', name: 'Incident Lead', shortform: 'lead' }] },
  '/v2/users': { users: [{ id: 'alice', email: 'alice@example.com' }] },
  '/v2/incident_timestamps': { incident_timestamps: [{ id: 'ts', name: 'Impact started' }] },
  '/v3/catalog_entries': { catalog_entries: [{ id: 'entry', name: 'checkout' }] },
};

/** Bodies of the wrong shape for a list answered under `key`. */
function malformedLists(key: string): [string, Answer, RegExp][] {
  return [
    ['null', null, /the answer is null where an object is expected/],
    ['a list for the object', [], /the answer is a list where an object is expected/],
    ['text', 'severities', /the answer is text where an object is expected/],
    ['a number', 42, /the answer is a number where an object is expected/],
    ['an empty object', {}, new RegExp(`${key} is missing`)],
    ['an object for the list', { [key]: { a: GOOD } }, new RegExp(`${key} is an object where a list is expected`)],
    ['a null item', { [key]: [null] }, new RegExp(`${key}\\[0\\] is null where an object is expected`)],
    [
      'an item of wrong types',
      { [key]: [{ id: 1, name: 2, value: 3, rank: 'x', category: 4 }] },
      new RegExp(`${key}\\[0\\]\\.id is a number`),
    ],
    ['an item without fields', { [key]: [{}] }, new RegExp(`${key}\\[0\\]\\.id is missing`)],
    ['HTML with a 200', html, /answered 200 but the body was not complete JSON.*Sign in/],
  ];
}

const updateSettings = {
  severity: 'Major',
  status: 'Fixing',
  customFields: new Map<string, string | string[]>([
    ['Teams', 'Platform'],
    ['Service', 'checkout'],
  ]),
  roles: new Map([['lead', 'alice@example.com']]),
  timestamps: new Map([['Impact started', 'now']]),
} as unknown as UpdateSettings;

/** The error a promise rejects with (failing the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('the lookups names resolve against, each answered in the wrong shape', () => {
  const strict: [string, string][] = [
    ['/v1/severities', 'severities'],
    ['/v1/incident_statuses', 'incident_statuses'],
    ['/v2/custom_fields', 'custom_fields'],
    ['/v1/custom_field_options', 'custom_field_options'],
    ['/v2/incident_roles', 'incident_roles'],
    ['/v2/users', 'users'],
    ['/v2/incident_timestamps', 'incident_timestamps'],
  ];
  const cases = strict.flatMap(([path, key]) => malformedLists(key).map(([what, body, message]) => [path, what, body, message] as const));

  it.each(cases)('GET %s answering %s is an error naming the request, never a TypeError', async (path, _what, body, message) => {
    const fetch = routed({ ...GOOD, [path]: body });
    const error = await failure(lookUpForEdit(testClient(fetch), updateSettings));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain(`incident.io GET ${path}`);
    expect(error.message).toMatch(message);
  });

  it.each(malformedLists('incident_types'))(
    'GET /v1/incident_types answering %s is an error naming the request',
    async (_w, body, message) => {
      const settings = { ...updateSettings, severity: '', status: '', incidentType: 'Platform', visibility: 'public', mode: 'standard' };
      const fetch = routed({ ...GOOD, '/v1/incident_types': body });
      const error = await failure(lookUpForDeclare(testClient(fetch), settings));
      expect(error).toBeInstanceOf(ApiError);
      expect(error.message).toMatch(/incident\.io GET \/v1\/incident_types/);
      expect(error.message).toMatch(message);
    },
  );

  it.each(malformedLists('catalog_entries').filter(([what]) => what !== 'HTML with a 200'))(
    'the catalog answering %s only checks less: a notice, and the value goes unchecked',
    async (_what, body) => {
      const fetch = routed({ ...GOOD, '/v3/catalog_entries': body });
      const fields = await lookUpForEdit(testClient(fetch), updateSettings);
      expect(fields.customFieldEntries).toContainEqual({ custom_field_id: 'svc', values: [{ value_catalog_entry_id: 'checkout' }] });
      expect(fields.notices).toEqual([
        expect.stringMatching(
          /^The values of catalog-backed custom fields go to incident\.io unchecked: incident\.io GET \/v3\/catalog_entries/,
        ),
      ]);
    },
  );

  it('reads a catalog entry whose aliases are not a list as having none', async () => {
    const fetch = routed({ ...GOOD, '/v3/catalog_entries': { catalog_entries: [{ id: 'entry', name: 'checkout', aliases: 'checkout' }] } });
    const fields = await lookUpForEdit(testClient(fetch), updateSettings);
    expect(fields.customFieldEntries).toContainEqual({ custom_field_id: 'svc', values: [{ value_catalog_entry_id: 'entry' }] });
  });

  it.each([
    ['a user of the wrong shape', { user: { id: 7 } }, /GET \/v2\/users\/01ALICE answered .*user\.id is a number/],
    ['a list', [], /the answer is a list/],
    ['null', null, /the answer is null/],
  ])('GET /v2/users/{id} answering %s is an error naming the request', async (_what, body, message) => {
    const error = await failure(findUser(testClient(routed({ '/v2/users/01ALICE': body })), '01ALICE'));
    expect(error).toBeInstanceOf(AnswerError);
    expect(error.message).toMatch(message);
  });

  it('stops a cursor that loops between two values', async () => {
    let n = 0;
    const fetch = async () =>
      json(200, { custom_field_options: [{ id: `o${n}`, value: `v${n}` }], pagination_meta: { after: ['a', 'b'][n++ % 2] } });
    const { options, complete } = await listOptions(testClient(fetch), 'teams');
    expect(options).toHaveLength(3);
    expect(complete).toBe(true);
  });

  it('ends at a cursor of the wrong type, as at no cursor', async () => {
    const fetch = async () => json(200, { custom_field_options: [{ id: 'o', value: 'v' }], pagination_meta: { after: 7 } });
    expect(await listOptions(testClient(fetch), 'teams')).toEqual({ options: [{ id: 'o', value: 'v' }], complete: true });
  });
});

describe("the answers to the job's own writes, in the wrong shape", () => {
  const payload = { idempotency_key: 'k', severity_id: 'sev', visibility: 'public', name: 'n', summary: 's', mode: 'standard' };
  const incidentBodies: [string, Answer, RegExp][] = [
    ['null', null, /the answer is null where an object is expected/],
    ['a list', [{ id: '01INC' }], /the answer is a list where an object is expected/],
    ['an incident that is a list', { incident: [] }, /incident is a list where an object is expected/],
    [
      'an incident of wrong types',
      { incident: { id: 1, reference: ['INC-1'], name: null } },
      /incident\.id is a number.*incident\.reference is a list.*incident\.name is null/,
    ],
    ['HTML with a 200', html, /answered 200 but the body was not complete JSON/],
  ];

  it.each(incidentBodies)('POST /v2/incidents answering %s is an error naming the request', async (_what, body, message) => {
    const error = await failure(createIncident(testClient(routed({ '/v2/incidents': body })), payload, Date.now));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/incident\.io POST \/v2\/incidents answered 200/);
    expect(error.message).toMatch(message);
  });

  it.each(incidentBodies)('GET /v2/incidents/{id} answering %s is an error naming the request', async (_what, body, message) => {
    const error = await failure(fetchIncident(testClient(routed({ '/v2/incidents/7': body })), '7'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/incident\.io GET \/v2\/incidents\/7/);
    expect(error.message).toMatch(message);
  });

  it('reads an incident whose optional parts are of the wrong type without them', async () => {
    const incident = {
      id: '01INC',
      reference: 'INC-1',
      name: 'n',
      permalink: 5,
      severity: 'Major',
      incident_status: { id: 'st', name: 'Fixing', category: 3 },
      incident_type: null,
      created_at: ['now'],
    };
    const read = await fetchIncident(testClient(routed({ '/v2/incidents/7': { incident } })), '7');
    expect(read).toEqual({ id: '01INC', reference: 'INC-1', name: 'n', incident_status: { id: 'st', name: 'Fixing' } });
  });

  it.each([
    ['null', null, /the answer is null/],
    ['an update without an id', { incident_update: { incident_id: '01INC' } }, /incident_update\.id is missing/],
    ['an update that is a list', { incident_update: [] }, /incident_update is a list/],
    ['HTML with a 200', html, /not complete JSON/],
  ])('POST /v2/incident_updates answering %s is an error naming the request', async (_what, body, message) => {
    const request = { idempotency_key: 'k', incident_id: '01INC', message: 'm' };
    const error = await failure(postIncidentUpdate(testClient(routed({ '/v2/incident_updates': body })), request));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/incident\.io POST \/v2\/incident_updates answered/);
    expect(error.message).toMatch(message);
  });

  it('reads an update whose new status is of the wrong type without it', async () => {
    const body = { incident_update: { id: 'u1', new_incident_status: 'Fixing', new_severity: { id: 3 } } };
    const update = await postIncidentUpdate(testClient(routed({ '/v2/incident_updates': body })), {
      idempotency_key: 'k',
      incident_id: '01INC',
      message: 'm',
    });
    expect(update).toEqual({ id: 'u1', incident_id: '01INC', replayed: false });
  });
});

describe('alert events and heartbeats: green only on an answer that says so', () => {
  const ALERT_TOKEN = 'alert_tok_0123456789';
  async function runOp(step: Step, reply: () => Response) {
    const { job, inputs } = stepOf(step);
    const core = fakeCore(inputs);
    const fetch = async () => reply();
    await run({ core: core.core, fetch, env: { GITHUB_REPOSITORY: 'acme/shop' }, clock: new FakeClock(), context: () => pushContext }, job);
    return core;
  }
  const heartbeat = { job: 'heartbeat', 'alert-source-id': 'hb-1', 'alert-token': ALERT_TOKEN };
  const alert = { job: 'alert', 'alert-source-id': 'src-1', 'alert-token': ALERT_TOKEN };

  it.each([
    ['a 204', () => new Response(null, { status: 204 })],
    ['an empty 200', () => new Response('', { status: 200 })],
    ['an empty 202', () => new Response(null, { status: 202 })],
    ['status success', () => json(200, { status: 'success', message: 'ok' })],
  ])('a heartbeat answered with %s is sent', async (_what, reply) => {
    const core = await runOp(heartbeat, reply);
    expect(core.failed).toBeUndefined();
    expect(core.log.some((l) => /Sent a heartbeat ping/.test(l.message))).toBe(true);
  });

  it.each([
    [
      'status error',
      () => json(200, { status: 'error', message: 'source disabled' }),
      /answered 200 with \{"status":"error","message":"source disabled"\}/,
    ],
    ['an object without a status', () => json(200, { ok: true }), /answered 200 with \{"ok":true\}/],
    ['a status of another type', () => json(200, { status: true }), /answered 200 with \{"status":true\}/],
    ['null', () => json(200, null), /answered 200 with null/],
    ['a list', () => json(202, ['success']), /answered 202 with \["success"\]/],
    ['text', () => json(200, 'success'), /answered 200 with "success"/],
  ])('a heartbeat answered with %s is an error carrying the answer', async (_what, reply, message) => {
    const core = await runOp(heartbeat, reply);
    expect(core.failed).toMatch(/^incident\.io POST \/v2\/heartbeat\/hb-1\/ping /);
    expect(core.failed).toMatch(message);
    expect(core.failed).toMatch(/the ping is not known to have landed/);
    expect(core.log.some((l) => /Sent a heartbeat ping/.test(l.message))).toBe(false);
  });

  it('redacts the token from an answer that echoes it', async () => {
    const core = await runOp(heartbeat, () => json(200, { status: 'error', message: `bad token ${ALERT_TOKEN}` }));
    expect(core.failed).toContain('bad token ***');
    expect(core.failed).not.toContain(ALERT_TOKEN);
  });

  it('with fail-on-error: false, a heartbeat not received is a warning, not a green "sent"', async () => {
    const core = await runOp({ ...heartbeat, 'fail-on-error': 'false' }, () => json(200, { status: 'error' }));
    expect(core.failed).toBeUndefined();
    expect(core.log.find((l) => l.level === 'warning')?.message).toMatch(/not known to have landed.*fail-on-error is false/);
    expect(core.log.some((l) => /Sent a heartbeat ping/.test(l.message))).toBe(false);
  });

  it.each([
    ['a status of another type', { status: 1, message: 'ok' }, /answered with no "status": "success"/],
    ['a message of another type, no status', { message: 5 }, /answered with no "status": "success"/],
    ['null', null, /answered with no "status": "success"/],
  ])('an alert event answered with %s is not taken as sent', async (_what, body, message) => {
    const core = await runOp(alert, () => json(202, body));
    expect(core.failed).toMatch(message);
  });
});
