/**
 * Paging on the source with fake answers (src/incident-io/pages.ts, escalations.ts): every page
 * and the stop rule, names resolved (unknown, shared, in any case), users matched exactly, the
 * create read strictly and exactly once, and the escalations a cancel may touch: only those that
 * prove to be its key's, whatever the server did with the filters.
 */
import { ApiError, InputError } from '../../src/core/errors.js';
import { keyPrefix, markerLine, markerToken, withMarker } from '../../src/incident-io/escalation-keys.js';
import {
  cancelEscalation,
  createEscalation,
  declareEscalationRequest,
  findOwnEscalations,
  listEscalationPaths,
  MAX_PATH_PAGES,
  PAGING_STATUSES,
  resolveEscalationPath,
  resolveUsers,
} from '../../src/incident-io/escalations.js';
import { AnswerError } from '../../src/core/shape.js';
import { FakeClock, json, networkError, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const pathItem = (id: string, name: string, extra: Record<string, unknown> = {}) => ({ id, name, team_ids: [], path: [], ...extra });
const pathsPage = (items: unknown[], after?: string) =>
  json(200, { escalation_paths: items, pagination_meta: { page_size: 25, ...(after !== undefined && { after }) } });
const query = (url: string) => new URL(url).searchParams;

describe('listEscalationPaths: every page, and a stop rule no server can defeat', () => {
  it('reads every page, 25 at a time, passing each cursor back as `after`', async () => {
    const fetch = scriptedFetch([
      pathsPage([pathItem('01A', 'Database')], '01A'),
      pathsPage([pathItem('01B', 'Platform')], '01B'),
      pathsPage([pathItem('01C', 'Payments')]),
    ]);
    const pages = await listEscalationPaths(testClient(fetch));
    expect(pages.items.map((p) => p.name)).toEqual(['Database', 'Platform', 'Payments']);
    expect([pages.complete, pages.pages]).toEqual([true, 3]);
    expect(fetch.calls.map((c) => [query(c.url).get('page_size'), query(c.url).get('after')])).toEqual([
      ['25', null],
      ['25', '01A'],
      ['25', '01B'],
    ]);
  });

  it('stops at an empty page that still carries a cursor', async () => {
    const fetch = scriptedFetch([pathsPage([pathItem('01A', 'A')], 'c1'), pathsPage([], 'c2')]);
    const pages = await listEscalationPaths(testClient(fetch));
    expect([pages.items.length, pages.complete, fetch.calls.length]).toEqual([1, true, 2]);
  });

  it('stops at a cursor it has seen before (a server that loops), keeping each path once', async () => {
    const fetch = scriptedFetch([
      pathsPage([pathItem('01A', 'A')], 'c1'),
      pathsPage([pathItem('01B', 'B')], 'c2'),
      pathsPage([pathItem('01A', 'A'), pathItem('01B', 'B')], 'c1'),
    ]);
    const pages = await listEscalationPaths(testClient(fetch));
    expect(pages.items.map((p) => p.id)).toEqual(['01A', '01B']);
    expect([pages.complete, fetch.calls.length]).toEqual([true, 3]);
  });

  it('stops at its page limit, saying the list is not complete', async () => {
    let n = 0;
    const endless: Reply = () => {
      n += 1;
      return pathsPage([pathItem(`01P${n}`, `Path ${n}`)], `cursor-${n}`);
    };
    const fetch = scriptedFetch(Array.from({ length: MAX_PATH_PAGES + 5 }, () => endless));
    const pages = await listEscalationPaths(testClient(fetch));
    expect([pages.complete, pages.pages, fetch.calls.length, pages.items.length]).toEqual([
      false,
      MAX_PATH_PAGES,
      MAX_PATH_PAGES,
      MAX_PATH_PAGES,
    ]);
  });

  it('refuses an answer without the list, or a path without its name, naming the request and the field', async () => {
    await expect(listEscalationPaths(testClient(scriptedFetch([json(200, { paths: [] })])))).rejects.toThrow(
      'incident.io GET /v2/escalation_paths answered with an answer the action cannot use: escalation_paths is missing (a list is expected).',
    );
    const nameless = listEscalationPaths(testClient(scriptedFetch([pathsPage([{ id: '01A', name: null }])])));
    await expect(nameless).rejects.toThrow(AnswerError);
    await expect(listEscalationPaths(testClient(scriptedFetch([pathsPage([{ id: '01A', name: 7 }])])))).rejects.toThrow(
      'escalation_paths[0].name is a number where non-empty text is expected',
    );
    await expect(
      listEscalationPaths(testClient(scriptedFetch([json(200, { escalation_paths: [], pagination_meta: { after: 5 } })]))),
    ).rejects.toThrow('pagination_meta.after is a number');
  });

  it('keeps a path whose responders it cannot read, without them', async () => {
    const fetch = scriptedFetch([pathsPage([pathItem('01A', 'Platform', { current_responders: [{ name: 'no id' }] })])]);
    const [path] = (await listEscalationPaths(testClient(fetch))).items;
    expect(path).toMatchObject({ id: '01A', name: 'Platform', current_responders: [] });
  });
});

describe('resolveEscalationPath', () => {
  const pages = {
    items: [
      pathItem('01DBA', 'Database'),
      pathItem('01DBB', 'Database'),
      pathItem('01WEB', 'Web Frontend'),
      pathItem('01web', 'web frontend'),
      pathItem('01PLAT', 'Platform'),
      pathItem('01PAY', 'Payments'),
    ],
    complete: true,
    pages: 1,
  };

  it('finds a path by its ID or by its name in any case and spacing', () => {
    expect(resolveEscalationPath('escalation-path', '01PLAT', pages).name).toBe('Platform');
    expect(resolveEscalationPath('escalation-path', '  pLATFORM ', pages).id).toBe('01PLAT');
    expect(resolveEscalationPath('escalation-path', '01DBB', pages).id).toBe('01DBB');
  });

  it('refuses an unknown name, listing the paths and suggesting the closest', () => {
    expect(() => resolveEscalationPath('escalation-path', 'Platfrom', pages)).toThrow(
      'Input "escalation-path" is "Platfrom", which is not an escalation path in this incident.io workspace. ' +
        'Available: "Database", "Database", "Web Frontend", "web frontend", "Platform", "Payments". Did you mean "Platform"?',
    );
  });

  it('refuses a name two paths share, listing their IDs; names that differ only in case are shared', () => {
    expect(() => resolveEscalationPath('escalation-path', 'database', pages)).toThrow(
      'Input "escalation-path" is "database", which matches 2 escalation paths; use one of their IDs: Database = 01DBA, Database = 01DBB.',
    );
    expect(() => resolveEscalationPath('escalation-path', 'Web Frontend', pages)).toThrow(/01WEB.*01web/);
  });

  it('says when the page limit left paths unread', () => {
    expect(() => resolveEscalationPath('escalation-path', 'Search', { ...pages, complete: false, pages: 40 })).toThrow(
      /read the first 6 escalation paths \(40 pages, its limit\) and left the rest unread/,
    );
  });
});

describe('resolveUsers', () => {
  const alice = { id: '01ALICE', name: 'Alice', email: 'alice@example.com', slack_user_id: 'U0ALICE' };
  const decoy = { id: '01DECOY', name: 'Alice Org', email: 'alice@example.org' };

  it('matches an email exactly, even when the server ignores the filter and lists others first', async () => {
    const fetch = scriptedFetch([json(200, { users: [decoy, alice], pagination_meta: { page_size: 25 } })]);
    const users = await resolveUsers(testClient(fetch), 'users', ['ALICE@example.com']);
    expect(users.map((u) => u.id)).toEqual(['01ALICE']);
    expect(query(fetch.calls[0]!.url).get('email')).toBe('ALICE@example.com');
  });

  it('reports every unknown user together, before anything is sent', async () => {
    const fetch = scriptedFetch([
      json(200, { users: [decoy] }),
      json(404, { type: 'not_found', status: 404, errors: [{ code: 'not_found', message: 'not found' }] }),
    ]);
    const lookup = resolveUsers(testClient(fetch), 'users', ['alice@example.com', '01NOBODY']);
    await expect(lookup).rejects.toThrow(InputError);
    await expect(
      resolveUsers(testClient(scriptedFetch([json(200, { users: [decoy] }), json(404, {})])), 'users', ['alice@example.com', '01NOBODY']),
    ).rejects.toThrow(
      'Input "users" names "alice@example.com", but no user of this incident.io workspace has this email. ' +
        'Use the email of their incident.io account, their incident.io user ID or their Slack user ID (U…).\n' +
        'Input "users" names "01NOBODY", but no user of this incident.io workspace has this ID.',
    );
  });

  it('pages a person named twice (by email and by ID) once, in the order given', async () => {
    const bob = { id: '01BOB', name: 'Bob', email: 'bob@example.com' };
    const fetch = scriptedFetch([json(200, { users: [bob] }), json(200, { user: alice }), json(200, { users: [alice] })]);
    const users = await resolveUsers(testClient(fetch), 'users', ['bob@example.com', '01ALICE', 'alice@example.com']);
    expect(users.map((u) => u.id)).toEqual(['01BOB', '01ALICE']);
  });
});

describe('createEscalation', () => {
  const request = { idempotency_key: 'gha-esc1:k', title: 'Deploy failed', description: 'x', escalation_path_id: '01PLAT' };
  const answer = (over: Record<string, unknown> = {}) => ({
    escalation: {
      id: '01ESC',
      status: 'triggered',
      title: 'Deploy failed',
      description: 'x',
      created_at: '2026-11-26T12:00:00Z',
      events: [{ id: 'e1', event: 'notified_users', occurred_at: '2026-11-26T12:00:00Z', users: [{ id: '01OLIVIA', name: 'Olivia' }] }],
      ...over,
    },
  });

  it('sends the request once and reads the escalation; created when it is no older than the request', async () => {
    const fetch = scriptedFetch([json(201, answer())]);
    const result = await createEscalation(testClient(fetch), request);
    expect(JSON.parse(fetch.calls[0]!.init.body as string)).toEqual(request);
    expect(result).toMatchObject({ created: true, escalation: { id: '01ESC', status: 'triggered', notified: [{ id: '01OLIVIA' }] } });
  });

  it('is not created when incident.io returns an older escalation for the key (201 either way)', async () => {
    const fetch = scriptedFetch([json(201, answer({ created_at: '2026-11-26T11:00:00Z' }))]);
    expect((await createEscalation(testClient(fetch), request)).created).toBe(false);
  });

  it("judges the age by the server's clock when it gives one", async () => {
    const clock = new FakeClock(Date.parse('2026-11-26T15:00:00Z'));
    const fetch = scriptedFetch([json(201, answer({ created_at: '2026-11-26T12:00:00Z' }), { date: 'Thu, 26 Nov 2026 12:00:01 GMT' })]);
    expect((await createEscalation(testClient(fetch, { clock }), request)).created).toBe(true);
  });

  it('retries a lost answer with the same body and key, and counts the page as this step’s', async () => {
    const fetch = scriptedFetch([networkError('ECONNRESET'), json(201, answer())]);
    const result = await createEscalation(testClient(fetch), request);
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls.map((c) => JSON.parse(c.init.body as string).idempotency_key)).toEqual(['gha-esc1:k', 'gha-esc1:k']);
    expect(result.created).toBe(true);
  });

  it("tells its own page from another step's by the step token, however new or old the escalation is", async () => {
    const token = markerToken('gha-esc1:k');
    const mine = { ...request, description: withMarker('x', token, 'iostep-aaaaaaaaaaaaaaaa') };
    // A job of the same run that raced this one made it a moment ago, under the same key.
    const raced = json(201, answer({ description: withMarker('x', token, 'iostep-bbbbbbbbbbbbbbbb') }));
    expect((await createEscalation(testClient(scriptedFetch([raced])), mine)).created).toBe(false);
    // This step's own attempt, whose answer was lost, made it long ago (the retries waited).
    const own = json(201, answer({ description: mine.description, created_at: '2026-11-26T11:00:00Z' }));
    expect((await createEscalation(testClient(scriptedFetch([own])), mine)).created).toBe(true);
    // No step token in the answer (a server that rewrote the description): its age decides.
    const rewritten = json(201, answer({ description: 'rewritten', created_at: '2026-11-26T11:00:00Z' }));
    expect((await createEscalation(testClient(scriptedFetch([rewritten])), mine)).created).toBe(false);
  });

  it('waits out a 429 (the create is limited to 60 a minute) within the deadline, and sends the same key again', async () => {
    const clock = new FakeClock();
    const limited = json(429, { type: 'rate_limited', status: 429, errors: [{ message: 'Too many requests' }] }, { 'retry-after': '20' });
    const fetch = scriptedFetch([limited, json(201, answer())]);
    const result = await createEscalation(testClient(fetch, { clock }), request);
    expect(result.escalation.id).toBe('01ESC');
    expect(clock.waits).toEqual([22_500]); // 20 s as asked, plus jitter (half of it, at most 5 s; the fake random is 0.5)
    expect(fetch.calls.map((c) => JSON.parse(c.init.body as string).idempotency_key)).toEqual(['gha-esc1:k', 'gha-esc1:k']);
    const late = scriptedFetch([json(429, {}, { 'retry-after': '200' })]);
    await expect(createEscalation(testClient(late, { clock: new FakeClock() }), request)).rejects.toThrow(
      /answered 429.* Gave up after 1 attempt in 0\.0 s: waiting \d+ s more would pass the 120 s deadline\./,
    );
  });

  it('refuses a 2xx that does not prove the page, naming the request', async () => {
    for (const body of [{}, { escalation: { id: '01ESC' } }, { escalation: { status: 'triggered' } }, [], { status: 'error' }]) {
      const attempt = createEscalation(testClient(scriptedFetch([json(201, body)])), request);
      await expect(attempt).rejects.toThrow(AnswerError);
      await expect(createEscalation(testClient(scriptedFetch([json(201, body)])), request)).rejects.toThrow(
        /^incident\.io POST \/v2\/escalations answered 201, but not with an escalation the action can read \(.+\), so it cannot tell whether anyone was paged/,
      );
    }
  });

  it('builds the page on declare from the incident and the path, linked to the incident', () => {
    const incident = { id: '01INC', reference: 'INC-7', name: 'Checkout down', permalink: 'https://app.incident.io/acme/incidents/7' };
    const body = declareEscalationRequest(incident, { id: '01PLAT' }, 'iostep-0123456789abcdef');
    expect(body).toMatchObject({ title: 'INC-7: Checkout down', escalation_path_id: '01PLAT', incident_id: '01INC' });
    expect(body.description).toBe(
      `incident.io incident INC-7: Checkout down\nhttps://app.incident.io/acme/incidents/7\n\n${markerLine(markerToken(body.idempotency_key), 'iostep-0123456789abcdef')}`,
    );
    expect(declareEscalationRequest(incident, { id: '01PLAT' }).idempotency_key).toBe(body.idempotency_key);
    expect(body).not.toHaveProperty('user_ids');
  });
});

