/** The update job's inputs: the incident, the changes (shared with declare), a message, and the channel flag. */
import { InputError, quoteList } from '../../core/errors.js';
import { CHANGE_INPUTS, readChanges, type IncidentChanges } from '../../settings/changes.js';
import { inputsOf } from '../../settings/inputs.js';
import type { Common, Reading } from '../../settings/read.js';
import { parseBoolean, parseIncidentId, parseSlackChannelWait } from '../../settings/values.js';

export interface UpdateSettings extends Common<'update'>, IncidentChanges {
  apiKey: string;
  /** Incident ID, or the number of a reference (INC-123 → "123"). */
  incidentId: string;
  notifyIncidentChannel: boolean;
  /** Markdown for an incident update on the timeline; empty means none. */
  message: string;
  /** How long to wait for the incident's Slack channel after the change (ms); 0: not at all. */
  waitForSlackChannelMs: number;
}

export async function readUpdate(read: Reading<'update'>): Promise<UpdateSettings> {
  const { getInput, common, mistakes } = read;
  const settings: UpdateSettings = {
    ...common,
    ...(await readChanges(read)),
    apiKey: getInput('api-key'),
    incidentId: mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id'))),
    notifyIncidentChannel: mistakes.take('notify-incident-channel', true, () => parseBoolean(getInput, 'notify-incident-channel', true)),
    message: getInput('message'),
    waitForSlackChannelMs: mistakes.take('wait-for-slack-channel', 0, () => parseSlackChannelWait(getInput)),
  };
  // A mapping refused above may have been the change: "nothing to change" would mislead then.
  if (!mistakes.any(...CHANGE_INPUTS)) mistakes.take('', undefined, () => checkSomethingToChange(settings));
  return settings;
}

/** An update must change something: `custom-fields: '{}'` alone would send an empty edit. */
function checkSomethingToChange(settings: UpdateSettings): void {
  const { severity, name, summary, status, customFields, roles, message, links, timestamps } = settings;
  if (
    severity ||
    name ||
    summary ||
    status ||
    message ||
    customFields.size > 0 ||
    roles.size > 0 ||
    links.size > 0 ||
    timestamps.size > 0
  ) {
    return;
  }
  const changes = inputsOf('update').filter((input) => CHANGE_INPUTS.includes(input));
  throw new InputError(
    `The update job needs something to change: set at least one of ${quoteList(changes)} ` +
      '(a mapping input that is empty, such as `custom-fields: {}`, changes nothing).',
  );
}
