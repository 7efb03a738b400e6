/**
 * Contract test: the bundle runs the same flows as the end-to-end tests against Prism serving
 * incident.io's published OpenAPI spec. Prism answers every request that breaks the vendor's
 * contract with a 4xx (which fails the step) and logs it, so a green run means every request the
 * action sent fits the spec. The spec is the checked-in pruned copy,
 * spec/incidentio-openapi.pruned.json (the operations the action uses, with the addendum's
 * merged in; scripts/prune-spec.mjs regenerates it from ../shared/), so this runs everywhere.
 */
import { startPrism } from '../../scripts/prism.mjs';
import { PRUNED_PATH } from '../../scripts/prune-spec.mjs';
import { runAction } from '../../scripts/run-action.mjs';
import { systemClock } from '../../src/core/time.js';
import { Redactor } from '../../src/core/redact.js';
import { waitForAlertIncident } from '../../src/incident-io/alert-incident.js';
import { IncidentIoClient } from '../../src/incident-io/client.js';

const specPath = PRUNED_PATH;

// Prism's examples for the spec (static, the same on every call).
const EXAMPLE_INCIDENT_ID = '01FDAG4SAP5TYPT98WGR2N7W91';
const KEY = 'contract-test-key-0123456789';

describe('contract: the bundle against Prism serving the published incident.io spec (pruned)', () => {
  let prism: Awaited<ReturnType<typeof startPrism>>;
  beforeAll(async () => {
    prism = await startPrism({ specPath });
  }, 240_000);
  afterAll(async () => {
    await prism?.close();
  });

  /** Runs the bundle's `job` and checks Prism found nothing to reject. */
  async function run(inputs: Record<string, string>, job = 'declare') {
    const logsBefore = prism.logs().length;
    const key: Record<string, string> = job === 'alert' || job === 'heartbeat' ? {} : { 'api-key': KEY };
    const result = await runAction({ ...key, 'api-url': prism.url, ...inputs }, { job });
    await new Promise((resolve) => setTimeout(resolve, 150)); // Prism logs just after it answers.
    const logs = prism.logs().slice(logsBefore);
    expect(logs).not.toMatch(/did not pass the validation rules|Request terminated with error|Violation:/);
    expect(result.stdout).not.toMatch(/::error::/);
    return result;
  }

  it('accepts a minimal create: severity by name, then POST /v2/incidents', async () => {
    const result = await run({ severity: 'minor', summary: 'Contract check' });
    expect(result.code).toBe(0);
    expect(result.outputs['incident-id']).toBe(EXAMPLE_INCIDENT_ID);
    expect(result.outputs['incident-reference']).toBe('INC-123');
    expect(result.outputs['incident-url']).toBe('https://app.incident.io/incidents/123');
    // Prism's example incident was created in 2021, so the action rightly reports it as pre-existing.
    expect(result.outputs.created).toBe('false');
  });

  it('accepts a create with a type, a status, a custom field, a role and a Slack channel name', async () => {
    const result = await run({
      severity: 'Minor',
      'incident-type': 'production outage',
      status: 'closed', // the spec's only example status, in the "triage" category
      'custom-fields': 'Affected Team: Product',
      roles: 'lead: lisa@incident.io',
      'slack-channel-name': 'inc-checkout-down',
      visibility: 'private',
      mode: 'test',
    });
    expect(result.code).toBe(0);
    expect(result.outputs['incident-id']).toBe(EXAMPLE_INCIDENT_ID);
  });

  it('accepts an update by reference: GET /v2/incidents/123, then the edit', async () => {
    const result = await run(
      {
        'incident-id': 'INC-123',
        severity: 'Minor',
        name: 'Checkout down (rollback failed too)',
        summary: 'The rollback failed as well.',
        'custom-fields': 'Affected Team: Product',
        roles: 'Incident Lead: lisa@incident.io',
        'notify-incident-channel': 'false',
      },
      'update',
    );
    expect(result.code).toBe(0);
    expect(result.outputs['incident-id']).toBe(EXAMPLE_INCIDENT_ID);
    expect(result.stdout).toContain('Updated incident INC-123');
  });

  it('accepts an alert event', async () => {
    const result = await run(
      {
        'alert-source-id': '01GW2G3V0S59R238FAHPDS1R66',
        'alert-token': 'contract-alert-token-0123456789',
        summary: 'Deploy failed',
      },
      'alert',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sent a firing alert event');
  });

  it('accepts a maintenance window start: the alert attributes, the catalog entry, the lead, the two window lists, the create', async () => {
    // Prism's examples: the attribute "service" is catalog-typed, its catalog's example entry is "Primary On-call".
    const result = await run(
      { window: 'start', alerts: 'service: Primary On-call', lead: 'lisa@incident.io', duration: '45m' },
      'maintenance',
    );
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('true');
    expect(result.outputs['maintenance-window-id']).toBe('01FCNDV6P870EA6S7TK1DSYDG0');
  });

  it('sends a dry run through every lookup without a create', async () => {
    const result = await run({ severity: 'Minor', 'dry-run': 'true', 'custom-fields': '{"Affected Team": "Product"}' });
    expect(result.code).toBe(0);
    // The catalog value was looked up (GET /v3/catalog_entries) and is sent as the entry's ID.
    expect(result.stdout).toContain('"value_catalog_entry_id": "01FCNDV6P870EA6S7TK1DSYDG0"');
  });

  it('accepts the incident-key search: GET /v2/incidents with status-category and mode filters, then the create', async () => {
    const result = await run({ severity: 'Minor', 'incident-key': 'Deploy@main', mode: 'test' });
    expect(result.code).toBe(0);
    // Prism's example incidents carry no incident-key marker, so the action declares one.
    expect(result.stdout).toContain('Incident INC-123');
  });

  it('accepts an update with a message: POST /v2/incident_updates, then the edit', async () => {
    const result = await run(
      {
        'incident-id': 'INC-123',
        message: 'Attempt 2 failed too.',
        severity: 'Minor',
        name: 'Checkout down',
      },
      'update',
    );
    expect(result.code).toBe(0);
    // Prism answers with the spec's example update, created in 2021: to the action, a replay of an earlier attempt's.
    expect(result.stdout).toContain('An earlier attempt of this step already posted this incident update to INC-123');
  });

  // The spec's example alert (Prism's static answer to GET /v2/alerts): this source and key, firing, created in 2021.
  const EXAMPLE_ALERT = { source: '01GW2G3V0S59R238FAHPDS1R66', key: '4293868629' };

  it('accepts an alert event with wait-for-incident: GET /v2/alerts with the key, source and status filters', async () => {
    const logsBefore = prism.logs().length;
    const result = await run(
      {
        'alert-source-id': EXAMPLE_ALERT.source,
        'alert-token': 'contract-alert-token-0123456789',
        'deduplication-key': EXAMPLE_ALERT.key,
        'api-key': KEY,
        'wait-for-incident': '2',
      },
      'alert',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/::warning/);
    expect(prism.logs().slice(logsBefore)).toMatch(/get \/v2\/alerts/);
    // The example alert was created in 2021, long before this event: rightly not taken for its alert.
    expect(result.stdout).toContain('incident.io had not recorded a new firing alert for the event within 2 s');
  });

  it('accepts the lookups of the incident behind an alert, and reads the answers: alerts, incident alerts, the incident', async () => {
    const logsBefore = prism.logs().length;
    const client = new IncidentIoClient({
      baseUrl: prism.url,
      token: KEY,
      credential: { input: 'api-key', job: 'alert', event: 'push' },
      fetch,
      clock: systemClock,
      redactor: new Redactor([KEY]),
      deadline: { at: Date.now() + 30_000, name: 'the 30 s deadline' },
    });
    // notBefore 0 lets the 2021 example alert be this event's, so each of the three requests is made.
    const found = await waitForAlertIncident(
      client,
      { alertSourceId: EXAMPLE_ALERT.source, deduplicationKey: EXAMPLE_ALERT.key, notBefore: 0 },
      { until: Date.now(), clock: systemClock },
    );
    expect(found.alert?.id).toBe('01GW2G3V0S59R238FAHPDS1R66');
    expect(found.incident).toMatchObject({ id: EXAMPLE_INCIDENT_ID, reference: 'INC-123' });
    await new Promise((resolve) => setTimeout(resolve, 150)); // Prism logs just after it answers.
    const logs = prism.logs().slice(logsBefore);
    expect(logs).not.toMatch(/did not pass the validation rules|Request terminated with error|Violation:/);
    for (const request of [/get \/v2\/alerts/, /get \/v2\/incident_alerts/, new RegExp(`get /v2/incidents/${EXAMPLE_INCIDENT_ID}`)])
      expect(logs).toMatch(request);
  });

  it('accepts the on-call job: every page of GET /v2/schedules, then GET /v2/schedule_entries with the cursor as entry_window_start', async () => {
    const logsBefore = prism.logs().length;
    // Prism's example entry starts and ends at this moment: it covers nothing, so nobody is on call.
    const result = await run({ schedule: 'primary on-call schedule', at: '2021-08-17T13:28:57Z' }, 'on-call');
    expect(result.code).toBe(0);
    const logs = prism.logs().slice(logsBefore);
    // Prism repeats its example cursors: the second page of each list (the cursor sent back) ends the reading.
    expect(logs.match(/get \/v2\/schedules .*Request received/g)).toHaveLength(2);
    expect(logs.match(/get \/v2\/schedule_entries .*Request received/g)).toHaveLength(2);
    expect(result.outputs['count']).toBe('0');
  });

  it('accepts a create whose lead is on call: the schedules and entries read, then the create; and sets the chained outputs', async () => {
    const result = await run({
      severity: 'Minor',
      roles: 'Incident Lead: on-call:Primary On-Call Schedule',
      'wait-for-slack-channel': '5',
    });
    expect(result.code).toBe(0);
    // Prism's example entries are from 2021: nobody is on call now, so the role is left out, with a warning.
    expect(result.stdout).toMatch(
      /The role "Incident Lead" was left unassigned: nobody is on call on the schedule "Primary On-Call Schedule"/,
    );
    expect(result.outputs).toMatchObject({
      severity: 'Minor',
      'status-category': 'triage',
      'slack-channel-id': 'C02AW36C1M5',
      'slack-channel-name': 'inc-165-green-parrot',
      'slack-channel-url': 'https://app.slack.com/client/T02A1FSLE8J/C02AW36C1M5',
    });
  });

  it('accepts a heartbeat ping', async () => {
    const result = await run(
      {
        'alert-source-id': '01GW2G3V0S59R238FAHPDS1R66',
        'alert-token': 'contract-heartbeat-token-0123456789',
      },
      'heartbeat',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sent a heartbeat ping');
  });

  it('accepts a create with timestamps and links: GET /v2/incident_timestamps, the create, then POST /v1/incident_attachments', async () => {
    const logsBefore = prism.logs().length;
    const result = await run({
      severity: 'Minor',
      timestamps: 'Impact started: 2026-11-26T10:04:00Z',
      links: 'Runbook: https://runbooks.example.com/checkout',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/::warning/);
    const logs = prism.logs().slice(logsBefore);
    expect(logs).toMatch(/get \/v2\/incident_timestamps/);
    expect(logs).toMatch(/post \/v1\/incident_attachments/);
  });

  it('accepts an update with links on an existing incident: GET /v1/incident_attachments first', async () => {
    const logsBefore = prism.logs().length;
    const result = await run({ 'incident-id': 'INC-123', links: 'Postmortem: https://docs.example.com/pm/1' }, 'update');
    expect(result.code).toBe(0);
    expect(prism.logs().slice(logsBefore)).toMatch(/get \/v1\/incident_attachments/);
  });
});
