/**
 * Jest's test environment for every test file (jest.config.js): Node's, plus one thing. When a
 * test fails, what the action printed in it goes into the failure report, beside the assertion:
 * each run's exit code, time, stdout and stderr. A test that runs the action therefore says why
 * a run failed without a single line of its own, and one that fails only on a busy machine, once
 * in thirty runs, says it the first time.
 *
 * scripts/run-action.mjs records every run in `globalThis.__actionRuns__` when that list exists;
 * this environment creates it for each test and reads it when the test is done. With more than
 * MAX_SHOWN runs (the load test), it shows the runs that exited non-zero, else the first few.
 */
import { TestEnvironment } from 'jest-environment-node';

const MAX_SHOWN = 3;
/** Each stream is shown up to this many characters, its end (where the error is) kept. */
const MAX_STREAM = 6_000;

export default class ActionTestEnvironment extends TestEnvironment {
  handleTestEvent(event) {
    if (event.name === 'test_start') this.global.__actionRuns__ = [];
    if (event.name === 'test_done') {
      const runs = this.global.__actionRuns__ ?? [];
      this.global.__actionRuns__ = undefined;
      if (event.test.errors.length > 0 && runs.length > 0) {
        const report = describeRuns(runs);
        const error = new Error(report);
        error.stack = report;
        event.test.errors.push(error);
      }
    }
  }
}

/** The runs of a failed test, as text for its report. */
export function describeRuns(runs) {
  const failed = runs.filter((run) => run.code !== 0);
  const shown = runs.length <= MAX_SHOWN ? runs : (failed.length > 0 ? failed : runs).slice(0, MAX_SHOWN * 2);
  const lines = [
    `The action ran ${runs.length} time${runs.length === 1 ? '' : 's'} in this test` +
      (failed.length > 0 ? `, ${failed.length} exiting non-zero` : '') +
      (shown.length < runs.length ? `; ${shown.length} shown:` : ':'),
  ];
  for (const run of shown) {
    const number = runs.indexOf(run) + 1;
    const exit = run.timedOut ? `killed after ${seconds(run.ms)}, still running` : `exit ${run.code} after ${seconds(run.ms)}`;
    lines.push('', `── run ${number}: ${exit}; inputs ${run.label}`);
    for (const stream of ['stdout', 'stderr']) {
      const text = run[stream].trimEnd();
      if (text === '') continue;
      const cut = text.length > MAX_STREAM ? `… (${text.length - MAX_STREAM} characters before)\n${text.slice(-MAX_STREAM)}` : text;
      lines.push(`── ${stream}:`, cut);
    }
  }
  return lines.join('\n');
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
