/**
 * GitHub's REST API under /github: a run's jobs, a check run's annotations and a commit's pull
 * requests. Each endpoint has a mode in `state.githubModes`: 'ok', 'forbidden' (403), 'error'
 * (500), or one of the malformed answers below (MALFORMED), each a 200 whose body is not of the
 * shape GitHub documents, for the tests that the action still declares the incident. Errors in
 * GitHub's format.
 */
import { githubErrorReply } from './common.mjs';

const DOCS = {
  jobs: 'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt',
  annotations: 'https://docs.github.com/rest/checks/runs#list-check-run-annotations',
  pulls: 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
};

const HTML = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>';
const html = () => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, raw: HTML });
const body = (value) => ({ status: 200, headers: {}, body: value });

/** What the malformed modes do to each endpoint's answer: (the real body) -> a reply. */
const MALFORMED = {
  jobs: {
    html,
    null: () => body(null),
    empty: () => ({ status: 200, headers: { 'content-type': 'application/json' }, raw: '' }),
    list: (real) => body(real.jobs),
    'jobs-object': (real) => body({ total_count: real.total_count, jobs: { ...real.jobs } }),
    'jobs-null': (real) => body({ total_count: real.total_count, jobs: null }),
    nameless: (real) => body({ ...real, jobs: real.jobs.map((job) => ({ ...job, name: undefined })) }),
    'null-job': (real) => body({ ...real, jobs: [null, ...real.jobs] }),
    'null-step': (real) => body({ ...real, jobs: real.jobs.map((job) => ({ ...job, steps: [null, ...(job.steps ?? [])] })) }),
    'steps-object': (real) => body({ ...real, jobs: real.jobs.map((job) => ({ ...job, steps: { first: job.steps?.[0] } })) }),
    'wrong-types': (real) =>
      body({
        total_count: String(real.total_count),
        jobs: real.jobs.map((job) => ({ ...job, id: String(job.id), conclusion: 1, html_url: 42, started_at: false, name: ['x'] })),
      }),
    /** Every page is the first again (see listJobs), full, and the count says there are thousands: a listing that never ends. */
    'repeat-pages': (real) =>
      body({
        total_count: 10_000,
        jobs: real.jobs.concat(
          Array.from({ length: 100 - real.jobs.length }, (_, i) => ({ ...real.jobs[0], id: 900_000 + i, conclusion: 'success' })),
        ),
      }),
  },
  annotations: {
    html,
    null: () => body(null),
    object: (real) => body({ annotations: real }),
    'null-items': (real) => body([null, ...real]),
    'wrong-types': (real) => body(real.map((a) => ({ ...a, message: { text: a.message }, annotation_level: 3 }))),
  },
  pulls: {
    html,
    null: () => body(null),
    object: (real) => body({ pull_requests: real }),
    'wrong-types': (real) => body(real.map((p) => ({ ...p, number: String(p.number), html_url: null }))),
  },
};

/** Every mode each endpoint takes. */
export const GITHUB_MODES = Object.fromEntries(
  Object.entries(MALFORMED).map(([endpoint, modes]) => [endpoint, ['ok', 'forbidden', 'error', ...Object.keys(modes)]]),
);

/** The reply with the endpoint's malformed mode applied to it (errors pass as they are). */
function shaped(state, endpoint, reply) {
  const malform = MALFORMED[endpoint][state.githubModes[endpoint]];
  if (!malform || reply.status !== 200) return reply;
  const malformed = malform(reply.body);
  return { ...malformed, headers: { ...reply.headers, ...malformed.headers } };
}

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
  // 'repeat-pages': whatever page is asked for, the first comes back.
  const asked = state.githubModes.jobs === 'repeat-pages' ? { ...request, query: { ...request.query, page: '1' } } : request;
  const { headers, items } = pageOf(all, asked);
  return shaped(state, 'jobs', { status: 200, headers, body: { total_count: all.length, jobs: items } });
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
  return shaped(state, 'annotations', { status: 200, headers, body: items });
}

/** The pull requests of commit `sha`: `state.pullsBySha[sha]`, else `state.pulls`. */
function listPulls(state, request) {
  const refused = modeReply(state, 'pulls');
  if (refused) return refused;
  const { headers, items } = pageOf(state.pullsBySha[request.params.sha] ?? state.pulls, request);
  return shaped(state, 'pulls', { status: 200, headers, body: items });
}

/** Route key -> { auth, handle } for GitHub. */
export const githubRoutes = {
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs': { auth: 'github', handle: listJobs },
  'GET /github/repos/:owner/:repo/actions/runs/:run_id/jobs': { auth: 'github', handle: listJobs },
  'GET /github/repos/:owner/:repo/check-runs/:id/annotations': { auth: 'github', handle: listAnnotations },
  'GET /github/repos/:owner/:repo/commits/:sha/pulls': { auth: 'github', handle: listPulls },
};
