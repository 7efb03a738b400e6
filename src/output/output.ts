/**
 * The one door to the runner. Operations get an `Output`, never the runner itself: every log
 * line, annotation, output and job summary goes through here, redacted of every secret and made
 * inert for the runner's command parser. Writing an output can fail (an unwritable
 * GITHUB_OUTPUT); that is an `OutputError` with a message for the log, never a stack.
 */
import type { Core } from '../runner/core.js';
import { inertAnnotation, inertText } from './commands.js';
import type { Markdown } from '../core/markdown.js';
import type { Redactor } from '../core/redact.js';

export class OutputError extends Error {
  override name = 'OutputError';
}

export class Output {
  /** Outputs written so far, so a later failure does not overwrite what is known to be true. */
  readonly written = new Map<string, string>();

  /**
   * @param outputs the outputs the job's action.yml declares: the only ones it may write (a step
   * output the runner was not told about would reach the workflow undocumented)
   */
  constructor(
    private readonly core: Core,
    readonly redactor: Redactor,
    private readonly env: Record<string, string | undefined>,
    private readonly outputs: readonly string[],
  ) {}

  /** Whether the job declares the output `name`. */
  declares(name: string): boolean {
    return this.outputs.includes(name);
  }

  /** Text as it may be shown: secrets redacted. */
  clean(text: string): string {
    return this.redactor.redact(text);
  }

  info(text: string): void {
    this.core.info(inertText(this.clean(text)));
  }

  debug(text: string): void {
    this.core.debug(inertText(this.clean(text)));
  }

  notice(text: string, title?: string): void {
    this.core.notice(this.annotation(text), this.properties(title));
  }

  warning(text: string, title?: string): void {
    this.core.warning(this.annotation(text), this.properties(title));
  }

  /** Fails the step with one error annotation. */
  fail(text: string): void {
    this.core.setFailed(this.annotation(text));
  }

  /** Logs a line and repeats it as a notice annotation. */
  announce(text: string, title: string): void {
    this.info(text);
    this.notice(text, title);
  }

  setOutput(name: string, value: string): void {
    if (!this.declares(name))
      throw new Error(`The action wrote the output "${name}", which its job does not declare (${this.outputs.join(', ')}).`);
    const clean = this.clean(value);
    try {
      this.core.setOutput(name, clean);
    } catch (error) {
      throw new OutputError(
        `Could not write the step output "${name}" (GITHUB_OUTPUT is ${JSON.stringify(this.env['GITHUB_OUTPUT'] ?? '')}): ${reason(error)}.`,
      );
    }
    this.written.set(name, clean);
  }

  /**
   * Appends to the job summary. A run without GITHUB_STEP_SUMMARY (a local run) skips it; a
   * summary that cannot be written is a warning, because the step's work is already done.
   */
  async summary(markdown: Markdown): Promise<void> {
    if (!this.env['GITHUB_STEP_SUMMARY']) {
      this.info('GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner), so no job summary was written.');
      return;
    }
    try {
      await this.core.summary.addRaw(this.clean(`${markdown.source}\n`)).write();
    } catch (error) {
      this.warning(`Could not write the job summary: ${reason(error)}`);
    }
  }

  private annotation(text: string): string {
    return inertAnnotation(this.clean(text));
  }

  private properties(title?: string): { title?: string } {
    return title === undefined ? {} : { title: this.annotation(title) };
  }
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
