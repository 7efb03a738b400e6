/** src/runner/exit.ts: the exit waits for the streams, at most FLUSH_LIMIT_MS, whatever they do. */
import { exitWhenFlushed, FLUSH_LIMIT_MS, within, type Flushable } from '../../src/runner/exit.js';

/** A stream whose writes complete when `flush()` is called. */
function slowStream() {
  const pending: (() => void)[] = [];
  const stream: Flushable = { write: (_chunk, callback) => (pending.push(() => callback()), false) };
  return { stream, flush: () => pending.splice(0).forEach((done) => done()) };
}

/** A timer that fires only when told to. */
function manualTimer() {
  const timers: { callback: () => void; ms: number }[] = [];
  return {
    setTimer: (callback: () => void, ms: number) => timers.push({ callback, ms }),
    fire: () => timers.forEach((t) => t.callback()),
    timers,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('exitWhenFlushed', () => {
  it('exits with the code only once every stream has handed over what was written', async () => {
    const out = slowStream();
    const err = slowStream();
    const exits: number[] = [];
    const done = exitWhenFlushed(1, {
      streams: [out.stream, err.stream],
      exit: (code) => exits.push(code),
      setTimer: manualTimer().setTimer,
    });
    await tick();
    expect(exits).toEqual([]);
    out.flush();
    await tick();
    expect(exits).toEqual([]);
    err.flush();
    await done;
    expect(exits).toEqual([1]);
  });

  it('exits after FLUSH_LIMIT_MS when a stream never finishes (a reader that stopped reading)', async () => {
    const stuck = slowStream();
    const timer = manualTimer();
    const exits: number[] = [];
    const done = exitWhenFlushed(0, { streams: [stuck.stream], exit: (code) => exits.push(code), setTimer: timer.setTimer });
    await tick();
    expect(exits).toEqual([]);
    expect(timer.timers.map((t) => t.ms)).toEqual([FLUSH_LIMIT_MS]);
    timer.fire();
    await done;
    expect(exits).toEqual([0]);
  });

  it('exits when a stream cannot be written at all', async () => {
    const broken: Flushable = {
      write: () => {
        throw new Error('EPIPE');
      },
    };
    const exits: number[] = [];
    await exitWhenFlushed(1, { streams: [broken], exit: (code) => exits.push(code), setTimer: manualTimer().setTimer });
    expect(exits).toEqual([1]);
  });
});

describe('within', () => {
  it('resolves when the promise settles, either way, or when the time is up', async () => {
    await expect(within(Promise.reject(new Error('x')), 1_000, manualTimer().setTimer)).resolves.toBeUndefined();
    const timer = manualTimer();
    let resolved = false;
    const never = within(new Promise(() => {}), 50, timer.setTimer).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    timer.fire();
    await never;
    expect(resolved).toBe(true);
  });
});
