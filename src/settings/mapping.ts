/**
 * Parses the mapping inputs (`custom-fields`, `roles`) written as YAML or JSON. The YAML parser
 * is imported only when such an input is set, so runs without one never load it.
 */
import { InputError } from '../errors.js';

/** A mapping value: a string, or a list of strings (YAML's failsafe schema keeps `007` as "007"). */
export type MappingValue = string | string[];

const EXAMPLES: Record<string, string> = {
  'custom-fields': '`Affected service: checkout` or `{"Affected service": "checkout"}`',
  roles: '`Incident Lead: alice@example.com` or `{"lead": "alice@example.com"}`',
};

export async function parseMapping(input: string, raw: string): Promise<Map<string, MappingValue>> {
  const result = new Map<string, MappingValue>();
  if (raw.trim() === '') return result;
  const example = EXAMPLES[input] ?? '`key: value`';
  let data: unknown;
  try {
    const { parse } = await import('yaml');
    // failsafe: every scalar stays a string, so nothing is silently turned into a number or boolean.
    data = parse(raw, { schema: 'failsafe', uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`Input "${input}" is not valid YAML or JSON: ${detail}. Write a mapping such as ${example}.`);
  }
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
          (input === 'custom-fields' ? ' or a list of strings' : '') +
          `, as in ${example}.`,
      );
    }
  }
  return result;
}
