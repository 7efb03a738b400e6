// src/net/: the way out to incident.io and GitHub: which proxy a request takes, and the fetch that takes it.
/**
 * Which proxy a request goes through, decided from HTTPS_PROXY, HTTP_PROXY and NO_PROXY. For the
 * common forms the decision is the one GitHub's toolkit makes (@actions/http-client's proxy.ts,
 * which actions/checkout and actions/cache use): the variables and their spelling, no fallback
 * between them, loopback, and the NO_PROXY entries `*`, `example.com`, `.example.com`,
 * `example.com:8443`, `10.1.2.3` and `[fd00::1]`, in a list separated by commas. It is not the
 * same everywhere: the toolkit compares NO_PROXY entries as text, and this module reads them as
 * hosts, addresses and ranges. Where they differ (each case is in __tests__/net/proxy.test.ts, run
 * against the toolkit's own check, and in docs/proxies.md):
 *
 * - Entries only this module matches: `*.example.com`; CIDR ranges (`10.0.0.0/8`); a list
 *   separated by spaces; a bare IPv6 address (`fd00::1`) and other spellings of one address
 *   (`[fd00:0:0::1]`); a trailing dot on the entry or the target's host; a non-ASCII name
 *   (`bücher.example`, matched in its punycode form). The toolkit sends all of these through the
 *   proxy.
 * - Entries only the toolkit matches: part of an address (`2.3` matches `10.1.2.3` there, as a
 *   text suffix); here an address matches only whole.
 * - Loopback: the toolkit goes direct for any host whose name starts with `127.`
 *   (`127.example.com`); here only for addresses in 127.0.0.0/8 (and `localhost`, `::1`).
 * - A proxy written `host:port` with a host name (`proxy.corp:3128`): the toolkit's URL parser
 *   takes `proxy.corp:` for a scheme, finds no host and goes direct without a word; here it means
 *   `http://proxy.corp:3128`. A blank value: unset here, a parse error in the toolkit.
 *
 * We keep these differences on purpose: in each case the toolkit does not understand the form
 * (or reads a host name as an address), and this module's reading is the one docs/proxies.md
 * documents. The cost: in a job whose NO_PROXY or proxy value uses such a form, this step can go
 * direct where actions/checkout goes through the proxy, or (a partial address, a name starting
 * `127.`, a `host:port` proxy) through the proxy where the toolkit goes direct.
 *
 * The rules:
 *
 * - A variable is read in lower case first, then upper case (`https_proxy`, then `HTTPS_PROXY`); an
 *   empty or blank value counts as unset.
 * - `https://` targets use HTTPS_PROXY and `http://` targets HTTP_PROXY. There is no fallback from
 *   one to the other (as in the toolkit and curl): with only HTTP_PROXY set, https goes direct.
 * - Loopback targets (`localhost`, 127.0.0.0/8, `::1`) never use a proxy, whatever NO_PROXY says.
 * - NO_PROXY is a list separated by commas (or spaces), case-insensitive, each entry one of:
 *     `*`                          every target goes direct;
 *     `example.com`                that host and every subdomain (`api.example.com`);
 *     `.example.com`, `*.example.com`  subdomains only, not `example.com` itself;
 *     `example.com:8443`           as above, only for that port (a target without a port has 443 or 80);
 *     `10.1.2.3`, `[fd00::1]`, `fd00::1`, `[fd00::1]:8443`  that IP address (and port);
 *     `10.0.0.0/8`, `fd00::/8`     any IP address in that range (IP targets only: no DNS lookup).
 *   Name entries never match an IP target, nor IP entries a name. Anything else is ignored.
 * - A proxy value is `http://host:port` or `https://host:port`, optionally with `user:password@`
 *   (percent-encoded); `host:port` alone means `http://host:port`. Anything else is a RunnerSetupError
 *   naming the variable, whose message never repeats the credentials.
 *
 * Pure and light: the undici machinery that talks to a proxy is in ./undici.ts, loaded only when
 * a request takes a proxy (see ./fetch.ts).
 */
