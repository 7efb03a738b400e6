/**
 * GitHub's REST API under /github: a run's jobs, a check run's annotations and a commit's pull
 * requests. Each endpoint has a mode in `state.githubModes` ('ok' | 'forbidden' | 'error').
 * Errors in GitHub's format.
 */
import { githubErrorReply } from './common.mjs';

const DOCS = {
  jobs: 'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt',
  annotations: 'https://docs.github.com/rest/checks/runs#list-check-run-annotations',
  pulls: 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
};

/** The 403 or 500 that the endpoint's mode asks for, or undefined when it is 'ok'. */
function modeReply(state, endpoint) {
  const mode = state.githubModes[endpoint];
  if (mode === 'forbidden') return githubErrorReply(403, 'Resource not accessible by integration', DOCS[endpoint]);
  if (mode === 'error') return githubErrorReply(500, 'Server Error');
  return undefined;
}

/** One page of `items` per `per_page` (default 30, max 100) and `page`, with GitHub's Link header. */
function pageOf(items, { query, path, host }) {
  const perPage = Math.min(Math.max(Number.parseInt(query.per_page, 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(query.page, 10) || 1, 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const headers = {};
  if (page < last) {
    const link = (p) => `<http://${host}${path}?per_page=${perPage}&page=${p}>`;
    headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
  }
  return { headers, items: items.slice((page - 1) * perPage, page * perPage) };
}

/** The jobs of run `run_id`: `state.jobsByRun[run_id]`, else `state.jobs` (the attempt is not told apart). */
function listJobs(state, request) {
  const refused = modeReply(state, 'jobs');
  if (refused) return refused;
  const all = state.jobsByRun[request.params.run_id] ?? state.jobs;
  const { headers, items } = pageOf(all, request);
  return { status: 200, headers, body: { total_count: all.length, jobs: items } };
}

/** A job's check run has the job's ID: its annotations come from `state.annotations[id]`; an unknown ID is a 404. */
function listAnnotations(state, request) {
  const refused = modeReply(state, 'annotations');
  if (refused) return refused;
  const id = request.params.id;
  const jobs = [...state.jobs, ...Object.values(state.jobsByRun).flat()];
  const annotations = state.annotations[id] ?? (jobs.some((j) => String(j.id) === id) ? [] : undefined);
  if (!annotations) return githubErrorReply(404, 'Not Found', DOCS.annotations);
  const { headers, items } = pageOf(annotations, request);
  return { status: 200, headers, body: items };
}

/** The pull requests of commit `sha`: `state.pullsBySha[sha]`, else `state.pulls`. */
function listPulls(state, request) {
  const refused = modeReply(state, 'pulls');
  if (refused) return refused;
  const { headers, items } = pageOf(state.pullsBySha[request.params.sha] ?? state.pulls, request);
  return { status: 200, headers, body: items };
}

/** Route key -> { auth, handle } for GitHub. */
export const githubRoutes = {
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs': { auth: 'github', handle: listJobs },
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/jobs': { auth: 'github', handle: listJobs },
  'GET /github/repos/:owner/:repo/check-runs/:id/annotations': { auth: 'github', handle: listAnnotations },
  'GET /github/repos/:owner/:repo/commits/:sha/pulls': { auth: 'github', handle: listPulls },
};
