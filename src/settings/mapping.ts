/**
 * Parses the mapping inputs (`custom-fields`, `roles`, `links`, `timestamps`, `alert-metadata`, `alerts`)
 * written as YAML or JSON. The YAML parser is imported only when such an input is set, so runs
 * without one never load it. Only plain text, lists and mappings are read: a YAML tag (`!!binary`, `!foo`), a key that is not text,
 * or anything the parser would warn about is an input error, and the parser never writes to
 * stderr.
 */
import { InputError } from '../core/errors.js';

/** A mapping value: a string, or a list of strings (YAML's failsafe schema keeps `007` as "007"). */
export type MappingValue = string | string[];

const EXAMPLES: Record<string, string> = {
  'custom-fields': '`Affected service: checkout` or `{"Affected service": "checkout"}`',
  roles: '`Incident Lead: alice@example.com` or `{"lead": "alice@example.com"}`',
  links: '`Runbook: https://runbooks.example.com/checkout` or `{"Runbook": "https://…"}`',
  timestamps: '`Impact started: 2026-11-26T10:04:00Z` or `{"Impact started": "now"}`',
  'alert-metadata': '`team: payments` or `{"team": "payments", "environment": "production"}`',
  alerts: '`Service: checkout` or `Service: [checkout, payments]`',
};
const KEY_NAMES: Record<string, string> = {
  'custom-fields': 'custom field',
  roles: 'role',
  links: 'link title',
  timestamps: 'incident timestamp',
  'alert-metadata': 'metadata field',
  alerts: 'alert attribute',
};
/** Inputs whose values may be lists (`Teams: [Platform, Payments]`). */
const LIST_VALUED = new Set(['custom-fields', 'alerts']);
const PLAIN_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:map']);

export async function parseMapping(input: string, raw: string): Promise<Map<string, MappingValue>> {
  const result = new Map<string, MappingValue>();
  if (raw.trim() === '') return result;
  const example = EXAMPLES[input] ?? '`key: value`';
  const { isCollection, isPair, isScalar, parseDocument, visit } = await import('yaml');
  // failsafe: every scalar stays a string, so nothing is silently turned into a number or boolean.
  const doc = parseDocument(raw, { schema: 'failsafe', uniqueKeys: true, prettyErrors: false, logLevel: 'silent' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    throw new InputError(
      `Input "${input}" is not valid YAML or JSON${where(raw, problem.pos[0])}: ${firstLine(problem.message)}. Write a mapping such as ${example}.`,
    );
  }
  visit(doc, (_key, node) => {
    const tag = (isScalar(node) || isCollection(node)) && node.tag;
    if (tag && !PLAIN_TAGS.has(tag)) {
      throw new InputError(
        `Input "${input}" uses the YAML tag ${JSON.stringify(tag)}; only plain text, lists and mappings are read. Write a mapping such as ${example}.`,
      );
    }
    if (isPair(node) && !isScalar(node.key)) {
      throw new InputError(
        `Input "${input}" has a key that is not text; each key names one ${KEY_NAMES[input] ?? 'entry'}, as in ${example}.`,
      );
    }
  });
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : JSON.stringify(data ?? null);
    throw new InputError(`Input "${input}" must be a mapping such as ${example}; got ${got}.`);
  }
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (typeof value === 'string') result.set(key, value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) result.set(key, value);
    else {
      throw new InputError(
        `Input "${input}" has ${JSON.stringify(key)} set to ${JSON.stringify(value)}; each value must be a string` +
          (LIST_VALUED.has(input) ? ' or a list of strings' : '') +
          `, as in ${example}.`,
      );
    }
  }
  return result;
}

/** " (line 2: `Teams Platform`)": where the parser stopped, for a value of several lines. */
function where(raw: string, offset: number | undefined): string {
  if (offset === undefined || !raw.includes('\n')) return '';
  const number = raw.slice(0, offset).split('\n').length;
  const line = (raw.split('\n')[number - 1] ?? '').trim();
  const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return ` (line ${number}: ${JSON.stringify(shown)})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
