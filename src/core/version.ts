/**
 * The action's version, sent in the User-Agent. It is package.json's `version`, read when the
 * bundle is built (ncc keeps only that field of package.json), so a release cannot ship a stale one.
 */
import pkg from '../../package.json' with { type: 'json' };

export const ACTION_VERSION: string = pkg.version;
export const USER_AGENT = `incident-io-github-action/${ACTION_VERSION}`;
