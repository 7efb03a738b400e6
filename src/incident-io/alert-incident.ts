/**
 * The incident behind an alert: after incident.io accepts a `firing` event, its alert routes
 * decide (asynchronously) whether to open an incident for it, or to group it into one. This finds
 * the alert the event made, then the incident it is attached to, polling until there is one or the
 * wait ends:
 *
 * 1. `GET /v2/alerts` filtered on the event's deduplication key (and firing, and the source). The
 *    default key is the same for every run of a workflow and branch, and a server may ignore a
 *    filter, so each item is checked after the list: this source, this key, firing, created no
 *    earlier than the event was sent; the newest of those.
 * 2. `GET /v2/incident_alerts?alert_id=` for that alert (items checked to be about it).
 * 3. `GET /v2/incidents/{id}` for the reference and the permalink, which the link does not carry.
 */
import { AnswerError, check, describeProblems, id, isRecord, items, loose, object, text, type Infer } from '../core/shape.js';
import type { Clock } from '../core/time.js';
import type { IncidentIoClient } from './client.js';
import { readIncident, type Incident } from './incidents.js';

export const ALERTS_PATH = '/v2/alerts';
export const INCIDENT_ALERTS_PATH = '/v2/incident_alerts';
/** The page size both lists take (their maximum is 50). */
const PAGE_SIZE = 25;
/** Pages of alerts read per poll: a server that ignores the filters still ends the search. */
const MAX_ALERT_PAGES = 4;
/** Waits between polls: soon at first (a route that opens at once), then every 5 s. */
export const POLL_DELAYS_MS = [1_000, 2_000, 3_000, 5_000];

const ALERT = object({ id, alert_source_id: text, deduplication_key: text, status: text, created_at: text, title: loose(text) });
const ALERTS_PAGE = object({ alerts: items(ALERT), pagination_meta: loose(object({ after: loose(text) })) });
const INCIDENT_ALERT = object({ alert: object({ id }), incident: object({ id, reference: loose(text), name: loose(text) }) });
const INCIDENT_ALERTS_PAGE = object({ incident_alerts: items(INCIDENT_ALERT) });

export type AlertRecord = Infer<typeof ALERT>;

export interface AlertQuery {
  alertSourceId: string;
  deduplicationKey: string;
  /** ms on incident.io's clock: an alert created earlier is an older alert of the same key, not this event's. */
  notBefore: number;
}

/** The newest firing alert of this source and key created no earlier than `notBefore`, or undefined. */
export async function findAlert(client: IncidentIoClient, query: AlertQuery): Promise<AlertRecord | undefined> {
  const matches: AlertRecord[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_ALERT_PAGES; page++) {
    const body = await client.get<unknown>(ALERTS_PATH, {
      'deduplication_key[is]': query.deduplicationKey,
      'status[one_of]': 'firing',
      'alert_source[one_of]': query.alertSourceId,
      page_size: PAGE_SIZE,
      after,
    });
    const result = check(ALERTS_PAGE, body);
    if (!result.ok)
      throw new AnswerError(
        `incident.io GET ${ALERTS_PATH} answered with a list the action cannot read: ${describeProblems(result.problems)}.`,
        result.problems,
      );
    matches.push(
      ...result.value.alerts.filter(
        (alert) =>
          alert.alert_source_id === query.alertSourceId &&
          alert.deduplication_key === query.deduplicationKey &&
          alert.status === 'firing' &&
          Date.parse(alert.created_at) >= query.notBefore,
      ),
    );
    const next = result.value.pagination_meta?.after;
    const raw = isRecord(body) && Array.isArray(body['alerts']) ? body['alerts'].length : 0;
    if (raw === 0 || !next || seen.has(next)) break;
    seen.add(next);
    after = next;
  }
  return matches.reduce<AlertRecord | undefined>(
    (newest, alert) => (newest === undefined || Date.parse(alert.created_at) > Date.parse(newest.created_at) ? alert : newest),
    undefined,
  );
}

/** The IDs of the incidents the alert is attached to, in the answer's order, each once. */
export async function incidentsOfAlert(client: IncidentIoClient, alertId: string): Promise<string[]> {
  const body = await client.get<unknown>(INCIDENT_ALERTS_PATH, { alert_id: alertId, page_size: PAGE_SIZE });
  const result = check(INCIDENT_ALERTS_PAGE, body);
  if (!result.ok) {
    throw new AnswerError(
      `incident.io GET ${INCIDENT_ALERTS_PATH} answered with a list the action cannot read: ${describeProblems(result.problems)}.`,
      result.problems,
    );
  }
  return [...new Set(result.value.incident_alerts.filter((link) => link.alert.id === alertId).map((link) => link.incident.id))];
}

export interface AlertIncident {
  /** The alert the event made, once incident.io has recorded it. */
  alert?: AlertRecord;
  /** The incident it is attached to, once there is one. */
  incident?: Incident;
  /** Other incidents the alert is attached to as well (rare: the first is reported). */
  others: string[];
  /** How many times the lists were read. */
  polls: number;
}

/**
 * Polls until the alert has an incident or `until` (clock ms) has passed; one last poll is made
 * at `until`. The client's deadline must leave room for that last poll's requests.
 */
export async function waitForAlertIncident(
  client: IncidentIoClient,
  query: AlertQuery,
  { until, clock, delays = POLL_DELAYS_MS }: { until: number; clock: Clock; delays?: readonly number[] },
): Promise<AlertIncident> {
  let alert: AlertRecord | undefined;
  for (let polls = 1; ; polls++) {
    alert ??= await findAlert(client, query);
    if (alert) {
      const [incidentId, ...others] = await incidentsOfAlert(client, alert.id);
      if (incidentId !== undefined) {
        const path = `/v2/incidents/${encodeURIComponent(incidentId)}`;
        const incident = readIncident(await client.get<unknown>(path), `GET ${path} answered`);
        return { alert, incident, others, polls };
      }
    }
    const left = until - clock.now();
    if (left <= 0) return { alert, others: [], polls };
    await clock.sleep(Math.min(delays[Math.min(polls - 1, delays.length - 1)] ?? 5_000, left));
  }
}