import { hasProxyVariable, PROXY_VARIABLE_NAMES, PROXY_VARIABLES } from './proxy-env.js';
import type { BlockList } from 'node:net';
import { RunnerSetupError } from '../core/errors.js';
import { isLoopback, redactCredentials, schemeLength } from '../core/urls.js';

/** A proxy to send requests through. */
export interface Proxy {
  /** Where to connect, without credentials: "http://proxy.example.com:3128". */
  readonly origin: string;
  /** The `Proxy-Authorization` value (`Basic …`), when the URL carries credentials. */
  readonly authorization?: string;
  /** For messages: the origin, with `***@` where credentials were ("http://***@proxy:3128"). */
  readonly shown: string;
  /** The variable it came from, as spelled in the environment: "HTTPS_PROXY" or "https_proxy". */
  readonly variable: string;
}

/** The proxy settings of a run: undefined (see readProxyConfig) when no proxy variable is set. */
export interface ProxyConfig {
  readonly https?: Proxy;
  readonly http?: Proxy;
  readonly noProxy: readonly NoProxyRule[];
}

type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'name'; name: string; subdomainsOnly: boolean; port?: number }
  | { kind: 'ip'; address: string; port?: number }
  | { kind: 'range'; list: BlockList };

type Env = Record<string, string | undefined>;

const VARIABLES = PROXY_VARIABLE_NAMES;
export { hasProxyVariable, PROXY_VARIABLES };

/**
 * Reads the proxy variables. Returns undefined when none sets a proxy; throws a RunnerSetupError naming
 * the variable when the one in use is not a proxy URL.
 */
export function readProxyConfig(env: Env): ProxyConfig | undefined {
  if (!hasProxyVariable(env)) return undefined;
  const https = pick(env, VARIABLES.https);
  const http = pick(env, VARIABLES.http);
  const noProxy = pick(env, VARIABLES.noProxy);
  return {
    https: https && parseProxy(https.variable, https.value),
    http: http && parseProxy(http.variable, http.value),
    noProxy: parseNoProxy(noProxy?.value ?? ''),
  };
}

/** The proxy a request to `target` goes through, or undefined to go direct. */
export function proxyFor(target: string | URL, config: ProxyConfig | undefined): Proxy | undefined {
  if (config === undefined) return undefined;
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = url.protocol === 'https:' ? config.https : url.protocol === 'http:' ? config.http : undefined;
  if (proxy === undefined) return undefined;
  const host = bare(url.hostname);
  if (isLoopback(host)) return undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return config.noProxy.some((rule) => matches(rule, host, port)) ? undefined : proxy;
}

/**
 * The credentials in any proxy variable, for masking: the password (and `user:password`), or the
 * user name when there is no password (a token in the user part, and `token:`), each as written
 * and decoded. `user:password` decoded is what `Proxy-Authorization: Basic …` encodes, so the
 * Redactor's base64 forms of it cover a proxy that echoes that header.
 * Works on values that are not valid URLs too, so a malformed variable's credentials are masked.
 */
export function proxySecrets(env: Env): string[] {
  const secrets = new Set<string>();
  for (const name of PROXY_VARIABLES) {
    const value = (env[name] ?? '').trim();
    const at = value.lastIndexOf('@');
    if (at < 0) continue;
    const userinfo = value.slice(schemeLength(value), at);
    const colon = userinfo.indexOf(':');
    const forms = colon < 0 ? [userinfo] : [userinfo, userinfo.slice(colon + 1)];
    for (const form of forms) {
      if (form === '') continue;
      secrets.add(form);
      secrets.add(decode(form));
    }
    if (colon < 0 && userinfo !== '') secrets.add(`${decode(userinfo)}:`);
  }
  return [...secrets].filter((secret) => secret !== '');
}

function pick(env: Env, names: readonly string[]): { variable: string; value: string } | undefined {
  for (const variable of names) {
    const value = (env[variable] ?? '').trim();
    if (value !== '') return { variable, value };
  }
  return undefined;
}

