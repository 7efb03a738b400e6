// src/operations/: one file per operation (create, update, resolve, alert), each reading like the user's story.
/** What every operation gets: the runner, the validated settings, the run, and a way to reach incident.io. */
import { IncidentIoClient, type Clock, type FetchLike } from '../incident-io/client.js';
import type { RunContext } from '../github/context.js';
import type { Core } from '../runner/core.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../incident-io/retry.js';
import type { Settings } from '../settings/settings.js';

export interface OperationContext {
  core: Core;
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: FetchLike;
  settings: Settings;
  run: RunContext;
}

/** An incident.io client for `token` (the API key, or an alert source's token). */
export function clientFor(ctx: OperationContext, token: string): IncidentIoClient {
  return new IncidentIoClient({
    baseUrl: ctx.settings.apiUrl,
    token,
    fetch: ctx.fetch,
    clock: ctx.clock,
    policy: retryPolicy(ctx.env),
    onRetry: (message) => ctx.core.info(message),
  });
}

/** The request timeout can be lowered through the environment (tests, slow proxies). */
function retryPolicy(env: Record<string, string | undefined>): RetryPolicy {
  const timeout = Number(env['INCIDENT_IO_TIMEOUT_MS']);
  return Number.isInteger(timeout) && timeout > 0 ? { ...DEFAULT_RETRY_POLICY, timeoutMs: timeout } : DEFAULT_RETRY_POLICY;
}

/** Prints the request a dry run would have sent. */
export function printDryRun(ctx: OperationContext, method: string, path: string, body: unknown): void {
  ctx.core.info(`Dry run: every input is valid; this request would be sent to ${method} ${ctx.settings.apiUrl}${path}:`);
  ctx.core.info(JSON.stringify(body, null, 2));
}
