/**
 * Regenerates spec/incidentio-openapi.pruned.json, the copy of incident.io's OpenAPI spec that the
 * contract test serves with Prism, from the full spec beside the repository:
 *
 *   npm run prune-spec                     # reads ../shared/, writes spec/incidentio-openapi.pruned.json
 *   npm run prune-spec -- --check          # exits 1 if the checked-in copy is not a fresh prune
 *
 * Inputs: ../shared/incidentio-openapi.json (incident.io's published spec) and
 * ../shared/incidentio-openapi-addendum.json (operations newer than it), merged per path and
 * method, and their schemas. Output: only the operations in OPERATIONS below, the schemas they
 * reference (transitively), and no `description` keywords (a response's keeps its description,
 * which OpenAPI requires) nor the docs-site extensions (x-docs-*, x-mint, tags). Examples,
 * x-rbac-scopes and every validation keyword stay, so Prism validates requests and mocks
 * responses as it would with the full spec. `info` records the sources, their versions and
 * SHA-256 digests, and the date of the prune; a run that would change nothing but that date
 * leaves the file as it is. The request → scope table (src/incident-io/scopes.ts and the README's)
 * is generated from this file's x-rbac-scopes by `npm run docs` (scripts/scopes.mjs).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = join(root, '..', 'shared');
export const SPEC_FILE = 'incidentio-openapi.json';
export const ADDENDUM_FILE = 'incidentio-openapi-addendum.json';
export const PRUNED_PATH = join(root, 'spec', 'incidentio-openapi.pruned.json');

/**
 * Every incident.io operation the action calls, now or in the features under way. Add one here
 * (and run this script) before the code calls it: the contract test's Prism answers 404 to
 * anything else.
 */
export const OPERATIONS = [
  'GET /v1/severities',
  'GET /v1/incident_types',
  'GET /v1/incident_statuses',
  'GET /v2/custom_fields',
  'GET /v1/custom_field_options',
  'GET /v2/incident_roles',
  'GET /v2/users',
  'GET /v2/users/{id}',
  'POST /v2/incidents',
  'GET /v2/incidents',
  'GET /v2/incidents/{id}',
  'POST /v2/incidents/{id}/actions/edit',
  'POST /v2/alert_events/http/{alert_source_config_id}',
  'POST /v2/incident_updates',
  'POST /v2/heartbeat/{alert_source_config_id}/ping',
  'POST /v1/incident_attachments',
  'GET /v1/incident_attachments',
  'DELETE /v1/incident_attachments/{id}',
  'GET /v2/incident_timestamps',
  'GET /v3/catalog_entries',
  'GET /v1/identity',
  // Paging and on-call (issue 19).
  'POST /v2/escalations',
  'GET /v2/escalations',
  'POST /v2/escalations/{id}/actions/cancel',
  'GET /v2/escalation_paths',
  'GET /v2/schedules',
  'GET /v2/schedule_entries',
  // Maintenance windows and the incident behind an alert (issue 20).
  'GET /v1/maintenance_windows',
  'POST /v1/maintenance_windows',
  'GET /v1/maintenance_windows/{id}',
  'PUT /v1/maintenance_windows/{id}',
  'GET /v2/alert_attributes',
  'GET /v2/alerts',
  'GET /v2/incident_alerts',
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Operation fields that only the docs site reads. */
const DOCS_ONLY = new Set([
  'description',
  'tags',
  'x-mint',
  'x-display-name',
  'x-docs-display-name',
  'x-docs-group-name',
  'x-docs-resource-type',
]);
/** Values kept exactly as they are: data, not schema (an example may well have a "description"). */
const VERBATIM = new Set(['example', 'examples', 'default', 'enum', 'const']);
/** Objects whose keys are names (a property called "description"), not keywords. */
const NAMED = new Set(['properties', 'patternProperties', 'content', 'headers', 'encoding', 'links', 'callbacks', 'variables']);

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The spec with the addendum's paths (per path and method) and schemas added. The addendum may
 * not redefine what the spec has, unless identically (then the spec has caught up with it).
 */
export function mergeAddendum(spec, addendum) {
  const merged = JSON.parse(JSON.stringify(spec));
  for (const [path, item] of Object.entries(addendum.paths ?? {})) {
    merged.paths[path] ??= {};
    for (const [method, operation] of Object.entries(item)) {
      const existing = merged.paths[path][method];
      if (existing !== undefined && !sameJson(existing, operation)) {
        throw new Error(`the addendum redefines ${method.toUpperCase()} ${path}, which the spec already has: drop it from the addendum`);
      }
      merged.paths[path][method] = operation;
    }
  }
  merged.components ??= {};
  merged.components.schemas ??= {};
  for (const [name, schema] of Object.entries(addendum.components?.schemas ?? {})) {
    const existing = merged.components.schemas[name];
    if (existing !== undefined && !sameJson(existing, schema)) {
      throw new Error(`the addendum redefines schema ${name}, which the spec already has: drop it from the addendum`);
    }
    merged.components.schemas[name] = schema;
  }
  return merged;
}

/** The names of the component schemas a value refers to with `#/components/schemas/...`. */
function schemaRefs(value, into = new Set()) {
  if (Array.isArray(value)) {
    for (const item of value) schemaRefs(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') {
        const match = /^#\/components\/schemas\/(.+)$/.exec(item);
        if (!match) throw new Error(`unsupported $ref ${item}: only #/components/schemas/... is handled`);
        into.add(decodeURIComponent(match[1].replaceAll('~1', '/').replaceAll('~0', '~')));
      } else if (key !== 'example' && key !== 'examples') {
        schemaRefs(item, into);
      }
    }
  }
  return into;
}

