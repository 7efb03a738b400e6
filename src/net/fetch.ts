/**
 * The fetch every request of the action goes through (incident.io's client and Octokit alike):
 * built once in index.ts around the runtime's fetch. Without a proxy variable it IS that fetch,
 * so a run without a proxy loads and pays for nothing here. With one, each request asks
 * proxyFor() which proxy applies; a request that takes one goes through undici's own fetch with a
 * ProxyAgent (./undici.ts, a separate chunk imported on first use). Either way a failed request's
 * error is tagged with the proxy it tried, for the message (src/core/fetch.ts). When the run is over,
 * index.ts calls close(), which destroys every connection through a proxy.
 */
import { tagRoute, type ClosableFetch, type Fetch } from '../core/fetch.js';
import type { Proxy, ProxyConfig } from './proxy.js';
import { hasProxyVariable } from './proxy-env.js';

/** Makes the fetch for one proxy; ./undici.ts in the bundle, a fake in tests. */
export type ProxiedFetchFactory = (proxy: Proxy) => ClosableFetch;

const loadUndici = async (): Promise<ProxiedFetchFactory> => (await import('./undici.js')).proxiedFetch;

/**
 * The action's fetch: `base` itself when no proxy variable is set, else a fetch that sends each
 * request through the proxy proxyFor() picks. The variables are read on the first request (main
 * checks them earlier, inside the failure policy, so a malformed one is an input error there).
 */
export function networkFetch(base: Fetch, env: Record<string, string | undefined>, load = loadUndici): ClosableFetch {
  if (!hasProxyVariable(env)) return { fetch: base, close: async () => {} };
  let config: ProxyConfig | undefined;
  let factory: Promise<ProxiedFetchFactory> | undefined;
  const fetches = new Map<Proxy, ClosableFetch>();
  let decide: Promise<typeof import('./proxy.js')> | undefined;
  let closed = false;
  const fetch: Fetch = async (url, init) => {
    const { proxyFor, readProxyConfig } = await (decide ??= import('./proxy.js'));
    config ??= readProxyConfig(env);
    const proxy = proxyFor(url, config);
    try {
      if (proxy === undefined) return await base(url, init);
      factory ??= load();
      const make = await factory.catch((error: unknown) => {
        factory = undefined;
        throw error;
      });
      if (closed) throw new Error(`the request was not sent: the connections through the proxy ${proxy.shown} were closed`);
      let proxied = fetches.get(proxy);
      if (proxied === undefined) fetches.set(proxy, (proxied = make(proxy)));
      return await proxied.fetch(url, init);
    } catch (error) {
      throw tagRoute(error, proxy ? { proxy: proxy.shown } : { hint: directHint(url, config) });
    }
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closed = true;
    return (closing ??= Promise.all([...fetches.values()].map((proxied) => proxied.close())).then(() => {}));
  };
  return { fetch, close };
}

function directHint(url: string, config: ProxyConfig | undefined): string | undefined {
  if (config?.https === undefined && config?.http !== undefined && url.startsWith('https:')) {
    return `${config.http.variable} is set, but it applies to http:// URLs only: set HTTPS_PROXY`;
  }
  return undefined;
}
