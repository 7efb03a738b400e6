// src/github/: what the action reads from GitHub: the run's context, its failed jobs and its pull request.
/**
 * Turns the GitHub run into incident text: the default name, the context block appended to
 * every summary, and the default idempotency key. Links use GITHUB_SERVER_URL, so they work
 * on GitHub Enterprise Server too.
 */

import { isRecord } from '../core/shape.js';
import { blocks, code, join, link, Markdown, md, text } from '../core/markdown.js';

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
  /**
   * The repository the run's code came from, as the event names it: the watched run's
   * `head_repository` under `workflow_run`, the pull request's head repository under
   * `pull_request*`, and the repository itself for every other event. Undefined when a
   * `workflow_run` or `pull_request*` event does not name it (a deleted fork, say).
   */
  headRepository?: string;
  /** Set when the head repository is known and is not `repository`: a fork's run. */
  fork?: Fork;
  /**
   * Under `workflow_run`: the watched run's conclusion as GitHub gave it (`failure`, `success`,
   * `cancelled`, …); undefined when the payload has none (a run not completed yet).
   */
  conclusion?: string;
}

/** A run whose code came from another repository than the one it runs in (untrusted: the fork's owner chose both). */
export interface Fork {
  /** "mallory/shop". */
  repository: string;
  /** The fork's branch: the watched run's `head_branch`, or the pull request's head ref. */
  branch: string;
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
  if (isRecord(watched)) return withHead(watchedRun(own, watched), fullName(watched['head_repository']), str(watched['head_branch']));
  const pull = (ctx.eventName ?? '').startsWith('pull_request') ? ctx.payload['pull_request'] : undefined;
  if (isRecord(pull)) {
    const head = isRecord(pull['head']) ? pull['head'] : {};
    return withHead(own, fullName(head['repo']), str(head['ref']));
  }
  return { ...own, headRepository: own.repository || undefined };
}

/** `{full_name}` of a repository object in an event payload. */
function fullName(repo: unknown): string | undefined {
  return isRecord(repo) && typeof repo['full_name'] === 'string' && repo['full_name'] !== '' ? repo['full_name'] : undefined;
}

/** The head repository, and `fork` when it is known and not the repository (GitHub compares names without case). */
function withHead(run: RunContext, headRepository: string | undefined, branch: string): RunContext {
  const differs = headRepository !== undefined && run.repository !== '' && headRepository.toLowerCase() !== run.repository.toLowerCase();
  return { ...run, headRepository, ...(differs && { fork: { repository: headRepository, branch: branch || run.refName } }) };
}

/** A `pull_request*` event's pull request, when it has a number and an https link. */
function eventPullRequest(pull: unknown): PullRequest | undefined {
  if (!isRecord(pull)) return undefined;
  const number = num(pull['number']);
  const url = str(pull['html_url']);
  if (!Number.isInteger(number) || !url.startsWith('https://')) return undefined;
  return { number, url, title: str(pull['title']) || undefined };
}

/** The watched run, from `github.event.workflow_run`; what the payload lacks stays the watcher's. */
function watchedRun(own: RunContext, run: Record<string, unknown>): RunContext {
  const branch = str(run['head_branch']);
  const actor = isRecord(run['triggering_actor']) ? str(run['triggering_actor']['login']) : '';
  return {
    ...own,
    workflow: str(run['name']) || own.workflow,
    runId: positive(num(run['id'])),
    runNumber: positive(num(run['run_number'])),
    runAttempt: positive(num(run['run_attempt'])),
    sha: str(run['head_sha']),
    ref: branch ? `refs/heads/${branch}` : '',
    refName: branch,
    actor: actor || (isRecord(run['actor']) ? str(run['actor']['login']) : ''),
    eventName: str(run['event']),
    title: str(run['display_title']) || undefined,
    conclusion: str(run['conclusion']) || undefined,
    watcher: { workflow: own.workflow, runId: own.runId, runNumber: own.runNumber },
    pullRequest: watchedPullRequest(own, run['pull_requests']),
  };
}

/** A watched run's first pull request: the payload gives its number, and its link is built from it. */
function watchedPullRequest(own: RunContext, pulls: unknown): PullRequest | undefined {
  const first: unknown = Array.isArray(pulls) ? pulls[0] : undefined;
  const number = isRecord(first) ? num(first['number']) : Number.NaN;
  if (!Number.isInteger(number) || number <= 0 || !own.repository) return undefined;
  return { number, url: `${own.serverUrl}/${own.repository}/pull/${number}` };
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
 * Where the run ran, for people: `acme/shop@main`, or for a fork's run `mallory/shop:main` (the
 * fork and its branch, as GitHub writes a pull request's head), never `acme/shop@main`.
 */
export function runPlace(run: RunContext): string {
  if (run.fork) return [run.fork.repository, run.fork.branch].filter(Boolean).join(':');
  return [run.repository || 'an unknown repository', run.refName].filter(Boolean).join('@');
}

/** Watched-run conclusions that are not a failure: such a run declares nothing and fires no alert. */
export const GREEN_CONCLUSIONS = ['success', 'skipped', 'neutral'];

const CONCLUSION_WORDS: Record<string, string> = {
  failure: 'failed',
  cancelled: 'was cancelled',
  timed_out: 'timed out',
  startup_failure: 'failed to start',
  success: 'succeeded',
  skipped: 'was skipped',
  neutral: 'ended neutral',
};

/**
 * What the run did, in words, from facts the action has: under `workflow_run`, the watched
 * run's conclusion ("failed", "was cancelled", "timed out", or `ended with conclusion "stale"`);
 * otherwise the step runs inside the run, which has not ended, so "failed" (the step is written
 * for a failure), or "declared an incident" for a manual `workflow_dispatch`.
 */
export function runOutcome(run: RunContext): string {
  if (run.watcher) {
    if (run.conclusion === undefined) return 'has not completed';
    return CONCLUSION_WORDS[run.conclusion] ?? `ended with conclusion "${run.conclusion}"`;
  }
  return run.eventName === 'workflow_dispatch' ? 'declared an incident' : 'failed';
}

/**
 * A sentence naming the workflow, where it ran, and the run number; `recovered` for the title
 * of an alert that a green run resolves.
 */
export function defaultIncidentName(run: RunContext, recovered = false): string {
  const workflow = run.workflow ? `"${run.workflow}"` : 'GitHub Actions';
  const number = run.runNumber !== undefined ? ` (run #${run.runNumber})` : '';
  return `Workflow ${workflow} ${recovered ? 'recovered' : runOutcome(run)} in ${runPlace(run)}${number}`;
}

/**
 * Why this run must not end what the repository's own runs started (resolve an incident or an
 * alert), or undefined when it may: a fork's run, or a `workflow_run` or `pull_request*` run
 * whose event does not say where its code came from.
 */
export function foreignRun(run: RunContext): string | undefined {
  if (run.fork) return `this run came from the fork ${run.fork.repository}, not from ${run.repository}`;
  const headed = run.watcher !== undefined || run.eventName.startsWith('pull_request');
  if (headed && run.headRepository === undefined && run.repository !== '') {
    return `the event does not name the ${run.watcher ? 'watched run' : 'pull request'}'s head repository, so this run may come from a fork`;
  }
  return undefined;
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
  add('Head', run.fork && md`${code(runPlace(run))} (a fork: its owner chose its code and branch name)`);
  add('Conclusion', run.watcher && run.conclusion !== undefined && code(run.conclusion));
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
