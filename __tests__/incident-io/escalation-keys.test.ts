/**
 * The idempotency keys of escalations and their marker (src/incident-io/escalation-keys.ts):
 * stable across re-runs, apart for different targets, keys and repositories, prefix-safe for the
 * cancel, and a marker that only its exact last line proves.
 */
import {
  declareEscalationKey,
  descriptionToken,
  escalationKey,
  keyPrefix,
  markerLine,
  markerToken,
  readMarker,
  stepToken,
  tokenFor,
  withMarker,
} from '../../src/incident-io/escalation-keys.js';
import { InputError } from '../../src/core/errors.js';

const run = { repository: 'acme/shop', runId: 1001 };
const path = { pathId: '01PATHPLATFORM' };

describe('escalationKey', () => {
  it('is the same for a re-run and a retry (no attempt in it), and names the run last', () => {
    const key = escalationKey(run, path, '');
    expect(escalationKey({ ...run }, path, '')).toBe(key);
    expect(key).toMatch(/^gha-esc1:[0-9a-f]{24}:run:[0-9a-f]{24}:1001$/);
  });

  it('differs by run, by target and by repository', () => {
    const key = escalationKey(run, path, '');
    expect(escalationKey({ ...run, runId: 1002 }, path, '')).not.toBe(key);
    expect(escalationKey(run, { pathId: '01PATHPAYMENTS' }, '')).not.toBe(key);
    expect(escalationKey({ ...run, repository: 'acme/other' }, path, '')).not.toBe(key);
    expect(escalationKey(run, { userIds: ['01PATHPLATFORM'] }, '')).not.toBe(key);
  });

  it('takes the users in any order, each once', () => {
    const a = escalationKey(run, { userIds: ['01B', '01A'] }, '');
    expect(escalationKey(run, { userIds: ['01A', '01B'] }, '')).toBe(a);
    expect(escalationKey(run, { userIds: ['01A', '01B', '01A'] }, '')).toBe(a);
    expect(escalationKey(run, { userIds: ['01A'] }, '')).not.toBe(a);
  });

  it('with escalation-key, starts with the prefix a cancel lists by, whatever the run or target', () => {
    const prefix = keyPrefix('acme/shop', 'deploy');
    expect(escalationKey(run, path, 'deploy').startsWith(prefix)).toBe(true);
    expect(escalationKey({ ...run, runId: 9 }, { userIds: ['01A'] }, 'deploy').startsWith(prefix)).toBe(true);
    expect(escalationKey(run, path, 'deploy').endsWith(':1001')).toBe(true);
  });

  it('never lets the prefix of one escalation-key match another that starts with the same text', () => {
    for (const [short, long] of [
      ['deploy', 'deploy-api'],
      ['deploy', 'deploy:'],
      ['a', 'a:run'],
      ['', 'x'],
    ] as const) {
      const prefix = keyPrefix('acme/shop', short);
      expect(escalationKey(run, path, long).startsWith(prefix)).toBe(false);
    }
    // Nor a repository whose name starts with another's.
    expect(escalationKey({ ...run, repository: 'acme/shop-api' }, path, 'deploy').startsWith(keyPrefix('acme/shop', 'deploy'))).toBe(false);
  });

  it('names the repository without regard to case, as GitHub does', () => {
    expect(keyPrefix('Acme/Shop', 'deploy')).toBe(keyPrefix('acme/shop', 'deploy'));
  });

  it('is an input error outside GitHub Actions, where there is no run to name', () => {
    expect(() => escalationKey({ repository: '', runId: 1 }, path, '')).toThrow(InputError);
    expect(() => escalationKey({ repository: 'acme/shop' }, path, 'deploy')).toThrow(/GITHUB_RUN_ID/);
  });

  it('on declare: the incident and the path, nothing else', () => {
    const key = declareEscalationKey('01INC', '01PATH');
    expect(declareEscalationKey('01INC', '01PATH')).toBe(key);
    expect(declareEscalationKey('01INC2', '01PATH')).not.toBe(key);
    expect(declareEscalationKey('01INC', '01PATH2')).not.toBe(key);
    expect(key).toMatch(/^gha-esc1:incident:[0-9a-f]{24}:[0-9a-f]{24}$/);
  });
});

describe('the marker', () => {
  const token = markerToken(keyPrefix('acme/shop', 'deploy'));

  it('is the same token for every run of an escalation-key, and the whole key hashed without one', () => {
    const key = escalationKey(run, path, 'deploy');
    expect(tokenFor('acme/shop', 'deploy', key)).toBe(token);
    expect(tokenFor('acme/shop', 'deploy', escalationKey({ ...run, runId: 5 }, path, 'deploy'))).toBe(token);
    const plain = escalationKey(run, path, '');
    expect(tokenFor('acme/shop', '', plain)).toBe(markerToken(plain));
    expect(tokenFor('acme/shop', '', plain)).not.toBe(tokenFor('acme/shop', '', escalationKey({ ...run, runId: 5 }, path, '')));
    expect(token).toMatch(/^ioesc-[0-9a-f]{24}$/);
  });

  it('is the last line of the description, after a blank line, and is read back', () => {
    const description = withMarker('Deploy failed.\nRun: https://github.com/acme/shop/actions/runs/1001\n\n', token);
    expect(description).toBe(`Deploy failed.\nRun: https://github.com/acme/shop/actions/runs/1001\n\n${markerLine(token)}`);
    expect(descriptionToken(description)).toBe(token);
    expect(withMarker('', token)).toBe(markerLine(token));
    expect(descriptionToken(`${description}\n  \n`)).toBe(token);
  });

  it('is read through Markdown that a renderer may add: emphasis, escapes, tags', () => {
    for (const line of [
      `_${markerLine(token)}_`,
      `**${markerLine(token)}**`,
      markerLine(token).replace('.io', '\\.io'),
      `<em>${markerLine(token)}</em>`,
    ]) {
      expect(descriptionToken(`What failed\n\n${line}`)).toBe(token);
    }
  });

  it('does not count when it is quoted anywhere but the last line, or with more words around it', () => {
    expect(descriptionToken(`${markerLine(token)}\n\nA person wrote this afterwards.`)).toBeUndefined();
    expect(descriptionToken(`Quoted: ${markerLine(token)}`)).toBeUndefined();
    expect(descriptionToken(`> ${markerLine(token)} and more`)).toBeUndefined();
    expect(descriptionToken(`${markerLine(token)} ${token}`)).toBeUndefined();
    expect(descriptionToken(markerLine('ioesc-notahexvalue'))).toBeUndefined();
    expect(descriptionToken(undefined)).toBeUndefined();
    expect(descriptionToken('')).toBeUndefined();
  });

  it('carries the step token after the key token, read back when well-formed', () => {
    const step = stepToken();
    expect(step).toMatch(/^iostep-[0-9a-f]{16}$/);
    expect(stepToken()).not.toBe(step);
    expect(readMarker(withMarker('x', token, step))).toEqual({ token, step });
    expect(readMarker(withMarker('x', token))).toEqual({ token });
    expect(readMarker(`${markerLine(token)} iostep-zz`)).toBeUndefined();
    expect(readMarker(`${markerLine(token, step)} ${step}`)).toBeUndefined();
    expect(descriptionToken(withMarker('x', token, step))).toBe(token);
  });

  it("reads another key's marker as that key's: never this one's", () => {
    const other = markerToken(keyPrefix('acme/shop', 'deploy-api'));
    expect(descriptionToken(withMarker(`Mentions ${token}`, other))).toBe(other);
  });
});
