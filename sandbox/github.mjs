/**
 * GitHub's REST API under /github: list jobs for a workflow run (attempt). Errors in GitHub's format.
 */
import { githubErrorReply } from './common.mjs';

function listJobs(state, { query, path, host }) {
  if (state.githubMode === 'forbidden') {
    return githubErrorReply(
      403,
      'Resource not accessible by integration',
      'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt',
    );
  }
  if (state.githubMode === 'error') return githubErrorReply(500, 'Server Error');
  const perPage = Math.min(Math.max(Number.parseInt(query.per_page, 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(query.page, 10) || 1, 1);
  const jobs = state.jobs.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(state.jobs.length / perPage));
  const headers = {};
  if (page < last) {
    const link = (p) => `<http://${host}${path}?per_page=${perPage}&page=${p}>`;
    headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
  }
  return { status: 200, headers, body: { total_count: state.jobs.length, jobs } };
}

/** Route key -> { auth, handle } for GitHub. */
export const githubRoutes = {
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs': { auth: 'github', handle: listJobs },
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/jobs': { auth: 'github', handle: listJobs },
};
