/**
 * Checks a JSON answer against the response schema the pruned spec gives its operation: required
 * fields, types, enums, date-times, array items, and (strictly) no field the schema does not
 * name. Small on purpose: the spec's schemas use only type, properties, required, items, enum,
 * format, additionalProperties and $ref. It lets the sandbox's tests prove the sandbox answers in
 * the shapes the contract test's Prism serves.
 */
import { readFileSync } from 'node:fs';
import { PRUNED_PATH } from '../../scripts/prune-spec.mjs';

/* eslint-disable @typescript-eslint/no-explicit-any -- schemas and answers are untyped JSON */
const spec: any = JSON.parse(readFileSync(PRUNED_PATH, 'utf8'));

const resolve = (schema: any): any => (schema?.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()]) : schema);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function check(schemaRef: any, value: unknown, at: string, errors: string[]): void {
  const schema = resolve(schemaRef);
  if (!schema || Object.keys(schema).length === 0) return;
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void errors.push(`${at}: not an object`);
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in record)) errors.push(`${at}.${name}: required, missing`);
    for (const [name, item] of Object.entries(record)) {
      const property = schema.properties?.[name];
      if (property) check(property, item, `${at}.${name}`, errors);
      else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, item, `${at}.${name}`, errors);
      else if (schema.properties && schema.additionalProperties !== true) errors.push(`${at}.${name}: not in the schema`);
    }
  } else if (type === 'array') {
    if (!Array.isArray(value)) return void errors.push(`${at}: not an array`);
    value.forEach((item, i) => check(schema.items, item, `${at}[${i}]`, errors));
  } else if (type === 'string') {
    if (typeof value !== 'string') return void errors.push(`${at}: not a string (${JSON.stringify(value)})`);
    if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in ${schema.enum.join('|')}`);
    if (schema.format === 'date-time' && !RFC3339.test(value)) errors.push(`${at}: ${JSON.stringify(value)} is not a date-time`);
  } else if (type === 'integer') {
    if (!Number.isInteger(value)) errors.push(`${at}: not an integer`);
    else if (schema.maximum !== undefined && (value as number) > schema.maximum) errors.push(`${at}: over ${schema.maximum}`);
  } else if (type === 'number') {
    if (typeof value !== 'number') errors.push(`${at}: not a number`);
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') errors.push(`${at}: not a boolean`);
  }
}

/**
 * What is wrong with `body` as the answer of `operation` ("GET /v2/escalations", with the spec's
 * path template) with `status`: [] when it fits.
 */
export function specShapeErrors(operation: string, status: number, body: unknown): string[] {
  const [method, path] = operation.split(' ') as [string, string];
  const response = spec.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
  if (!response) return [`the spec has no ${status} answer for ${operation}`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return body === undefined ? [] : [`the spec's ${status} answer for ${operation} has no body`];
  const errors: string[] = [];
  check(schema, body, '$', errors);
  return errors;
}

/**
 * What is wrong with `body` as the JSON request body of `operation` ("POST /v1/maintenance_windows"),
 * by the same rules (strictly: no field the schema does not name): [] when it fits.
 */
export function specRequestErrors(operation: string, body: unknown): string[] {
  const [method, path] = operation.split(' ') as [string, string];
  const schema = spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  if (!schema) return [`the spec has no JSON request body for ${operation}`];
  const errors: string[] = [];
  check(schema, body, '$', errors);
  return errors;
}

/**
 * What is wrong with `query` as the query of `operation` ("GET /v1/maintenance_windows"): a
 * parameter the spec does not name, a required one missing, and each value against its schema
 * (an integer's maximum, a string's enum). [] when it fits.
 */
export function specQueryErrors(operation: string, query: Record<string, string>): string[] {
  const [method, path] = operation.split(' ') as [string, string];
  const parameters: any[] = (spec.paths[path]?.[method.toLowerCase()]?.parameters ?? []).filter((p: any) => p.in === 'query');
  const errors: string[] = [];
  for (const name of Object.keys(query)) {
    if (!parameters.some((p) => p.name === name)) errors.push(`?${name}: not a query parameter of ${operation}`);
  }
  for (const parameter of parameters) {
    const value = query[parameter.name];
    if (value === undefined) {
      if (parameter.required) errors.push(`?${parameter.name}: required, missing`);
      continue;
    }
    const schema = resolve(parameter.schema);
    check(schema, schema?.type === 'integer' ? Number(value) : value, `?${parameter.name}`, errors);
  }
  return errors;
}
