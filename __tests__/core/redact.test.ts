/**
 * The Redactor's forms (src/core/redact.ts): a secret comes back raw, URL-encoded, JSON-escaped
 * or base64-encoded, alone or inside a longer value, and every form is redacted and handed to the
 * runner's add-mask. (Fragments and Markdown are in output/output.test.ts.)
 */
import { FRAGMENT, Redactor, secretForms } from '../../src/core/redact.js';
import { fragmentsOf } from '../helpers/leaks.js';

// Characters that every encoding changes: a space, quotes, a slash, a plus, a percent sign, non-ASCII.
const SECRET = 'p@ss w0rd/"proxy"+100%-é';
const redactor = new Redactor([SECRET]);

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const b64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

describe('the forms of a secret', () => {
  it('redacts the secret raw, JSON-escaped, and URL-encoded with either case of hex and as a form value', () => {
    const percent = encodeURIComponent(SECRET);
    for (const form of [
      SECRET,
      JSON.stringify(SECRET).slice(1, -1),
      percent,
      percent.toLowerCase(),
      new URLSearchParams({ q: SECRET }).toString().slice(2),
    ]) {
      expect(redactor.redact(`before ${form} after`)).toBe('before *** after');
    }
    expect(new URLSearchParams({ q: SECRET }).toString()).toContain('+'); // the form value differs from encodeURIComponent's
  });

  it('redacts `Basic base64(user:password)` whole, as a proxy error page echoes Proxy-Authorization', () => {
    const credentials = `build-bot:${SECRET}`;
    const page = `<h1>502</h1><pre>Proxy-Authorization: Basic ${b64(credentials)}\r\nHost: api.incident.io</pre>`;
    expect(new Redactor([credentials, SECRET]).redact(page)).toBe(
      '<h1>502</h1><pre>Proxy-Authorization: Basic ***\r\nHost: api.incident.io</pre>',
    );
    // With only the password known, what the password alone decides is still gone.
    const shown = redactor.redact(page);
    expect(shown).toContain('***');
    for (const fragment of fragmentsOf(b64(`build-bot:${SECRET}`).slice(12, -4))) expect(shown).not.toContain(fragment);
  });

  it('redacts the secret base64-encoded inside a longer value, at each of the three byte alignments, in base64 and base64url', () => {
    const other = Buffer.from('\u00ff\u00fe\u00fd\u00fc\u00fb\u00fa\u00f9', 'latin1'); // bytes whose encoding cannot look like the secret's
    const secret = Buffer.from(SECRET);
    for (const encode of [b64, b64url]) {
      for (let before = 0; before <= 6; before++) {
        for (let after = 0; after <= 4; after++) {
          const encoded = encode(Buffer.concat([other.subarray(0, before), secret, other.subarray(0, after)]));
          // The characters whose 6 bits all come from the secret: the ones that must go.
          const first = Math.ceil((8 * before) / 6);
          const end = Math.floor((8 * (before + secret.length)) / 6);
          const shown = redactor.redact(`Authorization: Basic ${encoded}`);
          // The secret's own encoding, padding and all, is a form too: when it ends the value on a group boundary.
          const whole = before % 3 === 0 && after === 0;
          const expected = `${encoded.slice(0, first)}***${whole ? '' : encoded.slice(end)}`;
          expect(shown).toBe(`Authorization: Basic ${expected}`);
          expect(end - first).toBeGreaterThanOrEqual(FRAGMENT);
        }
      }
    }
  });

  it('redacts any 12 characters of each form, as it does of the secret itself', () => {
    const inner = b64(`x${SECRET}yz`).slice(4, 28);
    expect(redactor.redact(`cut: ${inner.slice(0, FRAGMENT)}`)).toBe('cut: ***');
    const percent = encodeURIComponent(SECRET);
    expect(redactor.redact(`cut: ${percent.slice(5, 5 + FRAGMENT)}…`)).toBe('cut: ***…');
  });

  it('lists every form for add-mask, the secret first, and none for a value too short to be a secret', () => {
    const forms = secretForms(SECRET);
    expect(forms[0]).toBe(SECRET);
    expect(forms).toEqual(
      expect.arrayContaining([encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1), b64(SECRET), b64url(SECRET)]),
    );
    expect(new Set(forms).size).toBe(forms.length);
    expect(redactor.masks()).toEqual(forms);
    expect(new Redactor(['short']).masks()).toEqual([]);
  });

  it('leaves ordinary text alone, base64 included', () => {
    const text = `Deploy failed: ${b64('an ordinary message of some length')} at /v1/severities?page=2&q=a%20b`;
    expect(redactor.redact(text)).toBe(text);
  });
});
