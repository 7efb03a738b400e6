// src/runner/: the runner interface the action is given, and the light implementation built on @actions/core.
/**
 * The runner interface for the bundle, built from `@actions/core`'s own command modules.
 *
 * Why not `import * as core from '@actions/core'`: its entry module also loads the OIDC client,
 * which pulls in @actions/http-client and undici, module loading on every run for a feature this
 * action never uses. What that costs each run, and what this runner saves, is measured by
 * `npm run bench:runner` and recorded in docs/performance.md ("Not loading undici through
 * `@actions/core`"). Re-measure when @actions/core changes.
 *
 * The workflow command encoding and file commands below are @actions/core's own code; only the
 * few one-line wrappers from its entry module are restated here, with the same behaviour. So is
 * the job summary's `addRaw` and `write`: @actions/core's Summary class is mostly HTML builders
 * this action does not use, and its write goes through fs/promises; appending synchronously
 * writes the same file and keeps both out of every run (docs/performance.md, "Lazy `import()`").
 * __tests__/runner/runner.test.ts runs each of them and its @actions/core counterpart on the same
 * (hostile) inputs and compares what they write; package.json pins @actions/core exactly and
 * Dependabot proposes its updates alone, so that test checks every new version.
 * `#actions-core/*` maps to `node_modules/@actions/core/lib/*` (tsconfig paths, used by ncc;
 * jest's moduleNameMapper).
 */
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { issueCommand } from '#actions-core/command.js';
import { issueFileCommand, prepareKeyValueMessage } from '#actions-core/file-command.js';
import { toCommandProperties, toCommandValue } from '#actions-core/utils.js';
import type { AnnotationProperties, Core } from './core.js';

const summary = lightSummary();

export const runner: Core = {
  getInput: (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
  setSecret: (secret) => issueCommand('add-mask', {}, secret),
  setOutput(name, value) {
    if (process.env['GITHUB_OUTPUT']) {
      issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    } else {
      process.stdout.write(EOL);
      issueCommand('set-output', { name }, toCommandValue(value));
    }
  },
  info: (message) => void process.stdout.write(message + EOL),
  debug: (message) => issueCommand('debug', {}, message),
  notice: (message, properties: AnnotationProperties = {}) => issueCommand('notice', toCommandProperties(properties), message),
  warning: (message, properties: AnnotationProperties = {}) => issueCommand('warning', toCommandProperties(properties), message),
  setFailed(message) {
    process.exitCode = 1;
    issueCommand('error', {}, message);
  },
  summary,
};

/**
 * As @actions/core's summary.addRaw() and summary.write(): the same errors, an append, and the
 * buffer emptied once written.
 */
function lightSummary() {
  let buffer = '';
  const summary = {
    addRaw(text: string) {
      buffer += text;
      return summary;
    },
    write(): Promise<unknown> {
      const path = process.env['GITHUB_STEP_SUMMARY'];
      if (!path) {
        return Promise.reject(
          new Error(
            'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
          ),
        );
      }
      try {
        appendFileSync(path, buffer, { encoding: 'utf8' });
      } catch {
        return Promise.reject(new Error(`Unable to access summary file: '${path}'. Check if the file has correct read/write permissions.`));
      }
      buffer = '';
      return Promise.resolve(summary);
    },
  };
  return summary;
}
