/**
 * The one loopback rule (src/core/urls.ts): where plain http may go (`api-url`, a link in the
 * summary) and which requests never take a proxy, so the three can never disagree.
 */
import { linkTarget } from '../../src/core/markdown.js';
import { isLoopback } from '../../src/core/urls.js';
import { parseApiUrl } from '../../src/settings/values.js';

const LOOPBACK = [
  'localhost',
  'LOCALHOST.',
  '127.0.0.1',
  '127.8.9.10',
  '127.1',
  '[::1]',
  '::1',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:7f00:1]',
  '::ffff:127.0.0.1',
];
const ELSEWHERE = [
  'localhost.evil.example',
  'mylocalhost',
  '127.0.0.1.evil.example',
  '128.0.0.1',
  '10.0.0.1',
  '[::2]',
  '[::ffff:8000:1]',
  'evil',
  '',
];

describe('isLoopback', () => {
  it.each(LOOPBACK)('%s is this machine', (host) => expect(isLoopback(host)).toBe(true));
  it.each(ELSEWHERE)('%j is not', (host) => expect(isLoopback(host)).toBe(false));
});

describe('plain http, only to loopback, by the same rule everywhere', () => {
  const hosts = (list: string[]) => list.filter((h) => h !== '' && (!h.includes(':') || h.startsWith('['))).map((h) => `http://${h}:4010`);

  it.each(hosts(LOOPBACK))('api-url and summary links accept %s', (url) => {
    expect(() => parseApiUrl(url)).not.toThrow();
    expect(linkTarget(`${url}/x`)).toBe(new URL(`${url}/x`).href);
  });

  it.each(hosts(ELSEWHERE))('api-url and summary links refuse %s', (url) => {
    expect(() => parseApiUrl(url)).toThrow(/must not travel unencrypted; allowed values: .*only for a loopback host/);
    expect(linkTarget(`${url}/x`)).toBeUndefined();
  });
});
