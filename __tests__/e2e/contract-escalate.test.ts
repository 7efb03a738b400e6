/**
 * Contract of the paging requests (issue 19 §5): POST /v2/escalations, GET /v2/escalations with
 * its filters, POST /v2/escalations/{id}/actions/cancel and GET /v2/escalation_paths.
 *
 * - Against Prism serving the pruned spec (as __tests__/contract.test.ts does): a page of users
 *   linked to an incident by reference, and a cancel's search. Prism answers a request that breaks
 *   the contract with a 4xx and logs it.
 * - Prism cannot serve GET /v2/escalation_paths (the spec's example breaks its own schema), and its
 *   example escalations carry no marker of ours, so nothing is ever cancelled there. Those requests
 *   are checked as the sandbox received them: each body against the spec's request schema (strictly:
 *   no field it does not name), each query parameter among the operation's, and the cancel without a
 *   body.
 */
import { startPrism } from '../../scripts/prism.mjs';
import { PRUNED_PATH } from '../../scripts/prune-spec.mjs';
import { runAction } from '../../scripts/run-action.mjs';
import { specRequestErrors } from '../helpers/spec-shape.js';
import { useSandbox } from '../helpers/sandbox.js';
import { readFileSync } from 'node:fs';

const KEY = 'contract-test-key-0123456789';
/* eslint-disable @typescript-eslint/no-explicit-any -- the spec is untyped JSON */
const spec: any = JSON.parse(readFileSync(PRUNED_PATH, 'utf8'));

/** The query parameters `operation` takes ("GET /v2/escalations"), by their base name (`status` for `status[one_of]`). */
function queryParameters(operation: string): string[] {
  const [method, path] = operation.split(' ') as [string, string];
  const parameters: { name: string; in: string }[] = spec.paths[path]?.[method.toLowerCase()]?.parameters ?? [];
  return parameters.filter((p) => p.in === 'query').map((p) => p.name);
}

describe('contract: paging against Prism serving the published spec (pruned)', () => {
  let prism: Awaited<ReturnType<typeof startPrism>>;
  beforeAll(async () => {
    prism = await startPrism({ specPath: PRUNED_PATH });
  }, 240_000);
  afterAll(async () => {
    await prism?.close();
  });

  async function run(inputs: Record<string, string>) {
    const logsBefore = prism.logs().length;
    const result = await runAction({ 'api-key': KEY, 'api-url': prism.url, ...inputs }, { job: 'escalate' });
    await new Promise((resolve) => setTimeout(resolve, 150)); // Prism logs just after it answers.
    const logs = prism.logs().slice(logsBefore);
    expect(logs).not.toMatch(/did not pass the validation rules|Request terminated with error|Violation:/);
    expect(result.stdout).not.toMatch(/::error::/);
    return { result, logs };
  }

  it('accepts a page of users by ID, linked to an incident by reference: GET /v2/users/{id}, GET /v2/incidents/123, POST /v2/escalations', async () => {
    const { result, logs } = await run({
      users: '01FCNDV6P870EA6S7TK1DSYDG0',
      'incident-id': 'INC-123',
      title: 'Deploy failed',
      'escalation-key': 'deploy-production',
    });
    expect(result.code).toBe(0);
    expect(result.outputs['escalation-id']).toMatch(/^\w+$/);
    expect(logs).toMatch(/post \/v2\/escalations /);
  });

  it("accepts a cancel's search: GET /v2/escalations filtered on the key's prefix and the statuses that can still page", async () => {
    const { result, logs } = await run({ 'escalation-status': 'cancelled', 'escalation-key': 'deploy-production' });
    expect(result.code).toBe(0);
    expect(logs).toMatch(/get \/v2\/escalations /);
    // Prism's example escalation carries no marker of this key: it is left alone, never cancelled.
    expect(result.stdout).toContain('Nothing to cancel');
  });
});

describe('contract: paging requests as the sandbox received them, against the spec', () => {
  const sandbox = useSandbox();
  const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });

  it('the path list, the page, the search and the cancel fit their operations', async () => {
    sandbox.state.pageCap = 10; // three pages of paths: the cursor goes back as `after`
    const page = await runAction(
      { ...api(), 'escalation-path': 'Platform', 'escalation-key': 'deploy-production', 'incident-id': '' },
      { job: 'escalate' },
    );
    expect(page.code).toBe(0);
    const declared = await runAction({ ...api(), severity: 'Major', 'escalation-path': 'Payments' });
    expect(declared.code).toBe(0);
    const cancel = await runAction(
      { ...api(), 'escalation-status': 'cancelled', 'escalation-key': 'deploy-production' },
      { job: 'escalate', env: { GITHUB_RUN_ID: '1101' } },
    );
    expect(cancel.code).toBe(0);

    const seen = new Set<string>();
    for (const request of sandbox.requests.filter((r) => r.route.includes('escalation'))) {
      const operation = request.route.replace(':id', '{id}');
      seen.add(operation);
      const allowed = queryParameters(operation);
      for (const name of Object.keys(request.query ?? {})) {
        expect({ operation, parameter: name, inSpec: allowed.includes(name.replace(/\[.*$/, '')) }).toEqual({
          operation,
          parameter: name,
          inSpec: true,
        });
      }
      if (operation === 'POST /v2/escalations')
        expect({ operation, errors: specRequestErrors(operation, request.body) }).toEqual({ operation, errors: [] });
      if (operation === 'POST /v2/escalations/{id}/actions/cancel') expect(request.body ?? undefined).toBeUndefined();
    }
    expect([...seen].sort()).toEqual([
      'GET /v2/escalation_paths',
      'GET /v2/escalations',
      'POST /v2/escalations',
      'POST /v2/escalations/{id}/actions/cancel',
    ]);
    expect(sandbox.requests.filter((r) => r.route === 'GET /v2/escalation_paths').length).toBeGreaterThanOrEqual(3);
  });
});
