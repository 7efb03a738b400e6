/**
 * The proxy machinery, in its own chunk: ./fetch.ts imports this module only when a request
 * takes a proxy, so a run without one never reads it (__tests__/e2e-proxy.test.ts checks that).
 *
 * Why undici's own fetch, and not the runtime's fetch with a `dispatcher`: a dispatcher works only
 * with the undici that made it. Node bundles its own (Node 24: undici 7; Node 26: undici 8, whose
 * handler interface no longer takes undici 7's), so this package's ProxyAgent goes with this
 * package's fetch, whatever Node runs the action.
 * Why all of undici (the chunk is about 510 kB minified, some 110 ms to load under Node 24) and not
 * just lib/web/fetch and lib/dispatcher/proxy-agent (about 340 kB, 75 ms): those paths are not
 * undici's API, and they break in ways only a proxied request shows (undici's index.js installs
 * `connect` on every dispatcher, which ProxyAgent's CONNECT needs). Proxied runs only pay this.
 */
import { fetch, ProxyAgent } from 'undici';
import type { Fetch } from './fetch.js';
import type { Proxy } from './proxy.js';

/**
 * A fetch through `proxy`: https targets through a CONNECT tunnel, http targets as plain proxy
 * requests (`GET http://host/path`), as curl does (some proxies refuse CONNECT to port 80).
 */
export function proxiedFetch(proxy: Proxy): Fetch {
  const dispatcher = new ProxyAgent({ uri: proxy.origin, token: proxy.authorization, proxyTunnel: false });
  return (url, init) => undiciFetch(url, { ...init, dispatcher });
}

/** undici's fetch, typed with the runtime's Request and Response types (undici declares its own copies of them). */
const undiciFetch = fetch as unknown as (url: string, init: RequestInit & { dispatcher: ProxyAgent }) => Promise<Response>;
