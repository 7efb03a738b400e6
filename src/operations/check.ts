/**
 * A run whose inputs have mistakes sends nothing, but it still looks up the names in the inputs
 * that are well-formed, so that one run reports every mistake: a wrong visibility does not hide
 * an unknown severity until the next run. Loaded only when an input has a mistake.
 */
import { InputError } from '../errors.js';
import { checkNames } from '../incident-io/lookups.js';
import type { SettingsRead } from '../settings/settings.js';
import { clientFor, type OperationContext } from './operation.js';

/** Throws one InputError listing the mistakes in `read` and every problem the lookups found. */
export async function refuseInputs(ctx: OperationContext, read: SettingsRead): Promise<never> {
  const { settings } = read;
  const key = 'apiKey' in settings ? settings.apiKey : '';
  const found = await checkNames(key ? clientFor(ctx, key) : undefined, read);
  throw new InputError([...read.mistakes, ...found].join('\n'));
}
