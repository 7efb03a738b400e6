/**
 * The alerts a maintenance window holds, as incident.io's `alert_condition_groups`.
 *
 * From `alerts` (`Service: [checkout, payments]`): each line names an alert attribute
 * (`GET /v2/alert_attributes`, by name in any case, or by ID) and becomes the condition
 * `alert.attributes.<attribute ID>` `one_of` its values; the lines together are one group (all
 * must hold). A catalog-typed attribute (`CatalogEntry["<type ID>"]`) takes catalog entries,
 * found by ID, external ID, alias or name (`GET /v3/catalog_entries`) and sent as entry IDs; a
 * `String` attribute takes its values as written. Every unknown name is an input error before
 * any write, with the choices and the closest.
 *
 * From `conditions` (the raw groups): the shape is checked by the settings; here every subject
 * `alert.attributes.<ID>` must name an attribute, and a catalog-typed one's literals must be
 * entry IDs. Other subjects (`alert.title`, …) go as written.
 *
 * A lookup that incident.io refuses (403) or answers in a shape the action cannot read is an
 * error here, never a pass-through: a value the action did not check could open a window that
 * holds no alert while the step is green.
 *
 * The subject form `alert.attributes.<ID>`, `one_of` with an `array_value` of literals, and entry
 * IDs as the literals of a catalog attribute are not documented in incident.io's spec; they follow
 * incident.io's Terraform examples (docs/maintenance-api.md says exactly what is verified).
 */
import { ApiError, InputError, settleAll } from '../core/errors.js';
import type { BindingValuePayload, ConditionGroupPayload, ConditionPayload } from '../settings/conditions.js';
import { AnswerError, boolean, id, object, type Shape } from '../core/shape.js';
import { findCatalogEntry, type CatalogEntry } from './catalog.js';
import type { IncidentIoClient } from './client.js';
import { findByName, type IdName } from './names.js';

export interface AlertAttribute {
  id: string;
  name: string;
  /** `String`, `CatalogEntry["<catalog type ID>"]`, … (incident.io's engine types). */
  type: string;
  array: boolean;
}

export const ATTRIBUTES_PATH = '/v2/alert_attributes';
/** The condition subject of an alert attribute (from incident.io's Terraform examples; the spec lists no subjects). */
export const ATTRIBUTE_SUBJECT = 'alert.attributes.';
/** The attribute types whose values the action can check: a catalog type's entries, and any text for `String`. */
const CATALOG_TYPE = /^CatalogEntry\["([^"]+)"\]$/;

const ATTRIBUTE: Shape<AlertAttribute> = object({ id, name: id, type: id, array: boolean });

/** The condition groups a window holds, with what a reader needs to check them. */
export interface ResolvedConditions {
  groups: ConditionGroupPayload[];
  /** The same conditions in a canonical form: equal for the same alerts however they were written (`checkout` or `co`). */
  canonical: string;
  /** What each ID the conditions carry stands for (attribute, catalog entry), for a dry run's reader. */
  names: Map<string, IdName>;
  /** What the user should know that does not stop the step (two values that are one entry, held once). */
  notices: string[];
}

export function catalogTypeOf(attribute: AlertAttribute): string | undefined {
  return CATALOG_TYPE.exec(attribute.type)?.[1];
}

/** Every alert attribute of the workspace, read strictly: each must have its ID, name, type and whether it is a list. */
export function listAlertAttributes(client: IncidentIoClient): Promise<AlertAttribute[]> {
  return client.getList(ATTRIBUTES_PATH, 'alert_attributes', undefined, ATTRIBUTE);
}

