// src/github/: what the action reads from GitHub: the run's context, its failed jobs and its pull request.
/**
 * Turns the GitHub run into incident text: the default name, the context block appended to
 * every summary, and the default idempotency key. Links use GITHUB_SERVER_URL, so they work
 * on GitHub Enterprise Server too.
 */
import { InputError } from '../errors.js';
import { blocks, code, join, link, Markdown, md, text } from '../output/markdown.js';

/** The part of `@actions/github`'s `context` this action reads. */
export interface GitHubContext {
  serverUrl: string;
  apiUrl: string;
  workflow: string;
  runId: number;
  runNumber: number;
  runAttempt: number;
  sha: string;
  ref: string;
  actor: string;
  eventName: string;
  job: string;
  payload: Record<string, unknown> & { repository?: { full_name?: string } };
}

/** A pull request the run belongs to, from the event. */
export interface PullRequest {
  number: number;
  url: string;
  /** The title, when the event gives it (untrusted: its author wrote it). */
  title?: string;
}

/** The watcher workflow, when a `workflow_run` workflow reports on the run it watched. */
export interface Watcher {
  workflow: string;
  runId?: number;
  runNumber?: number;
}

/**
 * The run the action reports on. Under `workflow_run` that is the watched run
 * (`github.event.workflow_run`), not the watcher's own, and `watcher` names the watcher.
 */
export interface RunContext {
  serverUrl: string;
  apiUrl: string;
  /** "owner/repo", or empty outside GitHub Actions. */
  repository: string;
  workflow: string;
  runId?: number;
  runNumber?: number;
  runAttempt?: number;
  sha: string;
  ref: string;
  /** The branch or tag name ("main"), from GITHUB_REF_NAME (a watched run's head_branch: untrusted). */
  refName: string;
  actor: string;
  eventName: string;
  /** The job and step (GITHUB_JOB, GITHUB_ACTION) running this action: the watcher's, under workflow_run. */
  job: string;
  step: string;
  /** A watched run's display title (a commit message or PR title: untrusted). */
  title?: string;
  watcher?: Watcher;
  pullRequest?: PullRequest;
}

type Env = Record<string, string | undefined>;

