/**
 * The alert job's `wait-for-incident`: after incident.io accepts a `firing` event, wait (up to
 * 60 s) for the incident an alert route opens for it, or groups it into, and report it in the
 * outputs `alert-id`, `incident-id`, `incident-reference`, `incident-url` and `incident-name`, so
 * that a later step can update it.
 *
 * - The alert token stays where it was: only in the event's Authorization header, only to the
 *   alert source's URL. The lookups go to incident.io's API with the API key (`api-key`), through
 *   a client of their own.
 * - The wait has its own deadline, counted from the moment the event was accepted, and every
 *   lookup ends within it: the step is held at most `wait-for-incident` seconds after the send,
 *   whatever the network does (the write deadline may be mostly spent by the send, and the
 *   after-write deadline, 20 s, cannot hold a 60 s wait). The last poll starts early enough to
 *   finish inside it.
 * - Nothing here fails the step: the alert was sent. No incident within the wait is one notice; a
 *   lookup incident.io refuses (403, naming the scope) or fails is one warning. Either way the
 *   incident outputs are empty.
 * - A `resolved` event, or `wait-for-incident: 0` (the default), makes no lookups at all.
 */
import { ApiError, InputError } from '../../core/errors.js';
import { code, md } from '../../core/markdown.js';
import type { Clock, Deadline } from '../../core/time.js';
import { ALERTS_PATH, INCIDENT_ALERTS_PATH, waitForAlertIncident, type AlertIncident } from '../../incident-io/alert-incident.js';
import { describe, incidentLink, setIncidentOutputs, type CardItem } from '../../output/report.js';
import type { Mistakes } from '../../settings/mistakes.js';
import type { Common } from '../../settings/read.js';
import type { GetInput } from '../../settings/values.js';
import { apiKeyClient, type JobContext } from '../job.js';

/** The longest wait `wait-for-incident` takes, in seconds. */
export const MAX_WAIT_FOR_INCIDENT = 60;
/**
 * The last poll starts this long before the wait ends (a quarter of a wait shorter than 8 s), so
 * that its requests (a list, a list and a read) finish inside it.
 */
export const LAST_POLL_ROOM_MS = 2_000;
/**
 * Slack when telling this event's alert from an older one of the same key: the alert is created
 * after incident.io received the event, which is no earlier than a round trip before its answer's
 * Date (whole seconds), on incident.io's own clock.
 */
export const SEND_SLACK_MS = 2_000;

export interface AlertIncidentSettings {
  /** Empty when the incident is not looked up. */
  apiKey: string;
  /** Seconds to wait for the incident; 0 means off. */
  waitForIncident: number;
}

/**
 * `api-key` and `wait-for-incident`, for the alert job's settings reader: each mistake is
 * recorded against its input. Each needs the other: a wait without a key cannot look anything
 * up, and a key without a wait would not be used (a step that passes one expects the outputs).
 * On a run GitHub gives no secrets, an empty key is no mistake: the step skips when the token is
 * empty too, or sends the event and says why it does not wait.
 */
export function readAlertIncidentInputs(
  getInput: GetInput<'api-key' | 'wait-for-incident'>,
  mistakes: Mistakes,
  { secretless, alertToken }: { secretless: boolean; alertToken: string },
): AlertIncidentSettings {
  const apiKey = getInput('api-key');
  const waitForIncident = mistakes.take('wait-for-incident', 0, () => parseWait(getInput('wait-for-incident')));
  if (waitForIncident > 0 && apiKey === '' && !secretless) {
    mistakes.add(
      'api-key',
      `Input "wait-for-incident" is ${waitForIncident}, which needs "api-key": the alert token may only send events, so the action reads the alert ` +
        'and its incident with an incident.io API key (scopes "alerts.view" and "incidents.view"). ' +
        'If you pass it as `${{ secrets.… }}`, the secret may be missing: forks and Dependabot get no secrets.',
    );
  }
  if (waitForIncident === 0 && apiKey !== '' && !mistakes.any('wait-for-incident')) {
    mistakes.add(
      'api-key',
      'Input "api-key" is set, but "wait-for-incident" is 0 (off), so the key would not be used: set "wait-for-incident" to how many seconds ' +
        `to wait for the incident the alert opens (up to ${MAX_WAIT_FOR_INCIDENT}), or remove "api-key".`,
    );
  }
  if (apiKey !== '' && apiKey === alertToken) {
    mistakes.add(
      'api-key',
      'Input "api-key" has the same value as "alert-token": an alert source\'s token may only send events to that source, and it is never ' +
        'sent anywhere else. Pass an incident.io API key with the scopes "alerts.view" and "incidents.view" (Settings → API keys).',
    );
  }
  return { apiKey, waitForIncident };
}

/** Whole seconds from 0 to 60; empty means 0 (off). */
export function parseWait(raw: string): number {
  const text = raw.trim();
  if (text === '') return 0;
  const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 0 && seconds <= MAX_WAIT_FOR_INCIDENT)) {
    throw new InputError(
      `Input "wait-for-incident" is ${JSON.stringify(raw)}; allowed values: a whole number of seconds from 0 (off, the default) to ${MAX_WAIT_FOR_INCIDENT}, such as "10".`,
    );
  }
  return seconds;
}

/**
 * The wait from now: `until`, the latest start of a poll (clock ms), and the lookups' deadline,
 * the wait's end, which no request outlives.
 */