/** `alerts` as one condition group: one `one_of` condition per attribute, in the order written. */
export async function conditionsFromAlerts(
  client: IncidentIoClient,
  alerts: ReadonlyMap<string, readonly string[]>,
): Promise<ResolvedConditions> {
  const lookup = client.sentFor('alerts');
  const attributes = await listAlertAttributes(lookup);
  const names = new Map<string, IdName>();
  const notices: string[] = [];
  const lines = await settleAll(
    [...alerts].map(async ([written, values]) => {
      const attribute = findAttribute(written, values, attributes);
      names.set(attribute.id, { kind: 'alert attribute', name: attribute.name });
      const literals = await attributeValues(lookup, 'alerts', attribute, values, names);
      return { written, attribute, literals: merged(attribute, literals, names, notices) };
    }),
  );
  const byAttribute = new Map<string, string>();
  for (const { written, attribute } of lines) {
    const earlier = byAttribute.get(attribute.id);
    if (earlier !== undefined) {
      throw new InputError(
        `Input "alerts" names ${JSON.stringify(earlier)} and ${JSON.stringify(written)}, which are the same alert attribute (${JSON.stringify(attribute.name)}); ` +
          'name it once, with all its values in one list: `Service: [checkout, payments]`.',
      );
    }
    byAttribute.set(attribute.id, written);
  }
  const conditions: ConditionPayload[] = lines.map(({ attribute, literals }) => ({
    subject: `${ATTRIBUTE_SUBJECT}${attribute.id}`,
    operation: 'one_of',
    param_bindings: [{ array_value: literals.map((literal) => ({ literal })) }],
  }));
  // The order of the lines and of the values does not change which alerts are held.
  const canonical = JSON.stringify([
    'alerts',
    lines.map(({ attribute, literals }) => [attribute.id, [...literals].sort()]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
  ]);
  return { groups: [{ conditions }], canonical, names, notices };
}

/**
 * The raw groups of `conditions`, checked against the workspace where the action can: the
 * attributes that `alert.attributes.<ID>` subjects name, and the literals of catalog-typed ones,
 * which must be entry IDs. The groups go as written.
 */
export async function checkRawConditions(client: IncidentIoClient, groups: readonly ConditionGroupPayload[]): Promise<ResolvedConditions> {
  const lookup = client.sentFor('conditions');
  const names = new Map<string, IdName>();
  const attributeConditions = groups.flatMap((group, g) =>
    group.conditions
      .map((condition, c) => ({ condition, path: `[${g}].conditions[${c}]` }))
      .filter(({ condition }) => condition.subject.startsWith(ATTRIBUTE_SUBJECT)),
  );
  if (attributeConditions.length > 0) {
    const attributes = await listAlertAttributes(lookup);
    await settleAll(
      attributeConditions.map(async ({ condition, path }) => {
        const attribute = findSubject(condition.subject, path, attributes);
        names.set(attribute.id, { kind: 'alert attribute', name: attribute.name });
        const typeId = catalogTypeOf(attribute);
        if (typeId === undefined) return;
        const literals = condition.param_bindings.flatMap((binding) => [binding.value, ...(binding.array_value ?? [])]).filter(hasLiteral);
        await settleAll(literals.map(({ literal }) => checkEntryId(lookup, attribute, typeId, literal, path, names)));
      }),
    );
  }
  return { groups: [...groups], canonical: JSON.stringify(['conditions', sortKeys(groups)]), names, notices: [] };
}

function hasLiteral(value: BindingValuePayload | undefined): value is BindingValuePayload & { literal: string } {
  return value?.literal !== undefined;
}

/** The attribute a line of `alerts` names; an unknown one says its values could not be checked without it. */
function findAttribute(written: string, values: readonly string[], attributes: readonly AlertAttribute[]): AlertAttribute {
  try {
    return findByName('alerts', 'alert attribute', written, attributes, { verb: 'names' });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(`${error.message} Its values ${JSON.stringify(values)} could not be checked without the attribute.`);
  }
}

/** The attribute a raw subject `alert.attributes.<ID>` names: by ID only, since the window takes the ID. */
function findSubject(subject: string, path: string, attributes: readonly AlertAttribute[]): AlertAttribute {
  const wanted = subject.slice(ATTRIBUTE_SUBJECT.length);
  const byId = attributes.find((a) => a.id === wanted);
  if (byId) return byId;
  let named: AlertAttribute | undefined;
  try {
    named = findByName('conditions', 'alert attribute', wanted, attributes, { verb: 'names' });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(
      `Input "conditions" has the subject ${JSON.stringify(subject)} at ${path}, which names no alert attribute. ${error.message.replace(/^Input "conditions" names /, 'It names ')}`,
    );
  }
  throw new InputError(
    `Input "conditions" has the subject ${JSON.stringify(subject)} at ${path}, which names the alert attribute ${JSON.stringify(named.name)} by name; ` +
      `a condition takes its ID: ${JSON.stringify(`${ATTRIBUTE_SUBJECT}${named.id}`)}.`,
  );
}

/** A raw literal of a catalog-typed attribute must be an entry's ID (the window stores it as written). */
async function checkEntryId(
  client: IncidentIoClient,
  attribute: AlertAttribute,
  typeId: string,
  literal: string,
  path: string,
  names: Map<string, IdName>,
): Promise<void> {
  const entry = await catalogLookup(client, 'conditions', attribute, typeId, literal);
  names.set(entry.id, entryName(entry, attribute));
  if (entry.id !== literal) {
    throw new InputError(
      `Input "conditions" sets ${JSON.stringify(attribute.name)} to ${JSON.stringify(literal)} at ${path}, which is the catalog entry ${JSON.stringify(entry.name ?? entry.id)}; ` +
        `a condition on a catalog attribute takes the entry's ID: ${JSON.stringify(entry.id)} (or write the line in "alerts", which looks it up).`,
    );
  }
}

/** The literals a line's values become: catalog entry IDs, or the text as written for a `String` attribute. */
async function attributeValues(
  client: IncidentIoClient,
  input: string,
  attribute: AlertAttribute,
  values: readonly string[],
  names: Map<string, IdName>,
): Promise<string[]> {
  const typeId = catalogTypeOf(attribute);
  if (typeId !== undefined) {
    const entries = await settleAll(values.map((value) => catalogLookup(client, input, attribute, typeId, value)));
    for (const entry of entries) names.set(entry.id, entryName(entry, attribute));
    return entries.map((entry) => entry.id);
  }
  if (attribute.type === 'String') return [...values];
  throw new InputError(
    `Input "${input}" names ${JSON.stringify(attribute.name)}, an alert attribute of type ${JSON.stringify(attribute.type)}, whose values the action cannot check ` +
      '(it checks catalog-typed attributes against the catalog, and takes any text for String ones). ' +
      'Hold these alerts with "conditions", writing the values incident.io expects for that type.',
  );
}

/** Each entry once: `[checkout, co]` is one entry, held once, and said. */
function merged(attribute: AlertAttribute, literals: readonly string[], names: ReadonlyMap<string, IdName>, notices: string[]): string[] {
  const unique = [...new Set(literals)];
  if (unique.length < literals.length) {
    const twice = unique.filter((literal) => literals.indexOf(literal) !== literals.lastIndexOf(literal));
    const shown = twice.map((literal) => JSON.stringify(names.get(literal)?.name ?? literal)).join(', ');
    notices.push(
      `Input "alerts" gives ${JSON.stringify(attribute.name)} the same value more than once (${shown}); the window holds it once.`,
    );
  }
  return unique;
}

function entryName(entry: CatalogEntry, attribute: AlertAttribute): IdName {
  return {
    kind: 'catalog entry',
    name: entry.name ?? entry.external_id ?? entry.id,
    note: `a value of alert attribute ${JSON.stringify(attribute.name)}`,
  };
}

/**
 * A catalog entry of `attribute`'s type. A refusal (403) or an answer the action cannot read is
 * an error that says why the value is not sent unchecked, as a custom field's would be.
 */
async function catalogLookup(
  client: IncidentIoClient,
  input: string,
  attribute: AlertAttribute,
  typeId: string,
  identifier: string,
): Promise<CatalogEntry> {
  try {
    return await findCatalogEntry(client, { input, label: attribute.name, typeId, identifier });
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 403 || error instanceof AnswerError))) throw error;
    throw new ApiError(
      `${error.message} The values of catalog-typed alert attributes are checked before a window is opened, never sent unchecked: ` +
        'a value incident.io does not know would open a window that holds no alert while the step is green. Nothing was written.',
      error.status,
      error.type,
      error.requestId,
      error.body,
    );
  }
}