describe('findOwnEscalations', () => {
  const prefix = keyPrefix('acme/shop', 'deploy');
  const token = markerToken(prefix);
  const other = markerToken(keyPrefix('acme/shop', 'deploy-api'));
  const esc = (id: string, description: string, over: Record<string, unknown> = {}) => ({
    id,
    status: 'triggered',
    title: `Escalation ${id}`,
    description,
    creator: {},
    created_at: '2026-11-26T11:00:00Z',
    ...over,
  });
  const listPage = (items: unknown[], after?: string) =>
    json(200, { escalations: items, pagination_meta: { page_size: 50, ...(after !== undefined && { after }) } });

  it('lists by the prefix and the statuses that can still page, every page', async () => {
    const fetch = scriptedFetch([listPage([esc('01A', withMarker('a', token))], '01A'), listPage([esc('01B', withMarker('b', token))])]);
    const found = await findOwnEscalations(testClient(fetch), prefix, token);
    expect(found.escalations.map((e) => e.id)).toEqual(['01A', '01B']);
    const q = query(fetch.calls[0]!.url);
    expect(q.get('idempotency_key[starts_with]')).toBe(prefix);
    expect(q.getAll('status[one_of]')).toEqual([...PAGING_STATUSES]);
    expect(q.get('page_size')).toBe('50');
    expect(query(fetch.calls[1]!.url).get('after')).toBe('01A');
  });

  it('keeps only what proves to be this key’s when the server ignores every filter', async () => {
    const fetch = scriptedFetch([
      listPage([
        esc('01OURS', withMarker('Deploy failed', token)),
        esc('01DONE', withMarker('Deploy failed', token), { status: 'cancelled' }),
        esc('01RESOLVED', withMarker('Deploy failed', token), { status: 'resolved' }),
        esc('01OTHERKEY', withMarker(`See also ${token}`, other)),
        esc('01QUOTED', `${markerLine(token)}\n\nA person pasted our marker and wrote more.`),
        esc('01PERSON', withMarker('Paged by hand', token), { creator: { user: { id: '01U', name: 'Mallory' } } }),
        esc('01ALERT', withMarker('From an alert', token), { creator: { alert: { id: '01AL', title: 't' } } }),
        esc('01UNRELATED', 'Nothing to do with us'),
        esc('01NODESC', '', { description: undefined }),
      ]),
    ]);
    const found = await findOwnEscalations(testClient(fetch), prefix, token);
    expect(found.escalations.map((e) => e.id)).toEqual(['01OURS']);
    expect(found.rejected).toEqual([
      { id: '01DONE', title: 'Escalation 01DONE', reason: 'it no longer pages anyone (status "cancelled")' },
      { id: '01RESOLVED', title: 'Escalation 01RESOLVED', reason: 'it no longer pages anyone (status "resolved")' },
      {
        id: '01OTHERKEY',
        title: 'Escalation 01OTHERKEY',
        reason: "its description quotes this key's marker, but its last line is the marker of another key",
      },
      {
        id: '01QUOTED',
        title: 'Escalation 01QUOTED',
        reason: "its description quotes this key's marker, but its last line is not the marker",
      },
      { id: '01PERSON', title: 'Escalation 01PERSON', reason: 'incident.io says a person created it, not the action' },
      { id: '01ALERT', title: 'Escalation 01ALERT', reason: 'incident.io says an alert created it, not the action' },
    ]);
  });

  it('says when its page limit stopped the list', async () => {
    let n = 0;
    const endless: Reply = () => listPage([esc(`01E${++n}`, withMarker('x', token))], `c${n}`);
    const fetch = scriptedFetch(Array.from({ length: 20 }, () => endless));
    const found = await findOwnEscalations(testClient(fetch), prefix, token);
    expect([found.complete, found.escalations.length]).toEqual([false, 10]);
  });
});

