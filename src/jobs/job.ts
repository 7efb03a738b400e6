/**
 * What every job gets: the output layer (its only way to the runner), the validated settings of
 * its own kind, the run, the deadline, and a way to reach incident.io; and the dry run's printing,
 * which every job's dry run shares.
 */
import type { RunContext } from '../github/context.js';
import type { Fetch } from '../core/fetch.js';
import { AFTER_WRITE_DEADLINE_MS, ENRICHMENT_BUDGET_MS, type Clock, type Deadline } from '../core/time.js';
import { IncidentIoClient } from '../incident-io/client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../incident-io/retry.js';
import type { IdName } from '../incident-io/names.js';
import { lookupsMade, oneLineJson, whereLines } from '../output/dry-run.js';
import { text } from '../core/markdown.js';
import type { Output } from '../output/output.js';
import type { CardItem } from '../output/report.js';
import type { Redactor } from '../core/redact.js';
import type { Common, SettingsRead } from '../settings/read.js';

export interface JobContext<S extends Common = Common> {
  out: Output;
  redactor: Redactor;
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: Fetch;
  settings: S;
  run: RunContext;
  /** Bounds every request and page up to the confirmed write. */
  deadline: Deadline;
  /** Why GitHub gave this run no secrets (a fork's pull request, Dependabot), when it gave none. */
  noSecrets?: string;
  /** On a dry run, every request that was answered with a 2xx (see `recordingFetch`), for its last line. */
  requests?: readonly string[];
}

/** The secret a client sends: the API key, or an alert source's token (with the source, for the advice after a 401). */
export type Secret =
  { input: 'api-key'; token: string } | { input: 'alert-token'; token: string; source: { kind: 'HTTP' | 'heartbeat'; id: string } };

/**
 * An incident.io client for `secret`, under the write deadline. The client knows which input its
 * token came from, so a 401 or a 403 names it and says how to check the secret behind it.
 */
export function clientFor(ctx: JobContext, secret: Secret): IncidentIoClient {
  const { settings, run } = ctx;
  return new IncidentIoClient({
    baseUrl: settings.apiUrl,
    token: secret.token,
    credential: {
      input: secret.input,
      job: settings.job,
      source: secret.input === 'alert-token' ? secret.source : undefined,
      // Under workflow_run the run is the watched one; the watcher's own event decides its secrets.
      event: run.watcher ? 'workflow_run' : run.eventName,
      noSecrets: ctx.noSecrets,
    },
    fetch: ctx.fetch,
    clock: ctx.clock,
    deadline: ctx.deadline,
    redactor: ctx.redactor,
    policy: retryPolicy(ctx.env),
    onRetry: (message) => ctx.out.info(message),
  });
}

/** A client with the job's API key. */
export function apiKeyClient(ctx: JobContext<Common & { apiKey: string }>): IncidentIoClient {
  return clientFor(ctx, { input: 'api-key', token: ctx.settings.apiKey });
}

/** A lookup `refuseInputs` makes for the input it checks, when other inputs have mistakes (see ./check.ts). */
export type NamedLookup = [input: string, lookup: (client: IncidentIoClient) => Promise<unknown>];

/** A job's lookups of the names its well-formed inputs give, made when other inputs have mistakes. */
export type NameLookups<S extends Common> = (read: SettingsRead<S>) => NamedLookup[];

/** The short deadline for work after the write: running out of it can only warn. */
export function afterWriteDeadline(ctx: JobContext): Deadline {
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
export function enrichmentBudget(ctx: JobContext, done?: AbortSignal): Budget {
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

/**
 * Prints the request a dry run would have sent, then what each ID in it stands for (`names`,
 * from the lookups; `moreWhere` for IDs that are not in an `…_id` field, such as a condition's
 * subject), so a reader can check it by eye. It claims nothing about what was checked:
 * `dryRunChecks` says that, once, at the end.
 */
export function printDryRun(
  ctx: JobContext,
  method: string,
  path: string,
  body: unknown,
  names: ReadonlyMap<string, IdName> = new Map(),
  moreWhere: readonly string[] = [],
): void {
  const what = body === undefined ? ' (with no body)' : ':';
  ctx.out.info(`Dry run: this request would be sent to ${method} ${ctx.settings.apiUrl}${path}${what}`);
  if (body !== undefined) ctx.out.info(oneLineJson(body, 2));
  const where = [...whereLines(path, body, names), ...moreWhere];
  if (where.length > 0) ctx.out.info(`where\n${where.map((line) => `  ${line}`).join('\n')}`);
}

/** A fetch that records each request answered with a 2xx, as "GET https://…", for a dry run's last line. */
export function recordingFetch(fetch: Fetch, seen: string[]): Fetch {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.ok) seen.push(`${init.method ?? 'GET'} ${url}`);
    return response;
  };
}

/**
 * The last line of a dry run, logged, and returned as the card's last item: what it looked up in
 * the workspace (the requests incident.io and GitHub answered), and what a dry run cannot check
 * (`cannot`, in the job's words: the tokens it did not send, the permissions of the writes).
 */
export function dryRunChecks(ctx: JobContext, cannot: string): CardItem {
  const { incidentIo, gitHub } = lookupsMade(ctx.requests ?? [], ctx.settings.apiUrl, ctx.run.apiUrl);
  const checked =
    incidentIo.length > 0 ? `against the incident.io workspace: ${incidentIo.join(', ')}` : 'nothing against the incident.io workspace';
  const line = `${checked}${gitHub.length > 0 ? `; read from GitHub: ${gitHub.join(', ')}` : ''}. A dry run cannot check ${cannot}.`;
  ctx.out.info(`Dry run: checked ${line}`);
  return ['Checked', text(line)];
}
