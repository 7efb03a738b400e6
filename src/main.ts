/**
 * Orchestration only: read the settings, look up what the create needs, create, report.
 * Every dependency (core, fetch, env, clock, the GitHub context) is passed in.
 */
import { IncidentIoClient, redactSecret, systemClock, type Clock, type FetchLike } from './client.js';
import {
  defaultIdempotencyKey,
  defaultIncidentName,
  incidentSummary,
  readRunContext,
  type GitHubContext,
} from './context.js';
import type { Core } from './core.js';
import { InputError } from './errors.js';
import { createIncident, type CreatePayload } from './incidents.js';
import { announce, setOutputs, summaryMarkdown, writeSummary, type Outcome } from './report.js';
import { resolveSeverity, type Severity } from './resolve.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { parseBoolean, readSettings, type Settings } from './settings.js';

export interface Deps {
  core: Core;
  fetch: FetchLike;
  env: Record<string, string | undefined>;
  clock: Clock;
  context: GitHubContext;
}

/** Runs the action. Called with no arguments it uses the real runner environment. */
export async function run(partial: Partial<Deps> = {}): Promise<void> {
  const deps = await withDefaults(partial);
  const { core } = deps;
  // Mask the key before anything can print it.
  const apiKey = core.getInput('api-key');
  if (apiKey !== '') core.setSecret(apiKey);

  let failOnError = true;
  try {
    failOnError = parseBoolean(core.getInput, 'fail-on-error', true);
    await declare(deps, readSettings(core.getInput));
  } catch (error) {
    const message = redactSecret(error instanceof Error ? error.message : String(error), apiKey);
    if (!(error instanceof InputError) && error instanceof Error && error.stack) core.debug(redactSecret(error.stack, apiKey));
    core.setOutput('created', 'false');
    if (failOnError) core.setFailed(message);
    else core.warning(`${message} (fail-on-error is false, so this step succeeds.)`, { title: 'incident.io' });
  }
}

async function declare(deps: Deps, settings: Settings): Promise<void> {
  const { core, clock } = deps;
  const run = readRunContext(deps.context, deps.env);
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = new IncidentIoClient({
    baseUrl: settings.apiUrl,
    token: settings.apiKey,
    fetch: deps.fetch,
    clock,
    policy: retryPolicy(deps.env),
    onRetry: (message) => core.info(message),
  });

  const severities = await client.getList<Severity>('/v1/severities', 'severities');
  const { severity, defaulted } = resolveSeverity(settings.severity, severities);
  if (defaulted) core.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);

  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: settings.name || defaultIncidentName(run),
    summary: incidentSummary(settings.summary, run),
    mode: settings.mode,
  };
  const base = { severity: severity.name, visibility: settings.visibility, mode: settings.mode, idempotencyKey };

  if (settings.dryRun) {
    core.info(`Dry run: every input is valid; this request would be sent to POST ${settings.apiUrl}/v2/incidents:`);
    core.info(JSON.stringify(payload, null, 2));
    core.setOutput('created', 'false');
    await writeSummary(core, deps.env, `### incident.io: dry run\n\nWould declare "${payload.name}" (severity ${severity.name}, ${settings.visibility}, ${settings.mode}). Nothing was created.\n`);
    return;
  }

  const result = await createIncident(client, payload, clock.now);
  const outcome: Outcome = { ...base, ...result };
  setOutputs(core, outcome);
  announce(core, outcome);
  await writeSummary(core, deps.env, summaryMarkdown(outcome));
}

/** The request timeout can be lowered through the environment (tests, slow proxies). */
function retryPolicy(env: Record<string, string | undefined>): RetryPolicy {
  const timeout = Number(env['INCIDENT_IO_TIMEOUT_MS']);
  return Number.isInteger(timeout) && timeout > 0 ? { ...DEFAULT_RETRY_POLICY, timeoutMs: timeout } : DEFAULT_RETRY_POLICY;
}

async function withDefaults(partial: Partial<Deps>): Promise<Deps> {
  return {
    core: partial.core ?? (await import('@actions/core')),
    fetch: partial.fetch ?? globalThis.fetch,
    env: partial.env ?? process.env,
    clock: partial.clock ?? systemClock,
    context: partial.context ?? (await import('@actions/github')).context,
  };
}
