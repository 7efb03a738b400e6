// src/core/: the primitives every floor may use: object guards and answer shapes, errors, redaction, Markdown, server text, time, the fetch type, suggestions, the version. It imports nothing of the action.
/**
 * Error types the action reports. Each message is written for the person reading the
 * workflow log: it says what was wrong and what to change.
 */

/** A bad input: found before any request is sent. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * A bad setting of the runner's host (a proxy variable), not of the step: found before any
 * request like an input error, but under `fail-on-error: false` it is a warning, as a network
 * fault would be, since the workflow's author may not control the host.
 */
export class RunnerSetupError extends InputError {
  override name = 'RunnerSetupError';
}

/** incident.io (or the network on the way to it) failed a request. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status?: number,
    readonly type?: string,
    readonly requestId?: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/**
 * An ApiError with what did and did not happen said around incident.io's words: `before` put
 * first ("Nothing was changed on INC-7: …"), `after` last; the same status, type, request id
 * and body, so a caller can still tell what failed. Any other error (an input error, a bug) is
 * returned as it is, as is an ApiError when both are empty.
 */
export function withContext(error: unknown, before: string, after = ''): unknown {
  if (!(error instanceof ApiError) || (before === '' && after === '')) return error;
  const message = [before, error.message, after].filter((part) => part !== '').join(' ');
  return new ApiError(message, error.status, error.type, error.requestId, error.body);
}

/** Lists values for a message: `"a", "b", "c"`. */
export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/**
 * Like Promise.all, but waits for every task and then reports every input error together
 * (or else the first other error), so a user fixes all their names in one go.
 */
export async function settleAll<T extends readonly unknown[]>(tasks: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(tasks);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const inputErrors = errors.filter((e): e is InputError => e instanceof InputError);
  if (inputErrors.length > 0) throw new InputError(inputErrors.map((e) => e.message).join('\n'));
  if (errors.length > 0) throw oneRefusal(errors)[0];
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/**
 * The failures of parallel requests with every 401 after the first left out: a key incident.io
 * refuses fails every lookup the same way, and its advice (which input, which secret, which page)
 * is said once. Other failures keep their order, after that one 401 when there is one: nothing
 * else can be fixed while the key is refused.
 */
export function oneRefusal(errors: readonly unknown[]): unknown[] {
  const refused = errors.find((e) => e instanceof ApiError && e.status === 401);
  if (refused === undefined) return [...errors];
  return [refused, ...errors.filter((e) => !(e instanceof ApiError && e.status === 401))];
}

/** Runs each step and returns their results, or throws every input error they raised, together. */
export function collectInputErrors<T>(steps: readonly (() => T)[]): T[] {
  const results: T[] = [];
  const errors: InputError[] = [];
  for (const step of steps) {
    try {
      results.push(step());
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new InputError(errors.map((e) => e.message).join('\n'));
  return results;
}
