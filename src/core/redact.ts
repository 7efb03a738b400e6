/**
 * Removes secrets from text: whole values, every form in which a server, a proxy or a library
 * may echo them (see `secretForms`), and any fragment of FRAGMENT or more characters of each, so
 * a server that echoes part of a key, or an excerpt cut through the middle of one, cannot leak
 * it. The runner masks only the exact values it is told about; main.ts tells it every form listed
 * here (`forms`), and this covers the rest. Every line, output and summary the action writes
 * passes through it, and error text from a server is redacted here before it is cut or escaped.
 */

import { text } from './markdown.js';

/** Fragments this long or longer are redacted; the leak tests search for every one of them. */
export const FRAGMENT = 12;
/** Shorter values are not treated as secrets: they would shred ordinary words. */
const MIN_SECRET = 8;
const MASK = '***';

/**
 * Every form in which `secret` can come back, the secret itself first:
 * - inside a JSON string (`\"`, `\\`, and every character as `\uXXXX`, in either case);
 * - as a name or value in Markdown (`inc_live` → `inc\_live`: escaping comes before redaction there);
 * - URL-encoded: percent-encoded with upper- or lower-case hex, and as a form value (`+` for a space);
 * - base64 and base64url: the secret alone, as `Authorization: Basic …` carries `user:password`,
 *   and the characters that the secret alone decides when it sits inside a longer encoded value
 *   (`Basic base64(user + ":" + secret)`, a token in a JWT), once for each of the three positions
 *   it can start at within base64's 3-byte groups. The one or two characters at each end, which
 *   mix the secret with its neighbours, are left; with the fragment rule, any 12 characters of
 *   the rest are redacted.
 */
export function secretForms(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const forms = [
    secret,
    jsonForm(secret),
    unicodeEscapedForm(secret),
    unicodeEscapedForm(secret).toUpperCase().replaceAll('\\U', '\\u'),
    text(secret).source,
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    new URLSearchParams({ v: secret }).toString().slice(2),
  ];
  const bytes = Buffer.from(secret, 'utf8');
  for (const encoding of ['base64', 'base64url'] as const) {
    forms.push(bytes.toString(encoding));
    for (const offset of [0, 1, 2]) forms.push(base64Core(bytes, offset, encoding));
  }
  return [...new Set(forms)].filter((form) => form.length >= MIN_SECRET);
}

export class Redactor {
  private readonly wholes: string[] = [];
  private readonly forms = new Set<string>();
  private readonly fragments = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret, in each form it may come back in (secretForms). */
  add(secret: string): void {
    if (secret.length < MIN_SECRET) return;
    for (const form of secretForms(secret)) {
      if (this.forms.has(form)) continue;
      this.forms.add(form);
      this.wholes.push(form);
      for (let i = 0; i + FRAGMENT <= form.length; i++) this.fragments.add(form.slice(i, i + FRAGMENT));
    }
    // Longest first, so a value that contains another is replaced whole.
    this.wholes.sort((a, b) => b.length - a.length);
  }

  /** Every whole form of every secret, for the runner's add-mask (main.ts registers each). */
  masks(): string[] {
    return [...this.forms];
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

/**
 * The base64 characters that depend on `bytes` alone when they follow `offset` (0, 1 or 2) other
 * bytes within a 3-byte group: each character carries 6 bits, so those whose bits all fall
 * inside the secret's.
 */
function base64Core(bytes: Buffer, offset: number, encoding: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding);
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return encoded.slice(first, end);
}
