// src/operations/: one file per operation (create, update, resolve, alert, heartbeat), each reading like the user's story.
/**
 * What every operation gets: the output layer (its only way to the runner), the validated
 * settings of its own kind, the run, the deadline, and a way to reach incident.io.
 */
import type { RunContext } from '../github/context.js';
import type { Fetch } from '../core/fetch.js';
import { AFTER_WRITE_DEADLINE_MS, ENRICHMENT_BUDGET_MS, type Clock, type Deadline } from '../core/time.js';
import { IncidentIoClient } from '../incident-io/client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../incident-io/retry.js';
import type { IdName } from '../incident-io/resolvers.js';
import { lookupsMade, oneLineJson, whereLines } from '../output/dry-run.js';
import { text } from '../core/markdown.js';
import type { Output } from '../output/output.js';
import type { CardItem } from '../output/report.js';
import type { Redactor } from '../core/redact.js';
import type { AlertSettings, DeclareSettings, HeartbeatSettings, ResolveSettings, Settings, UpdateSettings } from '../settings/settings.js';

export interface OperationContext<S extends Settings = Settings> {
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

type ApiKeyContext = OperationContext<DeclareSettings | UpdateSettings | ResolveSettings>;
type SourceContext = OperationContext<AlertSettings | HeartbeatSettings>;

/**
 * An incident.io client for the token of `input` (the API key, or an alert source's token),
 * under the write deadline. The client knows which input its token came from, so a 401 or a 403
 * names it and says how to check the secret behind it.
 */
export function clientFor(ctx: ApiKeyContext, input: 'api-key'): IncidentIoClient;
export function clientFor(ctx: SourceContext, input: 'alert-token'): IncidentIoClient;
export function clientFor(ctx: ApiKeyContext | SourceContext, input: 'api-key' | 'alert-token'): IncidentIoClient {
  const { settings, run } = ctx;
  const forSource = settings.job === 'alert' || settings.job === 'heartbeat';
  const source = forSource
    ? { kind: settings.job === 'alert' ? ('HTTP' as const) : ('heartbeat' as const), id: settings.alertSourceId }
    : undefined;
  return new IncidentIoClient({
    baseUrl: settings.apiUrl,
    token: forSource ? settings.alertToken : settings.apiKey,
    credential: {
      input,
      job: settings.job,
      source,
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

/**
 * Prints the request a dry run would have sent, then what each ID in it stands for (`names`,
 * from the lookups), so a reader can check it by eye. It claims nothing about what was checked:
 * `dryRunChecks` says that, once, at the end.
 */
export function printDryRun(
  ctx: OperationContext,
  method: string,
  path: string,
  body: unknown,
  names: ReadonlyMap<string, IdName> = new Map(),
): void {
  const what = body === undefined ? ' (with no body)' : ':';
  ctx.out.info(`Dry run: this request would be sent to ${method} ${ctx.settings.apiUrl}${path}${what}`);
  if (body !== undefined) ctx.out.info(oneLineJson(body, 2));
  const where = whereLines(path, body, names);
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
export function dryRunChecks(ctx: OperationContext, cannot: string): CardItem {
  const { incidentIo, gitHub } = lookupsMade(ctx.requests ?? [], ctx.settings.apiUrl, ctx.run.apiUrl);
  const checked =
    incidentIo.length > 0 ? `against the incident.io workspace: ${incidentIo.join(', ')}` : 'nothing against the incident.io workspace';
  const line = `${checked}${gitHub.length > 0 ? `; read from GitHub: ${gitHub.join(', ')}` : ''}. A dry run cannot check ${cannot}.`;
  ctx.out.info(`Dry run: checked ${line}`);
  return ['Checked', text(line)];
}
