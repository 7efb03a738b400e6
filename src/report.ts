/**
 * What the step tells the workflow: outputs, the job summary card and the notice annotation.
 * Nothing here may fail the step: a missing GITHUB_STEP_SUMMARY (local runs) is skipped.
 */
import type { Core } from './core.js';
import type { Incident } from './incidents.js';

export interface Outcome {
  incident?: Incident;
  created: boolean;
  severity: string;
  visibility: string;
  mode: string;
  idempotencyKey: string;
}

export function setOutputs(core: Core, outcome: Outcome): void {
  const { incident } = outcome;
  core.setOutput('incident-id', incident?.id ?? '');
  core.setOutput('incident-reference', incident?.reference ?? '');
  core.setOutput('incident-url', incident?.permalink ?? '');
  core.setOutput('incident-name', incident?.name ?? '');
  core.setOutput('created', String(outcome.created));
}

/** The one-line story for the log and the notice annotation. */
export function headline(outcome: Outcome): string {
  const { incident } = outcome;
  if (!incident) {
    return `incident.io says an incident with idempotency key "${outcome.idempotencyKey}" was already declared, but did not say which one.`;
  }
  const what = outcome.created ? 'Declared' : 'Already declared (this step reused it)';
  return `${what} incident ${incident.reference}: ${incident.name}${incident.permalink ? ` ${incident.permalink}` : ''}`;
}

export function announce(core: Core, outcome: Outcome): void {
  const line = headline(outcome);
  core.info(line);
  core.notice(line, { title: outcome.created ? 'incident.io incident declared' : 'incident.io incident already declared' });
}

export function summaryMarkdown(outcome: Outcome): string {
  const { incident } = outcome;
  const title = incident
    ? `${outcome.created ? 'Declared' : 'Already declared'}: ${cell(incident.reference)}`
    : 'Already declared';
  const rows: [string, string][] = [];
  if (incident) {
    const label = `${incident.reference}: ${incident.name}`;
    rows.push(['Incident', incident.permalink ? `[${cell(label)}](${incident.permalink})` : cell(label)]);
  }
  rows.push(
    ['Severity', cell(incident?.severity?.name ?? outcome.severity)],
    ['Visibility', cell(incident?.visibility ?? outcome.visibility)],
    ['Mode', cell(incident?.mode ?? outcome.mode)],
    [
      'Created by this step',
      outcome.created ? 'yes' : `no: the idempotency key \`${cell(outcome.idempotencyKey)}\` had already opened it`,
    ],
  );
  return [`### incident.io: ${title}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''].join('\n');
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
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
