/**
 * Every key the action derives from the run, in one place: the declaration's idempotency key,
 * an alert's deduplication key, an incident update's idempotency key, and the tokens of the
 * `incident-key` marker. Each is stable across re-runs of what it names, and a fork's run has
 * keys of its own (a fork's branch called `main` is not the repository's `main`).
 */
import { InputError } from '../core/errors.js';
import { hashHex } from '../core/keys.js';
import type { RunContext } from './context.js';

/**
 * One incident per workflow run: the key names the repository and run ID but not the
 * attempt, so re-running a failed workflow finds the incident the first attempt opened.
 */
export function defaultIdempotencyKey(run: RunContext): string {
  if (!run.repository || run.runId === undefined) {
    throw new InputError(
      'Input "idempotency-key" is empty, and no default can be derived because GITHUB_REPOSITORY or GITHUB_RUN_ID is not set ' +
        '(is this running outside GitHub Actions?). Set "idempotency-key" to a value that is stable across retries.',
    );
  }
  return `github-actions/${run.repository}/runs/${run.runId}`;
}

/**
 * Stable across runs of one workflow on one ref: `github-actions/<owner>/<repo>/<workflow>/<ref>`.
 * A fork's run names the fork and its branch instead of the ref
 * (`github-actions/acme/shop/Deploy/mallory/shop:main`): a ref always starts with `refs/`, so a
 * fork's key never equals one of the repository's own.
 */
export function defaultDeduplicationKey(run: RunContext): string {
  if (!run.repository || !run.workflow || !run.ref) {
    throw new InputError(
      'Input "deduplication-key" is empty, and no default can be derived because GITHUB_REPOSITORY, GITHUB_WORKFLOW or GITHUB_REF is not set ' +
        '(is this running outside GitHub Actions?). Set "deduplication-key" to a value that names what is failing.',
    );
  }
  const where = run.fork ? `${run.fork.repository}:${run.fork.branch}` : run.ref;
  return `github-actions/${run.repository}/${run.workflow}/${where}`;
}

/**
 * The key: repository, run ID, job, step (GITHUB_ACTION), incident, and a hash of `what` (the
 * message as the user wrote it and any status or severity it moves to). No attempt, and not the
 * run link the action appends, so a re-run of the step lands on the same update.
 */
export function incidentUpdateKey(run: RunContext, incidentId: string, what: string): string {
  const hash = hashHex(what, 20);
  const where = [run.repository || 'local', 'runs', run.runId ?? 'none', run.job || 'job', run.step || 'step'].join('/');
  return `github-actions/${where}/incidents/${incidentId}/updates/${hash}`;
}

/** Whose key it is: the repository, and the fork a fork's run came from. */
export interface KeyScope {
  repository: string;
  /** "mallory/shop", for a run whose head repository is not `repository`. */
  fork?: string;
}

/** The scope of a run's keys: its repository, and its fork when it is a fork's run. */
export function keyScope(run: { repository: string; fork?: { repository: string } }): KeyScope {
  return run.fork ? { repository: run.repository, fork: run.fork.repository } : { repository: run.repository };
}

/**
 * The key's token. A fork's key is hashed with the fork's name, so a fork's branch called
 * `main` never shares a token with the repository's own `main`. The repository's own keys hash
 * exactly as they always have; a fork's hash a JSON list, which starts with `[` where the other
 * form starts with a repository name, so the two forms never collide, whatever the key holds.
 */
export function keyToken(scope: KeyScope, key: string): string {
  const input = scope.fork ? JSON.stringify([scope.repository, key, scope.fork.toLowerCase()]) : `${scope.repository}\n${key}`;
  return `iokey-${hashHex(input, 24)}`;
}

/** The token of the run that declared an incident: its create's idempotency key, hashed. */
export function runToken(idempotencyKey: string): string {
  return `iorun-${hashHex(idempotencyKey, 12)}`;
}