export function incidentWait(clock: Clock, seconds: number): { until: number; deadline: Deadline } {
  const start = clock.now();
  const end = start + seconds * 1000;
  return {
    until: end - Math.min(LAST_POLL_ROOM_MS, (seconds * 1000) / 4),
    deadline: { at: end, name: `the ${seconds} s wait for the alert's incident` },
  };
}

/** The event the alert job sent, and when. */
export interface SentEvent {
  status: 'firing' | 'resolved';
  alertSourceId: string;
  /** The key incident.io answered with (or the one sent). */
  deduplicationKey: string;
  /** Clock ms just before the event was sent, and when its answer came. */
  sentAt: number;
  receivedAt: number;
  /** incident.io's clock when it answered (the Date header), in ms. */
  serverDate?: number;
}

/** The earliest creation time (incident.io's clock) an alert of this event can have. */
export function alertNotBefore(sent: SentEvent): number {
  return (sent.serverDate ?? sent.receivedAt) - (sent.receivedAt - sent.sentAt) - SEND_SLACK_MS;
}

/** The lookups a dry run would follow the event with, for its log. */
export function describeLookups(apiUrl: string, alertSourceId: string, deduplicationKey: string, seconds: number): string {
  const alerts = new URL(apiUrl + ALERTS_PATH);
  alerts.searchParams.set('deduplication_key[is]', deduplicationKey);
  alerts.searchParams.set('status[one_of]', 'firing');
  alerts.searchParams.set('alert_source[one_of]', alertSourceId);
  alerts.searchParams.set('page_size', '25');
  return (
    `Dry run: after a real send, "wait-for-incident" would poll for up to ${seconds} s, with "api-key": ` +
    `GET ${alerts.href} (the newest firing alert created after the send), GET ${apiUrl}${INCIDENT_ALERTS_PATH}?alert_id=<that alert's ID>&page_size=25, ` +
    `then GET ${apiUrl}/v2/incidents/<its incident's ID>.`
  );
}

export type AlertIncidentContext = JobContext<Common & AlertIncidentSettings>;

/**
 * After an accepted event: waits for the incident behind the alert and sets the outputs, with a
 * notice when there is none and a warning when it could not be looked up. Returns the items for
 * the alert's summary card (none when nothing was looked up). Never throws an incident.io
 * failure: the alert was sent.
 */
export async function reportAlertIncident(ctx: AlertIncidentContext, sent: SentEvent): Promise<CardItem[]> {
  const { out, settings } = ctx;
  if (settings.waitForIncident <= 0) return [];
  if (sent.status !== 'firing') {
    out.info('A resolved event opens no incident, so "wait-for-incident" looked nothing up.');
    return [];
  }
  if (settings.apiKey === '') {
    // Only on a run GitHub gives no secrets (the reader refuses a wait without a key otherwise).
    out.notice(
      `The alert was sent, but "api-key" is empty${ctx.noSecrets ? ` because ${ctx.noSecrets}, and GitHub gives such runs no secrets` : ''}, ` +
        'so "wait-for-incident" looked nothing up and the incident outputs are empty.',
      'incident.io: incident not looked up',
    );
    setIncidentOutputs(out, undefined, undefined);
    out.setOutput('alert-id', '');
    return [['Incident', md`not looked up ("api-key" is empty)`]];
  }
  const seconds = settings.waitForIncident;
  const wait = incidentWait(ctx.clock, seconds);
  const client = apiKeyClient({ ...ctx, deadline: wait.deadline }).sentFor('wait-for-incident');
  out.info(`Waiting up to ${seconds} s for the incident behind the alert (deduplication key "${sent.deduplicationKey}").`);
  let found: AlertIncident;
  try {
    found = await waitForAlertIncident(
      client,
      { alertSourceId: sent.alertSourceId, deduplicationKey: sent.deduplicationKey, notBefore: alertNotBefore(sent) },
      { until: wait.until, clock: ctx.clock },
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    out.setOutput('alert-id', '');
    setIncidentOutputs(out, undefined, undefined);
    out.warning(
      `The alert was sent, but the action could not look up the incident behind it, so the incident outputs are empty: ${error.message}`,
      'incident.io: incident not looked up',
    );
    return [['Incident', md`not looked up (see the warning)`]];
  }
  const { alert, incident } = found;
  out.setOutput('alert-id', alert?.id ?? '');
  setIncidentOutputs(out, incident, undefined);
  if (alert && incident) {
    out.info(`The alert ${alert.id} is attached to incident ${describe(incident)}.`);
    if (found.others.length > 0)
      out.info(`It is attached to ${found.others.length} other incident(s) too (${found.others.join(', ')}); the outputs name the first.`);
    return [
      ['Alert', code(alert.id)],
      ['Incident', incidentLink(incident)],
    ];
  }
  const why = alert
    ? `incident.io recorded the alert (${alert.id}), but no alert route had opened an incident for it, or attached it to one, within ${seconds} s`
    : `incident.io had not recorded a new firing alert for the event within ${seconds} s (an event whose key matches an alert that was ` +
      'already firing joins that older alert, which this step does not report)';
  out.notice(
    `${why}, so the incident outputs are empty. The alert's routes decide whether it opens an incident; a longer "wait-for-incident" (up to ${MAX_WAIT_FOR_INCIDENT}) waits for a slower one.`,
    'incident.io: no incident yet',
  );
  return [
    ['Alert', alert ? code(alert.id) : md`no new alert recorded within ${seconds} s`],
    ['Incident', md`none within ${seconds} s`],
  ];
}
