import { ApiError } from '../../src/core/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../src/incident-io/retry.js';
import { USER_AGENT } from '../../src/core/version.js';
import { FakeClock, json, networkError, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const KEY = 'inc_live_secret_key_123';

function setup(replies: Reply[], policy = DEFAULT_RETRY_POLICY, { random = 0.5, deadlineMs = 120_000 } = {}) {
  const clock = new FakeClock(undefined, random);
  const fetch = scriptedFetch(replies);
  const retries: string[] = [];
  const client = testClient(fetch, { clock, token: KEY, policy, deadlineMs, onRetry: (m) => retries.push(m) });
  return { client, clock, fetch, retries };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the request to fail');
}

const validation = {
  type: 'validation_error',
  status: 422,
  request_id: 'req-42',
  errors: [{ code: 'is_required', message: 'A severity is required to open an incident', source: { field: 'severity_id' } }],
};

describe('IncidentIoClient', () => {
  it('sends the key only as a Bearer header, with JSON and a User-Agent', async () => {
    const { client, fetch } = setup([json(200, { ok: true })]);
    await client.post('/v2/incidents', { idempotency_key: 'k' });
    const { url, init } = fetch.calls[0]!;
    const headers = init.headers as Record<string, string>;
    expect(url).toBe('https://api.incident.io/v2/incidents');
    expect(url).not.toContain(KEY);
    expect(headers['Authorization']).toBe(`Bearer ${KEY}`);
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['User-Agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^incident-io-github-action\/\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/); // a prerelease too
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  describe('a write that is not safe to repeat (landed)', () => {
    it('asks before the retry, and sends nothing again when the lost attempt took effect', async () => {
      const { client, fetch } = setup([json(503, { type: 'internal_error' })]);
      const asked: number[] = [];
      const response = await client.post('/v1/incident_attachments', { a: 1 }, async () => {
        asked.push(fetch.calls.length);
        return true;
      });
      expect(response.landed).toBe(true);
      expect(asked).toEqual([1]);
      expect(fetch.calls).toHaveLength(1);
    });

    it('retries when it did not take effect', async () => {
      const { client, fetch } = setup([networkError('ECONNRESET'), json(200, { ok: true })]);
      const response = await client.post('/v1/incident_attachments', { a: 1 }, async () => false);
      expect(response.landed).toBeUndefined();
      expect(fetch.calls).toHaveLength(2);
    });

    it('stops with the error when the check fails, rather than risk writing twice', async () => {
      const { client, fetch } = setup([json(503, { type: 'internal_error' }), json(200, { ok: true })]);
      const error = await failure(
        client.post('/v1/incident_attachments', { a: 1 }, async () => {
          throw new Error('incident.io GET /v1/incident_attachments answered 403');
        }),
      );
      expect(error.message).toMatch(
        /answered 503 internal_error.*\. Not sent again, since it may have taken effect and could not be checked: .*403/,
      );
      expect(fetch.calls).toHaveLength(1);
    });
  });

  it('keeps the two budgets apart: waits incident.io asked for do not spend the retries for its own failures', async () => {
    const limited = () => json(429, { type: 'rate_limited' }, { 'retry-after': '1' });
    // A run that has waited out six 429s, as the jobs sharing a rate-limited key do, then loses a
    // connection (a busy machine makes that likelier): it retries, and is not given up at once.
    const { client, fetch, retries, clock } = setup([
      ...Array.from({ length: 6 }, limited),
      networkError('ECONNRESET'),
      json(200, { ok: 1 }),
    ]);
    await expect(client.get('/v1/severities')).resolves.toEqual({ ok: 1 });
    expect(fetch.calls).toHaveLength(8);
    // The reset's wait is the first step of the action's own backoff, not the seventh.
    expect(clock.waits.at(-1)).toBeLessThanOrEqual(500);
    expect(retries.at(-1)).toMatch(/lost the connection to api\.incident\.io \(ECONNRESET\); retrying in 0\.\d s \(attempt 8\)\.$/);
  });

  it('gives up after its own budget of failures, whatever 429s came between them', async () => {
    const limited = () => json(429, { type: 'rate_limited' }, { 'retry-after': '1' });
    const busy = () => json(503, { type: 'internal_error' });
    const { client, fetch } = setup([busy(), limited(), busy(), limited(), limited(), busy(), busy(), limited(), busy(), limited()]);
    const error = await failure(client.get('/v1/severities'));
    expect(error.message).toMatch(/answered 503 internal_error.*Gave up after 9 attempts/);
    expect(fetch.calls).toHaveLength(9);
  });

  it('counts "of 5" only while every failure was one it timed itself', async () => {
    const { client, retries } = setup([json(503, {}), json(503, {}), json(429, {}, { 'retry-after': '1' }), json(503, {}), json(200, {})]);
    await client.get('/v1/severities');
    expect(retries.map((line) => /\(attempt \d+( of 5)?\)/.exec(line)?.[0])).toEqual([
      '(attempt 2 of 5)',
      '(attempt 3 of 5)',
      '(attempt 4)',
      '(attempt 5)',
    ]);
  });

  it.each([
    [
      'an empty id',
      { severities: [{ id: '', name: 'Major' }] },
      /GET \/v1\/severities answered .*: severities\[0\]\.id is empty text where non-empty text is expected/,
    ],
    [
      'an empty name',
      {
        severities: [
          { id: 's1', name: 'Minor' },
          { id: 's2', name: '' },
        ],
      },
      /severities\[1\]\.name is empty text where non-empty text is expected/,
    ],
    [
      'a name that is not text',
      { severities: [{ id: 's1', name: 3 }] },
      /severities\[0\]\.name is a number where non-empty text is expected/,
    ],
    ['a list that is an object', { severities: { s1: { id: 's1', name: 'Major' } } }, /severities is an object where a list is expected/],
    ['an item that is null', { severities: [null] }, /severities\[0\] is null where an object is expected/],
    ['a body that is a list', [{ id: 's1', name: 'Major' }], /the answer is a list where an object is expected/],
    ['a body that is null', null, /the answer is null where an object is expected/],
  ])('refuses a list item with %s', async (_what, body, message) => {
    const { client } = setup([json(200, body)]);
    await expect(client.getList('/v1/severities', 'severities')).rejects.toThrow(message);
  });

  it('redacts every string it sends, whatever the field', async () => {
    const { client, fetch } = setup([json(200, { ok: true })]);
    await client.post('/v2/incidents', { custom: [{ value_text: `paste ${KEY}` }], n: 1 });
    expect(fetch.calls[0]!.init.body).toBe('{"custom":[{"value_text":"paste ***"}],"n":1}');
  });

  it('honours Retry-After in seconds on 429', async () => {
    const { client, clock } = setup(
      [json(429, { type: 'rate_limited' }, { 'retry-after': '3' }), json(200, { severities: [] })],
      undefined,
      {
        random: 0,
      },
    );
    await client.get('/v1/severities');
    expect(clock.waits).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date and rate_limit.retry_after in the body', async () => {
    const { client, clock } = setup(
      [
        json(429, {}, { 'retry-after': 'Thu, 26 Nov 2026 12:00:02 GMT' }),
        json(429, { rate_limit: { retry_after: '2026-11-26T12:00:06Z' } }),
        json(200, {}),
      ],
      undefined,
      { random: 0 },
    );
    await client.get('/v1/severities');
    expect(clock.waits).toEqual([2000, 4000]);
  });

  it('retries 408, 5xx and network errors with growing, jittered waits', async () => {
    const { client, clock, retries } = setup([
      json(503, {}),
      new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      networkError('ECONNRESET'),
      json(408, {}),
      json(200, { severities: [{ id: 's' }] }),
    ]);
    await expect(client.get('/v1/severities')).resolves.toEqual({ severities: [{ id: 's' }] });
    expect(clock.waits).toEqual([375, 750, 1500, 3000]);
    // A retry line names the status; the server's words wait for the final error, so they appear once.
    expect(retries[1]).toBe('incident.io GET /v1/severities answered 502; retrying in 0.8 s (attempt 3 of 5).');
    expect(retries[2]).toBe(
      'incident.io GET /v1/severities lost the connection to api.incident.io (ECONNRESET); retrying in 1.5 s (attempt 4 of 5).',
    );
  });

  it('does not retry other 4xx answers and reports the server words, field and request id', async () => {
    const { client, fetch } = setup([json(422, validation)]);
    const error = await failure(client.post('/v2/incidents', {}));
    expect(fetch.calls).toHaveLength(1);
    expect(error.message).toBe(
      'incident.io POST /v2/incidents answered 422 validation_error: A severity is required to open an incident (field severity_id) (request id req-42).',
    );
    expect(error.status).toBe(422);
  });

  it('reads the request id from the header when the body has none', async () => {
    const { client } = setup([json(404, { type: 'not_found', errors: [{ message: 'No such incident' }] }, { 'x-request-id': 'hdr-1' })]);
    expect((await failure(client.get('/v2/incidents/9'))).message).toMatch(/No such incident \(request id hdr-1\)/);
  });

  it('gives up after the attempt limit and says so', async () => {
    const { client, fetch } = setup(Array.from({ length: 5 }, () => json(500, { type: 'internal_error', errors: [{ message: 'boom' }] })));
    const error = await failure(client.get('/v1/severities'));
    expect(fetch.calls).toHaveLength(5);
    expect(error.message).toMatch(/answered 500 internal_error: boom\. Gave up after 5 attempts in \d/);
  });

  it('stops before a wait that would pass the deadline', async () => {
    const { client, fetch, clock } = setup([json(429, {}, { 'retry-after': '120' })], undefined, { random: 0 });
    const error = await failure(client.get('/v1/severities'));
    expect(fetch.calls).toHaveLength(1);
    expect(clock.waits).toEqual([]);
    expect(error.message).toMatch(/waiting 120 s more would pass the 120 s deadline/);
  });

  it('retries a 2xx whose JSON body was cut short, resending the same body', async () => {
    const body = { idempotency_key: 'github-actions/o/r/runs/1', name: 'x' };
    const { client, fetch } = setup([new Response('{"incident":{"id":"01', { status: 200 }), json(200, { incident: { id: '01' } })]);
    await client.post('/v2/incidents', body);
    expect(fetch.calls.map((c) => c.init.body)).toEqual([JSON.stringify(body), JSON.stringify(body)]);
  });

  it('aborts an attempt that takes longer than the timeout, then retries', async () => {
    const hang: Reply = (_url, init) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error)));
    const { client, retries } = setup([hang, json(200, { ok: 1 })], { ...DEFAULT_RETRY_POLICY, timeoutMs: 20 });
    await expect(client.get('/v1/severities')).resolves.toEqual({ ok: 1 });
    expect(retries[0]).toMatch(/got no answer within 0\.0 s from api\.incident\.io;/);
  });

  it('never repeats the key, even when the server echoes it', async () => {
    const { client } = setup([json(401, { type: 'authentication_error', errors: [{ message: `bad key ${KEY}` }] })]);
    const error = await failure(client.get('/v1/severities'));
    expect(error.message).toContain('bad key ***');
    expect(error.message).not.toContain(KEY);
  });

  it('checks the shape of a list', async () => {
    const { client } = setup([json(200, { nope: [] })]);
    const error = await failure(client.getList('/v1/severities', 'severities'));
    expect(error.message).toBe(
      'incident.io GET /v1/severities answered with an answer the action cannot use: severities is missing (a list is expected).',
    );
  });

  it('never follows a redirect: a 3xx is an error naming the status and the target host', async () => {
    const { client, fetch } = setup([
      new Response(null, { status: 302, headers: { location: 'https://user:pw@elsewhere.example/v2/incidents/01X?token=abc' } }),
    ]);
    const error = await failure(client.post('/v2/incidents', { idempotency_key: 'k' }));
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.init.redirect).toBe('manual');
    expect(error.status).toBe(302);
    expect(error.message).toMatch(
      /^incident\.io POST \/v2\/incidents answered 302, a redirect to elsewhere\.example: the action never follows a redirect/,
    );
    expect(error.message).not.toMatch(/pw|token=abc/);
  });

  it('does not retry 501', async () => {
    const { client, fetch } = setup([json(501, { type: 'not_implemented', errors: [{ message: 'nope' }] })]);
    await failure(client.get('/v1/severities'));
    expect(fetch.calls).toHaveLength(1);
  });

  it('lets the deadline, not the attempt count, bound retries the server asked for', async () => {
    const limited = () => json(429, { type: 'rate_limited' }, { 'retry-after': '1' });
    const { client, fetch, retries } = setup([...Array.from({ length: 8 }, limited), json(200, { ok: 1 })], undefined, { random: 0 });
    await expect(client.get('/v1/severities')).resolves.toEqual({ ok: 1 });
    expect(fetch.calls).toHaveLength(9);
    expect(retries[0]).toBe(
      'incident.io GET /v1/severities answered 429 rate_limited; retrying in 1.0 s, as incident.io asked (plus jitter) (attempt 2).',
    );
  });

  it('gives up on server-directed retries when the deadline comes', async () => {
    const limited = () => json(429, { type: 'rate_limited' }, { 'retry-after': '4' });
    const { client, fetch } = setup(Array.from({ length: 10 }, limited), undefined, { random: 0, deadlineMs: 10_000 });
    const error = await failure(client.get('/v1/severities'));
    expect(fetch.calls).toHaveLength(3);
    expect(error.message).toMatch(/Gave up after 3 attempts in 8\.0 s: waiting 4\.0 s more would pass the 10 s deadline\./);
  });

  it('adds jitter on top of Retry-After', async () => {
    const { client, clock } = setup([json(429, {}, { 'retry-after': '1' }), json(200, {})], undefined, { random: 1 });
    await client.get('/v1/severities');
    expect(clock.waits).toEqual([2000]);
  });

  it("shortens the last attempt's timeout to the deadline, and starts none after it", async () => {
    const { client, fetch, clock } = setup([json(500, {}), json(200, {})], undefined, { random: 0, deadlineMs: 5_000 });
    clock.time += 4_000; // the lookups before this request used most of the deadline
    await client.get('/v1/severities');
    expect(fetch.calls).toHaveLength(2);
    clock.time += 10_000;
    const late = await failure(client.get('/v1/severities'));
    expect(late.message).toMatch(/was not asked: the 5 s deadline had passed/);
    expect(fetch.calls).toHaveLength(2);
  });

  describe('server text: redacted first, then cut, once', () => {
    const padded = (padding: number, middle: string) => `${'x'.repeat(padding)} ${middle} ${'y'.repeat(50)}`;

    it.each([0, 60, 110, 115, 990, 995, 1000, 1005])('removes an echoed key wherever a cut would fall (padding %i)', async (padding) => {
      const { client } = setup([json(400, { type: 'invalid_request', errors: [{ message: padded(padding, `key=${KEY}`) }] })]);
      const error = await failure(client.get('/v1/severities'));
      for (let i = 0; i + 12 <= KEY.length; i++) expect(error.message).not.toContain(KEY.slice(i, i + 12));
    });

    it('removes a key echoed in a text body, and its JSON-escaped forms', async () => {
      const escaped = [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      const { client } = setup([new Response(padded(100, `Authorization: Bearer ${KEY}`), { status: 400, statusText: 'Bad Request' })]);
      const text = await failure(client.get('/v1/severities'));
      expect(text.message).not.toContain(KEY.slice(0, 12));
      const { client: other } = setup([new Response(`{"type":"x","errors":[{"message":"token ${escaped}"}]}`, { status: 400 })]);
      const json = await failure(other.get('/v1/severities'));
      expect(json.message).not.toContain(KEY.slice(0, 12));
      expect(json.message).toContain('token ***');
    });

    it('removes a fragment of the key the server echoes', async () => {
      const { client } = setup([json(401, { errors: [{ message: `unknown key ${KEY.slice(0, 14)}…` }] })]);
      const error = await failure(client.get('/v1/severities'));
      expect(error.message).not.toContain(KEY.slice(0, 12));
    });

    it('keeps retry lines free of the key, too', async () => {
      const { client, retries } = setup([
        json(503, { type: `busy ${KEY}`, request_id: KEY, errors: [{ message: `echo ${KEY}` }] }),
        json(200, {}),
      ]);
      await client.get('/v1/severities');
      expect(retries[0]).not.toContain(KEY.slice(0, 12));
      expect(retries[0]).not.toContain('echo');
    });

    it('bounds a huge error body to about 1 KB, once', async () => {
      const huge = 'z'.repeat(5_000_000);
      const { client, retries } = setup([
        ...Array.from({ length: 4 }, () => json(503, { type: 'internal_error', errors: [{ message: huge }] })),
        json(503, { type: 'internal_error', errors: [{ message: huge }] }),
      ]);
      const error = await failure(client.get('/v1/severities'));
      expect(error.message.length).toBeLessThan(1_400);
      expect(error.message).toMatch(/… \(cut from 5,000,000 characters\)/);
      expect(retries.join('\n').length).toBeLessThan(1_000);
      expect(retries.join('\n')).not.toContain('zzz');
    });
  });
});
