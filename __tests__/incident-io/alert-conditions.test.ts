/**
 * The alerts a maintenance window holds: `alerts` lines resolved through the alert attributes and
 * the catalog, raw `conditions` checked against the workspace, and the refusals that keep a window
 * from holding nothing while the step is green.
 */
import { ApiError, InputError } from '../../src/core/errors.js';
import { checkRawConditions, conditionsFromAlerts, conditionWords } from '../../src/incident-io/alert-conditions.js';
import { FakeClock, json, testClient } from '../helpers/fakes.js';

const SERVICE_TYPE = '01CATSERVICE';
const attributes = [
  { id: '01ATTRSERVICE', name: 'Service', type: `CatalogEntry["${SERVICE_TYPE}"]`, array: false, required: false },
  { id: '01ATTRENV', name: 'Environment', type: 'String', array: false, required: false },
  { id: '01ATTRTEAM', name: 'Team', type: 'String', array: true, required: false },
  { id: '01ATTRSEV', name: 'Priority', type: 'Number', array: false, required: false },
];
const entries = [
  { id: '01ENTRYCHECKOUT', name: 'Checkout', external_id: 'checkout', aliases: ['co'] },
  { id: '01ENTRYPAYMENTS', name: 'Payments', external_id: 'payments', aliases: ['pay'] },
];

interface Call {
  method: string;
  url: URL;
}

/** A fetch that answers by route, like the API (catalog matched by identifier), recording each call. */
function workspace({
  attributeList = attributes,
  catalog = (identifier: string | null) =>
    json(200, {
      catalog_entries: entries.filter((e) => !identifier || [e.id, e.external_id, e.name, ...e.aliases].includes(identifier)),
      pagination_meta: {},
    }),
}: { attributeList?: unknown[]; catalog?: (identifier: string | null) => Response } = {}) {
  const calls: Call[] = [];
  const fetch = async (raw: string, init: RequestInit) => {
    const url = new URL(raw);
    calls.push({ method: init.method ?? 'GET', url });
    if (url.pathname === '/v2/alert_attributes') return json(200, { alert_attributes: attributeList });
    if (url.pathname === '/v3/catalog_entries') return catalog(url.searchParams.get('identifier'));
    throw new Error(`unexpected ${url.pathname}`);
  };
  const client = testClient(fetch, { clock: new FakeClock() });
  return { client, calls };
}