/** A copy without `description` keywords; `keepDescription` for a response object, which needs one. */
function stripDescriptions(value, keepDescription = false) {
  if (Array.isArray(value)) return value.map((item) => stripDescriptions(item));
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'description' && !keepDescription) continue;
    if (VERBATIM.has(key)) out[key] = item;
    else if (NAMED.has(key) && item && typeof item === 'object' && !Array.isArray(item)) {
      out[key] = Object.fromEntries(Object.entries(item).map(([name, sub]) => [name, stripDescriptions(sub)]));
    } else if (key === 'responses' && item && typeof item === 'object') {
      out[key] = Object.fromEntries(Object.entries(item).map(([status, response]) => [status, stripDescriptions(response, true)]));
    } else out[key] = stripDescriptions(item);
  }
  return out;
}

/**
 * Prunes the merged spec to `operations` and the schemas they reach.
 * @param {any} spec the full spec
 * @param {any} addendum the addendum
 * @param {{ operations?: string[], info?: Record<string, unknown> }} [options] info: fields for `info`
 */
export function pruneSpec(spec, addendum, { operations = OPERATIONS, info = {} } = {}) {
  const merged = mergeAddendum(spec, addendum);
  const paths = {};
  const missing = [];
  for (const entry of operations) {
    const [method, path] = entry.split(' ');
    const lower = method.toLowerCase();
    if (!METHODS.includes(lower) || !path) throw new Error(`"${entry}" is not "METHOD /path"`);
    const operation = merged.paths[path]?.[lower];
    if (!operation) {
      missing.push(entry);
      continue;
    }
    const kept = Object.fromEntries(Object.entries(operation).filter(([key]) => !DOCS_ONLY.has(key)));
    paths[path] ??= {};
    if (merged.paths[path].parameters) paths[path].parameters = stripDescriptions(merged.paths[path].parameters);
    paths[path][lower] = stripDescriptions(kept);
  }
  if (missing.length > 0) throw new Error(`the spec has no ${missing.join(', ')}`);

  // The schemas the operations reach, following $refs through schemas.
  const wanted = schemaRefs(paths);
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.pop();
    const schema = merged.components.schemas[name];
    if (!schema) throw new Error(`$ref to #/components/schemas/${name}, which the spec does not define`);
    for (const ref of schemaRefs(schema)) {
      if (!wanted.has(ref)) {
        wanted.add(ref);
        queue.push(ref);
      }
    }
  }
  const sortedPaths = Object.fromEntries(
    Object.keys(paths)
      .sort()
      .map((path) => [path, paths[path]]),
  );
  const schemas = Object.fromEntries([...wanted].sort().map((name) => [name, stripDescriptions(merged.components.schemas[name])]));
  return {
    openapi: merged.openapi,
    info: { title: `${spec.info?.title ?? 'API'} (pruned for the contract test)`, version: spec.info?.version ?? '', ...info },
    servers: merged.servers,
    paths: sortedPaths,
    components: { schemas },
  };
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** The spec's publication month as ../shared/README.md states it ("… spec (2026-08)"); the file has none. */
function statedSpecDate(shared) {
  const readme = join(shared, 'README.md');
  if (!existsSync(readme)) return undefined;
  const line = readFileSync(readme, 'utf8')
    .split('\n')
    .find((l) => l.includes(SPEC_FILE));
  return /\((\d{4}-\d{2}(?:-\d{2})?)\)/.exec(line ?? '')?.[1];
}

