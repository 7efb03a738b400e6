/**
 * Whether a proxy variable is set: all a run without a proxy needs to know, so it loads none of
 * the proxy code (./proxy.ts decides, ./undici.ts sends).
 */
type Env = Record<string, string | undefined>;

export const PROXY_VARIABLE_NAMES = {
  https: ['https_proxy', 'HTTPS_PROXY'],
  http: ['http_proxy', 'HTTP_PROXY'],
  noProxy: ['no_proxy', 'NO_PROXY'],
} as const;

/** Every variable that can name a proxy (NO_PROXY alone changes nothing). */
export const PROXY_VARIABLES: readonly string[] = [...PROXY_VARIABLE_NAMES.https, ...PROXY_VARIABLE_NAMES.http];

/** True when a proxy variable is set: only then is there anything to decide or load. */
export function hasProxyVariable(env: Env): boolean {
  return PROXY_VARIABLES.some((name) => (env[name] ?? '').trim() !== '');
}
