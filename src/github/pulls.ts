/**
 * The pull request a run belongs to, for the incident's attachments: the event's own (a
 * `pull_request` event, or a watched run's first pull request), or else the merged pull request
 * that the commit belongs to (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`, which needs
 * `pull-requests: read`). Never fails the step: a 403, an outage or a slow GitHub is a notice.
 */
import type { FetchLike } from '../incident-io/client.js';
import type { Redactor } from '../output/redact.js';
import { explainGitHubError, githubApi, ownerRepo } from './api.js';
import type { PullRequest, RunContext } from './context.js';

export const PULLS_TIMEOUT_MS = 5_000;

export async function pullRequestOf(
  token: string,
  run: RunContext,
  fetch: FetchLike,
  redactor: Redactor,
  { timeoutMs = PULLS_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ pull?: PullRequest; notice?: string }> {
  if (run.pullRequest) return { pull: run.pullRequest };
  const where = ownerRepo(run);
  if (!token || !where || !/^[0-9a-f]{7,64}$/i.test(run.sha)) return {};
  try {
    const limit = AbortSignal.timeout(timeoutMs);
    const api = await githubApi(token, run, fetch, signal ? AbortSignal.any([limit, signal]) : limit);
    const { data } = await api.rest.repos.listPullRequestsAssociatedWithCommit({ ...where, commit_sha: run.sha, per_page: 10 });
    const merged = data.find((pull) => pull.merged_at && typeof pull.html_url === 'string');
    return merged ? { pull: { number: merged.number, title: merged.title, url: merged.html_url } } : {};
  } catch (error) {
    return {
      notice: explainGitHubError(error, {
        what: 'The incident was declared without its pull request attached',
        grant: 'Grant `permissions: { pull-requests: read }` on the job to attach it.',
        timeoutMs,
        redactor,
        apiUrl: run.apiUrl,
      }),
    };
  }
}
