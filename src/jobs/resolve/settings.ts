/** The resolve job's inputs: one incident by `incident-id`, or every open one of an `incident-key`. */
import type { Common, Reading } from '../../settings/read.js';
import { MODES, parseBoolean, parseChoice, parseIncidentId, parseIncidentKey, type Mode } from '../../settings/values.js';

export interface ResolveSettings extends Common<'resolve'> {
  apiKey: string;
  /** The incident to resolve; empty when `incidentKey` names them instead. */
  incidentId: string;
  /** Resolve every open incident of this key (when `incidentId` is empty). */
  incidentKey: string;
  /** The mode of the incidents `incidentKey` looks for. */
  mode: Mode;
  status: string;
  notifyIncidentChannel: boolean;
  message: string;
}

/** `resolve` takes one incident by `incident-id`, or every open one of an `incident-key`. */
export function readResolve(read: Reading<'resolve'>): ResolveSettings {
  const { getInput, common, mistakes } = read;
  const incidentId = mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id')));
  const incidentKey = mistakes.take('incident-key', '', () => parseIncidentKey(getInput));
  // Whether each is given, not whether it is well-formed: a malformed one is still the one the user chose.
  const byId = getInput('incident-id') !== '';
  const byKey = getInput('incident-key') !== '';
  if (byId && byKey) {
    mistakes.add(
      'incident-id',
      'Inputs "incident-id" and "incident-key" are both set; the resolve job takes one: "incident-id" resolves that incident, ' +
        '"incident-key" resolves every open incident the action declared under the key.',
    );
  } else if (!byId && !byKey) {
    mistakes.add(
      'incident-id',
      'The resolve job needs "incident-id" (the incident ID, its reference INC-123 or its number, e.g. from the `incident-id` output ' +
        'of the step that declared it) or "incident-key" (to resolve every open incident declared under that key), but both are empty.',
    );
  } else if (byId && getInput('mode') !== '') {
    mistakes.add(
      'mode',
      'Input "mode" is set, but the resolve job uses it only with "incident-key" (to look for incidents of that mode); remove it, or resolve by "incident-key".',
    );
  }
  return {
    ...common,
    apiKey: getInput('api-key'),
    incidentId,
    incidentKey,
    mode: mistakes.take('mode', 'standard', () => parseChoice(getInput, 'mode', MODES, 'standard')),
    status: getInput('status'),
    notifyIncidentChannel: mistakes.take('notify-incident-channel', true, () => parseBoolean(getInput, 'notify-incident-channel', true)),
    message: getInput('message'),
  };
}
