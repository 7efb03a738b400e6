/**
 * Alert sources, each authenticated with its own token (the server checks it): HTTP alert events,
 * and heartbeat pings that tell incident.io a monitored job is alive. Each accepted event also
 * creates or updates an alert record (alert-records.mjs).
 */
import { randomUUID } from 'node:crypto';
import { recordAlertEvent } from './alert-records.mjs';
import { clone, invalid, isObject, ok, optionalString, required } from './common.mjs';

function createAlertEvent(state, { params, body }) {
  if (typeof body.title !== 'string' || body.title === '') throw required('title', 'title is required');
  if (!['firing', 'resolved'].includes(body.status)) throw invalid('status', 'status must be one of "firing", "resolved"');
  for (const k of ['description', 'deduplication_key', 'source_url']) optionalString(body, k, '');
  if (body.metadata !== undefined && !isObject(body.metadata)) throw invalid('metadata', 'metadata must be an object');
  const dedupKey = body.deduplication_key || randomUUID();
  state.alerts.push({
    ...clone(body),
    deduplication_key: dedupKey,
    alert_source_config_id: params.id,
    received_at: new Date().toISOString(),
  });
  state.alertStatus[dedupKey] = body.status;
  recordAlertEvent(state, params.id, { ...body, deduplication_key: dedupKey });
  return ok({ deduplication_key: dedupKey, message: 'Event accepted for processing', status: 'success' }, 202);
}

/** 204 with no body; the ping is recorded for `sandbox.heartbeats()`. */
function pingHeartbeat(state, { params }) {
  state.heartbeats.push({ alert_source_config_id: params.id, received_at: new Date().toISOString() });
  return { status: 204, headers: {}, raw: '' };
}

/** Route key -> { auth, handle } for alert sources. */
export const alertRoutes = {
  'POST /v2/alert_events/http/:id': { auth: 'alert', handle: createAlertEvent },
  'POST /v2/heartbeat/:id/ping': { auth: 'heartbeat', handle: pingHeartbeat },
};
