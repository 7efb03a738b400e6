/**
 * Contract of maintenance/'s requests: the bundle runs a start (with `incident-id`, and its create's
 * answer lost so the lists run again), a re-run, and an end against the sandbox, and every request
 * it sent is held against the pruned spec (spec/incidentio-openapi.pruned.json): each query
 * parameter named by the operation, within its schema (status one of active/upcoming/past, page
 * sizes within their maxima), the required ones present; each JSON body fits the operation's
 * request schema strictly (no field it does not name). Covers GET/POST /v1/maintenance_windows,
 * GET/PUT /v1/maintenance_windows/{id}, GET /v2/alert_attributes and GET /v3/catalog_entries (and
 * the user and incident lookups on the way). `__tests__/e2e/contract.test.ts` runs a start against Prism too.
 */
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';
import { specQueryErrors, specRequestErrors } from '../helpers/spec-shape.js';

const sandbox = useSandbox();
const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const maintenance = (inputs: Record<string, string>) =>
  runAction({ ...api(), ...inputs }, { job: 'maintenance', env: { INCIDENT_IO_TIMEOUT_MS: '3000' } });

/** The spec's operation for a sandbox route: `GET /v1/maintenance_windows/:id` → `GET /v1/maintenance_windows/{id}`. */
const operationOf = (route: string) => route.replace(/:([a-z_]+)/gi, '{$1}');

it('sends only requests the spec describes, for a start (lost answer, re-run) and an end', async () => {
  // An incident to link the window to, declared first; its requests are not this test's.
  expect((await runAction({ ...api(), severity: 'Major' })).code).toBe(0);
  const first = sandbox.requests.length;
  sandbox.fault('POST /v1/maintenance_windows', { type: 'reset', after: 'process' });
  const start = { window: 'start', alerts: 'Service: [checkout, payments]\nEnvironment: production', lead: 'alice@example.com' };
  for (const inputs of [{ ...start, 'incident-id': 'INC-1', 'on-end': 'none' }, start, { window: 'end', alerts: start.alerts }]) {
    const result = await maintenance(inputs);
    expect(result.stdout).not.toContain('::error::');
    expect(result.code).toBe(0);
  }
  const operations = new Set<string>();
  for (const request of sandbox.requests.slice(first)) {
    const operation = operationOf(request.route);
    operations.add(operation);
    expect({ operation, errors: specQueryErrors(operation, request.query) }).toEqual({ operation, errors: [] });
    if (request.method === 'POST' || request.method === 'PUT') {
      expect({ operation, errors: specRequestErrors(operation, request.body) }).toEqual({ operation, errors: [] });
    }
  }
  expect([...operations].sort()).toEqual(
    expect.arrayContaining([
      'GET /v1/maintenance_windows',
      'GET /v1/maintenance_windows/{id}',
      'GET /v2/alert_attributes',
      'GET /v3/catalog_entries',
      'POST /v1/maintenance_windows',
      'PUT /v1/maintenance_windows/{id}',
    ]),
  );
  expect([...operations]).not.toContain('DELETE /v1/maintenance_windows/{id}');
});
