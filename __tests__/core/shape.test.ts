/** The answer shapes (src/core/shape.ts): what each combinator accepts, what it leaves out, and how a mismatch reads. */
import {
  AnswerError,
  check,
  describeProblems,
  expectShape,
  id,
  integer,
  items,
  list,
  loose,
  number,
  object,
  optional,
  text,
} from '../../src/core/shape.js';
import { ApiError } from '../../src/core/errors.js';

const step = object({ name: text, number: loose(integer) });
const job = object({ id: loose(integer), name: id, steps: loose(items(step)), conclusion: optional(text) });
const page = object({ total_count: loose(integer), jobs: items(job) });

describe('shapes', () => {
  it('reads a well-formed answer as it is, keeping fields it does not name', () => {
    const body = { total_count: 1, jobs: [{ id: 1, name: 'deploy', steps: [{ name: 'Deploy', number: 3 }], extra: { a: 1 } }], more: true };
    expect(check(page, body)).toEqual({ ok: true, value: body, dropped: [] });
  });

  it.each([
    ['null', null, 'the answer is null where an object is expected'],
    ['a list for an object', [], 'the answer is a list where an object is expected'],
    ['text (an HTML page)', '<html></html>', 'the answer is text where an object is expected'],
    ['an object for a list', { jobs: { a: {} } }, 'jobs is an object where a list is expected'],
    ['a missing list', {}, 'jobs is missing (a list is expected)'],
  ])('refuses %s, naming where', (_what, body, message) => {
    const result = check(page, body);
    expect(result.ok).toBe(false);
    expect(!result.ok && describeProblems(result.problems)).toBe(message);
  });

  it('leaves out items and loose fields that do not match, and records each', () => {
    const body = {
      total_count: 'three',
      jobs: [null, { id: 'x', name: 'a', steps: [null, { name: 1 }, { name: 'ok', number: 1.5 }] }, { name: '' }, { name: 'b', steps: {} }],
    };
    const result = check(page, body);
    if (!result.ok) throw new Error('expected a reading');
    expect(result.value).toEqual({
      jobs: [{ name: 'a', steps: [{ name: 'ok' }] }, { name: 'b' }],
    });
    expect(describeProblems(result.dropped, 10)).toBe(
      [
        'total_count is text where a whole number is expected',
        'jobs[0] is null where an object is expected',
        'jobs[1].id is text where a whole number is expected',
        'jobs[1].steps[0] is null where an object is expected',
        'jobs[1].steps[1].name is a number where text is expected',
        'jobs[1].steps[2].number is a number where a whole number is expected',
        'jobs[2].name is empty text where non-empty text is expected',
        'jobs[3].steps is an object where a list is expected',
      ].join('; '),
    );
  });

  it('treats null as absent for optional and loose fields, and removes it from the value', () => {
    const result = check(job, { name: 'a', conclusion: null, id: null });
    expect(result).toEqual({ ok: true, value: { name: 'a' }, dropped: [] });
  });

  it('fails an optional field of the wrong type, where a loose one is only left out', () => {
    expect(check(job, { name: 'a', conclusion: 1 }).ok).toBe(false);
    expect(check(job, { name: 'a', id: 'one' })).toEqual({ ok: true, value: { name: 'a' }, dropped: [expect.anything()] });
  });

  it('fails a strict list for one bad item, and reports every problem', () => {
    const result = check(list(object({ id, name: id })), [{ id: 'a', name: 'A' }, { id: '' }, 3]);
    expect(!result.ok && describeProblems(result.problems, 5)).toBe(
      '[1].id is empty text where non-empty text is expected; [1].name is missing (non-empty text is expected); [2] is a number where an object is expected',
    );
  });

  it('says how many more problems there were past the limit', () => {
    const result = check(list(id), [1, 2, 3, 4, 5]);
    expect(!result.ok && describeProblems(result.problems)).toMatch(/; and 2 more$/);
  });

  it('never quotes the value it found: an answer may carry a secret or a runner command', () => {
    const result = check(object({ n: number }), { n: '::add-mask::ghs_secret' });
    expect(!result.ok && describeProblems(result.problems)).toBe('n is text where a number is expected');
  });

  it('refuses numbers that are not finite', () => {
    expect(check(number, Number.NaN).ok).toBe(false);
    expect(check(integer, 2 ** 60).ok).toBe(false);
  });

  it('throws an AnswerError, an ApiError naming the request, from expectShape', () => {
    let error: unknown;
    try {
      expectShape(page, { jobs: 'none' }, 'GitHub GET /jobs answered');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AnswerError);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toBe(
      'GitHub GET /jobs answered with an answer the action cannot use: jobs is text where a list is expected.',
    );
  });
});
