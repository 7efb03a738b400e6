// src/operations/: one file per operation (create, update, resolve, alert, heartbeat), each reading like the user's story.
/**
 * What every operation gets: the output layer (its only way to the runner), the validated
 * settings of its own kind, the run, the deadline, and a way to reach incident.io.
 */
import type { RunContext } from '../github/context.js';
import { IncidentIoClient, type Clock, type FetchLike } from '../incident-io/client.js';
import {
  AFTER_WRITE_DEADLINE_MS,
  DEFAULT_RETRY_POLICY,
  ENRICHMENT_BUDGET_MS,
  type Deadline,
  type RetryPolicy,
} from '../incident-io/retry.js';
import type { Output } from '../output/output.js';
import type { Redactor } from '../output/redact.js';
import type { Settings } from '../settings/settings.js';

export interface OperationContext<S extends Settings = Settings> {
  out: Output;
  redactor: Redactor;
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: FetchLike;
  settings: S;
  run: RunContext;
  /** Bounds every request and page up to the confirmed write. */
  deadline: Deadline;
}

/** An incident.io client for `token` (the API key, or an alert source's token), under the write deadline. */
export function clientFor(ctx: OperationContext, token: string): IncidentIoClient {
  return new IncidentIoClient({
    baseUrl: ctx.settings.apiUrl,
    token,
    fetch: ctx.fetch,
    clock: ctx.clock,
    deadline: ctx.deadline,
    redactor: ctx.redactor,
    policy: retryPolicy(ctx.env),
    onRetry: (message) => ctx.out.info(message),
  });
}

/** The short deadline for work after the write: running out of it can only warn. */
export function afterWriteDeadline(ctx: OperationContext): Deadline {
  const seconds = AFTER_WRITE_DEADLINE_MS / 1000;
  return { at: ctx.clock.now() + AFTER_WRITE_DEADLINE_MS, name: `the ${seconds} s deadline for work after the write` };
}

/** The budget lookups that only enrich the write share: a deadline for incident.io, a signal for GitHub. */
export interface Budget {
  ms: number;
  deadline: Deadline;
  signal: AbortSignal;
}

/** A fresh enrichment budget (ENRICHMENT_BUDGET_MS from now); `done` ends it early (the step is over). */
export function enrichmentBudget(ctx: OperationContext, done?: AbortSignal): Budget {
  const ms = ENRICHMENT_BUDGET_MS;
  const limit = AbortSignal.timeout(ms);
  return {
    ms,
    deadline: { at: ctx.clock.now() + ms, name: `the ${ms / 1000} s budget for optional lookups` },
    signal: done ? AbortSignal.any([limit, done]) : limit,
  };
}

/** The request timeout can be lowered through the environment (tests, slow proxies). */
function retryPolicy(env: Record<string, string | undefined>): RetryPolicy {
  const timeout = Number(env['INCIDENT_IO_TIMEOUT_MS']);
  return Number.isInteger(timeout) && timeout > 0 ? { ...DEFAULT_RETRY_POLICY, timeoutMs: timeout } : DEFAULT_RETRY_POLICY;
}

/** Prints the request a dry run would have sent. */
export function printDryRun(ctx: OperationContext, method: string, path: string, body: unknown): void {
  const what = body === undefined ? ' (with no body)' : ':';
  ctx.out.info(`Dry run: every input is valid; this request would be sent to ${method} ${ctx.settings.apiUrl}${path}${what}`);
  if (body !== undefined) ctx.out.info(JSON.stringify(body, null, 2));
}
