/**
 * Which inputs and outputs each job declares: its action.yml's, as `npm run docs` copies them
 * into ./declared.ts. The action refuses an input its job does not declare (the runner only
 * warns), enforces `required: true` itself (the runner does not), and writes only the outputs its
 * job declares. The jobs themselves, with their code, are in src/jobs/registry.ts.
 */
import { DECLARED } from './declared.js';

/** The jobs, by name: `declare` (the root action), and one per folder (`resolve` is `resolve/action.yml`). */
export type JobName = keyof typeof DECLARED;
/** The inputs a job's action.yml declares. */
export type InputOf<J extends JobName> = keyof (typeof DECLARED)[J]['inputs'] & string;
/** The inputs that carry a secret: masked first, checked for header-safe characters, never repeated. */
export type SecretInput = 'api-key' | 'alert-token' | 'github-token';

/** Every job's name, the root's first. */
export const JOB_NAMES = Object.keys(DECLARED) as JobName[];

export function isJob(name: string): name is JobName {
  return Object.hasOwn(DECLARED, name);
}

/** The inputs `job` declares, in action.yml's order. */
export function inputsOf(job: JobName): readonly string[] {
  return Object.keys(DECLARED[job].inputs);
}

/** The inputs `job` declares `required: true` (the runner does not enforce it: the code does). */
export function requiredInputs(job: JobName): readonly string[] {
  const inputs: Readonly<Record<string, { readonly required: boolean }>> = DECLARED[job].inputs;
  return Object.keys(inputs).filter((name) => inputs[name]?.required === true);
}

/** The outputs `job` declares: the only ones it writes. */
export function outputsOf(job: JobName): readonly string[] {
  return DECLARED[job].outputs;
}

/** The jobs whose action.yml declares `input`. */
export function jobsDeclaring(input: string): JobName[] {
  return JOB_NAMES.filter((job) => inputsOf(job).includes(input));
}

/** Every secret input: masked whatever the job, since a step may pass one to the wrong job. */
export const SECRET_INPUTS: readonly SecretInput[] = ['api-key', 'alert-token', 'github-token'];

/** Where the action is published: what a workflow writes in `uses:`. */
export const PUBLISHED = 'incident-io-action/incident-io-action';

/** The job's action as a reader writes it: `resolve/` for a folder's, `the root action` for declare. */
export function actionName(job: JobName): string {
  const folder = DECLARED[job].folder;
  return folder ? `${folder}/` : 'the root action';
}

/**
 * What a workflow writes to run `job`: `<repository>/<job>@<ref>` (the root action for declare).
 * The repository and ref are the running action's own when the runner names them
 * (GITHUB_ACTION_REPOSITORY, GITHUB_ACTION_REF), else the published name and `v1`.
 */
export function usesFor(job: JobName, env: Record<string, string | undefined>): string {
  const repository = env['GITHUB_ACTION_REPOSITORY'] || PUBLISHED;
  const folder = DECLARED[job].folder;
  return `${repository}${folder ? `/${folder}` : ''}@${env['GITHUB_ACTION_REF'] || 'v1'}`;
}
