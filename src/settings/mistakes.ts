/**
 * Collects the mistakes found while reading the inputs, one message each, instead of stopping at
 * the first: a user fixes every input in one go. A mistake in one input does not stop the others
 * from being read, or (see `src/jobs/check.ts`) their names from being looked up.
 */
import { InputError } from '../core/errors.js';

export class Mistakes {
  /** One message per mistake, each naming its input, in the order they were found. */
  readonly messages: string[] = [];
  /** The inputs with a mistake. */
  readonly inputs = new Set<string>();

  add(input: string, message: string): void {
    this.messages.push(message);
    this.inputs.add(input);
  }

  /**
   * Runs `read`; an InputError from it is recorded against `input`, and `fallback` stands in for
   * the value. Any other error is a bug and goes on up.
   */
  take<T>(input: string, fallback: T, read: () => T): T {
    try {
      return read();
    } catch (error) {
      this.record(input, error);
      return fallback;
    }
  }

  async takeAsync<T>(input: string, fallback: T, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.record(input, error);
      return fallback;
    }
  }

  /** Whether any of `inputs` has a mistake. */
  any(...inputs: string[]): boolean {
    return inputs.some((input) => this.inputs.has(input));
  }

  private record(input: string, error: unknown): void {
    if (!(error instanceof InputError)) throw error;
    this.add(input, error.message);
  }
}
