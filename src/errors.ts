/**
 * Error types the action reports. Each message is written for the person reading the
 * workflow log: it says what was wrong and what to change.
 */

/** A bad input: found before any request is sent. */
export class InputError extends Error {
  override name = 'InputError';
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

/** Lists values for a message: `"a", "b", "c"`. */
export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}
