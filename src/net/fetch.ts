/**
 * The fetch every request of the action goes through (incident.io's client and Octokit alike):
 * built once in index.ts around the runtime's fetch. Without a proxy variable it IS that fetch,
 * so a run without a proxy loads and pays for nothing here. With one, each request asks
 * proxyFor() which proxy applies; a request that takes one goes through undici's own fetch with a
 * ProxyAgent (./undici.ts, a separate chunk imported on first use). Either way a failed request's
 * error is tagged with the proxy it tried, for the message (see routeOf). When the run is over,
 * index.ts calls close(), which destroys every connection through a proxy.
 */
import type { Proxy, ProxyConfig } from './proxy.js';
import { hasProxyVariable } from './proxy-env.js';

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** A fetch, and the way to close the connections it opened. */
export interface ClosableFetch {
  fetch: Fetch;
  /** Closes every connection it opened that the runtime does not own; a proxied request after it fails. */
  close(): Promise<void>;
}

/** Makes the fetch for one proxy; ./undici.ts in the bundle, a fake in tests. */
export type ProxiedFetchFactory = (proxy: Proxy) => ClosableFetch;

/** What a failed request was trying, tagged on its error by the fetch below. */
export interface Route {
  /** The proxy it went through, for messages ("http://***@proxy:3128"); undefined when it went direct. */
  proxy?: string;
  /** Why it went direct although a proxy variable is set, when that may be the mistake. */
  hint?: string;
}

const ROUTE = Symbol('route');

/** The route tagged on a fetch error, if any. */
export function routeOf(error: unknown): Route | undefined {
  return typeof error === 'object' && error !== null ? (error as { [ROUTE]?: Route })[ROUTE] : undefined;
}

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
      throw tag(error, proxy ? { proxy: proxy.shown } : { hint: directHint(url, config) });
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

function tag(error: unknown, route: Route): unknown {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, ROUTE, { value: route, configurable: true });
  }
  return error;
}
