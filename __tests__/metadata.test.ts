/**
 * action.yml itself: what the runner and the Marketplace read, and that it declares exactly the
 * inputs the code reads, each with the operations that use it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import type { GitHubContext } from '../src/github/context.js';
import { run } from '../src/main.js';
import { ALL_INPUTS, OPERATIONS, readSettings, type Operation } from '../src/settings/settings.js';
import { OPERATION_NAMES, splitDescription } from '../scripts/docs.mjs';
import { FakeClock, fakeCore, networkError } from './helpers/fakes.js';

const root = new URL('..', import.meta.url);
type Entry = { description?: string; required?: boolean; default?: string };
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  name?: string;
  description?: string;
  author?: string;
  branding?: { icon?: string; color?: string };
  inputs: Record<string, Entry>;
  outputs: Record<string, Entry>;
  runs: { using: string; main: string };
};

/** The operations an entry's description names: `(create, update) …` or `(all) …`. */
const operationsOf = (name: string, entry: Entry): readonly Operation[] => {
  const { operations } = splitDescription(name, entry.description);
  return operations === 'all' ? OPERATIONS : (operations as Operation[]);
};

describe('action.yml', () => {
  it('runs an existing bundle on node24', () => {
    expect(action.runs.using).toBe('node24');
    expect(existsSync(new URL(action.runs.main, root))).toBe(true);
  });

  it('has a name, description and author for the Marketplace', () => {
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    expect(action.author).toBeTruthy();
  });

  // scripts/docs.mjs runs under plain Node and cannot import the TypeScript list; keep the copy equal.
  it('names the same operations in the docs generator as in the code', () => {
    expect(OPERATION_NAMES).toEqual([...OPERATIONS]);
  });

  it('describes every input and output, starting with the operations that use it', () => {
    for (const [name, entry] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(() => splitDescription(name, entry.description)).not.toThrow();
      expect(splitDescription(name, entry.description).text.length).toBeGreaterThan(5);
    }
  });

  it('declares every input optional with a string default: the code enforces what each operation requires', () => {
    for (const entry of Object.values(action.inputs)) {
      expect(entry.required).toBe(false);
      expect(typeof entry.default).toBe('string');
    }
  });

  // GitHub documents the branding colours, and icons from Feather v4.28.0 less the ones it omits.
  it('has Marketplace branding GitHub accepts', () => {
    const colors = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];
    const omitted = [
      'coffee',
      'columns',
      'divide-circle',
      'divide-square',
      'divide',
      'frown',
      'hexagon',
      'key',
      'meh',
      'mouse-pointer',
      'smile',
      'tool',
      'x-octagon',
    ];
    const feather = createRequire(import.meta.url)('feather-icons') as { icons: Record<string, unknown> };
    expect(colors).toContain(action.branding?.color);
    expect(Object.keys(feather.icons)).toContain(action.branding?.icon);
    expect(omitted).not.toContain(action.branding?.icon);
  });
});

describe('action.yml declares exactly the inputs the code reads', () => {
  /** A valid value for each input, different from its default. */
  const SAMPLE: Record<string, string> = {
    'api-url': 'https://incident.example.com',
    visibility: 'private',
    mode: 'test',
    'custom-fields': 'Notes: x',
    roles: 'lead: a@example.com',
    'incident-id': 'INC-2',
    'notify-incident-channel': 'false',
    'alert-status': 'resolved',
    'dry-run': 'true',
    'fail-on-error': 'false',
    links: 'Runbook: https://runbooks.example.com/x',
    timestamps: 'Impact started: now',
    'slack-team-id': 'T0123ABC',
    'postmortem-url': 'https://docs.example.com/pm',
    'slack-channel-id': 'C0123ABC',
    'alert-metadata': 'team: payments',
    'source-url': 'https://ci.example.com/run/1',
  };
  const MINIMAL: Record<Operation, Record<string, string>> = {
    create: { 'api-key': 'k' },
    update: { 'api-key': 'k', 'incident-id': 'INC-1', name: 'n' },
    resolve: { 'api-key': 'k', 'incident-key': 'deploy@main' },
    alert: { 'alert-source-id': 's', 'alert-token': 't' },
    heartbeat: { 'alert-source-id': 's', 'alert-token': 't' },
  };
  const settingsFor = (inputs: Record<string, string>) => readSettings((name) => inputs[name] ?? '');
  const declared = Object.keys(action.inputs);

  it('matches the list the settings module keeps', () => {
    expect([...declared].sort()).toEqual([...ALL_INPUTS].sort());
  });

  it.each(OPERATIONS)('reads only declared inputs when running "%s"', async (operation) => {
    const inputs = { ...MINIMAL[operation], operation, 'fail-on-error': 'false' };
    const core = fakeCore(inputs);
    const read = new Set<string>();
    const { getInput } = core.core;
    core.core.getInput = (name: string) => (read.add(name), getInput(name));
    const context = {
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workflow: 'W',
      runId: 1,
      runNumber: 1,
      runAttempt: 1,
      sha: 'a',
      ref: 'refs/heads/main',
      actor: 'o',
      eventName: 'push',
      job: 'j',
      payload: {},
    } as GitHubContext;
    const fetch = async () => Promise.reject(networkError('ECONNREFUSED'));
    await run({ core: core.core, fetch, env: { GITHUB_REPOSITORY: 'a/b' }, clock: new FakeClock(), context: () => context });
    expect(read.size).toBeGreaterThan(5);
    for (const name of read) expect(declared).toContain(name);
  });

  // An input is read if setting it changes what the operations it names will do.
  it.each(declared.filter((name) => name !== 'operation'))(
    '"%s" changes the settings of each operation its description names',
    async (name) => {
      for (const operation of operationsOf(name, action.inputs[name]!)) {
        const base: Record<string, string> = { ...MINIMAL[operation], operation };
        // resolve takes incident-id or incident-key, not both.
        if (operation === 'resolve' && name === 'incident-id') Object.assign(base, { 'incident-key': '', 'incident-id': 'INC-1' });
        // The retrospective options need a retrospective.
        if (['postmortem-url', 'slack-channel-id'].includes(name)) base['mode'] = 'retrospective';
        const value = SAMPLE[name] ?? (base[name] ? `${base[name]}-2` : 'sample');
        await expect(settingsFor({ ...base, [name]: value })).resolves.not.toEqual(await settingsFor(base));
      }
    },
  );

  // The runner always passes an input with a non-empty default, so only those can be left unrefused.
  it.each(declared)('"%s" is refused by the operations its description does not name', async (name) => {
    const named = operationsOf(name, action.inputs[name]!);
    for (const operation of OPERATIONS.filter((op) => !named.includes(op))) {
      const inputs = { ...MINIMAL[operation], operation, [name]: SAMPLE[name] ?? 'sample' };
      if (action.inputs[name]!.default) await expect(settingsFor(inputs)).resolves.toBeDefined();
      else await expect(settingsFor(inputs)).rejects.toThrow(`Input "${name}" is set, but operation "${operation}" does not use it`);
    }
  });
});
