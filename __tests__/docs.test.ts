/** The README and action.yml describe the same interface the code reads. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ALL_INPUTS } from '../src/settings.js';

const root = new URL('..', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('docs match action.yml and the code', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...ALL_INPUTS].sort());
  });

  it('documents every input and output in the README tables', () => {
    for (const input of Object.keys(action.inputs)) expect(readme).toMatch(new RegExp(`^\\| \`${input}\` \\|`, 'm'));
    for (const output of Object.keys(action.outputs)) expect(readme).toMatch(new RegExp(`^\\| \`${output}\` \\|`, 'm'));
  });

  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('opens the README with the two commands, and CI runs its test command', () => {
    expect(readme.split('\n').slice(0, 4).join('\n')).toMatch(/npm ci && npm run demo[^\n]*\nnpm test/);
    expect(readFileSync(new URL('.ci/run', root), 'utf8')).toMatch(/^npm test$/m);
  });
});
