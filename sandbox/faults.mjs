/**
 * Faults: sandbox.fault(route, spec, times) makes the next matching requests fail the ways a real
 * network and API do. This module holds the fault types and the replies they make.
 */
import { errorReply, errorType, githubErrorReply } from './common.mjs';

export const FAULT_TYPES = ['rate-limit', 'status', 'html-502', 'reset', 'truncated', 'slow'];

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export function takeFault(state, routeKey) {
  const index = state.faults.findIndex((f) => f.route === routeKey);
  if (index < 0) return undefined;
  const fault = state.faults[index];
  if (--fault.remaining <= 0) state.faults.splice(index, 1);
  return fault.spec;
}

/** The reply for a fault that answers before any processing, or undefined if the fault comes after. */
export function replyBeforeProcessing(spec, github) {
  if (spec.type === 'rate-limit') {
    const extra = spec.bodyRetryAfter === undefined ? {} : { rate_limit: { limit: 1200, remaining: 0, retry_after: spec.bodyRetryAfter } };
    const reply = errorReply(429, 'rate_limited', 'You have exceeded the rate limit of 1200 requests per minute', undefined, extra);
    if (spec.retryAfter !== undefined) reply.headers['retry-after'] = String(spec.retryAfter);
    return reply;
  }
  if (spec.type === 'status') {
    const status = spec.status ?? 500;
    const message =
      status >= 500 ? 'Something went wrong on our side; please retry the request' : `The sandbox was told to answer ${status}`;
    return github ? githubErrorReply(status, message) : errorReply(status, errorType(status), message);
  }
  if (spec.type === 'html-502') return { status: 502, headers: { 'content-type': 'text/html' }, raw: NGINX_502 };
  return undefined;
}
