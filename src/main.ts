/**
 * Orchestration only: read the settings, look up what the create needs, create, report.
 * Every dependency (core, fetch, env, clock, the GitHub context) is passed in.
 */
import { IncidentIoClient, redactSecret, type Clock, type FetchLike } from './client.js';
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
import { failedJobs } from './jobs.js';
import { lookUpFields } from './lookups.js';
import type { Severity } from './resolve.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { parseBoolean, readSettings, type Settings } from './settings.js';

export interface Deps {
  core: Core;
  fetch: FetchLike;
  env: Record<string, string | undefined>;
  clock: Clock;
  context: GitHubContext;
}

export async function run(deps: Deps): Promise<void> {
  const { core } = deps;
  // Mask the secrets before anything can print them.
  const apiKey = core.getInput('api-key');
  for (const secret of [apiKey, core.getInput('alert-token'), core.getInput('github-token')]) {
    if (secret !== '') core.setSecret(secret);
  }

  let failOnError = true;
  try {
    failOnError = parseBoolean(core.getInput, 'fail-on-error', true);
    await declare(deps, await readSettings(core.getInput));
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

  // One round of lookups, with the GitHub jobs call alongside; the create is the next request.
  const [fields, jobs] = await Promise.all([
    lookUpFields(client, settings, 'create'),
    failedJobs(settings.githubToken, run, deps.fetch),
  ]);
  if (jobs.notice) core.notice(jobs.notice, { title: 'Failed jobs not listed in the incident' });
  const severity = fields.severity as Severity;
  if (fields.severityDefaulted) core.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);

  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: settings.name || defaultIncidentName(run),
    summary: incidentSummary(settings.summary, run, [jobs.markdown]),
    mode: settings.mode,
    ...(fields.incidentType && { incident_type_id: fields.incidentType.id }),
    ...(fields.status && { incident_status_id: fields.status.id }),
    ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
    ...(fields.roleAssignments.length > 0 && { incident_role_assignments: fields.roleAssignments }),
    ...(settings.slackChannelName && { slack_channel_name_override: settings.slackChannelName }),
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
