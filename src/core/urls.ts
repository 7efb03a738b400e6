/**
 * URLs as the action shows and trusts them: the loopback hosts (where plain http is allowed, for a
 * local sandbox or proxy, and no proxy is taken), and a URL or proxy value as it may appear in a message, credentials
 * never among it.
 */

/**
 * Whether a host is this machine: `localhost`, 127.0.0.0/8 or ::1 (also as ::ffff:127.x.x.x), in
 * any form a URL accepts (`127.1`, `[0:0:0:0:0:0:0:1]`, a trailing dot), with or without IPv6
 * brackets. The one loopback rule: plain http is allowed to these hosts (`api-url`, a link in the
 * summary), and requests to them never take a proxy. The URL parser makes the form canonical, so
 * no run loads node:net for it.
 */
export function isLoopback(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '').toLowerCase();
  if (name === 'localhost') return true;
  let host: string;
  try {
    host = new URL(`http://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}/`).hostname;
  } catch {
    return false;
  }
  // The parser writes every IPv4 form as a dotted quad, and an IPv6 address compressed in lower case.
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

/** The length of a `scheme://` prefix, or 0 when the value has none. */
export function schemeLength(value: string): number {
  return /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0].length ?? 0;
}

/**
 * The value with everything between its `scheme://` (if any) and its last `@` replaced by `***`:
 * a password may hold an unencoded "#", "?", "/" or "@", which a URL parser would read as
 * something else, and a user name may be a token. Whether or not the value parses.
 */
export function redactCredentials(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = schemeLength(value);
  return `${value.slice(0, scheme)}***${value.slice(at)}`;
}

/** A URL as it may be shown in a message: credentials, query and fragment replaced by `***`. */
export function redactUrl(raw: string): string {
  const shown = redactCredentials(raw);
  const cut = shown.search(/[?#]/);
  return cut >= 0 ? `${shown.slice(0, cut)}${shown[cut]}***` : shown;
}
