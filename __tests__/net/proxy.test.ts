/** Which proxy a request takes (src/net/proxy.ts): the variables, NO_PROXY's forms, careless and hostile values. */
import { InputError } from '../../src/core/errors.js';
import { isLoopback, redactCredentials } from '../../src/core/urls.js';
import { hasProxyVariable, proxyFor, proxySecrets, readProxyConfig } from '../../src/net/proxy.js';
import { Redactor } from '../../src/core/redact.js';
import { getProxyUrl } from '@actions/http-client/lib/proxy';

const PROXY = 'http://proxy.corp:3128';

/** The proxy (as shown in messages) a request to `target` takes under `env`, or 'direct'. */
function route(target: string, env: Record<string, string>): string {
  return proxyFor(target, readProxyConfig(env))?.shown ?? 'direct';
}

function inputError(env: Record<string, string>): InputError {
  try {
    readProxyConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('the proxy variables', () => {
  it('are absent when none is set, or only NO_PROXY, or only blanks', () => {
    expect(readProxyConfig({})).toBeUndefined();
    expect(readProxyConfig({ NO_PROXY: 'example.com' })).toBeUndefined();
    expect(readProxyConfig({ HTTPS_PROXY: '', https_proxy: '  ', HTTP_PROXY: '\t' })).toBeUndefined();
    expect(hasProxyVariable({ PATH: '/bin', HOME: '/root' })).toBe(false);
    expect(proxyFor('https://api.incident.io/v1/severities', undefined)).toBeUndefined();
  });

  it('use HTTPS_PROXY for https and HTTP_PROXY for http, in either case', () => {
    const env = { HTTPS_PROXY: 'http://secure:1', HTTP_PROXY: 'http://plain:2' };
    expect(route('https://api.incident.io/v1/x', env)).toBe('http://secure:1');
    expect(route('http://ghes.corp/api/v3', env)).toBe('http://plain:2');
    expect(route('https://api.incident.io', { https_proxy: PROXY })).toBe(PROXY);
    expect(route('http://ghes.corp', { http_proxy: PROXY })).toBe(PROXY);
  });

  it('prefer the lower-case spelling, as @actions/http-client does, and name the one used', () => {
    const config = readProxyConfig({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' });
    expect(config?.https).toMatchObject({ shown: 'http://lower:1', variable: 'https_proxy' });
    // A blank lower-case value does not hide the upper-case one.
    expect(readProxyConfig({ https_proxy: ' ', HTTPS_PROXY: 'http://upper:2' })?.https?.variable).toBe('HTTPS_PROXY');
  });

  it('do not fall back from https to HTTP_PROXY (nor the other way), as the toolkit and curl do not', () => {
    expect(route('https://api.incident.io', { HTTP_PROXY: PROXY })).toBe('direct');
    expect(route('http://ghes.corp', { HTTPS_PROXY: PROXY })).toBe('direct');
  });

  it('read a proxy without a scheme as http://, trim spaces, and keep https:// proxies', () => {
    expect(route('https://a.example', { HTTPS_PROXY: ' proxy.corp:3128 ' })).toBe('http://proxy.corp:3128');
    expect(route('https://a.example', { HTTPS_PROXY: '10.0.0.1:3128' })).toBe('http://10.0.0.1:3128');
    expect(route('https://a.example', { HTTPS_PROXY: 'HTTPS://Proxy.Corp:443/' })).toBe('https://proxy.corp');
    expect(route('https://a.example', { HTTPS_PROXY: 'http://[fd00::3]:3128' })).toBe('http://[fd00::3]:3128');
    expect(readProxyConfig({ HTTPS_PROXY: 'http://proxy.corp:3128/some/path?x=1' })?.https?.origin).toBe('http://proxy.corp:3128');
  });

  it('turn credentials into a Proxy-Authorization header and hide them in what is shown', () => {
    const https = readProxyConfig({ HTTPS_PROXY: 'http://build%20bot:p%40ss%3Aword@proxy.corp:3128' })!.https!;
    expect(https.origin).toBe('http://proxy.corp:3128');
    expect(https.shown).toBe('http://***@proxy.corp:3128');
    expect(https.authorization).toBe(`Basic ${Buffer.from('build bot:p@ss:word').toString('base64')}`);
    expect(JSON.stringify(https)).not.toMatch(/build|p%40ss|p@ss/);
    // A token as the user name, with no password.
    const token = readProxyConfig({ HTTPS_PROXY: 'http://tok-123@proxy.corp' })!.https!;
    expect(token.authorization).toBe(`Basic ${Buffer.from('tok-123:').toString('base64')}`);
    expect(token.shown).toBe('http://***@proxy.corp');
    expect(readProxyConfig({ HTTPS_PROXY: PROXY })!.https!.authorization).toBeUndefined();
  });

  it.each([
    ['a space in the port', 'http://proxy.corp:31 28', '"http://proxy.corp:31 28", which is not a URL'],
    ['a port out of range', 'http://proxy.corp:99999', '"http://proxy.corp:99999", which is not a URL'],
    ['no host', 'http://', '"http://", which is not a URL'],
    [
      'an unsupported scheme',
      'socks5://proxy.corp:1080',
      '"socks5://proxy.corp:1080": the action supports http:// and https:// proxies only, not socks5://',
    ],
    ['a file URL', 'file:///etc/passwd', '"file:///etc/passwd": the action supports http:// and https:// proxies only, not file://'],
  ])('refuse %s with an InputError that names the variable', (_name, value, words) => {
    const error = inputError({ HTTP_PROXY: value });
    expect(error.message).toContain(`The proxy variable HTTP_PROXY is ${words}`);
    expect(error.message).toContain('"http://proxy.example.com:3128"');
  });

  it('never repeat the credentials of a malformed value', () => {
    for (const value of [
      'http://alice:s3cret-pass@proxy:port',
      'http://alice:s3cret/pass#x@proxy:3128 x',
      'alice:s3cret-pass@proxy:31 28',
      'socks5://alice:s3cret-pass@proxy:1080',
    ]) {
      const error = inputError({ https_proxy: value });
      expect(error.message).toContain('https_proxy');
      expect(error.message).not.toMatch(/alice|s3cret/);
      expect(error.message).toContain('***@proxy');
    }
  });

  it('check only the spelling in use: a malformed upper-case value under a lower-case one is ignored, as by the toolkit', () => {
    expect(readProxyConfig({ https_proxy: PROXY, HTTPS_PROXY: 'http://x:99999' })?.https?.shown).toBe(PROXY);
  });

  it('cut a very long value in the message', () => {
    expect(inputError({ HTTPS_PROXY: `http://proxy:${'9'.repeat(5000)}` }).message.length).toBeLessThan(500);
  });
});

describe('loopback', () => {
  it.each([
    'http://127.0.0.1:4010/v1',
    'http://127.8.9.10/',
    'http://localhost:4010',
    'http://LOCALHOST.:4010',
    'http://[::1]:4010',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://127.1/',
    'https://localhost/',
  ])('always goes direct: %s', (target) => {
    expect(route(target, { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY })).toBe('direct');
  });

  it('is only those addresses', () => {
    for (const host of ['localhost.example.com', '128.0.0.1', '::2', 'mylocalhost', '10.0.0.1']) expect(isLoopback(host)).toBe(false);
    for (const host of ['localhost', '127.0.0.1', '127.255.255.254', '::1']) expect(isLoopback(host)).toBe(true);
  });
});

describe('NO_PROXY', () => {
  const via = (target: string, noProxy: string) => route(target, { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, NO_PROXY: noProxy });

  it('matches a host exactly, and its subdomains', () => {
    expect(via('https://example.com/x', 'example.com')).toBe('direct');
    expect(via('https://api.example.com/x', 'example.com')).toBe('direct');
    expect(via('https://a.b.example.com/x', 'example.com')).toBe('direct');
    expect(via('https://notexample.com/x', 'example.com')).toBe(PROXY);
    expect(via('https://example.com.evil.io/x', 'example.com')).toBe(PROXY);
    expect(via('https://example.co/x', 'example.com')).toBe(PROXY);
  });

  it('matches subdomains only with a leading dot (as @actions/http-client and Go do) or *. (which the toolkit does not match)', () => {
    for (const entry of ['.example.com', '*.example.com']) {
      expect(via('https://api.example.com', entry)).toBe('direct');
      expect(via('https://example.com', entry)).toBe(PROXY);
      expect(via('https://badexample.com', entry)).toBe(PROXY);
    }
  });

  it('honours a port when the entry has one, with 443 and 80 for targets without', () => {
    expect(via('https://example.com:8443/x', 'example.com:8443')).toBe('direct');
    expect(via('https://example.com/x', 'example.com:8443')).toBe(PROXY);
    expect(via('https://example.com/x', 'example.com:443')).toBe('direct');
    expect(via('http://example.com/x', 'example.com:80')).toBe('direct');
    expect(via('http://example.com/x', 'example.com:443')).toBe(PROXY);
    expect(via('https://api.example.com:8443/x', '.example.com:8443')).toBe('direct');
  });

  it('accepts *, alone or in a list', () => {
    expect(via('https://api.incident.io', '*')).toBe('direct');
    expect(via('https://api.incident.io', 'example.com, *')).toBe('direct');
    // A * inside a name is no wildcard.
    expect(via('https://api.incident.io', 'api.*.io')).toBe(PROXY);
  });

  it('is careless-proof: spaces, empty entries, upper case, trailing dots, space-separated lists', () => {
    const list = ' , ,  Example.COM. ,,\tINCIDENT.io  other.test';
    expect(via('https://api.incident.io', list)).toBe('direct');
    expect(via('https://EXAMPLE.com.', list)).toBe('direct');
    expect(via('https://other.test', list)).toBe('direct');
    expect(via('https://github.com', list)).toBe(PROXY);
    expect(via('https://github.com', ',,, ,')).toBe(PROXY);
    expect(via('https://github.com', '')).toBe(PROXY);
  });

  it('takes no_proxy before NO_PROXY', () => {
    const env = { HTTPS_PROXY: PROXY, no_proxy: 'a.example', NO_PROXY: 'b.example' };
    expect(route('https://a.example', env)).toBe('direct');
    expect(route('https://b.example', env)).toBe(PROXY);
  });

  it('matches IPv4 addresses exactly, with ports, and ranges in CIDR form', () => {
    expect(via('https://10.1.2.3/x', '10.1.2.3')).toBe('direct');
    expect(via('https://10.1.2.3:8443/x', '10.1.2.3:8443')).toBe('direct');
    expect(via('https://10.1.2.3/x', '10.1.2.3:8443')).toBe(PROXY);
    expect(via('https://10.1.2.4/x', '10.1.2.3')).toBe(PROXY);
    expect(via('https://10.200.0.1/x', '10.0.0.0/8')).toBe('direct');
    expect(via('https://11.0.0.1/x', '10.0.0.0/8')).toBe(PROXY);
    expect(via('https://192.168.1.77/x', '192.168.1.0/24')).toBe('direct');
    // Names are not looked up: a range matches IP targets only.
    expect(via('https://internal.corp/x', '10.0.0.0/8')).toBe(PROXY);
    // No suffix matching of addresses (the toolkit would let "0.0.1" match "10.0.0.1").
    expect(via('https://10.0.0.1/x', '0.0.1')).toBe(PROXY);
    expect(via('https://10.0.0.1/x', '.0.0.1')).toBe(PROXY);
    // A name entry never matches an address, nor an address entry a name.
    expect(via('https://10.1.2.3/x', 'corp')).toBe(PROXY);
  });

  it('matches IPv6 addresses bare or in brackets, with ports, and ranges', () => {
    expect(via('https://[fd00::1]/x', 'fd00::1')).toBe('direct');
    expect(via('https://[fd00::1]/x', '[FD00::1]')).toBe('direct');
    expect(via('https://[fd00::1]/x', '[fd00:0:0:0:0:0:0:1]')).toBe('direct');
    expect(via('https://[fd00::1]:8443/x', '[fd00::1]:8443')).toBe('direct');
    expect(via('https://[fd00::1]/x', '[fd00::1]:8443')).toBe(PROXY);
    expect(via('https://[fd00::2]/x', 'fd00::1')).toBe(PROXY);
    expect(via('https://[fd00:1::5]/x', 'fd00::/8')).toBe('direct');
    expect(via('https://[fd00:1::5]/x', '[fd00::]/8')).toBe('direct');
    expect(via('https://[2001:db8::5]/x', 'fd00::/8')).toBe(PROXY);
  });

  it('ignores entries it cannot read, and keeps the rest', () => {
    const list = 'http://example.com, 10.0.0.0/99, fd00::zz, [nope], user@host, a b, ::/, example.org';
    expect(via('https://example.com', list)).toBe(PROXY);
    expect(via('https://10.0.0.1', list)).toBe(PROXY);
    expect(via('https://example.org', list)).toBe('direct');
  });

  it('matches internationalised names in either form', () => {
    expect(via('https://bücher.example', 'xn--bcher-kva.example')).toBe('direct');
    expect(via('https://xn--bcher-kva.example', 'BÜCHER.example')).toBe('direct');
  });
});

describe('the credentials to mask', () => {
  it('are the password and user:password, as written and decoded', () => {
    expect(proxySecrets({ HTTPS_PROXY: 'http://bot:p%40ss@proxy:3128' }).sort()).toEqual(
      ['bot:p%40ss', 'bot:p@ss', 'p%40ss', 'p@ss'].sort(),
    );
  });

  it('are the user name when there is no password (a token), and `token:` as the Basic header encodes it', () => {
    expect(proxySecrets({ http_proxy: 'https://ghp_token123@proxy' })).toEqual(['ghp_token123', 'ghp_token123:']);
  });

  it('cover the Proxy-Authorization header a proxy may echo, whatever the credentials look like', () => {
    for (const value of [
      'http://bot:p%40ss%20w0rd@proxy:3128',
      'http://ghp_token123@proxy',
      'http://a-much-longer-user:pw-0123456789@p:1',
    ]) {
      const env = { HTTPS_PROXY: value };
      const header = `Proxy-Authorization: ${readProxyConfig(env)!.https!.authorization}`;
      expect(new Redactor(proxySecrets(env)).redact(`<pre>${header}</pre>`)).toBe('<pre>Proxy-Authorization: Basic ***</pre>');
    }
  });

  it('come from every proxy variable, malformed ones too, and from none without credentials', () => {
    const secrets = proxySecrets({
      https_proxy: 'http://a:one-secret@p:1',
      HTTPS_PROXY: 'http://b:two-secret@p:1',
      HTTP_PROXY: 'http://c:three-secret/x@p:31 28',
      NO_PROXY: 'not:a-secret@x',
    });
    expect(secrets).toEqual(expect.arrayContaining(['one-secret', 'two-secret', 'three-secret/x']));
    expect(secrets.join()).not.toContain('not:a-secret');
    expect(proxySecrets({ HTTPS_PROXY: PROXY, HTTP_PROXY: 'http://:@p' })).toEqual([':']);
    expect(proxySecrets({})).toEqual([]);
  });

  it('survive a malformed percent-encoding', () => {
    expect(proxySecrets({ HTTPS_PROXY: 'http://u:100%@p' })).toEqual(['u:100%', '100%']);
  });

  it('are replaced by *** in a shown value, up to the last @', () => {
    expect(redactCredentials('http://u:p@ss@proxy:1')).toBe('http://***@proxy:1');
    expect(redactCredentials('u:p@proxy:1')).toBe('***@proxy:1');
    expect(redactCredentials('http://proxy:1')).toBe('http://proxy:1');
  });
});

/**
 * The toolkit's own decision, from @actions/http-client's proxy.ts (what actions/checkout and
 * actions/cache use): the proxy origin, or 'direct'. It reads process.env itself, so the proxy
 * variables are set for the call and put back after. Its HttpClient goes direct when the proxy URL
 * it gets has no hostname; a value it cannot parse is an 'error'.
 */
function toolkitRoute(target: string, env: Record<string, string>): string {
  const names = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  Object.assign(process.env, env);
  try {
    const url = getProxyUrl(new URL(target));
    return url?.hostname ? url.origin : 'direct';
  } catch {
    return 'error';
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Ours: the proxy origin, 'direct', or 'error'. */
function ourRoute(target: string, env: Record<string, string>): string {
  try {
    return proxyFor(target, readProxyConfig(env))?.origin ?? 'direct';
  } catch {
    return 'error';
  }
}

// docs/proxies.md ("Where the action differs from GitHub's toolkit") and src/net/proxy.ts list
// exactly the cases of DIFFER; a case that moves from one list to the other changes those pages.
describe("the decision, beside GitHub's toolkit (@actions/http-client)", () => {
  const P = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY };
  const AGREE: [string, Record<string, string>][] = [
    ['https://api.incident.io/v1/severities', P],
    ['https://api.incident.io', { ...P, NO_PROXY: 'incident.io' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'api.incident.io' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'API.Incident.IO' }],
    ['https://api.incident.io', { ...P, NO_PROXY: '.incident.io' }],
    ['https://incident.io', { ...P, NO_PROXY: '.incident.io' }],
    ['https://notincident.io', { ...P, NO_PROXY: 'incident.io' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'api.incident.io:443' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'api.incident.io:8443' }],
    ['https://api.incident.io:8443', { ...P, NO_PROXY: '.incident.io:8443' }],
    ['http://ghes.corp', { ...P, NO_PROXY: 'ghes.corp:80' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'example.com, *' }],
    ['https://api.incident.io', { ...P, NO_PROXY: ' example.com ,, incident.io ' }],
    ['https://10.1.2.3', { ...P, NO_PROXY: '10.1.2.3' }],
    ['https://10.1.2.3:8443', { ...P, NO_PROXY: '10.1.2.3:8443' }],
    ['https://10.1.2.4', { ...P, NO_PROXY: '10.1.2.3' }],
    ['https://[fd00::1]', { ...P, NO_PROXY: '[fd00::1]' }],
    ['https://[fd00::1]:8443', { ...P, NO_PROXY: '[fd00::1]:8443' }],
    ['https://localhost:8080', P],
    ['https://127.0.0.1', P],
    ['https://[::1]', P],
    ['https://api.incident.io', { HTTP_PROXY: PROXY }],
    ['http://ghes.corp', { HTTPS_PROXY: PROXY }],
    ['https://api.incident.io', { https_proxy: 'http://lower.corp:1', HTTPS_PROXY: PROXY }],
    ['https://api.incident.io', { ...P, no_proxy: 'incident.io', NO_PROXY: 'example.com' }],
    ['https://api.incident.io', { HTTPS_PROXY: '10.0.0.9:3128' }],
    ['https://api.incident.io', { HTTPS_PROXY: 'https://user:pa%40ss@proxy.corp:3128' }],
  ];
  const DIFFER: [string, Record<string, string>, { toolkit: string; ours: string }][] = [
    // Forms the toolkit does not know: it compares text, so these match nothing there.
    ['https://api.incident.io', { ...P, NO_PROXY: '*.incident.io' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://10.200.0.1', { ...P, NO_PROXY: '10.0.0.0/8' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'example.com incident.io' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://[fd00::1]', { ...P, NO_PROXY: 'fd00::1' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://[fd00::1]', { ...P, NO_PROXY: '[fd00:0:0::1]' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://api.incident.io', { ...P, NO_PROXY: 'incident.io.' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://api.incident.io.', { ...P, NO_PROXY: 'incident.io' }, { toolkit: PROXY, ours: 'direct' }],
    ['https://xn--bcher-kva.example', { ...P, NO_PROXY: 'bücher.example' }, { toolkit: PROXY, ours: 'direct' }],
    // The toolkit matches addresses as text, by suffix; ours only whole addresses.
    ['https://10.1.2.3', { ...P, NO_PROXY: '2.3' }, { toolkit: 'direct', ours: PROXY }],
    // The toolkit's loopback test is a text prefix: any host name starting "127." goes direct.
    ['https://127.example.com', P, { toolkit: 'direct', ours: PROXY }],
    // A proxy written host:port. The toolkit's URL parser reads "proxy.corp:" as a scheme, leaving no
    // host, and it goes direct without a word; ours reads it as http://proxy.corp:3128.
    ['https://api.incident.io', { HTTPS_PROXY: 'proxy.corp:3128' }, { toolkit: 'direct', ours: PROXY }],
    // A blank value: ours counts it as unset; the toolkit fails to parse it.
    ['https://api.incident.io', { HTTPS_PROXY: '  ' }, { toolkit: 'error', ours: 'direct' }],
  ];

  it.each(AGREE)('agrees for %s with %j', (target, env) => {
    expect(ourRoute(target, env)).toBe(toolkitRoute(target, env));
  });

  it.each(DIFFER)('differs for %s with %j, as documented', (target, env, expected) => {
    expect({ toolkit: toolkitRoute(target, env), ours: ourRoute(target, env) }).toEqual(expected);
  });
});
