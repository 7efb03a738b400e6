/**
 * The heartbeat job on the source, through `run` with the test doubles: exactly what it sends, so
 * changing it (a path, a body, a header) fails here before any bundle is built.
 */
import { run } from '../../../src/main.js';
import { FakeClock, fakeCore, pushContext, scriptedFetch, type Reply, stepOf, type Step } from '../../helpers/fakes.js';

const context = pushContext;
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_ACTION: 'rollback' };

async function runOp(step: Step, replies: Reply[]) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore(inputs);
  const fetch = scriptedFetch(replies);
  await run({ core: core.core, fetch, env, clock: new FakeClock(), context: () => context }, job);
  const calls = fetch.calls.map((c) => ({
    method: c.init.method,
    path: new URL(c.url).pathname + new URL(c.url).search,
    body: c.init.body ? (JSON.parse(c.init.body as string) as Record<string, unknown>) : undefined,
    headers: c.init.headers as Record<string, string>,
  }));
  return { ...core, calls };
}

describe('heartbeat', () => {
  it('pings with an empty body and the token in the header only', async () => {
    const r = await runOp({ job: 'heartbeat', 'alert-source-id': 'hb-1', 'alert-token': 'hb_tok_0123456789' }, [
      new Response(null, { status: 204 }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls).toEqual([
      {
        method: 'POST',
        path: '/v2/heartbeat/hb-1/ping',
        body: undefined,
        headers: expect.objectContaining({ Authorization: 'Bearer hb_tok_0123456789' }),
      },
    ]);
  });
});
