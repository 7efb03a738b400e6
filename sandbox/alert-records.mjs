/**
 * Alerts as incident.io keeps them (not the events that raise them): an alert per firing
 * deduplication key and alert source, the incidents an alert route opens for them, and the links
 * between the two (`GET /v2/alerts`, `GET /v2/incident_alerts`), with the alert attributes that
 * maintenance windows match on (`GET /v2/alert_attributes`).
 */
import { invalid, newId, ok, pageSize } from './common.mjs';
import { defer } from './deferred.mjs';
import { incidentSlim } from './incident-extras.mjs';
import { incidentRoutes } from './incidents.mjs';
import { listPage, newestFirst, parseFilters } from './lists.mjs';
import { ONCALL_IDS } from './seed.mjs';

/** The route's default wait before it opens an incident for a new firing alert. */
export const DEFAULT_INCIDENT_AFTER_MS = 2000;

/**
 * Records an accepted alert event: a `firing` event updates the firing alert of its source with
 * that deduplication key, or creates one (which `state.alertRoute` then routes); a `resolved`
 * event resolves that alert, if there is one.
 */
export function recordAlertEvent(state, sourceId, event) {
  const now = new Date().toISOString();
  const firing = state.alertRecords.find(
    (a) => a.alert_source_id === sourceId && a.deduplication_key === event.deduplication_key && a.status === 'firing',
  );
  const text = {
    title: event.title,
    ...(event.description !== undefined ? { description: event.description } : {}),
    ...(event.source_url !== undefined ? { source_url: event.source_url } : {}),
  };
  if (event.status === 'resolved') {
    if (firing) Object.assign(firing, { status: 'resolved', resolved_at: now, updated_at: now });
    return;
  }
  if (firing) {
    Object.assign(firing, text, { updated_at: now });
    return;
  }
  const alert = {
    id: newId(),
    ...text,
    status: 'firing',
    deduplication_key: event.deduplication_key,
    alert_source_id: sourceId,
    alert_group_ids: [],
    attributes: [],
    created_at: now,
    updated_at: now,
  };
  state.alertRecords.push(alert);
  if (state.alertRoute) routeAlert(state, alert, state.alertRoute);
}

/**
 * After `incidentAfterMs` (default 2 s), an alert still firing opens an incident, created through
 * the incidents route (name: the alert's title; creator: the alert), or joins the existing
 * incident `incidentId`; either way an incident alert links the two.
 */
function routeAlert(state, alert, route) {
  defer(state, Date.now() + (route.incidentAfterMs ?? DEFAULT_INCIDENT_AFTER_MS), () => {
    if (alert.status !== 'firing') return;
    const incident = route.incidentId ? state.incidents.find((i) => i.id === route.incidentId) : openIncident(state, alert);
    if (!incident) throw new Error(`alertRoute.incidentId ${route.incidentId} is no incident in the sandbox`);
    state.incidentAlerts.push({
      id: newId(),
      alert_id: alert.id,
      incident_id: incident.id,
      alert_route_id: ONCALL_IDS.alertRoute,
      created_at: new Date().toISOString(),
    });
  });
}

function openIncident(state, alert) {
  const severity = state.severities.find((s) => s.name === 'Major') ?? state.severities[0];
  const body = { idempotency_key: `alert-route:${alert.id}`, visibility: 'public', severity_id: severity.id, name: alert.title };
  const reply = incidentRoutes['POST /v2/incidents'].handle(state, { params: {}, query: {}, queryAll: {}, headers: {}, body });
  const incident = state.incidents.find((i) => i.id === reply.body.incident.id);
  incident.creator = { alert: { id: alert.id, title: alert.title } };
  return incident;
}

/** AlertSlimV2: the alert without its attributes. */
function alertSlim(alert) {
  const slim = { ...alert };
  delete slim.attributes;
  return slim;
}

const ALERT_FILTERS = {
  deduplication_key: { ops: ['is'], value: (a) => a.deduplication_key },
  status: { ops: ['one_of', 'not_in'], value: (a) => a.status, allowed: ['firing', 'resolved'] },
  alert_source: { ops: ['one_of', 'not_in'], value: (a) => a.alert_source_id },
  alert_group_id: { ops: ['one_of', 'not_in'], value: (a) => a.alert_group_ids },
  created_at: { ops: ['gte', 'lte', 'date_range'], date: (a) => a.created_at },
};

/** `GET /v2/alerts`: newest first, `page_size` required (up to 50), every filter must match. */
function listAlerts(state, { query, queryAll }) {
  const size = pageSize(query, 50, { required: true });
  const matches = parseFilters(queryAll, ALERT_FILTERS);
  const { page, meta } = listPage(state, newestFirst(state.alertRecords), { after: query.after, size, what: 'alert', matches });
  return ok({ alerts: page, pagination_meta: meta });
}

/** `GET /v2/incident_alerts?alert_id=&incident_id=`: newest first, `page_size` required (up to 50). */
function listIncidentAlerts(state, { query }) {
  const size = pageSize(query, 50, { required: true });
  for (const k of ['alert_id', 'incident_id']) {
    if (query[k] === '') throw invalid(k, `${k} must not be empty`);
  }
  const matches = (link) =>
    (query.alert_id === undefined || link.alert_id === query.alert_id) &&
    (query.incident_id === undefined || link.incident_id === query.incident_id);
  const { page, meta } = listPage(state, newestFirst(state.incidentAlerts), { after: query.after, size, what: 'incident alert', matches });
  const answer = (link) => ({
    id: link.id,
    alert: alertSlim(state.alertRecords.find((a) => a.id === link.alert_id)),
    incident: incidentSlim(state.incidents.find((i) => i.id === link.incident_id)),
    alert_route_id: link.alert_route_id,
  });
  return ok({ incident_alerts: page.map(answer), pagination_meta: meta });
}

/** Route key -> { auth, handle } for alert records. */
export const alertRecordRoutes = {
  'GET /v2/alerts': { auth: 'api', handle: listAlerts },
  'GET /v2/incident_alerts': { auth: 'api', handle: listIncidentAlerts },
  'GET /v2/alert_attributes': { auth: 'api', handle: (state) => ok({ alert_attributes: state.alertAttributes }) },
};