/**
 * Reads the two files in `shared` and prunes them; `prunedOn` is the date recorded in info.
 * @param {{ shared?: string, prunedOn?: string }} [options]
 */
export function pruneFromShared({ shared = SHARED, prunedOn = new Date().toISOString().slice(0, 10) } = {}) {
  const specText = readFileSync(join(shared, SPEC_FILE), 'utf8');
  const addendumText = readFileSync(join(shared, ADDENDUM_FILE), 'utf8');
  const spec = JSON.parse(specText);
  const addendum = JSON.parse(addendumText);
  const specDate = statedSpecDate(shared);
  return pruneSpec(spec, addendum, {
    info: {
      'x-pruned': {
        from: [
          {
            file: SPEC_FILE,
            title: spec.info?.title,
            version: spec.info?.version,
            ...(specDate && { published: specDate }),
            sha256: sha256(specText),
          },
          { file: ADDENDUM_FILE, title: addendum.info?.title, version: addendum.info?.version, sha256: sha256(addendumText) },
        ],
        by: 'scripts/prune-spec.mjs',
        on: prunedOn,
      },
    },
  });
}

/** The file's text: JSON indented with tabs (a third smaller than two spaces, and still diffable line by line). */
export const render = (spec) => `${JSON.stringify(spec, null, '\t')}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  if (!existsSync(join(SHARED, SPEC_FILE))) {
    console.error(`prune-spec: ${join(SHARED, SPEC_FILE)} is absent; it is provided beside the repository (see CONTRIBUTING.md).`);
    process.exit(1);
  }
  const current = existsSync(PRUNED_PATH) ? readFileSync(PRUNED_PATH, 'utf8') : undefined;
  const previousDate = current ? JSON.parse(current).info?.['x-pruned']?.on : undefined;
  // Same content under the previous date: nothing changed, keep the file (and its date).
  const same = previousDate !== undefined && render(pruneFromShared({ prunedOn: previousDate })) === current;
  if (check) {
    console.log(
      same ? 'spec/ is a fresh prune of ../shared/.' : 'spec/ is stale: run `node scripts/prune-spec.mjs` and commit the result.',
    );
    process.exit(same ? 0 : 1);
  }
  if (same) {
    console.log(`${PRUNED_PATH} is already a fresh prune (of ${previousDate}); unchanged.`);
  } else {
    const text = render(pruneFromShared());
    mkdirSync(dirname(PRUNED_PATH), { recursive: true });
    writeFileSync(PRUNED_PATH, text);
    const pruned = JSON.parse(text);
    console.log(
      `wrote ${PRUNED_PATH}: ${Object.keys(pruned.paths).length} paths, ${Object.keys(pruned.components.schemas).length} schemas, ` +
        `${(text.length / 1024).toFixed(0)} kB. Now run \`npm run docs\`: it regenerates the request → scope table ` +
        '(src/incident-io/scopes.ts and the README) from it, and `npm run docs -- --check` fails until you do.',
    );
  }
}
