/**
 * What failed: the run's failed and cancelled jobs, each with its link, its failed steps (linked
 * to the step) and its failure annotations, the actual error messages. Read through the GitHub
 * API, only when a token is given, within one time limit for the jobs and their annotations
 * together. It never fails the step: without `actions: read` or `checks: read`, or when GitHub is
 * down or slow, the incident is declared with what could be read, and a notice says what not.
 */
import type { FetchLike } from '../incident-io/client.js';
import { join, link, md, text, type Markdown } from '../output/markdown.js';
import type { Redactor } from '../output/redact.js';
import { explainGitHubError, githubApi, ownerRepo, type GitHubApi } from './api.js';
import type { RunContext } from './context.js';

export interface JobStep {
  name: string;
  conclusion?: string | null;
  number?: number;
}

export interface Job {
  id?: number;
  name: string;
  status?: string;
  conclusion?: string | null;
  html_url?: string | null;
  started_at?: string | null;
  steps?: JobStep[];
}

/** A failed job as the incident and the summary show it. */
export interface FailedJob {
  job: Job;
  /** Its failure annotations, generic ones left out: at most two, each cut short. */
  messages: string[];
}

export interface FailedJobs {
  /** Markdown for the incident text; undefined when nothing failed or the jobs could not be read. */
  markdown?: Markdown;
  /** What could not be read, and what to grant: one notice each. */
  notices: string[];
  failed: FailedJob[];
  /** When the first failed job started (RFC 3339), for "Impact started". */
  firstFailureAt?: string;
}

/** GitHub gets this long for the jobs and their annotations together; the create does not wait longer. */
export const JOBS_TIMEOUT_MS = 5_000;
const MAX_JOBS = 10;
const MAX_STEPS = 3;
const MAX_MESSAGES = 2;
const MAX_MESSAGE_CHARS = 240;
const MAX_CHARS = 2_000;
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);
/** The runner's own annotation for a failed step: it says nothing a responder can use. */
const GENERIC = /^Process completed with exit code \d+\.?$/;

export async function failedJobs(
  token: string,
  run: RunContext,
  fetch: FetchLike,
  redactor: Redactor,
  { timeoutMs = JOBS_TIMEOUT_MS, subject = 'incident' }: { timeoutMs?: number; subject?: 'incident' | 'alert' } = {},
): Promise<FailedJobs> {
  const where = ownerRepo(run);
  if (!token || !where || run.runId === undefined) return { notices: [], failed: [] };
  let api: GitHubApi;
  let jobs: Job[];
  try {
    api = await githubApi(token, run, fetch, AbortSignal.timeout(timeoutMs));
    jobs = await listJobs(api, { ...where, run_id: run.runId, attempt_number: run.runAttempt ?? 1 });
  } catch (error) {
    const notice = explainGitHubError(error, {
      what:
        subject === 'alert'
          ? "The alert's description leaves out the failed jobs"
          : 'The incident was declared without the list of failed jobs',
      grant:
        'Grant `permissions: { actions: read }` on the job (keep `contents: read` if you check out code), or set `github-token` to a token that has it.',
      timeoutMs,
      redactor,
      apiUrl: run.apiUrl,
    });
    return { notices: [notice], failed: [] };
  }
  const failed = selectFailed(jobs);
  const { messages, notice } = await failureMessages(api, where, failed.slice(0, MAX_JOBS), {
    timeoutMs,
    redactor,
    apiUrl: run.apiUrl,
    subject,
  });
  const withMessages = failed.map((job, i) => ({ job, messages: messages[i] ?? [] }));
  const starts = failed.map((job) => Date.parse(job.started_at ?? '')).filter((t) => !Number.isNaN(t));
  return {
    markdown: describeFailures(withMessages),
    notices: notice ? [notice] : [],
    failed: withMessages,
    firstFailureAt: starts.length > 0 ? new Date(Math.min(...starts)).toISOString() : undefined,
  };
}

/** GitHub gives at most 100 jobs a page; a big matrix has more. The rest are read in parallel, up to a cap. */
const JOBS_PER_PAGE = 100;
export const MAX_JOB_PAGES = 5;

