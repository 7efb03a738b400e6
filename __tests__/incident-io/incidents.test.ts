import { ApiError } from '../../src/core/errors.js';
import { createIncident, isKeyConflict, isNew, type CreatePayload } from '../../src/incident-io/incidents.js';
import { FakeClock, json, networkError, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const payload: CreatePayload = { idempotency_key: 'k', severity_id: 's', visibility: 'public', name: 'n', summary: '', mode: 'standard' };
const T0 = Date.parse('2026-11-26T12:00:00Z');

function client(replies: Reply[], clock = new FakeClock(T0)) {
  return testClient(scriptedFetch(replies), { clock });
}

describe('createIncident', () => {
  it('reports a fresh incident as created', async () => {
    const incident = { id: '01', reference: 'INC-1', name: 'n', created_at: new Date(T0).toISOString() };
    const result = await createIncident(client([json(200, { incident })]), payload, () => T0);
    expect(result).toEqual({ incident, created: true });
  });

  it('reports an incident replayed from an earlier run as already declared', async () => {
    const incident = { id: '01', reference: 'INC-1', name: 'n', created_at: '2026-11-26T11:40:00Z' };
    const result = await createIncident(client([json(200, { incident })]), payload, () => T0);
    expect(result.created).toBe(false);
  });

  it('treats a 409 conflict as already declared', async () => {
    const conflict = { type: 'conflict', status: 409, errors: [{ message: 'An incident with this idempotency key already exists' }] };
    await expect(createIncident(client([json(409, conflict)]), payload, () => T0)).resolves.toEqual({
      incident: undefined,
      created: false,
    });
  });

  it('still fails on other errors', async () => {
    const error = {
      type: 'validation_error',
      status: 422,
      errors: [{ message: 'A severity is required', source: { field: 'severity_id' } }],
    };
    await expect(createIncident(client([json(422, error)]), payload, () => T0)).rejects.toThrow(/A severity is required/);
  });

  it('says a create whose answers were all lost may have declared it, and how to get it without a duplicate', async () => {
    const lost = Array.from({ length: 5 }, () => networkError('ECONNRESET'));
    const error = createIncident(client(lost), payload, () => T0);
    await expect(error).rejects.toThrow(
      /Gave up after 5 attempts.*may have declared the incident.*same idempotency key \("k"\), without a duplicate/,
    );
    const unavailable = Array.from({ length: 5 }, () => json(503, { type: 'internal_error' }));
    await expect(createIncident(client(unavailable), payload, () => T0)).rejects.toThrow(/may have declared the incident/);
  });

  it('does not say so when incident.io refused the create', async () => {
    const refused = json(422, { type: 'validation_error', errors: [{ message: 'A severity is required' }] });
    await expect(createIncident(client([refused]), payload, () => T0)).rejects.toThrow(/^(?!.*may have declared).*A severity is required/);
    await expect(createIncident(client([json(401, { type: 'authentication_error' })]), payload, () => T0)).rejects.not.toThrow(
      /may have declared/,
    );
  });

  it('fails clearly on a 200 without an incident', async () => {
    await expect(createIncident(client([json(200, {})]), payload, () => T0)).rejects.toThrow(
      /POST \/v2\/incidents answered 200 with an incident the action cannot report: incident is missing/,
    );
  });
});

describe('isNew', () => {
  const at = (iso: string) => ({ id: '1', reference: 'INC-1', name: 'n', created_at: iso });
  it('uses the server clock when there is one, so runner clock skew does not matter', () => {
    // The runner clock is 10 minutes fast; the server says the incident is 1 s old.
    const runnerNow = T0 + 600_000;
    expect(isNew(at('2026-11-26T11:59:59Z'), runnerNow - 1500, runnerNow, T0)).toBe(true);
    expect(isNew(at('2026-11-26T11:50:00Z'), runnerNow - 1500, runnerNow, T0)).toBe(false);
  });
  it('counts the time spent on retries as this step', () => {
    expect(isNew(at('2026-11-26T11:59:20Z'), T0 - 45_000, T0)).toBe(true);
  });
  it('assumes new when created_at is missing', () => {
    expect(isNew({}, T0, T0)).toBe(true);
  });
});

describe('isKeyConflict', () => {
  it('accepts 409s and 422s that blame the idempotency key, nothing else', () => {
    const e = (status: number, body: unknown, type?: string) => new ApiError('x', status, type, undefined, body);
    const blame = (message: string, field?: string) => ({ errors: [{ code: 'conflict', message, ...(field && { source: { field } }) }] });
    expect(isKeyConflict(e(409, blame('An incident with this key already exists', 'idempotency_key')))).toBe(true);
    expect(isKeyConflict(e(409, blame('Idempotency key reused')))).toBe(true);
    expect(isKeyConflict(e(400, blame('idempotency key in use'), 'conflict'))).toBe(true);
    expect(isKeyConflict(e(422, blame('has already been used', 'idempotency_key')))).toBe(true);
    // Conflicts that do not blame the key are errors, not "already declared".
    expect(isKeyConflict(e(409, {}))).toBe(false);
    expect(isKeyConflict(e(409, blame('Slack channel name already taken', 'slack_channel_name_override')))).toBe(false);
    expect(isKeyConflict(e(409, blame('Conflict')))).toBe(false);
    expect(isKeyConflict(e(400, blame('Name already taken'), 'conflict'))).toBe(false);
    expect(isKeyConflict(e(422, blame('is required', 'idempotency_key')))).toBe(false);
    expect(isKeyConflict(e(422, blame('already exists', 'name')))).toBe(false);
    expect(isKeyConflict(e(500, blame('idempotency key already used', 'idempotency_key')))).toBe(false);
  });
});
