/** The heartbeat job's inputs: the heartbeat alert source and its token. */
import type { Common, Reading } from '../../settings/read.js';
import { parseSourceId } from '../../settings/values.js';

export interface HeartbeatSettings extends Common<'heartbeat'> {
  alertSourceId: string;
  alertToken: string;
}

export function readHeartbeat({ getInput, common, mistakes }: Reading<'heartbeat'>): HeartbeatSettings {
  return {
    ...common,
    alertSourceId: mistakes.take('alert-source-id', '', () => parseSourceId(getInput('alert-source-id'))),
    alertToken: getInput('alert-token'),
  };
}
