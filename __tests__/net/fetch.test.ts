/**
 * The action's fetch (src/net/fetch.ts) and the words for a request that got no answer
 * (describeNetworkError in src/incident-io/client.ts), with fakes for the runtime's fetch and
 * for the undici chunk.
 */
import { InputError } from '../../src/core/errors.js';
import { describeNetworkError, routeOf, type Fetch } from '../../src/core/fetch.js';
import { networkFetch, type ProxiedFetchFactory } from '../../src/net/fetch.js';
import type { Proxy } from '../../src/net/proxy.js';
import { json, networkError, testClient } from '../helpers/fakes.js';

const API = 'https://api.incident.io/v1/severities';

/** A runtime fetch and an undici chunk that record what they are asked, answering with `reply`. */
function fakes(reply: (url: string) => Promise<Response> = async () => json(200, {})) {
  const direct: string[] = [];
  const proxied: { proxy: string; url: string }[] = [];
  const made: Proxy[] = [];
  let loads = 0;
  const base: Fetch = (url) => (direct.push(url), reply(url));
  const closed: string[] = [];
  const load = async (): Promise<ProxiedFetchFactory> => {
    loads += 1;
    return (proxy) => {
      made.push(proxy);
      return {
        fetch: (url) => (proxied.push({ proxy: proxy.shown, url }), reply(url)),
        close: async () => void closed.push(proxy.shown),
      };
    };
  };
  return { base, load, direct, proxied, made, closed, loads: () => loads };
}

/** A proxied fetch with nothing to close. */
const closable = (fetch: Fetch) => ({ fetch, close: async () => {} });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('networkFetch', () => {
  it('is the runtime fetch itself when no proxy variable is set', () => {
    const { base, load } = fakes();
    expect(networkFetch(base, {}, load).fetch).toBe(base);
    expect(networkFetch(base, { NO_PROXY: '*', HTTPS_PROXY: ' ' }, load).fetch).toBe(base);
  });

  it('sends through the proxy what proxyFor says, and the rest direct, loading the chunk once and only when needed', async () => {
    const f = fakes();
    const env = { HTTPS_PROXY: 'http://user:pw-123@proxy:3128', NO_PROXY: 'internal.corp' };
    const { fetch } = networkFetch(f.base, env, f.load);
    await fetch('http://127.0.0.1:4010/v1/severities', {});
    await fetch('https://gw.internal.corp/v1/severities', {});
    expect(f.loads()).toBe(0);
    await fetch(API, {});
    await fetch('https://api.github.com/repos/o/r/actions/runs/1/jobs', {});
    expect(f.loads()).toBe(1);
    expect(f.made).toHaveLength(1);
    expect(f.direct).toEqual(['http://127.0.0.1:4010/v1/severities', 'https://gw.internal.corp/v1/severities']);
    expect(f.proxied).toEqual([
      { proxy: 'http://***@proxy:3128', url: API },
      { proxy: 'http://***@proxy:3128', url: 'https://api.github.com/repos/o/r/actions/runs/1/jobs' },
    ]);
  });

  it('passes the request through unchanged', async () => {
    let seen: RequestInit | undefined;
    const { fetch } = networkFetch(
      async () => json(200, {}),
      { HTTPS_PROXY: 'proxy:1' },
      async () => () =>
        closable(async (_url, init) => {
          seen = init;
          return json(201, { ok: true });
        }),
    );
    const init = { method: 'POST', headers: { a: 'b' }, body: '{}', redirect: 'manual' as const };
    const response = await fetch(API, init);
    expect(seen).toBe(init);
    expect(response.status).toBe(201);
  });

  it('closes every proxied fetch it made when closed, and sends nothing through a proxy after that', async () => {
    const f = fakes();
    const network = networkFetch(f.base, { HTTPS_PROXY: 'http://one:1', HTTP_PROXY: 'http://two:2' }, f.load);
    await network.fetch(API, {});
    await network.fetch('http://ghes.corp/api/v3', {});
    await network.close();
    expect(f.closed.sort()).toEqual(['http://one:1', 'http://two:2']);
    const error = await rejection(network.fetch(API, {}));
    expect(String(error)).toContain('the request was not sent: the connections through the proxy http://one:1 were closed');
    expect(routeOf(error)).toEqual({ proxy: 'http://one:1' });
    expect(f.proxied).toHaveLength(2);
    await network.close();
    expect(f.closed).toHaveLength(2);
  });

  it('has nothing to close without a proxy variable', async () => {
    const f = fakes();
    const network = networkFetch(f.base, {}, f.load);
    await network.close();
    await network.fetch(API, {});
    expect(f.direct).toEqual([API]);
  });

  it('reads the variables on the first request, so a malformed one is an InputError there, not at start', async () => {
    const f = fakes();
    const { fetch } = networkFetch(f.base, { HTTPS_PROXY: 'http://proxy:99999' }, f.load);
    expect(await rejection(fetch(API, {}))).toBeInstanceOf(InputError);
  });

  it('tags a failed request with the proxy it went through, credentials hidden', async () => {
    const f = fakes(() => Promise.reject(networkError('ECONNREFUSED')));
    const error = await rejection(networkFetch(f.base, { https_proxy: 'http://u:secret-pw@proxy:3128' }, f.load).fetch(API, {}));
    expect(routeOf(error)).toEqual({ proxy: 'http://***@proxy:3128' });
    expect(JSON.stringify(routeOf(error))).not.toContain('secret');
  });

  it('tags a direct failure with a hint when only HTTP_PROXY is set for an https target', async () => {
    const f = fakes(() => Promise.reject(networkError('ENOTFOUND')));
    const error = await rejection(networkFetch(f.base, { HTTP_PROXY: 'http://proxy:3128' }, f.load).fetch(API, {}));
    expect(routeOf(error)).toEqual({ hint: 'HTTP_PROXY is set, but it applies to http:// URLs only: set HTTPS_PROXY' });
    expect(f.direct).toEqual([API]);
  });

  it('tries to load the chunk again after a failed load, tagging that failure too', async () => {
    let attempts = 0;
    const load = async (): Promise<ProxiedFetchFactory> => {
      attempts += 1;
      if (attempts === 1) throw new Error('Cannot find module 123.index.js');
      return () => closable(async () => json(200, {}));
    };
    const { fetch } = networkFetch(async () => json(200, {}), { HTTPS_PROXY: 'proxy:3128' }, load);
    const error = await rejection(fetch(API, {}));
    expect(routeOf(error)).toEqual({ proxy: 'http://proxy:3128' });
    await expect(fetch(API, {})).resolves.toBeInstanceOf(Response);
    expect(attempts).toBe(2);
  });

  it('keeps an error that cannot be tagged as it is', async () => {
    const frozen = Object.freeze(new Error('frozen'));
    const { fetch } = networkFetch(
      () => Promise.reject(frozen),
      { HTTP_PROXY: 'proxy:1' },
      async () => () => closable(async () => json(200, {})),
    );
    expect(await rejection(fetch(API, {}))).toBe(frozen);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a fetch may reject with anything
    const text = await rejection(networkFetch(() => Promise.reject('text'), { HTTP_PROXY: 'proxy:1' }).fetch(API, {}));
    expect(text).toBe('text');
  });
});

