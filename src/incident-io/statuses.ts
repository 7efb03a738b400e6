/**
 * Incident statuses and their categories: the one place that says which categories an incident
 * may be declared in, counts as open, may be resolved to, or is over.
 */
import { id, number, object, type Shape } from '../core/shape.js';
import type { IncidentIoClient } from './client.js';

export interface IncidentStatus {
  id: string;
  name: string;
  rank: number;
  category: string;
}

/** A status, read strictly: what a name is matched against and what a move is decided on must be there. */
export const INCIDENT_STATUS: Shape<IncidentStatus> = object({ id, name: id, category: id, rank: number });

/** Categories an incident may be declared in (any, for a retrospective). */
export const DECLARABLE_CATEGORIES = ['triage', 'live'];
/** Categories of an incident that is still open: what an `incident-key` search looks for. */
export const OPEN_CATEGORIES = ['triage', 'live', 'paused'];
/** Categories the resolve job may move an incident to. */
export const RESOLVED_CATEGORIES = ['learning', 'closed'];
/** Categories of an incident that is over: resolving it again is a success with nothing to do, and it is never updated by key. */
export const ENDED_CATEGORIES = ['learning', 'closed', 'declined', 'merged', 'canceled'];

/** The workspace's statuses (`GET /v1/incident_statuses`). */
export function listStatuses(client: IncidentIoClient): Promise<IncidentStatus[]> {
  return client.getList('/v1/incident_statuses', 'incident_statuses', undefined, INCIDENT_STATUS);
}
