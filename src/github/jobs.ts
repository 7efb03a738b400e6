/**
 * What failed: the run's failed and cancelled jobs, each with its link, its failed steps (linked
 * to the step) and its failure annotations, the actual error messages. Read through the GitHub
 * API, only when a token is given, within the enrichment budget the jobs and their annotations
 * share with the step's other optional lookups. It never fails the step: without `actions: read`
 * or `checks: read`, when GitHub is down or slow, or when its answer is not of the shape read here,
 * the incident is declared with what could be read, and a notice says what not.
 */
import type { Fetch } from '../core/fetch.js';
import { ENRICHMENT_BUDGET_MS } from '../core/time.js';
import { join, link, md, text, type Markdown } from '../core/markdown.js';
import type { Redactor } from '../core/redact.js';
import { integer, items, loose, object, text as anyText, type Problem } from '../core/shape.js';
import { droppedNotice, explainGitHubError, githubApi, ownerRepo, readGitHub, type GitHubApi } from './api.js';
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
  /** Its failed steps (failed, timed out), in order. */
  steps: JobStep[];
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

/**
 * The shapes of GitHub's answers, as far as this module reads them (src/core/shape.ts). A job or a
 * step that is not an object, a step without a name, or a field of another type is left out and
 * said in a notice; a job without a name is shown by its ID. An answer that is not a page of
 * jobs at all, or annotations that are not a list, leave the incident without that part.
 */
const STEP = object({ name: anyText, conclusion: loose(anyText), number: loose(integer) });
const JOB = object({
  id: loose(integer),
  name: loose(anyText),
  status: loose(anyText),
  conclusion: loose(anyText),
  html_url: loose(anyText),
  started_at: loose(anyText),
  steps: loose(items(STEP)),
});
const JOBS_PAGE = object({ total_count: loose(integer), jobs: items(JOB) });
const ANNOTATIONS = items(object({ annotation_level: loose(anyText), message: loose(anyText) }));

const MAX_JOBS = 10;
const MAX_STEPS = 3;
const MAX_MESSAGES = 2;
const MAX_MESSAGE_CHARS = 240;
const MAX_CHARS = 2_000;
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);
/** The runner's own annotation for a failed step: it says nothing a responder can use. */
const GENERIC = /^Process completed with exit code \d+\.?$/;

export interface FailedJobsOptions {
  /** The time the jobs and their annotations get together (the enrichment budget), for the abort and the notice. */
  timeoutMs?: number;
  /** Aborts the lookups early: the shared enrichment budget, or the step being over. */
  signal?: AbortSignal;
  subject?: 'incident' | 'alert';
  /**
   * Called once the jobs are listed, before their annotations are read, with when the first
   * failed job started: a caller that needs it ("Impact started") can start its own lookup
   * then, alongside the annotations, instead of before (unneeded) or after (a round trip more).
   */
  onListed?: (firstFailureAt: string | undefined) => void;
}

export async function failedJobs(
  token: string,
  run: RunContext,
  fetch: Fetch,
  redactor: Redactor,
  { timeoutMs = ENRICHMENT_BUDGET_MS, signal, subject = 'incident', onListed }: FailedJobsOptions = {},
): Promise<FailedJobs> {
  const where = ownerRepo(run);
  if (!token || !where || run.runId === undefined) return { notices: [], failed: [] };
  const limit = AbortSignal.timeout(timeoutMs);
  const explain = { timeoutMs, redactor, apiUrl: run.apiUrl };
  let api: GitHubApi;
  let listed: { jobs: Job[]; notice?: string };
  try {
    api = await githubApi(token, run, fetch, signal ? AbortSignal.any([limit, signal]) : limit);
    listed = await listJobs(api, { ...where, run_id: run.runId, attempt_number: run.runAttempt ?? 1 }, subject);
  } catch (error) {
    onListed?.(undefined);
    const notice = explainGitHubError(error, {
      what:
        subject === 'alert'
          ? "The alert's description leaves out the failed jobs"
          : 'The incident was declared without the list of failed jobs',
      grant:
        'Grant `permissions: { actions: read }` on the job (keep `contents: read` if you check out code), or set `github-token` to a token that has it.',
      ...explain,
    });
    return { notices: [notice], failed: [] };
  }
  const failed = selectFailed(listed.jobs);
  const starts = failed.map((job) => Date.parse(job.started_at ?? '')).filter((t) => !Number.isNaN(t));
  const firstFailureAt = starts.length > 0 ? new Date(Math.min(...starts)).toISOString() : undefined;
  onListed?.(firstFailureAt);
  const { messages, notices } = await failureMessages(api, where, failed.slice(0, MAX_JOBS), { ...explain, subject });
  const withMessages = failed.map((job, i) => ({ job, steps: failedSteps(job), messages: messages[i] ?? [] }));
  return {
    markdown: describeFailures(withMessages),
    notices: [...(listed.notice ? [listed.notice] : []), ...notices],
    failed: withMessages,
    firstFailureAt,
  };
}

