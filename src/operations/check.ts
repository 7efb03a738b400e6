/**
 * A run whose inputs have mistakes sends nothing, but it still looks up the names in the inputs
 * that are well-formed, so that one run reports every mistake: a wrong visibility does not hide
 * an unknown severity until the next run. Loaded only when an input has a mistake.
 */
import { ApiError, InputError } from '../core/errors.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import { fetchIncident } from '../incident-io/incidents.js';
import { changeLookups, incidentTypeLookup, RESOLVED_CATEGORIES, statusLookup } from '../incident-io/lookups.js';
import type { DeclareSettings, ResolveSettings, SettingsRead, UpdateSettings } from '../settings/settings.js';
import { clientFor, type OperationContext } from './operation.js';

/** Throws one InputError listing the mistakes in `read` and every problem the lookups found. */
export async function refuseInputs(ctx: OperationContext, read: SettingsRead): Promise<never> {
  const found = await checkNames(usesApiKey(ctx) && ctx.settings.apiKey ? clientFor(ctx, 'api-key') : undefined, read);
  throw new InputError([...read.mistakes, ...found].join('\n'));
}

function usesApiKey(ctx: OperationContext): ctx is OperationContext<DeclareSettings | UpdateSettings | ResolveSettings> {
  return 'apiKey' in ctx.settings;
}

/**
 * When some inputs have mistakes: looks up the names in every input that is well-formed, so a
 * wrong name is reported in the same run as the mistakes (nothing is written). Returns one line
 * per problem, each naming its input; a lookup that incident.io or the network failed says which
 * inputs it left unchecked, once per cause (a 401 once, not once per lookup). `client` is
 * undefined when there is no key to look anything up with.
 */
async function checkNames(client: IncidentIoClient | undefined, read: SettingsRead): Promise<string[]> {
  const lookups = namedLookups(read);
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

type NamedLookup = [input: string, lookup: (client: IncidentIoClient) => Promise<unknown>];

/**
 * The lookups `checkNames` makes, each with the input it checks: only for inputs that are
 * well-formed, and only the checks whose other inputs are well-formed too (an incident type's
 * visibility rule needs a valid `visibility`). Nothing that searches or writes: no incident-key
 * search, no GitHub call.
 */
function namedLookups({ settings, faulty, namesOnly }: SettingsRead): NamedLookup[] {
  const named: NamedLookup[] = [];
  const fetchById = (id: string) => (client: IncidentIoClient) => fetchIncident(client, id);
  switch (settings.job) {
    case 'declare':
    case 'update': {
      if (settings.job === 'declare' && settings.incidentType) {
        const visibilityKnown = !faulty.has('visibility');
        named.push(['incident-type', (client) => incidentTypeLookup(client, settings, visibilityKnown)]);
      }
      if (settings.job === 'update' && settings.incidentId && !faulty.has('incident-id')) {
        named.push(['incident-id', fetchById(settings.incidentId)]);
      }
      // A wrong mode leaves open which statuses fit: the status is then only looked up by name.
      const anyStatus = settings.job === 'declare' && (settings.mode === 'retrospective' || faulty.has('mode'));
      // Started together on first use, as on a real run.
      let started: ReturnType<typeof changeLookups> | undefined;
      const wanted = {
        severity: settings.severity !== '',
        status: settings.status !== '',
        'custom-fields': settings.customFields.size > 0 || namesOnly.customFields.length > 0,
        roles: settings.roles.size > 0 || namesOnly.roles.length > 0,
        timestamps: settings.timestamps.size > 0 || namesOnly.timestamps.length > 0,
      };
      for (const [input, want] of Object.entries(wanted) as [keyof typeof wanted, boolean][]) {
        if (!want) continue;
        named.push([
          input,
          async (client) => {
            started ??= changeLookups(client, settings, settings.job === 'declare' ? 'create' : 'update', { anyStatus, namesOnly });
            return started[input];
          },
        ]);
      }
      break;
    }
    case 'resolve':
      if (settings.incidentId && !faulty.has('incident-id')) named.push(['incident-id', fetchById(settings.incidentId)]);
      if (settings.status) {
        const status = settings.status;
        named.push(['status', (client) => statusLookup(client, status, RESOLVED_CATEGORIES, 'to resolve an incident')]);
      }
      break;
    case 'alert':
    case 'heartbeat':
      // Nothing to look up: an alert source is checked only by sending to it with its token.
      break;
  }
  return named;
}
