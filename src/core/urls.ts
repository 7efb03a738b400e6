/**
 * URLs as the action shows and trusts them: the loopback hosts where plain http is allowed (a
 * local sandbox or proxy), and a URL or proxy value as it may appear in a message, credentials
 * never among it.
 */

/** The hosts, as a URL's hostname writes them, to which plain http is allowed: `api-url`, a link in the summary. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

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