/** GitHub gives at most 100 jobs a page; a big matrix has more. The rest are read in parallel, up to a cap. */
const JOBS_PER_PAGE = 100;
export const MAX_JOB_PAGES = 5;

/**
 * Every job of the run's attempt, each once (a page that repeats another's jobs, as a list that
 * moved under the pages would, adds nothing), with a notice for what was left out.
 */
async function listJobs(
  api: GitHubApi,
  attempt: { owner: string; repo: string; run_id: number; attempt_number: number },
  subject: 'incident' | 'alert',
): Promise<{ jobs: Job[]; notice?: string }> {
  const request = `GET /repos/${attempt.owner}/${attempt.repo}/actions/runs/${attempt.run_id}/attempts/${attempt.attempt_number}/jobs`;
  const page = async (n: number) => {
    const { data } = await api.rest.actions.listJobsForWorkflowRunAttempt({ ...attempt, per_page: JOBS_PER_PAGE, page: n });
    return readGitHub(JOBS_PAGE, data as unknown, request);
  };
  const first = await page(1);
  const total = first.value.total_count ?? first.value.jobs.length;
  const pages = Math.min(MAX_JOB_PAGES, Math.ceil(total / JOBS_PER_PAGE));
  const rest =
    pages <= 1 || first.value.jobs.length < JOBS_PER_PAGE
      ? []
      : await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
  const read = [first, ...rest];
  const seen = new Set<number>();
  const jobs: Job[] = [];
  for (const job of read.flatMap((r) => r.value.jobs)) {
    if (job.id !== undefined && seen.has(job.id)) continue;
    if (job.id !== undefined) seen.add(job.id);
    jobs.push({ ...job, name: job.name || (job.id !== undefined ? `job ${job.id}` : 'a job without a name') });
  }
  const what =
    subject === 'alert'
      ? "The alert's description lists what could be read of the jobs"
      : 'The incident lists what could be read of the jobs';
  return {
    jobs,
    notice: droppedNotice(
      what,
      request,
      read.flatMap((r) => r.dropped),
    ),
  };
}

/** The failed, timed-out and cancelled jobs, and the running job once a step of it failed. */
export function selectFailed(jobs: readonly Job[]): Job[] {
  return jobs.filter((job) => FAILED.has(job.conclusion ?? '') || job.conclusion === 'cancelled' || failedSteps(job).length > 0);
}

/** A job's failed and timed-out steps, in order. */
export function failedSteps(job: Job): JobStep[] {
  return (job.steps ?? []).filter((s) => FAILED.has(s.conclusion ?? ''));
}

/**
 * Each job's failure annotations (the check-run annotations endpoint has no filter, so the
 * failure level is kept here), in parallel. One notice for all that could not be read, and one
 * for the parts left out.
 */
async function failureMessages(
  api: GitHubApi,
  where: { owner: string; repo: string },
  jobs: readonly Job[],
  { timeoutMs, redactor, apiUrl, subject }: { timeoutMs: number; redactor: Redactor; apiUrl: string; subject: 'incident' | 'alert' },
): Promise<{ messages: string[][]; notices: string[] }> {
  const results = await Promise.allSettled(
    jobs.map(async (job) => {
      if (job.id === undefined) return { value: [], dropped: [] as Problem[] };
      const request = `GET /repos/${where.owner}/${where.repo}/check-runs/${job.id}/annotations`;
      const { data } = await api.rest.checks.listAnnotations({ ...where, check_run_id: job.id, per_page: 50 });
      return { ...readGitHub(ANNOTATIONS, data as unknown, request), request };
    }),
  );
  const messages = results.map((result) =>
    result.status === 'fulfilled'
      ? result.value.value
          .filter((a) => a.annotation_level === 'failure' && a.message !== undefined && !GENERIC.test(a.message.trim()))
          .slice(0, MAX_MESSAGES)
          .map((a) => cut(a.message ?? ''))
      : [],
  );
  const subjectText = subject === 'alert' ? "alert's description" : 'incident';
  const notices: string[] = [];
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    notices.push(
      explainGitHubError(failure.reason, {
        what: `The ${subjectText} lists the failed jobs without their error messages`,
        grant: 'Grant `permissions: { checks: read }` on the job to include them.',
        timeoutMs,
        redactor,
        apiUrl,
      }),
    );
  }
  const partial = results.find((r) => r.status === 'fulfilled' && r.value.dropped.length > 0);
  if (partial?.status === 'fulfilled' && 'request' in partial.value) {
    const notice = droppedNotice(
      `The ${subjectText} quotes what could be read of the error messages`,
      partial.value.request,
      partial.value.dropped,
    );
    if (notice) notices.push(notice);
  }
  return { messages, notices };
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
  for (const [index, { job, steps, messages }] of failed.slice(0, MAX_JOBS).entries()) {
    const verdict = job.conclusion === 'cancelled' ? 'was cancelled' : job.conclusion === 'timed_out' ? 'timed out' : 'failed';
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
