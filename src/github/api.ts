/**
 * The GitHub REST client the action uses (jobs, annotations, pull requests): @octokit/rest,
 * imported only when a run needs it, with the action's fetch (so a proxy applies), its user
 * agent, one abort signal for the time limit, and no logging of its own. GitHub's errors are
 * explained here in one way: "GitHub answered 403" only for an answer, "could not be reached"
 * for no answer, and an answer of an unexpected shape (read through src/core/shape.ts by `readGitHub`)
 * as what it was, naming the request.
 */
import { describeNetworkError, type Fetch } from '../core/fetch.js';
import type { Redactor } from '../core/redact.js';
import { serverText } from '../core/server-text.js';
import { check, describeProblems, type Problem, type Shape } from '../core/shape.js';
import { USER_AGENT } from '../core/version.js';
import type { RunContext } from './context.js';

export type GitHubApi = InstanceType<(typeof import('@octokit/rest'))['Octokit']>;

export async function githubApi(token: string, run: RunContext, fetch: Fetch, signal: AbortSignal): Promise<GitHubApi> {
  const { Octokit } = await import('@octokit/rest');
  return new Octokit({
    auth: token,
    baseUrl: run.apiUrl,
    userAgent: USER_AGENT,
    request: { fetch: (url: string, init: RequestInit) => fetch(url, init), signal },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** A GitHub answer the action could not read at all: a notice names the request and what was wrong. */
export class GitHubAnswerError extends Error {
  override name = 'GitHubAnswerError';
  constructor(
    readonly request: string,
    readonly problems: readonly Problem[],
  ) {
    super(`GitHub's answer to ${request} is not what the action reads (${describeProblems(problems)})`);
  }
}

/**
 * A GitHub answer's `data` read as `shape`: the value and what was left out of it (see
 * src/core/shape.ts), or a GitHubAnswerError naming `request` ("GET /repos/acme/shop/…/jobs").
 * Octokit hands over text for an answer that is not JSON (an HTML page with a 200), so that is
 * caught here too.
 */
export function readGitHub<T>(shape: Shape<T>, data: unknown, request: string): { value: T; dropped: Problem[] } {
  const result = check(shape, data);
  if (!result.ok) throw new GitHubAnswerError(request, result.problems);
  return { value: result.value, dropped: result.dropped };
}

/** A notice for the parts of GitHub's answers that were left out, or undefined when nothing was. */
export function droppedNotice(what: string, request: string, dropped: readonly Problem[]): string | undefined {
  if (dropped.length === 0) return undefined;
  return `${what}: GitHub's answer to ${request} had parts the action could not read, and they were left out (${describeProblems(dropped)}).`;
}

/** "owner" and "repo" of the run's repository, or undefined outside GitHub Actions. */
export function ownerRepo(run: RunContext): { owner: string; repo: string } | undefined {
  const [owner, repo, ...rest] = run.repository.split('/');
  return owner && repo && rest.length === 0 ? { owner, repo } : undefined;
}

/** GitHub's own status for an error, when GitHub answered (Octokit reports "no answer" as 500 without a response). */
export function answeredStatus(error: unknown): number | undefined {
  const failure = error as { status?: number; response?: unknown };
  return failure.response ? failure.status : undefined;
}

/**
 * Why a GitHub call failed, for a notice: `what` says what is missing ("The incident was declared
 * without the list of failed jobs"), `grant` what to give the token on a 403 or 404.
 */
export function explainGitHubError(
  error: unknown,
  { what, grant, timeoutMs, redactor, apiUrl }: { what: string; grant: string; timeoutMs: number; redactor: Redactor; apiUrl: string },
): string {
  if (error instanceof GitHubAnswerError) return `${what}: ${error.message}.`;
  const status = answeredStatus(error);
  const failure = error as { cause?: { name?: string }; name?: string };
  const name = failure.cause?.name ?? failure.name;
  if (status === 403 || status === 404) {
    return `${what}: the GitHub token may not read it (GitHub answered ${status}). ${grant}`;
  }
  if (name === 'TimeoutError' || name === 'AbortError') return `${what}: GitHub did not answer within ${timeoutMs / 1000} s.`;
  if (status) {
    const message = serverText((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '', redactor, 300);
    return `${what}: GitHub answered ${status}: ${message}.`;
  }
  // No answer: say which host, and which proxy when one was used (Octokit keeps fetch's error as its cause).
  const cause = (error as { cause?: unknown }).cause ?? error;
  return `${what}: the action ${serverText(describeNetworkError(cause, timeoutMs, hostOf(apiUrl)), redactor, 300)}.`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'GitHub';
  }
}
