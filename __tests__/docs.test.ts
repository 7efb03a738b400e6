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

describe('README workflow examples', () => {
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const workflows = blocks.map((b) => parse(b) as { jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> }).filter((w) => w.jobs);
  const steps = workflows.flatMap((w) => Object.values(w.jobs ?? {}).flatMap((job) => job.steps ?? [])).filter((s) => s.uses?.startsWith('incident-io-action/'));

  it('are valid YAML and use the action', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(4);
    expect(steps.length).toBeGreaterThanOrEqual(6);
  });

  it('pass only inputs the action declares, and only those their operation uses', async () => {
    const { readSettings } = await import('../src/settings.js');
    for (const step of steps) {
      const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
      for (const name of Object.keys(given)) expect(Object.keys(action.inputs)).toContain(name);
      // Expressions stand for runtime values; give each a plausible one and let the settings check the rest.
      const concrete = Object.fromEntries(
        Object.entries(given).map(([k, v]) => {
          const value = k === 'incident-id' ? 'INC-1' : k === 'visibility' ? 'private' : 'x';
          return [k, v.replace(/\$\{\{[^}]*\}\}/g, value).trim()];
        }),
      );
      await expect(readSettings((name) => concrete[name] ?? '')).resolves.toBeDefined();
    }
  });
});
