/**
 * The heartbeat job on the source, through `run` with the test doubles: exactly what it sends, so
 * changing it (a path, a body, a header) fails here before any bundle is built.
 */
import { runJob } from '../../helpers/run-job.js';

describe('heartbeat', () => {
  it('pings with an empty body and the token in the header only', async () => {
    const r = await runJob({ job: 'heartbeat', 'alert-source-id': 'hb-1', 'alert-token': 'hb_tok_0123456789' }, [
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
