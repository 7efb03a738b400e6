/**
 * Markdown built from text the action does not own (names from incident.io, workflow and branch
 * names, job names, keys), for the job summary and for incident text. A `Markdown` value is
 * Markdown by construction: plain strings only get in through `text`, `code` and `link`, which
 * escape them, so a name cannot open a link, a code span, HTML or a new line. `md` is a template
 * tag whose literal parts are trusted and whose plain-string values are escaped as text.
 */
import { isLoopback } from './urls.js';
export class Markdown {
  constructor(readonly source: string) {}
  toString(): string {
    return this.source;
  }
}

type Part = Markdown | string | number | undefined;

/** `md\`- **Severity:** ${name}\``: literals as written, strings escaped, Markdown kept. */
export function md(strings: TemplateStringsArray, ...values: Part[]): Markdown {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += inline(value) + (strings[i + 1] ?? '');
  });
  return new Markdown(out);
}

function inline(value: Part): string {
  if (value === undefined) return '';
  if (value instanceof Markdown) return value.source;
  return text(String(value)).source;
}

/** Line breaks of every kind become spaces: a value never starts a new block or table row. */
function oneLine(value: string): string {
  return value.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/**
 * Inline text: one line, with every character that can start inline Markdown (emphasis, code,
 * a link or image, HTML, an entity, a table cell, strikethrough, math) escaped by a backslash,
 * and GitHub's autolinks (`https://…`, `www.…`, `a@b.c`) broken by an escape, so a name never
 * becomes a link. `#` is left alone: a value is never at the start of a line.
 */
export function text(value: string): Markdown {
  return new Markdown(
    oneLine(value)
      .replace(/[\\`*_[\]<>|~&!$]/g, '\\$&')
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/@(?=[\w-]+\.\w)/g, '\\@')
      .replace(/\b(www)\./gi, '$1\\.'),
  );
}

/** A code span that holds any text: its fence is longer than any run of backticks inside. */
export function code(value: string): Markdown {
  const content = oneLine(value);
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = content.startsWith('`') || content.endsWith('`') || /^ .* $/.test(content) ? ' ' : '';
  return new Markdown(`${fence}${pad}${content}${pad}${fence}`);
}

/** The URL, normalised and safe inside `(…)`, when it may become a link: https, or http to loopback. */
export function linkTarget(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const allowed = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname));
  if (!allowed || parsed.username || parsed.password) return undefined;
  return parsed.href.replace(/[()<>"' ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A link when the URL may be one; otherwise the label, then the URL as code, never clickable. */
export function link(label: string | Markdown, url: string | undefined): Markdown {
  const shown = label instanceof Markdown ? label : text(label);
  const target = linkTarget(url);
  if (target) return new Markdown(`[${shown.source}](${target})`);
  return url ? md`${shown} (${code(url)})` : shown;
}

export function join(parts: readonly Markdown[], separator: string): Markdown {
  return new Markdown(parts.map((p) => p.source).join(separator));
}

/** Markdown blocks separated by blank lines, empty ones left out. */
export function blocks(parts: readonly (Markdown | undefined)[]): Markdown {
  return join(
    parts.filter((p): p is Markdown => p !== undefined && p.source.trim() !== ''),
    '\n\n',
  );
}
