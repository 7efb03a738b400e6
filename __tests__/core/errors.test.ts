/**
 * settleAll waits for every parallel lookup and reports their failures together. A key that
 * incident.io refuses fails every lookup with the same 401: that is said once, and first.
 */
import { ApiError, InputError, oneRefusal, settleAll } from '../../src/core/errors.js';

describe('oneRefusal (the ApiError side of settleAll)', () => {
  const e401 = (n: number) => new ApiError(`401 number ${n}`, 401);
  it('keeps the first 401 and drops the others, then the other failures in order', () => {
    const other = new ApiError('503', 503);
    const plain = new Error('plain');
    expect(oneRefusal([other, e401(1), plain, e401(2)]).map((e) => (e as Error).message)).toEqual(['401 number 1', '503', 'plain']);
    expect(oneRefusal([other, plain])).toEqual([other, plain]);
  });

  it('makes settleAll throw the 401 even when another failure came first', async () => {
    await expect(settleAll([Promise.reject(new ApiError('503', 503)), Promise.reject(e401(1)), Promise.reject(e401(2))])).rejects.toThrow(
      '401 number 1',
    );
  });

  it('says a 401 once through nested settleAll calls too (lookUpForDeclare runs lookUpChanges inside its own)', async () => {
    const inner = settleAll([Promise.reject(e401(2)), Promise.reject(e401(3))]);
    await expect(settleAll([Promise.reject(e401(1)), inner])).rejects.toThrow('401 number 1');
  });

  it('still reports every input error together before any failure of a request', async () => {
    const error = await settleAll([
      Promise.reject(new InputError('a')),
      Promise.reject(e401(1)),
      Promise.reject(new InputError('b')),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('a\nb');
  });
});
