/** The alert job's inputs: the HTTP alert source and its token, and the event to send it. */
import { InputError, quoteList } from '../../core/errors.js';
import { parseMapping, type MappingValue } from '../../settings/mapping.js';
import type { Common, Reading } from '../../settings/read.js';
import { parseChoice, parseSourceId, parseUrl } from '../../settings/values.js';
import { readAlertIncidentInputs, type AlertIncidentSettings } from './wait-for-incident.js';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertSettings extends Common<'alert'>, AlertIncidentSettings {
  alertSourceId: string;
  alertToken: string;
  githubToken: string;
  alertStatus: AlertStatus;
  deduplicationKey: string;
  name: string;
  summary: string;
  /** Merged into the event's metadata beside the action's own keys. */
  metadata: Map<string, MappingValue>;
  /** Empty means the run's URL. */
  sourceUrl: string;
}

export async function readAlert({ getInput, common, mistakes, secretless }: Reading<'alert'>): Promise<AlertSettings> {
  const alertToken = getInput('alert-token');
  return {
    ...common,
    alertSourceId: mistakes.take('alert-source-id', '', () => parseSourceId(getInput('alert-source-id'))),
    alertToken,
    // The incident behind the alert: an API key of its own, for incident.io's API only.
    ...readAlertIncidentInputs(getInput, mistakes, { secretless, alertToken }),
    githubToken: getInput('github-token'),
    alertStatus: mistakes.take('alert-status', 'firing', () => parseChoice(getInput, 'alert-status', ALERT_STATUSES, 'firing')),
    deduplicationKey: getInput('deduplication-key'),
    name: getInput('name'),
    summary: getInput('summary'),
    metadata: await mistakes.takeAsync('alert-metadata', new Map<string, MappingValue>(), async () =>
      checkAlertMetadata(await parseMapping('alert-metadata', getInput('alert-metadata'))),
    ),
    sourceUrl: mistakes.take('source-url', '', () => parseUrl(getInput, 'source-url', { httpAllowed: true })),
  };
}

/** The keys the action sends in an alert event's metadata itself: a user's key may not replace one. */
export const RESERVED_METADATA = ['repository', 'workflow', 'run_id', 'run_attempt', 'sha', 'ref', 'actor', 'event'];

function checkAlertMetadata(metadata: Map<string, MappingValue>): Map<string, MappingValue> {
  const taken = [...metadata.keys()].filter((key) => RESERVED_METADATA.includes(key));
  if (taken.length > 0) {
    throw new InputError(
      `Input "alert-metadata" sets ${quoteList(taken)}, which the action sends itself; choose other names. Reserved keys: ${quoteList(RESERVED_METADATA)}.`,
    );
  }
  return metadata;
}
