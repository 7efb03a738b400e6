/**
 * A run whose inputs have mistakes sends nothing, but it still looks up the names in the inputs
 * that are well-formed, so that one run reports every mistake: a wrong visibility does not hide
 * an unknown severity until the next run. Loaded only when an input has a mistake.
 */
import { ApiError, InputError } from '../core/errors.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import type { SettingsRead } from '../settings/read.js';
import { apiKeyClient, type JobContext, type NamedLookup } from './job.js';

/**
 * Throws one InputError listing the mistakes in `read` and every problem the job's lookups found
 * (`lookups`, from the job's module: only for its inputs that are well-formed, and nothing that
 * searches or writes).
 */
export async function refuseInputs(ctx: JobContext, read: SettingsRead, lookups: readonly NamedLookup[]): Promise<never> {
  const key = 'apiKey' in ctx.settings && typeof ctx.settings.apiKey === 'string' ? ctx.settings.apiKey : '';
  const client = key ? apiKeyClient({ ...ctx, settings: { ...ctx.settings, apiKey: key } }) : undefined;
  const found = await checkNames(client, lookups);
  throw new InputError([...read.mistakes, ...found].join('\n'));
}

/**
 * When some inputs have mistakes: looks up the names in every input that is well-formed, so a
 * wrong name is reported in the same run as the mistakes (nothing is written). Returns one line
 * per problem, each naming its input; a lookup that incident.io or the network failed says which
 * inputs it left unchecked, once per cause (a 401 once, not once per lookup). `client` is
 * undefined when there is no key to look anything up with.
 */
async function checkNames(client: IncidentIoClient | undefined, lookups: readonly NamedLookup[]): Promise<string[]> {
  if (lookups.length === 0) return [];
  if (!client) {
    return [`${inputList(lookups.map(([input]) => input))} could not be checked against the workspace, because "api-key" is empty.`];
  }
  const results = await Promise.allSettled(lookups.map(([input, lookup]) => lookup(client.sentFor(input))));
  const problems: string[] = [];
  const unchecked = new Map<string, { inputs: string[]; message: string }>();
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    const input = (lookups[i] as NamedLookup)[0];
    const error: unknown = result.reason;
    if (error instanceof InputError) problems.push(error.message);
    else if (error instanceof ApiError) {
      const cause = error.status !== undefined ? `status ${error.status}` : error.message;
      const group = unchecked.get(cause) ?? { inputs: [], message: error.message };
      group.inputs.push(input);
      unchecked.set(cause, group);
    } else throw error;
  });
  for (const { inputs, message } of unchecked.values()) {
    problems.push(`${inputList(inputs)} could not be checked against the workspace: ${message}`);
  }
  return problems;
}

/** `Input "severity"`, or `Inputs "severity" and "roles"`. */
function inputList(inputs: readonly string[]): string {
  const names = inputs.map((input) => `"${input}"`);
  if (names.length === 1) return `Input ${names[0]}`;
  return `Inputs ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
