/**
 * Hashes that keep a key short and stable: the same text gives the same key on every run, and
 * texts that differ give keys that differ.
 */
import { createHash } from 'node:crypto';

/** The first `digits` hex digits of SHA-256 over `text`. */
export function hashHex(text: string, digits: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, digits);
}

/**
 * A key of at most `max` characters (UTF-16 units), the same for the same input: a longer one
 * keeps its start and ends with `…#` and 16 hex digits of SHA-256 over the whole key, so two long
 * keys that share their start stay apart. A character outside the BMP is never cut in two.
 */
export function shortenKey(key: string, max: number): string {
  if (key.length <= max) return key;
  const hash = hashHex(key, 16);
  const suffix = `\u2026#${hash}`;
  let head = key.slice(0, max - suffix.length);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return head + suffix;
}
