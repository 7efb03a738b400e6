/**
 * The one boundary for answers. Every answer from GitHub and incident.io is read against the
 * shape the code relies on, by the module that reads it, through these few combinators: a
 * surprise (`null`, a wrong type, a missing field, an object for a list, a list for an object,
 * HTML with a 200) becomes a named outcome there, never a `TypeError` deep in the code.
 *
 * - What the job cannot do without (the answer to its own write, the lists names resolve
 *   against) is read with `expectShape`: a mismatch is an `AnswerError` naming the request and
 *   the field (`severities[1].name is a number where text is expected`).
 * - Optional enrichment is read with `check`: a mismatch of the whole answer is the reader's to
 *   turn into a notice, and the parts marked `loose` or read with `items` are left out, each
 *   recorded in `dropped`, so the reader can say what it left out.
 *
 * Hand-written on purpose, not a schema library: the create's path loads this module on every
 * run, and the measured cost of the alternatives is in docs/performance.md.
 */
import { ApiError } from './errors.js';

/** Where an answer differed from its shape: `jobs[2].steps[0]`, what was expected, what was found. */
export interface Problem {
  path: string;
  expected: string;
  found: string;
}

interface Reading {
  errors: Problem[];
  dropped: Problem[];
}

const FAIL: unique symbol = Symbol('shape mismatch');
type Read<T> = T | typeof FAIL;

export interface Shape<T> {
  /** What the shape expects, in words: "text", "a list", "an object". */
  readonly expected: string;
  /** @internal Reads `value` at `path`; on a mismatch records it in `reading.errors` and returns FAIL. */
  readonly read: (value: unknown, path: string, reading: Reading) => Read<T>;
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mismatch(reading: Reading, path: string, expected: string, value: unknown): typeof FAIL {
  reading.errors.push({ path, expected, found: kindOf(value) });
  return FAIL;
}

/** What a value is, in words, never the value itself: the text of an answer may be hostile or secret. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value === '' ? 'empty text' : 'text';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'not a finite number';
  if (typeof value === 'boolean') return 'true or false';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function leaf<T>(expected: string, test: (value: unknown) => boolean): Shape<T> {
  return { expected, read: (value, path, reading) => (test(value) ? (value as T) : mismatch(reading, path, expected, value)) };
}

export const text: Shape<string> = leaf('text', (v) => typeof v === 'string');
/** Non-empty text: an ID, a reference, anything the action sends back or shows as the thing's name. */
export const id: Shape<string> = leaf('non-empty text', (v) => typeof v === 'string' && v !== '');
export const integer: Shape<number> = leaf('a whole number', (v) => Number.isSafeInteger(v));
export const number: Shape<number> = leaf('a number', (v) => typeof v === 'number' && Number.isFinite(v));
export const boolean: Shape<boolean> = leaf('true or false', (v) => typeof v === 'boolean');

/** Absent or `null` reads as undefined; anything else must match `shape`. */
export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return {
    expected: shape.expected,
    read: (value, path, reading) => (value === undefined || value === null ? undefined : shape.read(value, path, reading)),
  };
}

/**
 * Like `optional`, but a value that does not match is left out (undefined) instead of failing
 * the answer, and recorded in `dropped`: for fields the action can do without.
 */
export function loose<T>(shape: Shape<T>): Shape<T | undefined> {
  return {
    expected: shape.expected,
    read: (value, path, reading) => {
      if (value === undefined || value === null) return undefined;
      const mark = reading.errors.length;
      const result = shape.read(value, path, reading);
      if (result !== FAIL) return result;
      reading.dropped.push(...reading.errors.splice(mark));
      return undefined;
    },
  };
}