describe('describeNetworkError', () => {
  const tagged = async (env: Record<string, string>, error: unknown, url = API) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the errors a fetch rejects with, as they are
    const fail = () => Promise.reject(error);
    return rejection(networkFetch(fail, env, async () => () => closable(fail)).fetch(url, {}));
  };
  const proxyEnv = { HTTPS_PROXY: 'http://alice:pw-secret-1@proxy.corp:3128' };

  it('names the host that could not be reached', () => {
    expect(describeNetworkError(networkError('ENOTFOUND'), 10_000, 'api.incident.io')).toBe('could not reach api.incident.io (ENOTFOUND)');
    expect(describeNetworkError(networkError('ECONNREFUSED'), 10_000, '127.0.0.1:4010')).toBe(
      'could not reach 127.0.0.1:4010 (ECONNREFUSED)',
    );
  });

  it('says "lost the connection" when the connection broke after it was made', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']) {
      expect(describeNetworkError(networkError(code), 10_000, 'api.incident.io')).toBe(`lost the connection to api.incident.io (${code})`);
    }
  });

  it('names the proxy, credentials hidden, when the request went through one', async () => {
    const error = await tagged(proxyEnv, networkError('ECONNREFUSED'));
    expect(describeNetworkError(error, 10_000, 'api.incident.io')).toBe(
      'could not reach api.incident.io through the proxy http://***@proxy.corp:3128 (ECONNREFUSED)',
    );
  });

  it('says what the proxy answered when it refused the tunnel', async () => {
    const refusal = (message: string) =>
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code: 'UND_ERR_ABORTED' }) });
    const forbidden = await tagged(proxyEnv, refusal('Proxy response (403) !== 200 when HTTP Tunneling'));
    expect(describeNetworkError(forbidden, 10_000, 'api.incident.io')).toBe(
      'could not reach api.incident.io through the proxy http://***@proxy.corp:3128 (the proxy answered 403)',
    );
    const auth = await tagged(proxyEnv, refusal('Proxy response (407) !== 200 when HTTP Tunneling'));
    expect(describeNetworkError(auth, 10_000, 'api.incident.io')).toContain('(the proxy asked for credentials: 407)');
    // undici's fetch wraps the refusal once more: fetch failed → "Request was cancelled." (code 0) → the refusal.
    const wrapped = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new DOMException('Request was cancelled.'), {
        cause: refusal('Proxy response (502) !== 200 when HTTP Tunneling').cause,
      }),
    });
    expect(describeNetworkError(await tagged(proxyEnv, wrapped), 10_000, 'api.incident.io')).toContain('(the proxy answered 502)');
    // Without a proxy, the same words are only words.
    expect(describeNetworkError(refusal('Proxy response (502) !== 200 when HTTP Tunneling'), 10_000, 'h')).toBe(
      'could not reach h (UND_ERR_ABORTED)',
    );
    const plain = await tagged({ HTTP_PROXY: 'proxy:1' }, refusal('Proxy Authentication Required (407)'), 'http://ghes.corp/api/v3');
    expect(describeNetworkError(plain, 10_000, 'ghes.corp')).toContain('(the proxy asked for credentials: 407)');
  });

  it('says the proxy closed the connection when it did, on the CONNECT or on a request sent through it', async () => {
    // undici 8's errors, as its fetch rejects with them (nodejs/undici#3897: undici 7 reconnected for ever instead).
    const socketClosed = () => Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    const onConnect = new TypeError('fetch failed', {
      cause: Object.assign(new Error('Proxy Connection failed', { cause: socketClosed() }), {
        name: 'ProxyConnectionError',
        code: 'UND_ERR_PRX_CONN',
      }),
    });
    expect(describeNetworkError(await tagged(proxyEnv, onConnect), 10_000, 'api.incident.io')).toBe(
      'could not reach api.incident.io through the proxy http://***@proxy.corp:3128 (the proxy closed the connection without answering CONNECT)',
    );
    // A plain proxy request (an http:// target): the request reached the proxy, so the connection was lost.
    const onRequest = new TypeError('fetch failed', { cause: socketClosed() });
    expect(describeNetworkError(await tagged({ HTTP_PROXY: 'proxy:1' }, onRequest, 'http://ghes.corp/api/v3'), 10_000, 'ghes.corp')).toBe(
      'lost the connection to ghes.corp through the proxy http://proxy:1 (the proxy closed the connection)',
    );
    // Without a proxy, the other side is the host, and the words stay as they were.
    expect(describeNetworkError(new TypeError('fetch failed', { cause: socketClosed() }), 10_000, 'h')).toBe(
      'lost the connection to h (UND_ERR_SOCKET)',
    );
  });

  it('says how long it waited, and through which proxy', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(describeNetworkError(timeout, 10_000, 'api.incident.io')).toBe('got no answer within 10 s from api.incident.io');
    const viaProxy = await tagged(proxyEnv, new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(describeNetworkError(viaProxy, 10_000, 'api.incident.io')).toBe(
      'got no answer within 10 s from api.incident.io through the proxy http://***@proxy.corp:3128',
    );
  });

  it('adds the hint for an https request that went direct because only HTTP_PROXY is set', async () => {
    const error = await tagged({ HTTP_PROXY: 'http://proxy:3128' }, networkError('ENOTFOUND'));
    expect(describeNetworkError(error, 10_000, 'api.incident.io')).toBe(
      'could not reach api.incident.io (ENOTFOUND; HTTP_PROXY is set, but it applies to http:// URLs only: set HTTPS_PROXY)',
    );
  });

  it('falls back to the message when there is no code', () => {
    expect(describeNetworkError(new TypeError('fetch failed', { cause: new Error('other side closed') }), 1000, 'h')).toBe(
      'could not reach h (other side closed)',
    );
    expect(describeNetworkError(new Error('Cannot find module'), 1000, 'h')).toBe('could not reach h (Cannot find module)');
    expect(describeNetworkError('boom', 1000, 'h')).toBe('could not reach h (boom)');
  });
});

describe('the client behind a dead proxy', () => {
  it('retries, then fails saying the proxy was in the way, without the credentials', async () => {
    const env = { HTTPS_PROXY: 'http://alice:pw-secret-1@proxy.corp:3128' };
    const { fetch } = networkFetch(
      () => Promise.reject(new Error('not direct')),
      env,
      async () => () => closable(() => Promise.reject(networkError('ECONNREFUSED'))),
    );
    const retries: string[] = [];
    const client = testClient(fetch, { onRetry: (m) => retries.push(m) });
    const error = (await rejection(client.get('/v1/severities'))) as Error;
    expect(retries).toHaveLength(4);
    expect(retries[0]).toMatch(
      /^incident\.io GET \/v1\/severities could not reach api\.incident\.io through the proxy http:\/\/\*\*\*@proxy\.corp:3128 \(ECONNREFUSED\); retrying/,
    );
    expect(error.message).toMatch(
      /^incident\.io GET \/v1\/severities could not reach api\.incident\.io through the proxy http:\/\/\*\*\*@proxy\.corp:3128 \(ECONNREFUSED\)\. Gave up after 5 attempts/,
    );
    expect([error.message, ...retries].join('\n')).not.toMatch(/alice|pw-secret/);
  });
});