describe('cancelEscalation', () => {
  it('cancels with an empty POST, and reads a 200 without a body as done', async () => {
    const fetch = scriptedFetch([new Response('', { status: 200 })]);
    expect(await cancelEscalation(testClient(fetch), '01ESC')).toEqual({ cancelled: true });
    expect([fetch.calls[0]!.init.method, new URL(fetch.calls[0]!.url).pathname, fetch.calls[0]!.init.body]).toEqual([
      'POST',
      '/v2/escalations/01ESC/actions/cancel',
      undefined,
    ]);
  });

  it('takes a refusal (resolved or expired: 422 or 409) or a vanished escalation (404) as an outcome, with its words', async () => {
    const refusal = json(422, {
      type: 'invalid_state',
      status: 422,
      errors: [{ code: 'invalid_state', message: 'This escalation has resolved and cannot be cancelled' }],
    });
    const outcome = await cancelEscalation(testClient(scriptedFetch([refusal])), '01ESC');
    expect(outcome).toEqual({ cancelled: false, why: expect.stringContaining('This escalation has resolved and cannot be cancelled') });
    expect((await cancelEscalation(testClient(scriptedFetch([json(404, {})])), '01ESC')).cancelled).toBe(false);
  });

  it('fails on anything else: a 403 names the scope', async () => {
    const attempt = cancelEscalation(testClient(scriptedFetch([json(403, { type: 'forbidden', errors: [{ message: 'nope' }] })])), '01ESC');
    await expect(attempt).rejects.toThrow(ApiError);
    await expect(cancelEscalation(testClient(scriptedFetch([json(403, {})])), '01ESC')).rejects.toThrow('"escalations.cancel"');
  });
});
