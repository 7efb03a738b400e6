/**
 * The proxy machinery, in its own chunk: ./fetch.ts imports this module only when a request
 * takes a proxy, so a run without one never reads it (__tests__/e2e/proxy.test.ts checks that).
 *
 * Why undici's own fetch, and not the runtime's fetch with a `dispatcher`: a dispatcher works only
 * with the undici that made it. Node bundles its own (Node 24: undici 7; Node 26: undici 8), and
 * their handler interfaces differ, so this package's ProxyAgent goes with this package's fetch,
 * whatever Node runs the action.
 * Why all of undici and not just lib/web/fetch and lib/dispatcher/proxy-agent: those paths are
 * not undici's API, and they break in ways only a proxied request shows (undici's index.js
 * installs `connect` on every dispatcher, which ProxyAgent's CONNECT needs). Only proxied runs
 * load it; its size and load time are in docs/performance.md.
 *
 * undici 8 (8.6 and later) ends a request whose proxy closes the connection on CONNECT, where
 * undici 7 reconnected in a loop for ever (nodejs/undici#3897). What no release bounds is a
 * CONNECT that the proxy never answers: the request's signal ends the fetch, but the CONNECT
 * itself waits for undici's 300 s headers timeout, and its socket keeps the process alive. So
 * every ProxyAgent here has a bounded life (see ProxiedFetch).
 */
import { fetch, ProxyAgent, type Dispatcher } from 'undici';
import type { ClosableFetch } from '../core/fetch.js';
import type { Proxy } from './proxy.js';

/** One ProxyAgent, and how many of its requests are still running (awaiting headers, or reading a body). */
interface Agent {
  readonly agent: ProxyAgent;
  /** The agent, counting the requests that run through it. */
  dispatcher: Dispatcher;
  running: number;
  retired: boolean;
}

/**
 * A fetch through `proxy`: https targets through a CONNECT tunnel, http targets as plain proxy
 * requests (`GET http://host/path`), as curl does (some proxies refuse CONNECT to port 80).
 *
 * Requests share one ProxyAgent, so the lookups and the create reuse one tunnel. A request that
 * fails or is aborted (its deadline) retires that agent: later requests get a new one, and the
 * retired agent is destroyed, closing its sockets and any CONNECT still waiting, as soon as none
 * of its other requests is still running. So an abort never cuts another request short, and
 * nothing it leaves behind outlives it. `close()` (the run is over) destroys every connection
 * at once; a request after it fails.
 */
export function proxiedFetch(proxy: Proxy): ClosableFetch {
  const agents = new Set<Agent>();
  let current: Agent | undefined;
  let closed = false;

  const destroy = (entry: Agent): Promise<void> => {
    agents.delete(entry);
    return entry.agent.destroy().catch(() => {});
  };
  const settle = (entry: Agent): void => {
    if (entry.retired && entry.running === 0 && agents.has(entry)) void destroy(entry);
  };
  const retire = (entry: Agent): void => {
    entry.retired = true;
    if (current === entry) current = undefined;
    settle(entry);
  };
  const open = (): Agent => {
    const agent = new ProxyAgent({ uri: proxy.origin, token: proxy.authorization, proxyTunnel: false });
    const entry: Agent = { agent, dispatcher: agent, running: 0, retired: false };
    // A response counts as running until its body has ended: the fetch resolves on the headers.
    entry.dispatcher = agent.compose(
      (dispatch) => (options, handler) =>
        dispatch(options, trackBody(handler, { started: () => (entry.running += 1), ended: (failed) => end(entry, failed) })),
    );
    agents.add(entry);
    return entry;
  };
  const end = (entry: Agent, failed: boolean): void => {
    entry.running -= 1;
    if (failed) retire(entry);
    else settle(entry);
  };

  return {
    fetch: async (url, init) => {
      if (closed) throw new Error(`the request was not sent: the connections through the proxy ${proxy.shown} were closed`);
      const entry = (current ??= open());
      entry.running += 1;
      try {
        return await undiciFetch(url, { ...init, dispatcher: entry.dispatcher });
      } catch (error) {
        entry.retired = true;
        throw error;
      } finally {
        end(entry, entry.retired);
      }
    },
    close: async () => {
      closed = true;
      current = undefined;
      await Promise.all([...agents].map(destroy));
    },
  };
}

/**
 * `handler` as it is, except that `started` is called when the final answer's headers arrive and
 * `ended` once, when its body ends (false) or the request fails after that (true). A new object
 * that inherits the rest from `handler`: undici's fetch handler calls its own methods through
 * `this`, so they reach these hooks too, and what undici writes on the handler (its proxy
 * wrapper replaces `onResponseStart`) lands on this object, above the hooks.
 */
function trackBody(
  handler: Dispatcher.DispatchHandler,
  { started, ended }: { started: () => void; ended: (failed: boolean) => void },
): Dispatcher.DispatchHandler {
  let state: 'waiting' | 'body' | 'done' = 'waiting';
  const finish = (failed: boolean) => {
    if (state === 'body') ended(failed);
    state = 'done';
  };
  const tracked: Dispatcher.DispatchHandler = Object.create(handler) as Dispatcher.DispatchHandler;
  tracked.onResponseStart = function (...args) {
    if (state === 'waiting' && args[1] >= 200) {
      state = 'body';
      started();
    }
    return handler.onResponseStart?.apply(this, args);
  };
  tracked.onResponseEnd = function (...args) {
    finish(false);
    return handler.onResponseEnd?.apply(this, args);
  };
  tracked.onResponseError = function (...args) {
    finish(true);
    return handler.onResponseError?.apply(this, args);
  };
  return tracked;
}

/** undici's fetch, typed with the runtime's Request and Response types (undici declares its own copies of them). */
const undiciFetch = fetch as unknown as (
  url: string,
  init: Omit<RequestInit, 'dispatcher'> & { dispatcher: Dispatcher },
) => Promise<Response>;