/** A list whose every item matches `item`. */
export function list<T>(item: Shape<T>): Shape<T[]> {
  return {
    expected: 'a list',
    read: (value, path, reading) => {
      if (!Array.isArray(value)) return mismatch(reading, path, 'a list', value);
      const out: T[] = [];
      let failed = false;
      value.forEach((entry, i) => {
        const result = item.read(entry, `${path}[${i}]`, reading);
        if (result === FAIL) failed = true;
        else out.push(result);
      });
      return failed ? FAIL : out;
    },
  };
}

/** A list whose items that do not match `item` are left out, each recorded in `dropped`. */
export function items<T>(item: Shape<T>): Shape<T[]> {
  return {
    expected: 'a list',
    read: (value, path, reading) => {
      if (!Array.isArray(value)) return mismatch(reading, path, 'a list', value);
      const out: T[] = [];
      value.forEach((entry, i) => {
        const mark = reading.errors.length;
        const result = item.read(entry, `${path}[${i}]`, reading);
        if (result === FAIL) reading.dropped.push(...reading.errors.splice(mark));
        else out.push(result);
      });
      return out;
    },
  };
}

type Fields = Record<string, Shape<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<F extends Fields> = Flat<
  { [K in keyof F as undefined extends Infer<F[K]> ? never : K]: Infer<F[K]> } & {
    [K in keyof F as undefined extends Infer<F[K]> ? K : never]?: Infer<F[K]>;
  }
>;

/**
 * A JSON object with these fields. Fields it does not name are kept as they are (incident.io
 * adds fields without notice, and the job summary reads a few more); a field read as undefined
 * (absent, `null`, or left out by `loose`) is removed, so no malformed value survives the read.
 */
export function object<F extends Fields>(fields: F): Shape<ObjectOf<F>> {
  return {
    expected: 'an object',
    read: (value, path, reading) => {
      if (!isRecord(value)) return mismatch(reading, path, 'an object', value);
      const out: Record<string, unknown> = { ...value };
      let failed = false;
      for (const [key, shape] of Object.entries(fields)) {
        const result = shape.read(value[key], path ? `${path}.${key}` : key, reading);
        if (result === FAIL) failed = true;
        else if (result === undefined) delete out[key];
        else out[key] = result;
      }
      return failed ? FAIL : (out as ObjectOf<F>);
    },
  };
}

export type Checked<T> = { ok: true; value: T; dropped: Problem[] } | { ok: false; problems: Problem[] };

/** Reads `value` as `shape`: the value typed, with what was left out, or every problem that made it unusable. */
export function check<T>(shape: Shape<T>, value: unknown): Checked<T> {
  const reading: Reading = { errors: [], dropped: [] };
  const result = shape.read(value, '', reading);
  return result === FAIL ? { ok: false, problems: reading.errors } : { ok: true, value: result, dropped: reading.dropped };
}

/** "severities[1].name is a number where text is expected; jobs is missing", at most `limit` of them. */
export function describeProblems(problems: readonly Problem[], limit = 3): string {
  const shown = problems.slice(0, limit).map((p) => {
    const where = p.path === '' ? 'the answer' : p.path;
    return p.found === 'missing'
      ? `${where} is missing (${p.expected} is expected)`
      : `${where} is ${p.found} where ${p.expected} is expected`;
  });
  const more = problems.length > limit ? `; and ${problems.length - limit} more` : '';
  return shown.join('; ') + more;
}

/** An answer of a shape the action cannot use. */
export class AnswerError extends ApiError {
  override name = 'AnswerError';
  constructor(
    message: string,
    readonly problems: readonly Problem[],
  ) {
    super(message);
  }
}

/**
 * Reads an answer the job cannot do without. `what` names the request and how it answered
 * ("incident.io GET /v1/severities answered"); a mismatch is an AnswerError that says which
 * field was wrong. Parts read `loose` or with `items` are dropped without failing it.
 */
export function expectShape<T>(shape: Shape<T>, value: unknown, what: string): T {
  const result = check(shape, value);
  if (result.ok) return result.value;
  throw new AnswerError(`${what} with an answer the action cannot use: ${describeProblems(result.problems)}.`, result.problems);
}
