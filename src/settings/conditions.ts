/**
 * `conditions`: the raw `alert_condition_groups` of a maintenance window, as JSON, for what the
 * `alerts` mapping cannot say (another operation, the alert's title, several groups). It is read
 * against the shape of incident.io's spec (`ConditionGroupPayloadV2`, `ConditionPayloadV2`,
 * `EngineParamBindingPayloadV2`, `EngineParamBindingValuePayloadV2`), strictly: a key the spec
 * does not name is a typo here (`param_binding`), not something to drop. Whether a subject or an
 * operation exists is not in the spec (see docs/maintenance-api.md); the job checks what it can
 * against the workspace.
 *
 * A window holds the alerts that match any of its groups, where a group matches when all of its
 * conditions do. So no group, or a group without conditions, would hold every alert of the
 * workspace: both are refused.
 */
import { InputError } from '../core/errors.js';

/** `EngineParamBindingValuePayloadV2`: a literal value, or a reference to another value. */
export interface BindingValuePayload {
  literal?: string;
  reference?: string;
}

/** `EngineParamBindingPayloadV2`: one value, or a list of them (for `one_of`). */
export interface ParamBindingPayload {
  value?: BindingValuePayload;
  array_value?: BindingValuePayload[];
}

/** `ConditionPayloadV2`. */
export interface ConditionPayload {
  subject: string;
  operation: string;
  param_bindings: ParamBindingPayload[];
}

/** `ConditionGroupPayloadV2`: all of its conditions must hold. */
export interface ConditionGroupPayload {
  conditions: ConditionPayload[];
}

const INPUT = 'conditions';
/** What the input looks like, for every message. */
export const CONDITIONS_EXAMPLE =
  '[{"conditions": [{"subject": "alert.attributes.<attribute ID>", "operation": "one_of", "param_bindings": [{"array_value": [{"literal": "<value or catalog entry ID>"}]}]}]}]';
/** Problems listed in one message; the rest are counted. */
const SHOWN = 5;

/** Why a window with these groups would hold every alert, or undefined when it would not. */
export function holdsEveryAlert(groups: readonly ConditionGroupPayload[]): string | undefined {
  if (groups.length === 0) return 'it has no condition group, so the window would hold every alert';
  const empty = groups.findIndex((group) => group.conditions.length === 0);
  if (empty >= 0) return `group [${empty}] has no conditions, so it matches, and the window would hold, every alert`;
  return undefined;
}

/**
 * The condition groups in `raw` (JSON), read against the spec's shape; every problem found is
 * named by its path in one InputError, and a window that would hold every alert is refused.
 */
export function parseConditionGroups(raw: string): ConditionGroupPayload[] {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new InputError(
      `Input "${INPUT}" is not valid JSON (${why}). Write the alert_condition_groups as JSON, such as ${CONDITIONS_EXAMPLE}.`,
    );
  }
  const problems: string[] = [];
  const groups = readGroups(data, problems);
  if (problems.length > 0) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : '';
    throw new InputError(
      `Input "${INPUT}" is not a list of condition groups as incident.io takes them: ${problems.slice(0, SHOWN).join('; ')}${more}. ` +
        `Write them as ${CONDITIONS_EXAMPLE}.`,
    );
  }
  const every = holdsEveryAlert(groups);
  if (every) {
    throw new InputError(
      `Input "${INPUT}" is refused: ${every}. A maintenance window must name the alerts it holds; give at least one condition in every group.`,
    );
  }
  return groups;
}

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, in words; never the value (it may be long, or hold anything). */
function kind(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value === '' ? 'empty text' : 'text';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Keys the spec does not name for this object, each a problem. */
function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problems.push(`${path} has the key ${JSON.stringify(key)}, which is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
}

function readGroups(data: unknown, problems: Problems): ConditionGroupPayload[] {
  if (!Array.isArray(data)) {
    problems.push(`the value is ${kind(data)}, where a list of condition groups is expected`);
    return [];
  }
  return data.map((group, g) => {
    const path = `[${g}]`;
    if (!isObject(group)) {
      problems.push(`${path} is ${kind(group)}, where a condition group (an object with "conditions") is expected`);
      return { conditions: [] };
    }
    onlyKeys(group, ['conditions'], path, problems);
    if (!Array.isArray(group['conditions'])) {
      problems.push(`${path}.conditions is ${kind(group['conditions'])}, where a list of conditions is expected`);
      return { conditions: [] };
    }
    return { conditions: group['conditions'].map((condition, c) => readCondition(condition, `${path}.conditions[${c}]`, problems)) };
  });
}

function readCondition(condition: unknown, path: string, problems: Problems): ConditionPayload {
  const out: ConditionPayload = { subject: '', operation: '', param_bindings: [] };
  if (!isObject(condition)) {
    problems.push(
      `${path} is ${kind(condition)}, where a condition (an object with "subject", "operation" and "param_bindings") is expected`,
    );
    return out;
  }
  onlyKeys(condition, ['subject', 'operation', 'param_bindings'], path, problems);
  for (const key of ['subject', 'operation'] as const) {
    const value = condition[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
    else problems.push(`${path}.${key} is ${kind(value)}, where non-empty text is expected`);
  }
  const bindings = condition['param_bindings'];
  if (!Array.isArray(bindings)) {
    problems.push(`${path}.param_bindings is ${kind(bindings)}, where a list is expected`);
    return out;
  }
  out.param_bindings = bindings.map((binding, b) => readBinding(binding, `${path}.param_bindings[${b}]`, problems));
  return out;
}

function readBinding(binding: unknown, path: string, problems: Problems): ParamBindingPayload {
  if (!isObject(binding)) {
    problems.push(`${path} is ${kind(binding)}, where an object with "value" or "array_value" is expected`);
    return {};
  }
  onlyKeys(binding, ['value', 'array_value'], path, problems);
  const out: ParamBindingPayload = {};
  if (binding['value'] === undefined && binding['array_value'] === undefined) {
    problems.push(`${path} has neither "value" nor "array_value"`);
  }
  if (binding['value'] !== undefined) out.value = readValue(binding['value'], `${path}.value`, problems);
  const list = binding['array_value'];
  if (list !== undefined) {
    if (!Array.isArray(list)) problems.push(`${path}.array_value is ${kind(list)}, where a list is expected`);
    else if (list.length === 0) problems.push(`${path}.array_value is an empty list, which matches no value`);
    else out.array_value = list.map((value, i) => readValue(value, `${path}.array_value[${i}]`, problems));
  }
  return out;
}

function readValue(value: unknown, path: string, problems: Problems): BindingValuePayload {
  if (!isObject(value)) {
    problems.push(`${path} is ${kind(value)}, where an object with "literal" or "reference" is expected`);
    return {};
  }
  onlyKeys(value, ['literal', 'reference'], path, problems);
  const out: BindingValuePayload = {};
  for (const key of ['literal', 'reference'] as const) {
    const text = value[key];
    if (text === undefined) continue;
    if (typeof text === 'string' && text !== '') out[key] = text;
    else problems.push(`${path}.${key} is ${kind(text)}, where non-empty text is expected`);
  }
  if (value['literal'] === undefined && value['reference'] === undefined) problems.push(`${path} has neither "literal" nor "reference"`);
  return out;
}
