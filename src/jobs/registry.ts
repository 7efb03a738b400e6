// src/jobs/: the action's jobs, each an action of its own on one engine, and the one registry of them.
/**
 * The one registry of the action's jobs. A job is declared once, here, with its story (loaded
 * only when a run asks for that job); its inputs and outputs are its action.yml's
 * (src/settings/inputs.ts).
 *
 * Adding a job is a folder with its action.yml (then `npm run docs`, which copies its inputs into
 * src/settings/declared.ts), a module, and an entry here. A missed piece is a type error, never a
 * silent no-op: `JOBS` must name exactly the jobs of declared.ts, and each entry must load a
 * story for that job's settings.
 */
import type { OperationContext } from '../operations/operation.js';
import type { JobName, SettingsOf } from '../settings/settings.js';

export interface JobSpec<J extends JobName> {
  /** The job's story, loaded on first use: each job's code sits in a chunk of its own. */
  load: () => Promise<(ctx: OperationContext<SettingsOf<J>>) => Promise<void>>;
}

export const JOBS: { readonly [J in JobName]: JobSpec<J> } = {
  declare: { load: async () => (await import('../operations/create.js')).create },
  update: { load: async () => (await import('../operations/update.js')).update },
  resolve: { load: async () => (await import('../operations/resolve.js')).resolve },
  alert: { load: async () => (await import('../operations/alert.js')).alert },
  heartbeat: { load: async () => (await import('../operations/heartbeat.js')).heartbeat },
};
