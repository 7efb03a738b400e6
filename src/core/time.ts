/**
 * Time, as the action is given it and bounds its work: the clock (passed in, so tests need no
 * timers), the deadlines every request and wait is held to, and how a duration is said.
 */

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** A point in time (clock ms) no attempt may start after, and how to name it in a message. */
export interface Deadline {
  at: number;
  /** e.g. "the 120 s deadline for the lookups and the create" */
  name: string;
}

/** One deadline for every request and page up to the confirmed write. */
export const WRITE_DEADLINE_MS = 120_000;
/** Work after the write (attachments, reads for the summary) gets its own, shorter one. */
export const AFTER_WRITE_DEADLINE_MS = 20_000;
/**
 * Lookups that only enrich the write (the failed jobs and their annotations, the pull request,
 * the timestamps list when only "Impact started" needs it) share this budget, counted from the
 * start of the step's lookups. No such lookup holds the write past it, and no wait a server
 * asks for (Retry-After) is honoured beyond it.
 */
export const ENRICHMENT_BUDGET_MS = 3_000;

/** A duration for a message: "2.5 s", "12 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