const alerts = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('conditionsFromAlerts', () => {
  it('makes one group: each line a one_of condition on the attribute, catalog values as entry IDs, String values as written', async () => {
    const { client, calls } = workspace();
    const resolved = await conditionsFromAlerts(client, alerts({ service: ['checkout', 'pay'], Environment: ['production'] }));
    expect(resolved.groups).toEqual([
      {
        conditions: [
          {
            subject: 'alert.attributes.01ATTRSERVICE',
            operation: 'one_of',
            param_bindings: [{ array_value: [{ literal: '01ENTRYCHECKOUT' }, { literal: '01ENTRYPAYMENTS' }] }],
          },
          { subject: 'alert.attributes.01ATTRENV', operation: 'one_of', param_bindings: [{ array_value: [{ literal: 'production' }] }] },
        ],
      },
    ]);
    expect(calls.map((c) => `${c.url.pathname}${c.url.search}`)).toEqual([
      '/v2/alert_attributes',
      `/v3/catalog_entries?catalog_type_id=${SERVICE_TYPE}&identifier=checkout&page_size=25`,
      `/v3/catalog_entries?catalog_type_id=${SERVICE_TYPE}&identifier=pay&page_size=25`,
    ]);
    expect(resolved.names.get('01ENTRYCHECKOUT')).toEqual({
      kind: 'catalog entry',
      name: 'Checkout',
      note: 'a value of alert attribute "Service"',
    });
    expect(resolved.names.get('01ATTRSERVICE')).toEqual({ kind: 'alert attribute', name: 'Service' });
    expect(conditionWords(resolved.groups, resolved.names)).toEqual([
      '"Service" is one of "Checkout", "Payments" and "Environment" is one of "production"',
    ]);
  });

  it('has one canonical form for the same alerts, however they are written and ordered', async () => {
    const a = await conditionsFromAlerts(workspace().client, alerts({ Service: ['checkout', 'payments'], Environment: ['production'] }));
    const b = await conditionsFromAlerts(workspace().client, alerts({ environment: ['production'], SERVICE: ['pay', '01ENTRYCHECKOUT'] }));
    const c = await conditionsFromAlerts(workspace().client, alerts({ Service: ['checkout'] }));
    expect(a.canonical).toBe(b.canonical);
    expect(c.canonical).not.toBe(a.canonical);
  });

  it('holds a value that two names give once, and says so', async () => {
    const resolved = await conditionsFromAlerts(workspace().client, alerts({ Service: ['checkout', 'co'] }));
    expect(resolved.groups[0]!.conditions[0]!.param_bindings).toEqual([{ array_value: [{ literal: '01ENTRYCHECKOUT' }] }]);
    expect(resolved.notices).toEqual([
      'Input "alerts" gives "Service" the same value more than once ("Checkout"); the window holds it once.',
    ]);
  });

  it('suggests "checkout" for "chekout", and an attribute for "Servce", in one error, after the lookups only', async () => {
    const { client, calls } = workspace();
    const error = await failure(conditionsFromAlerts(client, alerts({ Service: ['chekout'], Servce: ['payments'] })));
    expect(error).toBeInstanceOf(InputError);
    const [first, second] = error.message.split('\n');
    expect(first).toBe(
      'Input "alerts" sets "Service" to "chekout", which is not an entry of its catalog (by ID, external ID, alias or name). Some entries: "Checkout", "Payments". Did you mean "Checkout"?',
    );
    expect(second).toBe(
      'Input "alerts" names "Servce", which is not an alert attribute in this incident.io workspace. Available: "Service", "Environment", "Team", "Priority". Did you mean "Service"? Its values ["payments"] could not be checked without the attribute.',
    );
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('is an error, never a pass-through, when the key may not read the catalog (403)', async () => {
    const { client } = workspace({ catalog: () => json(403, { type: 'forbidden', errors: [{ message: 'You do not have permission' }] }) });
    const error = await failure(conditionsFromAlerts(client, alerts({ Service: ['checkout'] })));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(error.message).toContain('give it the scope "catalog_entries.view"');
    expect(error.message).toContain('The action sent it for input "alerts".');
    expect(error.message).toContain(
      'never sent unchecked: a value incident.io does not know would open a window that holds no alert while the step is green',
    );
  });

  it('is an error when the catalog answers in a shape the action cannot read', async () => {
    const { client } = workspace({ catalog: () => json(200, { catalog_entries: [{ name: 'no id' }] }) });
    const error = await failure(conditionsFromAlerts(client, alerts({ Service: ['checkout'] })));
    expect(error.message).toMatch(/catalog_entries\[0\]\.id is missing.*never sent unchecked/);
  });

  it('names the scope when the attributes may not be read, and fails on attributes it cannot read', async () => {
    const refused = testClient(async () => json(403, { type: 'forbidden', errors: [{ message: 'no' }] }));
    const error = await failure(conditionsFromAlerts(refused, alerts({ Service: ['checkout'] })));
    expect(error.message).toContain('give it the scope "alert_schema.view"');
    expect(error.message).toContain('The action sent it for input "alerts".');
    const malformed = workspace({ attributeList: [{ id: '01A', name: 'Service', type: 'String' }] });
    expect((await failure(conditionsFromAlerts(malformed.client, alerts({ Service: ['x'] })))).message).toContain(
      'alert_attributes[0].array is missing',
    );
  });

  it('refuses attributes of a type it cannot check, pointing to "conditions"', async () => {
    const error = await failure(conditionsFromAlerts(workspace().client, alerts({ Priority: ['1'] })));
    expect(error.message).toMatch(
      /^Input "alerts" names "Priority", an alert attribute of type "Number", whose values the action cannot check.*"conditions"/,
    );
  });

  it('refuses one attribute named twice', async () => {
    const error = await failure(conditionsFromAlerts(workspace().client, alerts({ Service: ['checkout'], SERVICE: ['payments'] })));
    expect(error.message).toMatch(/^Input "alerts" names "Service" and "SERVICE", which are the same alert attribute \("Service"\)/);
  });

  it('quotes hostile attribute names from incident.io, so none can start a line or a runner command', async () => {
    const hostile = { id: '01EVIL', name: 'Svc\n::error::pwned\u2028[x](https://evil.example)', type: 'String', array: false };
    const { client } = workspace({ attributeList: [hostile] });
    const error = await failure(conditionsFromAlerts(client, alerts({ Servce: ['x'] })));
    expect(error.message).not.toMatch(/\n/);
    expect(error.message).toContain(JSON.stringify(hostile.name));
    const ok = await conditionsFromAlerts(workspace({ attributeList: [hostile] }).client, alerts({ [hostile.name]: ['x'] }));
    expect(conditionWords(ok.groups, ok.names)[0]).toBe(`${JSON.stringify(hostile.name)} is one of "x"`);
  });
});

describe('checkRawConditions', () => {
  const group = (subject: string, literal: string, operation = 'one_of') => ({
    conditions: [{ subject, operation, param_bindings: [{ array_value: [{ literal }] }] }],
  });

  it('takes attribute IDs and entry IDs as written, and names them', async () => {
    const { client, calls } = workspace();
    const groups = [group('alert.attributes.01ATTRSERVICE', '01ENTRYCHECKOUT'), group('alert.title', 'deploy', 'contains')];
    const resolved = await checkRawConditions(client, groups);
    expect(resolved.groups).toEqual(groups);
    expect(calls).toHaveLength(2);
    expect(conditionWords(resolved.groups, resolved.names)).toEqual(['"Service" is one of "Checkout"', '"alert.title" contains "deploy"']);
  });

  it('looks nothing up for subjects that are not attributes', async () => {
    const { client, calls } = workspace();
    await checkRawConditions(client, [group('alert.title', 'deploy', 'contains')]);
    expect(calls).toEqual([]);
  });

  it('refuses an unknown attribute ID, an attribute by name, and a catalog value that is not an entry ID', async () => {
    const { client } = workspace();
    const error = await failure(
      checkRawConditions(client, [
        group('alert.attributes.01NOPE', 'x'),
        group('alert.attributes.Service', '01ENTRYCHECKOUT'),
        group('alert.attributes.01ATTRSERVICE', 'checkout'),
      ]),
    );
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(
      /^Input "conditions" has the subject "alert.attributes.01NOPE" at \[0\].conditions\[0\], which names no alert attribute\. It names "01NOPE", which is not an alert attribute/,
    );
    expect(lines[1]).toBe(
      'Input "conditions" has the subject "alert.attributes.Service" at [1].conditions[0], which names the alert attribute "Service" by name; a condition takes its ID: "alert.attributes.01ATTRSERVICE".',
    );
    expect(lines[2]).toMatch(
      /^Input "conditions" sets "Service" to "checkout" at \[2\].conditions\[0\], which is the catalog entry "Checkout"; a condition on a catalog attribute takes the entry's ID: "01ENTRYCHECKOUT"/,
    );
  });
});
