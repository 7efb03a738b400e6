/**
 * The escalate job's inputs (src/jobs/escalate/settings.ts, through the shared reader): defaults,
 * one message per mistake naming the input, the value and the values allowed, every mistake in
 * one run, and the guards that stop before any request.
 */
import { InputError } from '../../../src/core/errors.js';
import { parseUsers } from '../../../src/jobs/escalate/settings.js';
import { readJobInputs, readJobSettings } from '../../../src/jobs/registry.js';

const KEY = 'inc_test_key_0123456789';
const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();
const settings = (values: Record<string, string>) => readJobSettings('escalate', inputs(values));
const mistakes = async (values: Record<string, string>, options = {}) =>
  (await readJobInputs('escalate', inputs(values), options)).mistakes;

describe('escalate settings', () => {
  it('reads a page of a path with the defaults', async () => {
    await expect(settings({ 'api-key': KEY, 'escalation-path': 'Platform' })).resolves.toEqual({
      job: 'escalate',
      apiKey: KEY,
      apiUrl: 'https://api.incident.io',
      dryRun: false,
      escalationPath: 'Platform',
      users: [],
      title: '',
      description: '',
      incidentId: '',
      escalationStatus: 'triggered',
      escalationKey: '',
    });
  });

  it('reads users one per line or comma-separated, each once, and an incident by reference', async () => {
    await expect(
      settings({
        'api-key': KEY,
        users: 'alice@example.com, 01G0J1EXE7AXZ2C93K61WBPYEH\nU0123ABC,\n\nALICE@example.com',
        'incident-id': 'INC-123',
        'escalation-key': 'deploy',
        'escalation-status': 'Triggered',
        'dry-run': 'true',
      }),
    ).resolves.toMatchObject({
      users: ['alice@example.com', '01G0J1EXE7AXZ2C93K61WBPYEH', 'U0123ABC'],
      incidentId: '123',
      escalationKey: 'deploy',
      escalationStatus: 'triggered',
      dryRun: true,
    });
  });

  it('needs exactly one target', async () => {
    await expect(settings({ 'api-key': KEY })).rejects.toThrow(
      /^The escalate job needs "escalation-path" \(a path's name or ID, .*\) or "users" .*, but both are empty\./,
    );
    await expect(settings({ 'api-key': KEY, 'escalation-path': 'Platform', users: 'a@example.com' })).rejects.toThrow(
      /^Inputs "escalation-path" and "users" are both set; an escalation pages one or the other/,
    );
  });

  it('reports every mistake at once, one per input, naming the value and the values allowed', async () => {
    const read = await readJobInputs(
      'escalate',
      inputs({
        users: 'alice@example.com, not an email, bad/id',
        'incident-id': 'INC 12',
        'escalation-status': 'paused',
        'dry-run': 'yes',
        'fail-on-error': 'maybe',
      }),
    );
    expect(read.mistakes).toEqual([
      expect.stringMatching(/^Input "api-key" is empty: it must be an incident\.io API key that may page \(escalations\.create\)/),
      'Input "dry-run" is "yes"; allowed values: "true", "false".',
      'Input "fail-on-error" is "maybe"; allowed values: "true", "false".',
      'Input "escalation-status" is "paused"; allowed values: "triggered", "cancelled".',
      'Input "users" names "not an email", "bad/id"; allowed values: an email such as "alice@example.com", an incident.io user ID such as ' +
        '"01G0J1EXE7AXZ2C93K61WBPYEH" or a Slack user ID such as "U0123ABC", one per line or comma-separated.',
      expect.stringMatching(/^Input "incident-id" is "INC 12"; allowed values: an incident ID/),
    ]);
    expect([...read.faulty].sort()).toEqual(['api-key', 'dry-run', 'escalation-status', 'fail-on-error', 'incident-id', 'users']);
  });

  it('a cancel needs escalation-key, and takes nothing that says what to page', async () => {
    await expect(settings({ 'api-key': KEY, 'escalation-status': 'cancelled' })).rejects.toThrow(
      /^Input "escalation-status" is "cancelled", which cancels the escalations that steps of this repository made with the same "escalation-key", but "escalation-key" is empty\./,
    );
    expect(
      await mistakes({
        'api-key': KEY,
        'escalation-status': 'cancelled',
        'escalation-key': 'deploy',
        'escalation-path': 'Platform',
        title: 'x',
      }),
    ).toEqual([
      'Input "escalation-path", "title" is set, but "escalation-status" is "cancelled": a cancel pages no one, and cancels every escalation ' +
        'of this repository\'s "escalation-key" that still pages, whatever it paged. Remove them from the cancelling step.',
    ]);
    await expect(settings({ 'api-key': KEY, 'escalation-status': 'CANCELLED', 'escalation-key': 'deploy' })).resolves.toMatchObject({
      escalationStatus: 'cancelled',
      escalationKey: 'deploy',
    });
  });

  it('lets a run without secrets through with an empty key (the caller skips it)', async () => {
    expect(await mistakes({ 'escalation-path': 'Platform' }, { allowMissingSecret: true })).toEqual([]);
  });

  it('stops at once, before any request, for a key that no header can carry, a secret elsewhere, or a bad api-url', async () => {
    await expect(mistakes({ 'api-key': 'inc_\u2603_0123456789', 'escalation-path': 'P' })).rejects.toThrow(
      /^Input "api-key" contains a character outside Latin-1/,
    );
    await expect(mistakes({ 'api-key': KEY, 'escalation-path': 'P', description: `key: ${KEY}` })).rejects.toThrow(
      'Input "description" contains the value of "api-key"',
    );
    await expect(mistakes({ 'api-key': KEY, 'escalation-key': KEY.slice(2, 16), 'escalation-path': 'P' })).rejects.toThrow(
      'Input "escalation-key" contains the value of "api-key"',
    );
    await expect(mistakes({ 'api-key': KEY, 'escalation-path': 'P', 'api-url': 'http://api.example.com' })).rejects.toThrow(
      /^Input "api-url" is "http:\/\/api\.example\.com": the API key must not travel unencrypted/,
    );
  });

  it('parseUsers refuses a value that names no one', () => {
    expect(parseUsers('')).toEqual([]);
    expect(() => parseUsers(' , \n ,')).toThrow(InputError);
    expect(() => parseUsers(',')).toThrow('Input "users" is ",", which names no one');
  });
});
