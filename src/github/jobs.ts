/**
 * What failed: the run's failed and cancelled jobs, each with its link and failed steps, for
 * the incident text. Read with @octokit/rest, imported only when a token is given. It never
 * fails the step: without `actions: read`, or when GitHub is down or slow, the incident is
 * declared without the list and a notice says why.
 */
import type { FetchLike } from '../incident-io/client.js';
import { join, link, md, type Markdown } from '../output/markdown.js';
import type { Redactor } from '../output/redact.js';
import { serverText } from '../output/server-text.js';
import type { RunContext } from './context.js';
import { USER_AGENT } from '../version.js';

export interface JobStep {
  name: string;
  conclusion?: string | null;
}

export interface Job {
  name: string;
  status?: string;
  conclusion?: string | null;
  html_url?: string | null;
  steps?: JobStep[];
}

export interface FailedJobs {
  /** Markdown for the incident text; undefined when nothing failed or the jobs could not be read. */
  markdown?: Markdown;
  /** Set when the jobs could not be read: what to tell the user. */
  notice?: string;
}

/** GitHub gets this long to list the jobs; the create does not wait longer. */
export const JOBS_TIMEOUT_MS = 5_000;
const MAX_JOBS = 10;
const MAX_STEPS = 3;
const MAX_CHARS = 2_000;
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

export async function failedJobs(
  token: string,
  run: RunContext,
  fetch: FetchLike,
  redactor: Redactor,
  timeoutMs = JOBS_TIMEOUT_MS,
): Promise<FailedJobs> {
  const [owner, repo] = run.repository.split('/');
  if (!token || !owner || !repo || run.runId === undefined) return {};
  try {
    const { Octokit } = await import('@octokit/rest');
    const octokit = new Octokit({
      auth: token,
      baseUrl: run.apiUrl,
      userAgent: USER_AGENT,
      request: { fetch: (url: string, init: RequestInit) => fetch(url, init), signal: AbortSignal.timeout(timeoutMs) },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    const { data } = await octokit.rest.actions.listJobsForWorkflowRunAttempt({
      owner,
      repo,
      run_id: run.runId,
      attempt_number: run.runAttempt ?? 1,
      per_page: 100,
    });
    return { markdown: describeFailures(data.jobs) };
  } catch (error) {
    return { notice: explain(error, timeoutMs, redactor) };
  }
}

function explain(error: unknown, timeoutMs: number, redactor: Redactor): string {
  const failure = error as { status?: number; response?: unknown; cause?: { name?: string }; name?: string };
  // Octokit reports a request that got no answer as a RequestError with status 500 and no
  // response; only an error with a response is GitHub's own answer.
  const status = failure.response ? failure.status : undefined;
  const name = failure.cause?.name ?? failure.name;
  const what = 'The incident was declared without the list of failed jobs';
  if (status === 403 || status === 404) {
    return (
      `${what}: the GitHub token may not read this run's jobs (GitHub answered ${status}). ` +
      'Grant it with `permissions: { actions: read }` on the job (keep `contents: read` if you check out code), or set `github-token` to a token that has it.'
    );
  }
  if (name === 'TimeoutError' || name === 'AbortError') return `${what}: GitHub did not answer within ${timeoutMs / 1000} s.`;
  const message = serverText((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '', redactor, 300);
  return `${what}: ${status ? `GitHub answered ${status}: ${message}` : `GitHub could not be reached (${message})`}.`;
}

/** Bounded Markdown listing the failed and cancelled jobs; successful jobs are left out. Names are escaped. */
export function describeFailures(jobs: readonly Job[]): Markdown | undefined {
  const failed = jobs.filter(
    (job) =>
      FAILED.has(job.conclusion ?? '') || job.conclusion === 'cancelled' || (job.steps ?? []).some((s) => FAILED.has(s.conclusion ?? '')),
  );
  if (failed.length === 0) return undefined;
  const lines: Markdown[] = [md`**What failed**`];
  let length = lines[0]!.source.length;
  for (const [index, job] of failed.slice(0, MAX_JOBS).entries()) {
    const verdict = job.conclusion === 'cancelled' ? 'was cancelled' : job.conclusion === 'timed_out' ? 'timed out' : 'failed';
    const steps = (job.steps ?? []).filter((s) => FAILED.has(s.conclusion ?? '')).map((s) => s.name);
    const stepList = join(
      steps.slice(0, MAX_STEPS).map((s) => md`"${s}"`),
      ', ',
    );
    const more = steps.length > MAX_STEPS ? md` and ${steps.length - MAX_STEPS} more steps` : md``;
    const line = md`- Job ${link(job.name, job.html_url ?? undefined)} ${verdict}${steps.length ? md` at ${stepList}${more}` : md``}`;
    if (length + line.source.length + 1 > MAX_CHARS - 30) {
      lines.push(md`- and ${failed.length - index} more jobs (list cut short)`);
      return join(lines, '\n');
    }
    lines.push(line);
    length += line.source.length + 1;
  }
  if (failed.length > MAX_JOBS) lines.push(md`- and ${failed.length - MAX_JOBS} more jobs`);
  return join(lines, '\n');
}