async function listJobs(api: GitHubApi, attempt: { owner: string; repo: string; run_id: number; attempt_number: number }): Promise<Job[]> {
  const page = (n: number) => api.rest.actions.listJobsForWorkflowRunAttempt({ ...attempt, per_page: JOBS_PER_PAGE, page: n });
  const { data } = await page(1);
  const pages = Math.min(MAX_JOB_PAGES, Math.ceil(data.total_count / JOBS_PER_PAGE));
  if (pages <= 1 || data.jobs.length < JOBS_PER_PAGE) return data.jobs;
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
  return [...data.jobs, ...rest.flatMap((r) => r.data.jobs)];
}

/** The failed, timed-out and cancelled jobs, and the running job once a step of it failed. */
export function selectFailed(jobs: readonly Job[]): Job[] {
  return jobs.filter(
    (job) =>
      FAILED.has(job.conclusion ?? '') || job.conclusion === 'cancelled' || (job.steps ?? []).some((s) => FAILED.has(s.conclusion ?? '')),
  );
}

/**
 * Each job's failure annotations (the check-run annotations endpoint has no filter, so the
 * failure level is kept here), in parallel. One notice for all that could not be read.
 */
async function failureMessages(
  api: GitHubApi,
  where: { owner: string; repo: string },
  jobs: readonly Job[],
  { timeoutMs, redactor, apiUrl, subject }: { timeoutMs: number; redactor: Redactor; apiUrl: string; subject: 'incident' | 'alert' },
): Promise<{ messages: string[][]; notice?: string }> {
  const results = await Promise.allSettled(
    jobs.map((job) =>
      job.id === undefined
        ? Promise.resolve([])
        : api.rest.checks.listAnnotations({ ...where, check_run_id: job.id, per_page: 50 }).then((r) => r.data),
    ),
  );
  const messages = results.map((result) =>
    result.status === 'fulfilled'
      ? result.value
          .filter((a) => a.annotation_level === 'failure' && typeof a.message === 'string' && !GENERIC.test(a.message.trim()))
          .slice(0, MAX_MESSAGES)
          .map((a) => cut(a.message as string))
      : [],
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failure) return { messages };
  const notice = explainGitHubError(failure.reason, {
    what: `The ${subject === 'alert' ? "alert's description" : 'incident'} lists the failed jobs without their error messages`,
    grant: 'Grant `permissions: { checks: read }` on the job to include them.',
    timeoutMs,
    redactor,
    apiUrl,
  });
  return { messages, notice };
}

function cut(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS)}…` : flat;
}

/** A link to the step in the job's log: the job's URL plus `#step:<number>:1`. */
function stepUrl(job: Job, step: JobStep): string | undefined {
  return job.html_url && step.number !== undefined ? `${job.html_url}#step:${step.number}:1` : undefined;
}

/** Bounded Markdown listing the failed and cancelled jobs; successful jobs are left out. Every name and message is escaped. */
export function describeFailures(failed: readonly FailedJob[]): Markdown | undefined {
  if (failed.length === 0) return undefined;
  const lines: Markdown[] = [md`**What failed**`];
  let length = lines[0]!.source.length;
  for (const [index, { job, messages }] of failed.slice(0, MAX_JOBS).entries()) {
    const verdict = job.conclusion === 'cancelled' ? 'was cancelled' : job.conclusion === 'timed_out' ? 'timed out' : 'failed';
    const steps = (job.steps ?? []).filter((s) => FAILED.has(s.conclusion ?? ''));
    const stepList = join(
      steps.slice(0, MAX_STEPS).map((s) => link(md`"${s.name}"`, stepUrl(job, s))),
      ', ',
    );
    const more = steps.length > MAX_STEPS ? md` and ${steps.length - MAX_STEPS} more steps` : md``;
    const entry = [
      md`- Job ${link(job.name, job.html_url ?? undefined)} ${verdict}${steps.length ? md` at ${stepList}${more}` : md``}`,
      ...messages.map((message) => md`  - ${text(message)}`),
    ];
    const size = entry.reduce((n, line) => n + line.source.length + 1, 0);
    if (length + size > MAX_CHARS - 40) {
      lines.push(md`- and ${failed.length - index} more jobs (list cut short)`);
      return join(lines, '\n');
    }
    lines.push(...entry);
    length += size;
  }
  if (failed.length > MAX_JOBS) lines.push(md`- and ${failed.length - MAX_JOBS} more jobs`);
  return join(lines, '\n');
}
