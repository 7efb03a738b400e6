// src/output/: what the step tells the workflow: outputs, log lines, annotations and the job summary.
/**
 * What the step tells the workflow: outputs, the job summary card and the notice annotation.
 * Nothing here may fail the step: a missing GITHUB_STEP_SUMMARY (local runs) is skipped.
 */
import type { Core } from '../runner/core.js';
import type { Incident } from '../incident-io/incidents.js';

export interface Outcome {
  incident?: Incident;
  created: boolean;
  severity: string;
  visibility: string;
  mode: string;
  idempotencyKey: string;
}

/** The `incident-*` outputs, `created`, and (update, resolve) `status`. */
export function setIncidentOutputs(core: Core, incident: Incident | undefined, created: boolean, withStatus = false): void {
  core.setOutput('incident-id', incident?.id ?? '');
  core.setOutput('incident-reference', incident?.reference ?? '');
  core.setOutput('incident-url', incident?.permalink ?? '');
  core.setOutput('incident-name', incident?.name ?? '');
  core.setOutput('created', String(created));
  if (withStatus) core.setOutput('status', incident?.incident_status?.name ?? '');
}

/** The one-line story for the log and the notice annotation. */
export function headline(outcome: Outcome): string {
  const { incident } = outcome;
  if (!incident) {
    return `incident.io says an incident with idempotency key "${outcome.idempotencyKey}" was already declared, but did not say which one.`;
  }
  if (outcome.created) return `Declared incident ${describe(incident)}`;
  return `Incident ${describe(incident)} was already declared under idempotency key "${outcome.idempotencyKey}" (by an earlier attempt or step); reusing it.`;
}

/** "INC-123: name https://…" */
export function describe(incident: Incident): string {
  return `${incident.reference}: ${incident.name}${incident.permalink ? ` ${incident.permalink}` : ''}`;
}

/** Logs a line and repeats it as a notice annotation. */
export function announceLine(core: Core, line: string, title: string): void {
  core.info(line);
  core.notice(line, { title });
}

export function announce(core: Core, outcome: Outcome): void {
  announceLine(core, headline(outcome), outcome.created ? 'incident.io incident declared' : 'incident.io incident already declared');
}

export function summaryMarkdown(outcome: Outcome): string {
  const { incident } = outcome;
  const title = incident ? `${outcome.created ? 'Declared' : 'Already declared'}: ${cell(incident.reference)}` : 'Already declared';
  return card(title, [
    ...incidentRow(incident),
    ['Severity', cell(incident?.severity?.name ?? outcome.severity)],
    ['Visibility', cell(incident?.visibility ?? outcome.visibility)],
    ['Mode', cell(incident?.mode ?? outcome.mode)],
    ['Created by this step', outcome.created ? 'yes' : `no: the idempotency key \`${cell(outcome.idempotencyKey)}\` had already opened it`],
  ]);
}

/** The card for an update or a resolve. */
export function changeMarkdown(title: string, incident: Incident, changed: string[]): string {
  return card(`${title}: ${cell(incident.reference)}`, [
    ...incidentRow(incident),
    ['Status', cell(incident.incident_status?.name ?? 'unknown')],
    ['Severity', cell(incident.severity?.name ?? 'unknown')],
    ['Changed', changed.length > 0 ? cell(changed.join(', ')) : 'nothing'],
  ]);
}

/** A Markdown card: a heading and a two-column table. */
export function card(title: string, rows: [string, string][]): string {
  return [`### incident.io: ${title}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''].join('\n');
}

function incidentRow(incident: Incident | undefined): [string, string][] {
  if (!incident) return [];
  const label = cell(`${incident.reference}: ${incident.name}`);
  return [['Incident', incident.permalink ? `[${label}](${incident.permalink})` : label]];
}

/** Appends markdown to the job summary; a local run without GITHUB_STEP_SUMMARY just skips it. */
export async function writeSummary(core: Core, env: Record<string, string | undefined>, markdown: string): Promise<void> {
  if (!env['GITHUB_STEP_SUMMARY']) {
    core.info('GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner), so no job summary was written.');
    return;
  }
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Text made safe for one Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