export function readRunContext(ctx: GitHubContext, env: Env): RunContext {
  const ref = ctx.ref ?? '';
  const own: RunContext = {
    serverUrl: (ctx.serverUrl || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (ctx.apiUrl || 'https://api.github.com').replace(/\/+$/, ''),
    repository: env['GITHUB_REPOSITORY'] || ctx.payload?.repository?.full_name || '',
    workflow: ctx.workflow ?? '',
    runId: positive(ctx.runId),
    runNumber: positive(ctx.runNumber),
    runAttempt: positive(ctx.runAttempt),
    sha: ctx.sha ?? '',
    ref,
    refName: env['GITHUB_REF_NAME'] || ref.replace(/^refs\/(heads|tags)\//, ''),
    actor: ctx.actor ?? '',
    eventName: ctx.eventName ?? '',
    job: ctx.job ?? '',
    step: env['GITHUB_ACTION'] ?? '',
    pullRequest: eventPullRequest(ctx.payload['pull_request']),
  };
  const watched = ctx.eventName === 'workflow_run' ? ctx.payload['workflow_run'] : undefined;
  return isObject(watched) ? watchedRun(own, watched) : own;
}

/** A `pull_request*` event's pull request, when it has a number and an https link. */
function eventPullRequest(pull: unknown): PullRequest | undefined {
  if (!isObject(pull)) return undefined;
  const number = num(pull['number']);
  const url = str(pull['html_url']);
  if (!Number.isInteger(number) || !url.startsWith('https://')) return undefined;
  return { number, url, title: str(pull['title']) || undefined };
}

/** The watched run, from `github.event.workflow_run`; what the payload lacks stays the watcher's. */
function watchedRun(own: RunContext, run: Record<string, unknown>): RunContext {
  const branch = str(run['head_branch']);
  const actor = isObject(run['triggering_actor']) ? str(run['triggering_actor']['login']) : '';
  return {
    ...own,
    workflow: str(run['name']) || own.workflow,
    runId: positive(num(run['id'])),
    runNumber: positive(num(run['run_number'])),
    runAttempt: positive(num(run['run_attempt'])),
    sha: str(run['head_sha']),
    ref: branch ? `refs/heads/${branch}` : '',
    refName: branch,
    actor: actor || (isObject(run['actor']) ? str(run['actor']['login']) : ''),
    eventName: str(run['event']),
    title: str(run['display_title']) || undefined,
    watcher: { workflow: own.workflow, runId: own.runId, runNumber: own.runNumber },
    pullRequest: watchedPullRequest(own, run['pull_requests']),
  };
}

/** A watched run's first pull request: the payload gives its number, and its link is built from it. */
function watchedPullRequest(own: RunContext, pulls: unknown): PullRequest | undefined {
  const first: unknown = Array.isArray(pulls) ? pulls[0] : undefined;
  const number = isObject(first) ? num(first['number']) : Number.NaN;
  if (!Number.isInteger(number) || number <= 0 || !own.repository) return undefined;
  return { number, url: `${own.serverUrl}/${own.repository}/pull/${number}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

function positive(n: number): number | undefined {
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function runUrl(run: RunContext): string | undefined {
  return runLink(run, run.runId);
}

/** The watcher's own run, under workflow_run. */
export function watcherUrl(run: RunContext): string | undefined {
  return run.watcher && runLink(run, run.watcher.runId);
}

function runLink(run: RunContext, runId: number | undefined): string | undefined {
  if (!run.repository || runId === undefined) return undefined;
  return `${run.serverUrl}/${run.repository}/actions/runs/${runId}`;
}

export function commitUrl(run: RunContext): string | undefined {
  if (!run.repository || !run.sha) return undefined;
  return `${run.serverUrl}/${run.repository}/commit/${run.sha}`;
}

/**
 * A sentence naming the workflow, the repository and ref, and the run number; `recovered` for
 * the title of an alert that a green run resolves.
 */
export function defaultIncidentName(run: RunContext, recovered = false): string {
  const workflow = run.workflow ? `"${run.workflow}"` : 'GitHub Actions';
  const where = [run.repository || 'an unknown repository', run.refName].filter(Boolean).join('@');
  const number = run.runNumber !== undefined ? ` (run #${run.runNumber})` : '';
  const verb = recovered ? 'recovered' : run.eventName === 'workflow_dispatch' ? 'declared an incident' : 'failed';
  return `Workflow ${workflow} ${verb} in ${where}${number}`;
}

/** Markdown lines describing the run, appended to every incident summary. Every value is escaped. */
export function contextBlock(run: RunContext): Markdown {
  const lines: Markdown[] = [md`**GitHub Actions context**`];
  const add = (label: string, value: Markdown | undefined | '' | false) => {
    if (value) lines.push(md`- ${label}: ${value}`);
  };
  const url = runUrl(run);
  const runLabel = run.runNumber !== undefined ? md`run #${run.runNumber}` : md`run`;
  add('Repository', run.repository !== '' && link(run.repository, `${run.serverUrl}/${run.repository}`));
  add('Workflow', run.workflow !== '' && (url ? md`${run.workflow}, ${link(runLabel, url)}` : text(run.workflow)));
  if (!run.workflow && url) add('Run', link(runLabel, url));
  if (run.watcher) {
    const watcher = watcherUrl(run);
    const label = run.watcher.runNumber !== undefined ? md`run #${run.watcher.runNumber}` : md`run`;
    add('Reported by', md`watcher workflow ${run.watcher.workflow}${watcher ? md`, ${link(label, watcher)}` : md``}`);
    add('Title', run.title !== undefined && text(run.title));
  } else {
    add('Job', run.job !== '' && code(run.job));
  }
  add('Commit', run.sha !== '' && link(code(run.sha.slice(0, 7)), commitUrl(run)));
  add('Ref', run.ref !== '' && code(run.ref));
  add('Actor', run.actor !== '' && text(run.actor));
  add('Event', run.eventName !== '' && code(run.eventName));
  add('Attempt', run.runAttempt !== undefined && md`${run.runAttempt}`);
  return join(lines, '\n');
}

/** The user's summary (their own Markdown, as given), then what the action adds, then the context block. */
export function incidentSummary(summary: string, run: RunContext, extra: readonly Markdown[] = []): string {
  return blocks([new Markdown(summary.trim()), ...extra, contextBlock(run)]).source;
}

/**
 * One incident per workflow run: the key names the repository and run ID but not the
 * attempt, so re-running a failed workflow finds the incident the first attempt opened.
 */
export function defaultIdempotencyKey(run: RunContext): string {
  if (!run.repository || run.runId === undefined) {
    throw new InputError(
      'Input "idempotency-key" is empty, and no default can be derived because GITHUB_REPOSITORY or GITHUB_RUN_ID is not set ' +
        '(is this running outside GitHub Actions?). Set "idempotency-key" to a value that is stable across retries.',
    );
  }
  return `github-actions/${run.repository}/runs/${run.runId}`;
}
