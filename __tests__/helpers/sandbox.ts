/** One incident.io sandbox per end-to-end test file, reset before each test. */
import { startSandbox } from '../../sandbox/server.mjs';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * Registers the hooks and returns the sandbox, filled in once it has started. Its `requests`
 * and `state` are the live objects (reset clears them in place), so the reference stays valid.
 */
export function useSandbox(options: Parameters<typeof startSandbox>[0] = {}): Sandbox {
  const sandbox = {} as Sandbox;
  beforeAll(async () => {
    Object.assign(sandbox, await startSandbox(options));
  });
  afterAll(async () => {
    await sandbox.close?.();
  });
  beforeEach(() => sandbox.reset());
  return sandbox;
}
