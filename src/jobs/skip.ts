/**
 * Steps that do nothing on purpose, and say so: a `workflow_run` watcher asked to declare a
 * watched run that did not fail, or a fork's run asked to resolve. Nothing is sent (not even the
 * lookups), the step stays green, `skipped` is `true`, and a notice says why.
 */
import { foreignRun, GREEN_CONCLUSIONS, runPlace, type RunContext } from '../github/context.js';
import { card } from '../output/report.js';
import { md } from '../core/markdown.js';
import type { JobContext } from './job.js';

/** Skips the step with a notice; the caller returns right after. */
export async function skipStep(ctx: JobContext, message: string, title: string): Promise<void> {
  const { out } = ctx;
  out.notice(`Skipped: ${message} Nothing was sent.`, title);
  out.setOutput('skipped', 'true');
  if (out.declares('created')) out.setOutput('created', 'false');
  await out.summary(card(md`skipped`, [['Why', md`${message}`]]));
}

/**
 * Under `workflow_run`, why a watched run gives nothing to declare (or to fire an alert for): it
 * succeeded, was skipped or was neutral. Undefined for any other run, and for a watched run that
 * failed, timed out or was cancelled (each declared as what it was).
 */
export function nothingFailed(run: RunContext, what: string): string | undefined {
  if (!run.watcher || run.conclusion === undefined || !GREEN_CONCLUSIONS.includes(run.conclusion)) return undefined;
  return (
    `the watched run of "${run.workflow}" in ${runPlace(run)} ended with conclusion "${run.conclusion}", not a failure, so there is no ${what}. ` +
    "To run this step only for failures, guard it with `if: github.event.workflow_run.conclusion == 'failure'`."
  );
}

/** Why a resolve from this run is refused: a fork's run never ends what the repository's own runs started. */
export function refusedResolve(run: RunContext, what: string): string | undefined {
  const why = foreignRun(run);
  if (!why) return undefined;
  return (
    `${why}, and a fork's run never resolves ${what} declared from ${run.repository}'s own runs (its branch names are the fork's to choose). ` +
    'Guard the step with `if: github.event.workflow_run.head_repository.full_name == github.repository` ' +
    '(or, for a pull request, `github.event.pull_request.head.repo.full_name == github.repository`).'
  );
}

/**
 * Why a page (or a cancel of pages) from this run is refused: a fork's run never wakes the
 * repository's on-call, nor cancels what its own runs paged (its code, workflow and branch names
 * are the fork's to choose). The escalate job and the declare job's `escalation-path` share it.
 */
export function refusedPage(run: RunContext, what: 'page' | 'cancel'): string | undefined {
  const why = foreignRun(run);
  if (!why) return undefined;
  const never =
    what === 'cancel'
      ? `a fork's run never cancels what ${run.repository}'s own runs paged`
      : `a fork's run never pages ${run.repository}'s on-call (its code, workflow and branch names are the fork's to choose)`;
  return (
    `${why}, and ${never}. ` +
    'Guard the step with `if: github.event.workflow_run.head_repository.full_name == github.repository` ' +
    '(or, for a pull request, `github.event.pull_request.head.repo.full_name == github.repository`).'
  );
}
