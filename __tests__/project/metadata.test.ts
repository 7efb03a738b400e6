/**
 * The jobs' action.yml files: what the runner and the Marketplace read, that each job's file
 * declares exactly the inputs its code reads (both ways), and that the registry, the generated
 * declarations and the files name the same jobs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readJobs } from '../../scripts/jobs.mjs';
import { bundleDir } from '../../scripts/run-action.mjs';
import type { GitHubContext } from '../../src/github/context.js';
import { JOBS } from '../../src/jobs/registry.js';
import { run } from '../../src/main.js';
import { DECLARED } from '../../src/settings/declared.js';
import { inputsOf, JOB_NAMES, type JobName } from '../../src/settings/inputs.js';
import { readJobSettings as readSettings } from '../../src/jobs/registry.js';
import { FakeClock, fakeCore, networkError } from '../helpers/fakes.js';

const root = new URL('../..', import.meta.url);
const jobs = readJobs(root);
const job = (name: string) => jobs.find((j) => j.name === name)!;

describe("the jobs' action.yml files", () => {
  it('are the root (declare) and one folder per job, each running its own entry of the one bundle on node24', () => {
    expect(jobs.map((j) => [j.name, j.metadataPath])).toEqual([
      ['declare', 'action.yml'],
      ['alert', 'alert/action.yml'],
      ['escalate', 'escalate/action.yml'],
      ['heartbeat', 'heartbeat/action.yml'],
      ['maintenance', 'maintenance/action.yml'],
      ['on-call', 'on-call/action.yml'],
      ['resolve', 'resolve/action.yml'],
      ['update', 'update/action.yml'],
    ]);
    for (const { action, folder, name } of jobs) {
      expect(action.runs).toEqual({ using: 'node24', main: `${folder ? '../' : ''}dist/${name}.js` });
      // The bundle the tests run, built from src/ (check-dist compares it with dist/).
      expect(existsSync(join(bundleDir(), `${name}.js`))).toBe(true);
    }
  });

  it('name the same jobs as the registry and the generated declarations: a folder without an entry is a type error, and this', () => {
    expect(Object.keys(JOBS).sort()).toEqual(jobs.map((j) => j.name).sort());
    expect(JOB_NAMES).toEqual(jobs.map((j) => j.name));
    for (const { name, folder, action } of jobs) {
      const declared = DECLARED[name as JobName];
      expect({ name, folder: declared.folder, inputs: Object.keys(declared.inputs), outputs: [...declared.outputs] }).toEqual({
        name,
        folder,
        inputs: Object.keys(action.inputs),
        outputs: Object.keys(action.outputs),
      });
    }
  });

  it('have a name, description and author for the Marketplace, and branding GitHub accepts', () => {
    // GitHub documents the branding colours, and icons from Feather v4.28.0 less the ones it omits.
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
    for (const { action } of jobs) {
      expect(action.name).toBeTruthy();
      expect(action.description).toBeTruthy();
      expect(action.author).toBeTruthy();
      expect(colors).toContain(action.branding?.color);
      expect(Object.keys(feather.icons)).toContain(action.branding?.icon);
      expect(omitted).not.toContain(action.branding?.icon);
    }
    expect(new Set(jobs.map((j) => j.action.name)).size).toBe(jobs.length);
  });

  it('describe every input and output; a required input has no default, and a default is a string', () => {
    for (const { action } of jobs) {
      for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)]) {
        expect(String(entry.description ?? '').length).toBeGreaterThan(5);
      }
      for (const [name, input] of Object.entries(action.inputs)) {
        expect({ name, required: typeof input.required }).toEqual({ name, required: 'boolean' });
        if (input.required) expect({ name, default: input.default }).toEqual({ name, default: undefined });
        if (input.default !== undefined) expect(typeof input.default).toBe('string');
        // A default the action computes is said in words, not hidden as an empty string.
        expect({ name, default: input.default }).not.toEqual({ name, default: '' });
      }
    }
  });

  it('each declare skipped, and no job an output it never writes', () => {
    for (const { action } of jobs) expect(Object.keys(action.outputs)).toContain('skipped');
    expect(Object.keys(job('declare').action.outputs)).toContain('created');
    for (const name of ['update', 'resolve', 'alert', 'heartbeat', 'on-call'])
      expect(Object.keys(job(name).action.outputs)).not.toContain('created');
  });
});

describe("each action.yml declares exactly the inputs its job's code reads", () => {
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
    window: 'end',
    duration: '2h',
    'on-end': 'resolve',
    conditions:
      '[{"conditions": [{"subject": "alert.title", "operation": "one_of", "param_bindings": [{"array_value": [{"literal": "x"}]}]}]}]',
    'wait-for-incident': '30',
    users: 'a@example.com',
    at: '2026-11-26T03:00:00Z',
    'wait-for-slack-channel': '5',
  };
  const MINIMAL: Record<JobName, Record<string, string>> = {
    declare: { 'api-key': 'k' },
    update: { 'api-key': 'k', 'incident-id': 'INC-1', name: 'n' },
    resolve: { 'api-key': 'k', 'incident-key': 'deploy@main' },
    alert: { 'alert-source-id': 's', 'alert-token': 't' },
    heartbeat: { 'alert-source-id': 's', 'alert-token': 't' },
    maintenance: { 'api-key': 'k', window: 'start', alerts: 'Service: checkout', lead: 'a@example.com' },
    escalate: { 'api-key': 'k', 'escalation-path': 'Platform' },
    'on-call': { 'api-key': 'k', schedule: 'Platform Primary' },
  };
  const settingsOf = (name: JobName, inputs: Record<string, string>) => readSettings(name, (input) => inputs[input] ?? '');

  it.each(JOB_NAMES)('%s reads only the inputs it declares', async (name) => {
    const inputs = { ...MINIMAL[name], 'fail-on-error': 'false' };
    const core = fakeCore(inputs);
    const read = new Set<string>();
    const { getInput } = core.core;
    core.core.getInput = (input: string) => (read.add(input), getInput(input));
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
    await run({ core: core.core, fetch, env: { GITHUB_REPOSITORY: 'a/b' }, clock: new FakeClock(), context: () => context }, name);
    expect(read.size).toBeGreaterThan(2);
    // The secrets of every job are masked whatever the job (a step may pass one to the wrong job); nothing else is read.
    const masked = ['api-key', 'alert-token', 'github-token'];
    for (const input of read)
      if (!masked.includes(input)) expect({ input, declared: inputsOf(name).includes(input) }).toEqual({ input, declared: true });
  });

  // An input is read if setting it changes what the job will do. (`fail-on-error` is the failure
  // policy's, read by main.ts: __tests__/jobs/declare/declare.test.ts shows each job follows it.)
  it.each(
    jobs.flatMap((j) =>
      Object.keys(j.action.inputs)
        .filter((input) => input !== 'fail-on-error')
        // escalate's cancel takes no target and a page needs one, so no single input flips one into the
        // other: __tests__/jobs/escalate/settings.test.ts reads both.
        .filter((input) => !(j.name === 'escalate' && input === 'escalation-status'))
        .map((input) => [j.name, input] as const),
    ),
  )('%s: "%s" changes its settings', async (name, input) => {
    const base: Record<string, string> = { ...MINIMAL[name as JobName] };
    // resolve takes incident-id or incident-key, not both.
    if (name === 'resolve' && input === 'incident-id') Object.assign(base, { 'incident-key': '', 'incident-id': 'INC-1' });
    // A window holds the alerts of "alerts" or of "conditions", not both; an end finds its window by either, or by its key.
    if (name === 'maintenance' && input === 'conditions')
      Object.assign(base, { alerts: '', lead: '', window: 'end', 'maintenance-key': 'k' });
    // The alert's wait and its API key come together.
    if (name === 'alert' && ['api-key', 'wait-for-incident'].includes(input))
      Object.assign(base, { 'api-key': 'k', 'wait-for-incident': '10' });
    // escalate pages a path or users, not both.
    if (name === 'escalate' && input === 'users') Object.assign(base, { 'escalation-path': '', users: 'b@example.com' });
    // The retrospective options need a retrospective.
    if (['postmortem-url', 'slack-channel-id'].includes(input)) base['mode'] = 'retrospective';
    const value = SAMPLE[input] ?? (base[input] ? `${base[input]}-2` : 'sample');
    await expect(settingsOf(name as JobName, { ...base, [input]: value })).resolves.not.toEqual(await settingsOf(name as JobName, base));
  });

  // The runner passes a default when the step leaves an input out; the code, run without it (a local run, a test), must mean the same.
  it.each(
    jobs.flatMap((j) =>
      Object.entries(j.action.inputs)
        .filter(([, input]) => input.default !== undefined && !input.default.includes('${{'))
        .map(([input, spec]) => [j.name, input, spec.default!] as const),
    ),
  )('%s: "%s" left empty means its default %j', async (name, input, fallback) => {
    const base = MINIMAL[name as JobName];
    await expect(settingsOf(name as JobName, { ...base, [input]: fallback })).resolves.toEqual(await settingsOf(name as JobName, base));
  });
});
