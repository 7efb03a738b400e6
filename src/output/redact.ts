/**
 * Removes secrets from text: whole values, the forms a JSON body gives them, and any fragment of
 * FRAGMENT or more characters, so a server that echoes part of a key, or an excerpt cut through
 * the middle of one, cannot leak it. The runner masks only a secret's exact value; this covers
 * the rest. Every line, output and summary the action writes passes through it, and error text
 * from a server is redacted here before it is cut or escaped.
 */

import { text } from './markdown.js';

/** Fragments this long or longer are redacted; the leak tests search for every one of them. */
export const FRAGMENT = 12;
/** Shorter values are not treated as secrets: they would shred ordinary words. */
const MIN_SECRET = 8;
const MASK = '***';

export class Redactor {
  private readonly wholes: string[] = [];
  private readonly fragments = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret, in each form it may come back in. */
  add(secret: string): void {
    if (secret.length < MIN_SECRET) return;
    for (const form of new Set([
      secret,
      jsonForm(secret),
      unicodeEscapedForm(secret),
      unicodeEscapedForm(secret).toUpperCase().replaceAll('\\U', '\\u'),
      // As a name or value in Markdown (`inc_live` → `inc\_live`): escaping comes before redaction there.
      text(secret).source,
    ])) {
      this.wholes.push(form);
      for (let i = 0; i + FRAGMENT <= form.length; i++) this.fragments.add(form.slice(i, i + FRAGMENT));
    }
    // Longest first, so a value that contains another is replaced whole.
    this.wholes.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    if (this.wholes.length === 0 || text === '') return text;
    let out = text;
    for (const whole of this.wholes) out = out.split(whole).join(MASK);
    if (out.length < FRAGMENT) return out;
    // Mark every position covered by a fragment of a secret, then replace each covered run once.
    const covered = new Uint8Array(out.length);
    let any = false;
    for (let i = 0; i + FRAGMENT <= out.length; i++) {
      if (this.fragments.has(out.slice(i, i + FRAGMENT))) {
        covered.fill(1, i, i + FRAGMENT);
        any = true;
      }
    }
    if (!any) return out;
    let result = '';
    for (let i = 0; i < out.length;) {
      if (covered[i]) {
        while (i < out.length && covered[i]) i++;
        result += MASK;
      } else {
        result += out[i++];
      }
    }
    return result;
  }

  /** Every string inside a value (a request body) redacted; keys and other values as they are. */
  redactValues(value: unknown): unknown {
    if (this.wholes.length === 0) return value;
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValues(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactValues(item)]));
    }
    return value;
  }
}

/** The secret as it appears inside a JSON string. */
function jsonForm(secret: string): string {
  return JSON.stringify(secret).slice(1, -1);
}

/** The secret with every character as a `\uXXXX` escape, as some JSON encoders write it. */
function unicodeEscapedForm(secret: string): string {
  return [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}
