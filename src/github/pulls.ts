/**
 * The pull request a run belongs to, for the incident's attachments: the event's own (a
 * `pull_request` event, or a watched run's first pull request), or else the merged pull request
 * that the commit belongs to (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`, which needs
 * `pull-requests: read`). Never fails the step: a 403, an outage, a slow GitHub or an answer of
 * another shape is a notice. It runs within the enrichment budget the step's optional lookups share.
 */
import type { Fetch } from '../core/fetch.js';
import { ENRICHMENT_BUDGET_MS } from '../core/time.js';
import type { Redactor } from '../core/redact.js';
import { id, integer, items, loose, object, text } from '../core/shape.js';
import { droppedNotice, explainGitHubError, githubApi, ownerRepo, readGitHub } from './api.js';
import type { PullRequest, RunContext } from './context.js';

/** A pull request is attached by its link: one without a number or a link is left out (and said). */
const PULLS = items(object({ number: integer, title: loose(text), html_url: id, merged_at: loose(text) }));

export async function pullRequestOf(
  token: string,
  run: RunContext,
  fetch: Fetch,
  redactor: Redactor,
  { timeoutMs = ENRICHMENT_BUDGET_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ pull?: PullRequest; notice?: string }> {
  if (run.pullRequest) return { pull: run.pullRequest };
  const where = ownerRepo(run);
  if (!token || !where || !/^[0-9a-f]{7,64}$/i.test(run.sha)) return {};
  const what = 'The incident was declared without its pull request attached';
  try {
    const limit = AbortSignal.timeout(timeoutMs);
    const api = await githubApi(token, run, fetch, signal ? AbortSignal.any([limit, signal]) : limit);
    const request = `GET /repos/${where.owner}/${where.repo}/commits/${run.sha}/pulls`;
    const { data } = await api.rest.repos.listPullRequestsAssociatedWithCommit({ ...where, commit_sha: run.sha, per_page: 10 });
    const { value, dropped } = readGitHub(PULLS, data as unknown, request);
    const merged = value.find((pull) => pull.merged_at);
    const notice = merged ? undefined : droppedNotice(what, request, dropped);
    return { ...(merged && { pull: { number: merged.number, title: merged.title, url: merged.html_url } }), ...(notice && { notice }) };
  } catch (error) {
    return {
      notice: explainGitHubError(error, {
        what,
        grant: 'Grant `permissions: { pull-requests: read }` on the job to attach it.',
        timeoutMs,
        redactor,
        apiUrl: run.apiUrl,
      }),
    };
  }
}
