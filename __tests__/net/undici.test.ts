/**
 * The fetch through a proxy (src/net/undici.ts), against a real proxy on loopback
 * (helpers/proxy.ts) that forwards, closes the connection on CONNECT, or never answers: every
 * request ends, nothing it leaves behind outlives it, and one request's abort cuts no other short.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClosableFetch } from '../../src/core/fetch.js';
import { proxiedFetch } from '../../src/net/undici.js';
import { startProxy, type ProxyBehaviour, type TestProxy } from '../helpers/proxy.js';

let upstream: Server;
let upstreamPort: number;
let proxy: TestProxy;
let behaviours: Record<string, ProxyBehaviour>;
let proxied: ClosableFetch;

beforeAll(async () => {
  // Answers `/slow` after 300 ms, in two parts 200 ms apart; anything else at once.
  upstream = createServer((req, res) => {
    if (req.url !== '/slow') return void res.end('quick');
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('slow, ');
      setTimeout(() => res.end('and whole'), 200);
    }, 300);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  proxy = await startProxy({
    routes: () => ({ host: '127.0.0.1', port: upstreamPort }),
    behaviour: (host) => behaviours[host] ?? 'forward',
  });
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  behaviours = {};
  proxy.requests.length = 0;
  proxied = proxiedFetch({ origin: proxy.url, shown: proxy.url, variable: 'HTTPS_PROXY' });
});
afterEach(() => proxied.close());

/** Resolves once the proxy has no open connection from a client, or fails after `ms`. */
async function noConnectionsWithin(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (proxy.connections() > 0) {
    if (Date.now() > until) throw new Error(`the proxy still has ${proxy.connections()} open connection(s) after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function failure(promise: Promise<unknown>): Promise<Error & { cause?: { code?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { cause?: { code?: string } };
  }
  throw new Error('expected the request to fail');
}

describe('the fetch through a proxy', () => {
  it('forwards http targets as proxy requests', async () => {
    const response = await proxied.fetch('http://plain.test/', {});
    expect(await response.text()).toBe('quick');
    expect(proxy.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('fails at once when the proxy closes the connection on CONNECT, without trying again and again', async () => {
    behaviours['closing.test'] = 'close';
    const started = Date.now();
    const error = await failure(proxied.fetch('https://closing.test/v1/severities', { signal: AbortSignal.timeout(5_000) }));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.cause?.code).toBe('UND_ERR_PRX_CONN');
    // undici 7 reconnected in a loop here, thousands of CONNECTs a second (nodejs/undici#3897).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(proxy.requests.filter((r) => r.method === 'CONNECT').length).toBeLessThanOrEqual(2);
  });

  it('closes the connection of a CONNECT the proxy never answers once the request is aborted', async () => {
    behaviours['silent.test'] = 'hang';
    const error = await failure(proxied.fetch('https://silent.test/v1/severities', { signal: AbortSignal.timeout(300) }));
    expect(error.name).toBe('TimeoutError');
    expect(proxy.requests.map((r) => r.method)).toEqual(['CONNECT']);
    // undici itself would keep that CONNECT waiting for its 300 s headers timeout.
    await noConnectionsWithin(2_000);
  });

  it('does not cut another request short when one is aborted, and closes what the aborted one left once that one is done', async () => {
    behaviours['silent.test'] = 'hang';
    const slow = proxied.fetch('http://plain.test/slow', { signal: AbortSignal.timeout(5_000) }).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const aborted = failure(proxied.fetch('https://silent.test/v1/severities', { signal: AbortSignal.timeout(100) }));
    expect((await aborted).name).toBe('TimeoutError');
    // A request after the abort goes through a new agent, and works.
    expect(await (await proxied.fetch('http://plain.test/', {})).text()).toBe('quick');
    // The slow answer, whose body was still arriving when the other was aborted, arrives whole.
    expect(await slow).toBe('slow, and whole');
    // The retired agent's connections, the silent CONNECT among them, are closed once it is idle;
    // the new agent's idle connection is closed by close().
    await proxied.close();
    await noConnectionsWithin(2_000);
  });

  it('closes every connection when closed, and sends nothing after that', async () => {
    expect(await (await proxied.fetch('http://plain.test/', {})).text()).toBe('quick');
    expect(proxy.connections()).toBe(1); // kept alive for the next request
    await proxied.close();
    await noConnectionsWithin(2_000);
    const error = await failure(proxied.fetch('http://plain.test/', {}));
    expect(error.message).toContain('were closed');
    expect(proxy.requests).toHaveLength(1);
  });
});
