/**
 * The one place that shapes text from a server (incident.io's errors, GitHub's, a proxy's) for a
 * message: secrets are redacted first, then the text is flattened to one line and cut, so no cut
 * can leave half a key behind and no body, however large, floods the log. The output layer
 * escapes it last, when it is printed.
 */
import type { Redactor } from './redact.js';

/** A server's words take at most this many characters of a message. */
export const SERVER_TEXT_LIMIT = 1000;
/** Redaction reads this much of a body; anything past it is cut anyway. */
const READ_LIMIT = 64 * 1024;

export function serverText(raw: string, redactor: Redactor, limit = SERVER_TEXT_LIMIT): string {
  const flat = redactor.redact(raw.slice(0, READ_LIMIT)).replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  return `${flat.slice(0, limit)}… (cut from ${raw.length.toLocaleString('en-US')} characters)`;
}
