/**
 * What the sandbox does some time after a request: a route opening an incident for an alert, a
 * Slack channel appearing. Nothing runs on a timer: each task runs, in order of its time, at the
 * first request (or accessor call) at or after that time, so a test that waits and then asks
 * sees it done, and reset() simply drops what is pending.
 */

/** Runs `run(state)` at `at` (ms since the epoch) or at the first request after it. */
export function defer(state, at, run) {
  state.deferred.push({ at, run });
}

/** Runs every task that is due, earliest first; a task may defer another. */
export function runDue(state, now = Date.now()) {
  for (;;) {
    let next = -1;
    state.deferred.forEach((task, i) => {
      if (task.at <= now && (next < 0 || task.at < state.deferred[next].at)) next = i;
    });
    if (next < 0) return;
    const [task] = state.deferred.splice(next, 1);
    task.run(state);
  }
}
