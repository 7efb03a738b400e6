/**
 * The maintenance job's settings reader and `duration`: defaults, every
 * rule, one mistake per input and all of them in one run, and the careless and hostile values.
 */
import { InputError } from '../../../src/core/errors.js';
import { formatDuration, parseDuration } from '../../../src/jobs/maintenance/settings.js';
import { readJobInputs, readJobSettings } from '../../../src/jobs/registry.js';
import { inputsOf } from '../../../src/settings/inputs.js';
import type { GetInput } from '../../../src/settings/values.js';
import type { ReadOptions } from '../../../src/settings/read.js';

const readMaintenanceInputs = async (getInput: GetInput, options: ReadOptions = {}) => {
  const read = await readJobInputs('maintenance', getInput, options);
  return { ...read, notices: read.settings.notices };
};
const readMaintenanceSettings = (getInput: GetInput) => readJobSettings('maintenance', getInput);

const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();
const KEY = 'inc_live_0123456789abcdef';
const start = { 'api-key': KEY, window: 'start', alerts: 'Service: checkout', lead: 'alice@example.com' };

describe('readMaintenanceSettings', () => {
  it('reads a start with the documented defaults', async () => {
    expect(await readMaintenanceSettings(inputs(start))).toEqual({
      job: 'maintenance',
      apiKey: KEY,
      apiUrl: 'https://api.incident.io',
      dryRun: false,
      window: 'start',
      alerts: new Map([['Service', ['checkout']]]),
      conditions: undefined,
      durationMs: 30 * 60_000,
      lead: 'alice@example.com',
      name: '',
      onEnd: 'reroute',
      maintenanceKey: '',
      incidentId: '',
      notices: [],
    });
  });

  it('reads lists, choices in any case, an incident reference and a name', async () => {
    const s = await readMaintenanceSettings(
      inputs({
        ...start,
        window: 'START',
        alerts: 'Service: [checkout, payments, checkout]\nEnvironment: production',
        duration: '1h30m',
        'on-end': 'Resolve',
        'incident-id': 'INC-42',
        name: 'Checkout rollout',
        'maintenance-key': 'leg-a',
        'dry-run': 'true',
      }),
    );
    expect(s).toMatchObject({
      window: 'start',
      alerts: new Map([
        ['Service', ['checkout', 'payments']],
        ['Environment', ['production']],
      ]),
      durationMs: 90 * 60_000,
      onEnd: 'resolve',
      incidentId: '42',
      name: 'Checkout rollout',
      maintenanceKey: 'leg-a',
      dryRun: true,
    });
  });

  it('takes raw conditions instead of alerts', async () => {
    const conditions = JSON.stringify([
      { conditions: [{ subject: 'alert.title', operation: 'contains', param_bindings: [{ value: { literal: 'checkout' } }] }] },
    ]);
    const s = await readMaintenanceSettings(inputs({ ...start, alerts: '', conditions }));
    expect(s.conditions).toEqual(JSON.parse(conditions));
    expect(s.alerts.size).toBe(0);
  });

  it('reports every mistake in one run, one per input, each naming its input', async () => {
    const read = await readMaintenanceInputs(
      inputs({
        'api-key': KEY,
        window: 'start',
        alerts: 'Service: []',
        duration: '90',
        lead: 'not an email',
        'on-end': 'delete',
        'incident-id': 'INC 12',
        'dry-run': 'yes',
      }),
    );
    expect([...read.faulty]).toEqual(['dry-run', 'alerts', 'duration', 'lead', 'on-end', 'incident-id']);
    expect(read.mistakes).toEqual([
      expect.stringMatching(/^Input "dry-run" is "yes"/),
      expect.stringMatching(/^Input "alerts" gives "Service" no values/),
      expect.stringMatching(/^Input "duration" is "90".*"90m" for minutes/),
      expect.stringMatching(/^Input "lead" is "not an email"; allowed values: an email/),
      expect.stringMatching(/^Input "on-end" is "delete"; allowed values: "reroute", "resolve", "none"/),
      expect.stringMatching(/^Input "incident-id" is "INC 12"/),
    ]);
  });

  it('requires the key, the window, the alerts and the lead on start', async () => {
    const read = await readMaintenanceInputs(inputs({}));
    expect([...read.faulty]).toEqual(['api-key', 'window']);
    expect(read.mistakes[0]).toMatch(
      /^Input "api-key" is empty: it must be an incident.io API key that may create and update maintenance windows/,
    );
    expect(read.mistakes[1]).toBe(
      'Input "window" is required by the maintenance job, but it is empty. Allowed values: "start" (opens a maintenance window before the deploy), "end" (ends it afterwards).',
    );
    const noAlerts = await readMaintenanceInputs(inputs({ 'api-key': KEY, window: 'start' }));
    expect(noAlerts.mistakes).toEqual([
      expect.stringMatching(/^Input "alerts" is empty, and so is "conditions": "window: start" must say which alerts/),
      expect.stringMatching(/^Input "lead" is required when "window" is "start"/),
    ]);
  });

  it('lets a run without secrets leave the key empty, for the caller to skip', async () => {
    const read = await readMaintenanceInputs(inputs({ ...start, 'api-key': '' }), { allowMissingSecret: true });
    expect(read.mistakes).toEqual([]);
  });

  it('refuses alerts and conditions together, and alerts that hold every alert', async () => {
    const both = await readMaintenanceInputs(inputs({ ...start, conditions: '[]' }));
    expect(both.mistakes).toEqual([expect.stringMatching(/^Inputs "alerts" and "conditions" are both set/)]);
    const empty = await readMaintenanceInputs(inputs({ ...start, alerts: '{}' }));
    expect(empty.mistakes).toEqual([
      expect.stringMatching(/^Input "alerts" names no alert attribute, and a window without conditions would hold every alert/),
    ]);
    const blank = await readMaintenanceInputs(inputs({ ...start, alerts: 'Service: ""' }));
    expect(blank.mistakes).toEqual([expect.stringMatching(/^Input "alerts" gives "Service" an empty value.*vars/)]);
    const nested = await readMaintenanceInputs(inputs({ ...start, alerts: 'Service: {a: b}' }));
    expect(nested.mistakes).toEqual([
      expect.stringMatching(/^Input "alerts" has "Service" set to .*a string or a list of strings, as in `Service: checkout`/),
    ]);
  });

  it('needs alerts, conditions or a maintenance key to end, and nothing else', async () => {
    const none = await readMaintenanceInputs(inputs({ 'api-key': KEY, window: 'end' }));
    expect(none.mistakes).toEqual([
      expect.stringMatching(/^Inputs "alerts", "conditions" and "maintenance-key" are all empty: "window: end" finds the window/),
    ]);
    const byKey = await readMaintenanceSettings(inputs({ 'api-key': KEY, window: 'end', 'maintenance-key': 'api' }));
    expect(byKey).toMatchObject({ window: 'end', maintenanceKey: 'api', lead: '' });
  });

  it('says which start inputs an end step does not read, and does not refuse them (the window it ends must end)', async () => {
    const read = await readMaintenanceInputs(
      inputs({ ...start, window: 'end', duration: 'forever', lead: '???', 'on-end': 'x', 'maintenance-key': 'api' }),
    );
    expect(read.mistakes).toEqual([]);
    expect(read.notices).toEqual([
      'Inputs "duration", "lead" and "on-end" are only read by "window: start", so this end step does not use them.',
      '"maintenance-key" finds the window, so "alerts" is not needed by this end step; it was not looked up.',
    ]);
    expect(read.settings).toMatchObject({ durationMs: 30 * 60_000, lead: '', onEnd: 'reroute' });
  });

  it('checks the start inputs when "window" itself is wrong, so one run still shows them', async () => {
    const read = await readMaintenanceInputs(inputs({ ...start, window: 'begin', duration: '13h' }));
    expect([...read.faulty]).toEqual(['window', 'duration']);
  });

  it('refuses a secret pasted into another input, and a bad api-url, before anything else', async () => {
    await expect(readMaintenanceInputs(inputs({ ...start, name: `deploy ${KEY}` }))).rejects.toThrow(
      /Input "name" contains the value of "api-key"/,
    );
    await expect(readMaintenanceInputs(inputs({ ...start, 'api-url': 'http://api.incident.io' }))).rejects.toThrow(/api-url/);
    await expect(readMaintenanceInputs(inputs({ ...start, 'api-key': 'a\nb' }))).rejects.toThrow(/Input "api-key" contains a line break/);
  });

  it('shortens a long maintenance key instead of refusing it (it may come from event data)', async () => {
    const s = await readMaintenanceSettings(inputs({ 'api-key': KEY, window: 'end', 'maintenance-key': 'k'.repeat(500) }));
    expect(s.maintenanceKey).toHaveLength(200);
  });

  it('declares the inputs the job reads', () => {
    expect(inputsOf('maintenance')).toEqual([
      'api-key',
      'window',
      'alerts',
      'conditions',
      'duration',
      'lead',
      'name',
      'on-end',
      'maintenance-key',
      'incident-id',
      'api-url',
      'dry-run',
      'fail-on-error',
    ]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 45 * 60_000],
    ['2h', 2 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['1H5M10S', 3_910_000],
    ['12h', 12 * 3_600_000],
    ['719m60s', 12 * 3_600_000],
  ])('reads %s', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '0s', '0h0m', '12h1s', '13h', '1.5h', '30m1h', '1d', '-5m', ' 5 m', '5min', 'PT5M'])('refuses %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(InputError);
    expect(() => parseDuration(raw)).toThrow(/^Input "duration" is /);
  });

  it('names the unit a bare number lacks, and the maximum', () => {
    expect(() => parseDuration('45')).toThrow('A number needs its unit: "45m" for minutes, "45s" for seconds.');
    expect(() => parseDuration('24h')).toThrow(/longer than the 12h a window may last here/);
  });

  it('formats durations as the input writes them', () => {
    expect([formatDuration(90_000), formatDuration(5_400_000), formatDuration(2 * 3_600_000), formatDuration(3_910_000)]).toEqual([
      '1m30s',
      '1h30m',
      '2h',
      '1h5m10s',
    ]);
  });
});
