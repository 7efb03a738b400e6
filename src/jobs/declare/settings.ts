/**
 * The declare job's inputs: the incident's changes (shared with update), its visibility, mode,
 * type, keys, Slack options and, for a retrospective, its postmortem and channel.
 */
import { InputError, quoteList } from '../../core/errors.js';
import { readChanges, type IncidentChanges } from '../../settings/changes.js';
import type { Common, Reading } from '../../settings/read.js';
import { MODES, parseChoice, parseIncidentKey, parseSlackChannelWait, parseUrl, type GetInput, type Mode } from '../../settings/values.js';

export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface DeclareSettings extends Common<'declare'>, IncidentChanges {
  apiKey: string;
  githubToken: string;
  visibility: Visibility;
  mode: Mode;
  /** Empty means "derive it from the repository and run ID". */
  idempotencyKey: string;
  incidentType: string;
  slackChannelName: string;
  /** One open incident per key: empty means one incident per run. */
  incidentKey: string;
  slackTeamId: string;
  /** Retrospective mode only: the postmortem document and an existing Slack channel. */
  postmortemUrl: string;
  slackChannelId: string;
  /** An escalation path (name or ID) to page for the incident this run declares; empty for none. */
  escalationPath: string;
  /** How long to wait for the incident's Slack channel after the create (ms); 0: not at all. */
  waitForSlackChannelMs: number;
}

export async function readDeclare(read: Reading<'declare'>): Promise<DeclareSettings> {
  const { getInput, common, mistakes } = read;
  const changes = await readChanges(read);
  const visibility = mistakes.take('visibility', 'public', () => parseChoice(getInput, 'visibility', VISIBILITIES, 'public'));
  const mode = mistakes.take('mode', 'standard', () => parseChoice(getInput, 'mode', MODES, 'standard'));
  // Which inputs fit a retrospective depends on the mode: not checked against a mode that is itself wrong.
  if (!mistakes.any('mode')) mistakes.take('mode', undefined, () => checkRetrospectiveInputs(getInput, mode));
  if (!mistakes.any('mode') && mode === 'retrospective' && getInput('escalation-path') !== '') {
    mistakes.add(
      'escalation-path',
      `Input "escalation-path" is ${JSON.stringify(getInput('escalation-path'))}, but "mode" is "retrospective": a retrospective incident ` +
        'is filed after the fact, and nobody is paged for it. Remove "escalation-path", or use "mode: standard" to declare and page.',
    );
  }
  return {
    ...common,
    ...changes,
    apiKey: getInput('api-key'),
    githubToken: getInput('github-token'),
    visibility,
    mode,
    idempotencyKey: getInput('idempotency-key'),
    incidentType: getInput('incident-type'),
    slackChannelName: getInput('slack-channel-name'),
    incidentKey: mistakes.take('incident-key', '', () => parseIncidentKey(getInput)),
    slackTeamId: mistakes.take('slack-team-id', '', () => parseSlackId(getInput, 'slack-team-id', 'T', 'T02A1B2C3D4')),
    postmortemUrl: mistakes.take('postmortem-url', '', () => parseUrl(getInput, 'postmortem-url')),
    slackChannelId: mistakes.take('slack-channel-id', '', () => parseSlackId(getInput, 'slack-channel-id', 'C', 'C02A1B2C3D4')),
    escalationPath: getInput('escalation-path'),
    waitForSlackChannelMs: mistakes.take('wait-for-slack-channel', 0, () => parseSlackChannelWait(getInput)),
  };
}

function checkRetrospectiveInputs(getInput: GetInput<'postmortem-url' | 'slack-channel-id' | 'slack-channel-name'>, mode: Mode): void {
  const retrospective = mode === 'retrospective';
  const onlyRetrospective = (['postmortem-url', 'slack-channel-id'] as const).filter((input) => getInput(input) !== '');
  if (!retrospective && onlyRetrospective.length > 0) {
    throw new InputError(
      `Input ${quoteList(onlyRetrospective)} is set, but "mode" is "${mode}": ${onlyRetrospective.length > 1 ? 'they go' : 'it goes'} into a retrospective incident's options. ` +
        'Set "mode: retrospective" to file an incident after the fact, or remove the input.',
    );
  }
  if (retrospective && getInput('slack-channel-name') !== '') {
    throw new InputError(
      'Input "slack-channel-name" is set, but "mode" is "retrospective": a retrospective incident gets no new channel. ' +
        'Use "slack-channel-id" to link an existing channel, or leave it out.',
    );
  }
}

/** A Slack ID: a capital letter (T for a team; C, G or D for a channel), then capitals and digits. */
function parseSlackId<I extends string>(getInput: GetInput<I>, input: I, prefix: 'T' | 'C', example: string): string {
  const raw = getInput(input);
  const prefixes = prefix === 'C' ? 'CGD' : prefix;
  if (raw === '' || new RegExp(`^[${prefixes}][A-Z0-9]{2,}$`).test(raw)) return raw;
  throw new InputError(
    `Input "${input}" is ${JSON.stringify(raw)}; allowed values: a Slack ${prefix === 'T' ? 'team' : 'channel'} ID such as "${example}".`,
  );
}
