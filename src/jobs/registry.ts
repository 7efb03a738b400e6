// src/jobs/: the action's jobs, each an action of its own on one engine, and the one registry of them.
/**
 * The one registry of the action's jobs. A job is declared once, here: its settings' type and its
 * module (src/jobs/<job>/index.ts: its settings reader, its story, the lookups its inputs' names
 * get when other inputs have mistakes), loaded only when a run asks for that job. Its inputs and
 * outputs are its action.yml's (src/settings/inputs.ts). main.ts, the docs script (through the
 * action.yml files, which `__tests__/project/metadata.test.ts` holds against this) and the metadata tests
 * read it.
 *
 * Adding a job is a folder with its action.yml (then `npm run docs`, which copies its inputs into
 * src/settings/declared.ts), a module, and an entry here and in `SettingsByJob`. A missed piece is
 * a type error, never a silent no-op: `JOBS` must name exactly the jobs of declared.ts, each
 * module must export a reader, a story and lookups for that job's settings, and a reader can read
 * only the inputs its action.yml declares.
 */
import { InputError } from '../core/errors.js';
import type { JobName } from '../settings/inputs.js';
import { readInputs, type Reading, type ReadOptions, type SettingsRead } from '../settings/read.js';
import type { GetInput } from '../settings/values.js';
import type { AlertSettings } from './alert/settings.js';
import type { DeclareSettings } from './declare/settings.js';
import type { EscalateSettings } from './escalate/settings.js';
import type { HeartbeatSettings } from './heartbeat/settings.js';
import type { JobContext, NamedLookup } from './job.js';
import type { OnCallSettings } from './on-call/settings.js';
import type { MaintenanceSettings } from './maintenance/settings.js';
import type { ResolveSettings } from './resolve/settings.js';
import type { UpdateSettings } from './update/settings.js';

/** Each job's settings. */
interface SettingsByJob {
  declare: DeclareSettings;
  update: UpdateSettings;
  resolve: ResolveSettings;
  alert: AlertSettings;
  heartbeat: HeartbeatSettings;
  escalate: EscalateSettings;
  maintenance: MaintenanceSettings;
  'on-call': OnCallSettings;
}

/** The settings of one job. */
export type SettingsOf<J extends JobName> = SettingsByJob[J];
/** The settings of any job. */
export type Settings = SettingsOf<JobName>;

/** What a job's module gives the engine. */
export interface JobModule<J extends JobName> {
  /** Reads the job's own inputs (only those its action.yml declares: `Reading<J>`). */
  read: (reading: Reading<J>) => SettingsOf<J> | Promise<SettingsOf<J>>;
  /** The job's story: the lookups, the write, the outputs and the summary. */
  run: (ctx: JobContext<SettingsOf<J>>) => Promise<void>;
  /** The lookups of the names its well-formed inputs give, made when other inputs have mistakes. */
  lookups: (read: SettingsRead<SettingsOf<J>>) => NamedLookup[];
}

export const JOBS: { readonly [J in JobName]: { load: () => Promise<JobModule<J>> } } = {
  declare: { load: () => import('./declare/index.js') },
  update: { load: () => import('./update/index.js') },
  resolve: { load: () => import('./resolve/index.js') },
  alert: { load: () => import('./alert/index.js') },
  heartbeat: { load: () => import('./heartbeat/index.js') },
  escalate: { load: () => import('./escalate/index.js') },
  maintenance: { load: () => import('./maintenance/index.js') },
  'on-call': { load: () => import('./on-call/index.js') },
};

/** Reads `job`'s inputs with its module's reader: its settings, and every mistake in them. */
export async function readJobInputs<J extends JobName>(
  job: J,
  getInput: GetInput,
  options: ReadOptions = {},
): Promise<SettingsRead<SettingsOf<J>>> {
  const { read } = await JOBS[job].load();
  return readInputs(job, getInput, read, options);
}

/** `readJobInputs`, with every mistake thrown as one InputError. */
export async function readJobSettings<J extends JobName>(job: J, getInput: GetInput, options: ReadOptions = {}): Promise<SettingsOf<J>> {
  const read = await readJobInputs(job, getInput, options);
  if (read.mistakes.length > 0) throw new InputError(read.mistakes.join('\n'));
  return read.settings;
}
