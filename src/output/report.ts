// src/output/: the one layer to the runner: log lines, annotations, outputs and the job summary; escaping lives here.
/**
 * What the step tells the workflow about an incident: the outputs (set first, as soon as the
 * incident is known, so nothing later can lose them), the one-line story for the log and the
 * notice, and the job summary card. Every value in the card is escaped by `md`.
 */
import type { Incident } from '../incident-io/incidents.js';
import { join, link, md, type Markdown } from './markdown.js';
import type { Output } from './output.js';

/**
 * The `incident-*` outputs, `created`, and (update, resolve) `status`. `created` undefined leaves
 * that output for later (a create settles it once it knows no other job of the run raced it).
 */
export function setIncidentOutputs(out: Output, incident: Incident | undefined, created: boolean | undefined, withStatus = false): void {
  out.setOutput('incident-id', incident?.id ?? '');
  out.setOutput('incident-reference', incident?.reference ?? '');
  out.setOutput('incident-url', incident?.permalink ?? '');
  out.setOutput('incident-name', incident?.name ?? '');
  if (created !== undefined) out.setOutput('created', String(created));
  if (withStatus) out.setOutput('status', incident?.incident_status?.name ?? '');
}

/** "INC-123: name https://…", for the log (the output layer makes it inert). */
export function describe(incident: Incident): string {
  return `${incident.reference}: ${incident.name}${incident.permalink ? ` ${incident.permalink}` : ''}`;
}

/** The incident as a link to it (or as text, when its permalink may not be a link). */
export function incidentLink(incident: Incident): Markdown {
  return link(`${incident.reference}: ${incident.name}`, incident.permalink);
}

export type CardItem = [label: string, value: Markdown | undefined];

/** A job summary card: a heading and a compact list; items without a value are left out. */
export function card(title: Markdown, items: readonly CardItem[]): Markdown {
  const lines = items
    .filter((item): item is [string, Markdown] => item[1] !== undefined)
    .map(([label, value]) => md`- **${label}:** ${value}`);
  return join([md`### incident.io: ${title}`, md``, ...lines], '\n');
}

export interface CreateOutcome {
  incident?: Incident;
  created: boolean;
  severity: string;
  visibility: string;
  mode: string;
  idempotencyKey: string;
}

/** The one-line story of a create for the log and the notice annotation. */
export function headline(outcome: CreateOutcome): string {
  const { incident } = outcome;
  if (!incident) {
    return `incident.io says an incident with idempotency key "${outcome.idempotencyKey}" was already declared, but did not say which one.`;
  }
  if (outcome.created) return `Declared incident ${describe(incident)}`;
  return `Incident ${describe(incident)} was already declared under idempotency key "${outcome.idempotencyKey}" (by an earlier attempt or step); reusing it.`;
}
