/**
 * The fetch the action is given, and what a request that got no answer says. Every request of
 * the action (incident.io's client and Octokit alike) goes through one such fetch, built in
 * src/index.ts (src/net/fetch.ts: the runtime's, or through a proxy); it tags a failed request's
 * error with the route it tried, so the message can name the proxy.
 */
import { seconds } from './time.js';

/** The shape of the runtime's fetch, as the action uses it. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** A fetch, and the way to close the connections it opened. */
export interface ClosableFetch {
  fetch: Fetch;
  /** Closes every connection it opened that the runtime does not own; a request after it fails. Idempotent. */
  close(): Promise<void>;
}

/** What a failed request was trying, tagged on its error by the action's fetch. */
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

/** `error` with `route` tagged on it (when it is an object that takes a property), for `routeOf`. */
export function tagRoute(error: unknown, route: Route): unknown {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, ROUTE, { value: route, configurable: true });
  }
  return error;
}

/** Codes of a connection lost after it was made: the request may have been sent, so "reach" would mislead. */
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** undici's words when a proxy refuses: "Proxy response (403) !== 200 when HTTP Tunneling", "Proxy Authentication Required (407)". */
const PROXY_REFUSAL = /^Proxy (?:response|Authentication Required) \((\d{3})\)/;

/**
 * A request that got no answer, in words that say where it was going and how: "could not reach
 * api.incident.io (ENOTFOUND)", or "… through the proxy http://***@proxy:3128 (ECONNREFUSED)".
 * The proxy (credentials already replaced) comes from the route the action's fetch tags on the
 * error. The reason is the first system code in the error's cause chain (fetch wraps it once,
 * undici's fetch sometimes twice), else the innermost message.
 */
export function describeNetworkError(error: unknown, timeoutMs: number, host: string): string {
  const route = routeOf(error);
  const via = route?.proxy ? ` through the proxy ${route.proxy}` : '';
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `got no answer within ${seconds(timeoutMs)} from ${host}${via}`;
  }
  const chain = causes(error);
  const code = chain.find((link) => link.code !== undefined)?.code;
  const refused = via ? chain.map((link) => PROXY_REFUSAL.exec(link.message)?.[1]).find((status) => status !== undefined) : undefined;
  const message = chain.findLast((link) => link.message !== '')?.message ?? String(error);
  // Through a proxy, the other side of the socket is the proxy. undici 8 reports a CONNECT the proxy
  // closed unanswered as UND_ERR_PRX_CONN: no tunnel, so nothing reached the host.
  const closedBy = via ? proxyClosed(chain) : undefined;
  let detail =
    refused === '407'
      ? 'the proxy asked for credentials: 407'
      : refused
        ? `the proxy answered ${refused}`
        : closedBy === 'connect'
          ? 'the proxy closed the connection without answering CONNECT'
          : closedBy === 'request'
            ? 'the proxy closed the connection'
            : (code ?? message);
  if (route?.hint) detail += `; ${route.hint}`;
  const lost = closedBy !== 'connect' && code !== undefined && LOST.has(code);
  return `${lost ? 'lost the connection to' : 'could not reach'} ${host}${via} (${detail})`;
}

/** Whether the proxy closed the connection: on the CONNECT (no tunnel), or on a request sent through it. */
function proxyClosed(chain: { code?: string; message: string }[]): 'connect' | 'request' | undefined {
  if (chain.some((link) => link.code === 'UND_ERR_PRX_CONN')) return 'connect';
  if (chain.some((link) => link.code === 'UND_ERR_SOCKET' && link.message === 'other side closed')) return 'request';
  return undefined;
}

/** The error and its causes, outermost first (at most 5), each with its string code and message. */
function causes(error: unknown): { code?: string; message: string }[] {
  const chain: { code?: string; message: string }[] = [];
  for (let link = error; typeof link === 'object' && link !== null && chain.length < 5; link = (link as { cause?: unknown }).cause) {
    const { code, message } = link as { code?: unknown; message?: unknown };
    chain.push({ code: typeof code === 'string' && code !== '' ? code : undefined, message: typeof message === 'string' ? message : '' });
  }
  return chain;
}