function parseProxy(variable: string, value: string): Proxy {
  const shown = JSON.stringify(cut(redactCredentials(value)));
  const example = 'such as "http://proxy.example.com:3128" (with credentials: "http://user:password@proxy.example.com:3128")';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new RunnerSetupError(
      `The proxy variable ${variable} is ${shown}, which is not a URL. Set it to the proxy's URL, ${example}, or unset it.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RunnerSetupError(
      `The proxy variable ${variable} is ${shown}: the action supports http:// and https:// proxies only, not ${url.protocol.slice(0, -1)}://. Set it to the proxy's URL, ${example}, or unset it.`,
    );
  }
  if (url.hostname === '') {
    throw new RunnerSetupError(
      `The proxy variable ${variable} is ${shown}, which names no host. Set it to the proxy's URL, ${example}, or unset it.`,
    );
  }
  const credentials = url.username !== '' || url.password !== '';
  const authorization = credentials
    ? `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`
    : undefined;
  return {
    origin: url.origin,
    authorization,
    shown: credentials ? `${url.protocol}//***@${url.host}` : url.origin,
    variable,
  };
}

function parseNoProxy(value: string): NoProxyRule[] {
  return value
    .split(/[\s,]+/)
    .map(parseNoProxyEntry)
    .filter((rule): rule is NoProxyRule => rule !== undefined);
}

function parseNoProxyEntry(raw: string): NoProxyRule | undefined {
  let entry = raw.trim().toLowerCase();
  if (entry === '') return undefined;
  if (entry === '*') return { kind: 'all' };

  const range = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(entry);
  if (range) {
    const [, address = '', bits] = range;
    const family = isIP(address);
    if (family === 0 || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
    const list = new (net().BlockList)();
    list.addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'range', list };
  }
  // A bare IPv6 address has colons of its own and so cannot carry a port.
  if (!entry.startsWith('[') && (entry.match(/:/g)?.length ?? 0) > 1) {
    return isIP(entry) === 6 ? { kind: 'ip', address: canonical(`[${entry}]`) } : undefined;
  }

  let port: number | undefined;
  const withPort = /^(.*):(\d{1,5})$/.exec(entry);
  if (withPort) {
    entry = withPort[1] ?? '';
    port = Number(withPort[2]);
  }
  if (entry.startsWith('[') && entry.endsWith(']')) {
    return isIP(entry.slice(1, -1)) === 6 ? { kind: 'ip', address: canonical(entry), port } : undefined;
  }
  if (entry.startsWith('*.')) entry = entry.slice(1);
  const subdomainsOnly = entry.startsWith('.');
  const name = canonical(entry.replace(/^\.+/, ''));
  if (name === '' || /[\s/@*]/.test(name)) return undefined;
  if (isIP(name) !== 0) return subdomainsOnly ? undefined : { kind: 'ip', address: name, port };
  return { kind: 'name', name, subdomainsOnly, port };
}

function matches(rule: NoProxyRule, host: string, port: number): boolean {
  const family = isIP(host);
  switch (rule.kind) {
    case 'all':
      return true;
    case 'range':
      return family !== 0 && rule.list.check(host, family === 4 ? 'ipv4' : 'ipv6');
    case 'ip':
      return family !== 0 && rule.address === host && (rule.port === undefined || rule.port === port);
    case 'name':
      return (
        family === 0 &&
        (rule.subdomainsOnly ? host.endsWith(`.${rule.name}`) : host === rule.name || host.endsWith(`.${rule.name}`)) &&
        (rule.port === undefined || rule.port === port)
      );
  }
}

/**
 * node:net (for isIP and BlockList), fetched on first use rather than imported: only runs with a
 * proxy variable get here, and importing it at start-up would add to every run's peak memory
 * (measured in docs/performance.md, "Proxy support costs a run without a proxy nothing measurable").
 */
function net(): typeof import('node:net') {
  return process.getBuiltinModule('node:net');
}

function isIP(host: string): number {
  return net().isIP(host);
}

/** A URL's hostname for matching: no IPv6 brackets, no trailing dot. */
function bare(hostname: string): string {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return host.replace(/\.$/, '');
}

/** A NO_PROXY host as a URL would write it (IPv4 shorthands expanded, IDN in punycode), bare. */
function canonical(host: string): string {
  try {
    return bare(new URL(`http://${host}/`).hostname);
  } catch {
    return bare(host);
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
