/**
 * How the bundle ends: explicitly, once the outcome is reported. Nothing left running (a socket a
 * proxy never answered, a timer, a library's keep-alive) may hold the step open until the job's
 * timeout, so index.ts does not wait for Node to find the event loop empty: it sets the exit code,
 * waits until stdout and stderr have handed every line to the OS, and calls process.exit.
 *
 * The wait matters. On a pipe, which is what the runner reads, a write that does not fit in the
 * pipe's buffer is queued in the process and written later; process.exit drops that queue, so
 * the last line, the error that says why the step failed, would be lost exactly when the log is
 * longest. A write's callback runs once it has been handed over, and writes are handed over in
 * order, so an empty write's callback marks the point where everything before it has gone.
 * Each wait is bounded (FLUSH_LIMIT_MS): a reader that stopped reading cannot keep the step alive.
 */

/** The part of a writable stream this needs (process.stdout and process.stderr). */
export interface Flushable {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export interface Exit {
  streams: readonly Flushable[];
  exit: (code: number) => void;
  setTimer?: (callback: () => void, ms: number) => unknown;
}

/** How long to wait for the streams before exiting anyway. */
export const FLUSH_LIMIT_MS = 10_000;

/** Resolves with `promise`'s outcome ignored, or after `ms`, whichever comes first. */
export function within(promise: Promise<unknown>, ms: number, setTimer: Exit['setTimer'] = setTimeout): Promise<void> {
  return new Promise((resolve) => {
    setTimer(resolve, ms);
    promise.then(
      () => resolve(),
      () => resolve(),
    );
  });
}

/** Resolves once everything written so far to each stream has been handed to the OS (or has failed). */
export function flushed(streams: readonly Flushable[]): Promise<void> {
  return Promise.all(
    streams.map(
      (stream) =>
        new Promise<void>((resolve) => {
          try {
            stream.write('', () => resolve());
          } catch {
            resolve();
          }
        }),
    ),
  ).then(() => {});
}

/** Waits for the streams (at most FLUSH_LIMIT_MS), then exits with `code`. */
export async function exitWhenFlushed(code: number, { streams, exit, setTimer = setTimeout }: Exit): Promise<void> {
  await within(flushed(streams), FLUSH_LIMIT_MS, setTimer);
  exit(code);
}
