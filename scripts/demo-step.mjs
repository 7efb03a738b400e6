/**
 * The step `npm run demo` runs, as a user would paste it into a workflow: valid YAML (a mapping
 * or a value of several lines as a `|` block scalar, any other value plain only when YAML reads
 * it back as the same text), the secret as `${{ secrets.… }}`. What only the local sandbox needs
 * (its `api-url`, its stand-in GitHub token) is kept apart, for the demo to show separately.
 * `__tests__/project/demo.test.ts` builds the printed step into a workflow and lints it.
 */
import { parse } from 'yaml';

/** The inputs a user would write. */
export const DEMO_INPUTS = {
  severity: 'major',
  summary: 'The production deploy of `shop` failed; checkout may be serving errors.',
  'custom-fields': 'Affected service: checkout\nTeams: [Platform, Payments]',
  roles: 'Incident Lead: alice@example.com',
  links: 'Runbook: https://runbooks.example.com/checkout',
};

/** The inputs that are mappings: written as a block, one entry a line, whatever their length. */
const MAPPINGS = new Set(['custom-fields', 'roles', 'links', 'timestamps', 'alert-metadata']);

/** One `key: value` of a `with:` block, as YAML, its lines indented by `indent`. */
export function yamlEntry(key, value, indent = '') {
  if (value.includes('\n') || MAPPINGS.has(key)) {
    return [`${indent}${key}: |`, ...value.split('\n').map((line) => (line === '' ? '' : `${indent}  ${line}`))].join('\n');
  }
  const plain = `${key}: ${value}`;
  try {
    if (parse(plain)?.[key] === value) return `${indent}${plain}`;
  } catch {
    // Not plain YAML: quoted below.
  }
  return `${indent}${key}: ${JSON.stringify(value)}`;
}

/** The step as a workflow would write it (no sandbox lines), indented for a job's `steps:` list. */
export function workflowStep(inputs = DEMO_INPUTS) {
  return [
    '- uses: incident-io-action/incident-io-action@v1',
    '  if: failure()',
    '  with:',
    yamlEntry('api-key', '${{ secrets.INCIDENT_IO_API_KEY }}', '    '),
    ...Object.entries(inputs).map(([key, value]) => yamlEntry(key, value, '    ')),
  ].join('\n');
}
