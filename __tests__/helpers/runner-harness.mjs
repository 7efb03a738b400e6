/**
 * Child process for __tests__/runner/runner.test.ts: runs a list of runner calls against one
 * implementation and records what each one wrote, so the test can compare the light runner
 * (src/runner/runner.ts) with the real `@actions/core` call by call.
 *
 *   node __tests__/helpers/runner-harness.mjs <core | runner module URL> <scenarios.json> <result.json>
 *
 * For each scenario { call, args, env, outputFile }: sets the INPUT_* variables in env, points
 * GITHUB_OUTPUT at a fresh file (or unsets it), captures process.stdout.write, makes the call and
 * records its return value, stdout, the GITHUB_OUTPUT file, process.exitCode and the job summary
 * file (one GITHUB_STEP_SUMMARY file for the whole run: @actions/core caches its path).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [implementation, scenariosFile, resultFile] = process.argv.slice(2);
const impl = implementation === 'core' ? await import('@actions/core') : (await import(implementation)).runner;

const dir = mkdtempSync(join(tmpdir(), 'runner-harness-'));
const summaryFile = join(dir, 'summary.md');
writeFileSync(summaryFile, '');
process.env.GITHUB_STEP_SUMMARY = summaryFile;
for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];

const write = process.stdout.write;
const results = [];
let n = 0;
for (const { call, args, env = {}, outputFile = false } of JSON.parse(readFileSync(scenariosFile, 'utf8'))) {
  const output = join(dir, `output-${++n}`);
  if (outputFile) {
    writeFileSync(output, '');
    process.env.GITHUB_OUTPUT = output;
  } else {
    delete process.env.GITHUB_OUTPUT;
  }
  Object.assign(process.env, env);
  let stdout = '';
  process.stdout.write = (chunk) => {
    stdout += String(chunk);
    return true;
  };
  const record = {};
  try {
    if (call === 'summary') {
      await impl.summary.addRaw(...args).write();
    } else {
      const returned = impl[call](...args);
      if (returned !== undefined) record.returned = returned;
    }
  } catch (error) {
    record.threw = String(error);
  } finally {
    process.stdout.write = write;
  }
  record.stdout = stdout;
  record.outputFile = existsSync(output) ? readFileSync(output, 'utf8') : null;
  record.exitCode = process.exitCode ?? null;
  record.summary = readFileSync(summaryFile, 'utf8');
  process.exitCode = undefined;
  for (const name of Object.keys(env)) delete process.env[name];
  results.push(record);
}
writeFileSync(resultFile, JSON.stringify(results));
rmSync(dir, { recursive: true, force: true });
