import { InputError } from '../src/errors.js';
import { parseApiUrl, readSettings } from '../src/settings.js';

const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();

describe('readSettings', () => {
  it('applies the defaults of action.yml when only the key is given', () => {
    expect(readSettings(inputs({ 'api-key': 'k' }))).toEqual({
      apiKey: 'k',
      apiUrl: 'https://api.incident.io',
      severity: '',
      visibility: 'public',
      mode: 'standard',
      name: '',
      summary: '',
      idempotencyKey: '',
      dryRun: false,
      failOnError: true,
    });
  });

  it('accepts choices and booleans in any case', () => {
    const s = readSettings(inputs({ 'api-key': 'k', visibility: 'PRIVATE', mode: 'Test', 'dry-run': 'TRUE', 'fail-on-error': 'False' }));
    expect([s.visibility, s.mode, s.dryRun, s.failOnError]).toEqual(['private', 'test', true, false]);
  });

  it('explains an empty api-key, including the missing-secret case', () => {
    expect(() => readSettings(inputs({}))).toThrow(/Input "api-key" is empty.*forks or by Dependabot/s);
  });

  it.each([
    ['visibility', 'secret', /Input "visibility" is "secret"; allowed values: "public", "private"\./],
    ['mode', 'drill', /Input "mode" is "drill"; allowed values: "standard", "retrospective", "test", "tutorial"\./],
    ['dry-run', 'yes', /Input "dry-run" is "yes"; allowed values: "true", "false"\./],
    ['fail-on-error', '1', /Input "fail-on-error" is "1"; allowed values: "true", "false"\./],
  ])('rejects %s=%s naming the input, the value and the choices', (input, value, message) => {
    expect(() => readSettings(inputs({ 'api-key': 'k', [input]: value }))).toThrow(InputError);
    expect(() => readSettings(inputs({ 'api-key': 'k', [input]: value }))).toThrow(message);
  });
});

describe('parseApiUrl', () => {
  it.each([
    ['https://api.incident.io/', 'https://api.incident.io'],
    ['https://proxy.example.com/incident-io/', 'https://proxy.example.com/incident-io'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:9', 'http://localhost:9'],
    ['http://[::1]:9/', 'http://[::1]:9'],
  ])('accepts %s', (raw, expected) => {
    expect(parseApiUrl(raw)).toBe(expected);
  });

  it.each([
    ['http://api.incident.io', /must not travel unencrypted/],
    ['http://10.0.0.5:8080', /must not travel unencrypted/],
    ['http://localhost.evil.com', /must not travel unencrypted/],
    ['ftp://127.0.0.1', /must not travel unencrypted/],
    ['api.incident.io', /not a URL/],
    ['https://api.incident.io/?x=1', /must not carry credentials, a query or a fragment/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseApiUrl(raw)).toThrow(message);
    expect(() => parseApiUrl(raw)).toThrow(/Input "api-url" is .*allowed values: an https:\/\/ URL/);
  });

  it('never repeats credentials embedded in the URL', () => {
    let message = '';
    try {
      parseApiUrl('https://user:hunter2@api.incident.io/?token=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Input "api-url"/);
    expect(message).not.toMatch(/hunter2|s3cret/);
  });
});