/** JSON with every object's keys sorted, so that `{"operation", "subject"}` and `{"subject", "operation"}` are one key. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * Each group in words, from what the lookups found: `"Service" is one of "Checkout", "Payments"
 * and "Environment" is "production"`. Names from incident.io and values as written are quoted
 * (JSON), so none can read as the action's words.
 */
export function conditionWords(groups: readonly ConditionGroupPayload[], names: ReadonlyMap<string, IdName>): string[] {
  return groups.map((group) =>
    group.conditions
      .map((condition) => {
        const subject = condition.subject.startsWith(ATTRIBUTE_SUBJECT)
          ? (names.get(condition.subject.slice(ATTRIBUTE_SUBJECT.length))?.name ?? condition.subject)
          : condition.subject;
        const values = condition.param_bindings
          .flatMap((binding) => [binding.value, ...(binding.array_value ?? [])])
          .filter((value): value is BindingValuePayload => value !== undefined)
          .map((value) =>
            value.literal !== undefined
              ? JSON.stringify(names.get(value.literal)?.name ?? value.literal)
              : `the value of ${value.reference ?? '?'}`,
          );
        const operation = OPERATION_WORDS[condition.operation] ?? condition.operation.replace(/_/g, ' ');
        return `${JSON.stringify(subject)} ${operation}${values.length > 0 ? ` ${values.join(', ')}` : ''}`;
      })
      .join(' and '),
  );
}

/** Operations in words, for the summary and the dry run; any other is shown as written. */
const OPERATION_WORDS: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  one_of: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  does_not_contain: 'does not contain',
  starts_with: 'starts with',
  is_set: 'is set',
  is_not_set: 'is not set',
};
