/**
 * The seed data every sandbox starts from (and reset() restores), and the shape of its state.
 */
import { seedId } from './common.mjs';
import { bucket } from './faults.mjs';

export const SEED_TIME = '2026-01-05T09:00:00.000Z';
export const ALERT_SOURCE_ID = '01ALERTSOURCE000000000000';
export const CATALOG_SERVICE_ID = '01CATALOGSERVICE000000000';
export const HEARTBEAT_SOURCE_ID = '01HEARTBEATSOURCE00000000';
/** The second post-incident status, listed only while `state.reviewingStatus` is on (see seedIncidentStatuses). */
export const REVIEWING_STATUS_ID = seedId('STATUSREVIEWING');
/** The user whose email differs from Alice's only in its domain, for `state.usersIgnoreFilter`. */
export const DECOY_USER_ID = seedId('USERALICEORG');

const stamp = (o) => ({ ...o, created_at: SEED_TIME, updated_at: SEED_TIME });

function seedSeverities() {
  return [
    ['MINOR', 'Minor', 1, 'Issues with minimal customer impact.'],
    ['MAJOR', 'Major', 2, 'Issues causing significant customer impact.'],
    ['CRITICAL', 'Critical', 3, 'Issues causing very high impact to many customers.'],
  ].map(([tag, name, rank, description]) => stamp({ id: seedId(`SEV${tag}`), name, description, rank }));
}

function seedIncidentTypes() {
  return [
    ['DEFAULT', 'Default', 'The default incident type.', true],
    ['SECURITY', 'Security', 'Security incidents.', false],
    ['PLATFORM', 'Platform', 'Incidents in shared platform infrastructure.', false],
  ].map(([tag, name, description, isDefault]) =>
    stamp({
      id: seedId(`TYPE${tag}`),
      name,
      description,
      is_default: isDefault,
      create_in_triage: 'optional',
      private_incidents_only: false,
    }),
  );
}

/**
 * The statuses by rank. "Paused" and "Reviewing" were added for resolve fallbacks; the first seven
 * keep their names, categories, IDs and relative order. "Reviewing" (a second post-incident
 * status) is listed only while `state.reviewingStatus` is on: an end-to-end test pins the list of
 * post-incident and closed statuses to "Documenting", "Closed".
 */
function seedIncidentStatuses() {
  return [
    ['Triage', 'triage'],
    ['Investigating', 'live'],
    ['Fixing', 'live'],
    ['Monitoring', 'live'],
    ['Paused', 'paused'],
    ['Documenting', 'learning'],
    ['Reviewing', 'learning'],
    ['Closed', 'closed'],
    ['Declined', 'declined'],
  ].map(([name, category], i) =>
    stamp({
      id: seedId(`STATUS${name.toUpperCase()}`),
      name,
      description: `The incident is ${name.toLowerCase()}.`,
      rank: i + 1,
      category,
    }),
  );
}

function seedCustomFields() {
  const field = (tag, name, field_type, description, extra = {}) =>
    stamp({ id: seedId(`FIELD${tag}`), name, description, field_type, ...extra });
  return [
    field('AFFECTEDSERVICE', 'Affected service', 'single_select', 'The service most affected.'),
    field('TEAMS', 'Teams', 'multi_select', 'Teams involved in the response.'),
    field('RUNBOOK', 'Runbook', 'link', 'A link to the runbook being followed.'),
    field('NOTES', 'Notes', 'text', 'Free-form notes.'),
    field('CUSTOMERS', 'Customers affected', 'numeric', 'Roughly how many customers are affected.'),
    field('SERVICE', 'Service', 'single_select', 'The service, from the catalog.', { catalog_type_id: CATALOG_SERVICE_ID }),
  ];
}

/** Options per custom field ID, each list in sort_key order. */
function seedCustomFieldOptions() {
  const options = (fieldId, tag, values) =>
    values.map((value, i) => ({ id: seedId(tag, i + 1), custom_field_id: fieldId, value, sort_key: (i + 1) * 10 }));
  const services = Array.from({ length: 297 }, (_, i) => `service-${String(i + 1).padStart(3, '0')}`);
  return {
    [seedId('FIELDAFFECTEDSERVICE')]: options(seedId('FIELDAFFECTEDSERVICE'), 'OPTSVC', [...services, 'checkout', 'payments', 'search']),
    [seedId('FIELDTEAMS')]: options(seedId('FIELDTEAMS'), 'OPTTEAM', ['Platform', 'Payments', 'Growth']),
  };
}

/** Catalog types; Service lets entries be found by name too (`use_name_as_identifier`). */
function seedCatalogTypes() {
  return [
    stamp({
      id: CATALOG_SERVICE_ID,
      name: 'Service',
      description: 'The services we run.',
      type_name: 'Custom["Service"]',
      engine_resource_type: 'CatalogEntry["01CATALOGSERVICE000000000"]',
      ranked: false,
      schema: { attributes: [], version: 1 },
      icon: 'box',
      categories: ['service'],
      color: 'blue',
      is_editable: true,
      annotations: {},
      use_name_as_identifier: true,
    }),
  ];
}

/** Catalog entries per catalog type ID ("Search" has no alias, to be found by its name alone). */
function seedCatalogEntries() {
  return {
    [CATALOG_SERVICE_ID]: [
      { id: seedId('ENTRYCHECKOUT'), name: 'Checkout', external_id: 'checkout', aliases: ['co'] },
      { id: seedId('ENTRYPAYMENTS'), name: 'Payments', external_id: 'payments', aliases: ['pay'] },
      { id: seedId('ENTRYSEARCH'), name: 'Search', external_id: 'search-svc', aliases: [] },
    ],
  };
}

/** Incident timestamps by rank. */
function seedIncidentTimestamps() {
  return [
    ['REPORTED', 'Reported at'],
    ['IMPACTSTARTED', 'Impact started'],
    ['ACCEPTED', 'Accepted at'],
    ['RESOLVED', 'Resolved at'],
  ].map(([tag, name], i) => ({ id: seedId(`TS${tag}`), name, rank: i + 1 }));
}

function seedIncidentRoles() {
  return [
    ['LEAD', 'Incident Lead', 'lead', 'lead', true, 'Coordinates the response.'],
    ['REPORTER', 'Reporter', 'reporter', 'reporter', false, 'The person who reported the incident.'],
    ['COMMS', 'Communications', 'comms', 'custom', false, 'Keeps customers and stakeholders informed.'],
  ].map(([tag, name, shortform, role_type, required, description]) =>
    stamp({
      id: seedId(`ROLE${tag}`),
      name,
      description,
      instructions: `As ${name}: ${description.toLowerCase()}`,
      shortform,
      role_type,
      required,
    }),
  );
}

function seedUsers() {
  return [
    { id: seedId('USERALICE'), name: 'Alice Example', email: 'alice@example.com', role: 'responder', slack_user_id: 'U0ALICE' },
    { id: seedId('USERBOB'), name: 'Bob Example', email: 'bob@example.com', role: 'responder', slack_user_id: 'U0BOB' },
    // Alice's near-namesake: what a client that takes "the first user" of an unfiltered list picks.
    { id: DECOY_USER_ID, name: 'Alice Example (contractor)', email: 'alice@example.org', role: 'viewer', slack_user_id: 'U0ALICEORG' },
  ];
}

/** Three jobs of run 1001 in acme/shop: one passed, one failed in its deploy step, one still running. */
function defaultJobs() {
  const job = (id, name, status, conclusion, started, completed, steps) => ({
    id,
    run_id: 1001,
    run_attempt: 1,
    name,
    status,
    conclusion,
    workflow_name: 'Deploy',
    head_branch: 'main',
    html_url: `https://github.com/acme/shop/actions/runs/1001/job/${id}`,
    started_at: `2026-11-26T10:${started}:00Z`,
    completed_at: completed && `2026-11-26T10:${completed}:00Z`,
    steps: steps.map(([stepName, stepStatus, stepConclusion], i) => ({
      name: stepName,
      status: stepStatus,
      conclusion: stepConclusion,
      number: i + 1,
    })),
  });
  return [
    job(5001, 'build', 'completed', 'success', '00', '03', [
      ['Set up job', 'completed', 'success'],
      ['Build', 'completed', 'success'],
    ]),
    job(5002, 'deploy', 'completed', 'failure', '04', '06', [
      ['Set up job', 'completed', 'success'],
      ['Checkout', 'completed', 'success'],
      ['Deploy to production', 'completed', 'failure'],
      ['Post Checkout', 'completed', 'skipped'],
    ]),
    job(5003, 'notify', 'in_progress', null, '06', null, [
      ['Set up job', 'completed', 'success'],
      ['Notify', 'in_progress', null],
    ]),
  ];
}

/** What GitHub's check-run annotations say for the failed deploy job (5002), the runner's own line last. */
function defaultAnnotations() {
  const annotation = (level, path, line, title, message, raw_details = '') => ({
    path,
    blob_href: `https://github.com/acme/shop/blob/4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a/${path}`,
    start_line: line,
    end_line: line,
    start_column: null,
    end_column: null,
    annotation_level: level,
    title,
    message,
    raw_details,
  });
  return {
    5002: [
      annotation(
        'failure',
        'deploy/rollout.sh',
        42,
        'Deploy to production',
        'error: deployment "checkout" exceeded its progress deadline: 1 of 3 updated replicas are available (ImagePullBackOff: registry.acme.internal/shop/checkout:4f1c2a9 not found)',
        'kubectl rollout status deployment/checkout --timeout=300s\nWaiting for deployment "checkout" rollout to finish: 1 of 3 updated replicas are available...',
      ),
      annotation(
        'warning',
        '.github',
        1,
        '',
        'Node.js 20 actions are deprecated. The following actions are running on Node.js 20 and may not work as expected: acme/setup-kubectl@v2.',
      ),
      annotation('failure', '.github', 1, '', 'Process completed with exit code 1.'),
    ],
  };
}

/** The pull request that the run's commit came from, merged into main. */
function defaultPulls() {
  return [
    {
      id: 2_001_128,
      number: 128,
      title: 'Retry checkout payments idempotently',
      html_url: 'https://github.com/acme/shop/pull/128',
      state: 'closed',
      merged_at: '2026-11-26T09:55:00Z',
      user: { login: 'octocat' },
      base: { ref: 'main' },
      head: { ref: 'fix/checkout-retries' },
    },
  ];
}

/**
 * The live data. Tests may flip the flags directly (`sandbox.state.replay = 'conflict'`).
 * @typedef {object} SandboxState
 * @property {'original' | 'conflict'} replay how a repeated idempotency key is answered
 * @property {boolean} refuseClose refuse edits (and incident updates) that move an incident to a closed-category status
 * @property {null | 'repeat-cursor'} paginationBug custom field option pages after the first repeat their cursor
 * @property {number} lookupDelayMs delay every GET by this many ms
 * @property {string[]} refuseStatusIds refuse edits and incident updates that move an incident to one of these statuses
 * @property {boolean} reviewingStatus list the second post-incident status "Reviewing" (off by default)
 * @property {boolean} usersIgnoreFilter GET /v2/users ignores email and slack_user_id, listing non-matching users first
 * @property {null | number} listPageCap GET /v2/incidents answers at most this many per page, whatever page_size asks
 * @property {boolean} githubIntegration attachments of type github_pull_request are accepted
 * @property {boolean} attachmentsForbidden every attachment route answers 403
 * @property {boolean} attachmentDeleteForbidden DELETE /v1/incident_attachments/{id} answers 403 (no attachments.destroy)
 * @property {boolean} catalogForbidden GET /v3/catalog_entries answers 403
 * @property {{ jobs: GithubMode, annotations: GithubMode, pulls: GithubMode }} githubModes per GitHub endpoint
 * @property {null | { capacity: number, refillPerSecond: number, tokens: number, at: number }} rateLimit token bucket for incident.io routes
 * @property {any[]} severities
 * @property {any[]} incidentTypes
 * @property {any[]} incidentStatuses
 * @property {any[]} customFields
 * @property {Record<string, any[]>} customFieldOptions options per custom field ID
 * @property {any[]} catalogTypes
 * @property {Record<string, any[]>} catalogEntries entries per catalog type ID
 * @property {any[]} incidentTimestamps
 * @property {any[]} incidentRoles
 * @property {any[]} users
 * @property {string[]} alertSourceIds
 * @property {string[]} heartbeatSourceIds
 * @property {any[]} jobs jobs of any run not in jobsByRun
 * @property {Record<string, any[]>} jobsByRun jobs per workflow run ID
 * @property {Record<string, any[]>} annotations check-run annotations per job ID
 * @property {any[]} pulls pull requests of any commit not in pullsBySha
 * @property {Record<string, any[]>} pullsBySha pull requests per commit SHA
 * @property {any[]} incidents
 * @property {Map<string, any>} idempotency idempotency_key -> incident
 * @property {any[]} edits { incident_id, at, body } per accepted edit
 * @property {Map<string, any>} updateIdempotency idempotency_key -> incident update
 * @property {any[]} incidentUpdates every incident update, oldest first
 * @property {any[]} attachments every incident attachment, oldest first (deleted ones removed)
 * @property {any[]} deletedAttachments every attachment deleted, in the order deleted
 * @property {any[]} alerts
 * @property {any[]} heartbeats { alert_source_config_id, received_at } per accepted ping
 * @property {Record<string, string>} alertStatus deduplication_key -> latest status
 * @property {number} nextNumber
 * @property {{ route: string, spec: any, remaining: number }[]} faults
 */

/** @typedef {string} GithubMode 'ok', 'forbidden', 'error', or one of the malformed answers in github.mjs's MALFORMED */

/**
 * Everything reset() restores. The `requests` array lives outside this so its identity never changes.
 * @returns {SandboxState}
 */
export function freshState(options) {
  return {
    replay: options.replay ?? 'original',
    refuseClose: false,
    paginationBug: null,
    lookupDelayMs: options.lookupDelayMs ?? 0,
    refuseStatusIds: [],
    reviewingStatus: false,
    usersIgnoreFilter: false,
    listPageCap: null,
    githubIntegration: false,
    attachmentsForbidden: false,
    attachmentDeleteForbidden: false,
    catalogForbidden: false,
    githubModes: { jobs: 'ok', annotations: 'ok', pulls: 'ok' },
    rateLimit: bucket(options.rateLimit),
    severities: seedSeverities(),
    incidentTypes: seedIncidentTypes(),
    incidentStatuses: seedIncidentStatuses(),
    customFields: seedCustomFields(),
    customFieldOptions: seedCustomFieldOptions(),
    catalogTypes: seedCatalogTypes(),
    catalogEntries: seedCatalogEntries(),
    incidentTimestamps: seedIncidentTimestamps(),
    incidentRoles: seedIncidentRoles(),
    users: seedUsers(),
    alertSourceIds: [ALERT_SOURCE_ID],
    heartbeatSourceIds: [HEARTBEAT_SOURCE_ID],
    jobs: defaultJobs(),
    jobsByRun: {},
    annotations: defaultAnnotations(),
    pulls: defaultPulls(),
    pullsBySha: {},
    incidents: [],
    idempotency: new Map(),
    edits: [],
    updateIdempotency: new Map(),
    incidentUpdates: [],
    attachments: [],
    deletedAttachments: [],
    alerts: [],
    heartbeats: [],
    alertStatus: {},
    nextNumber: 1,
    faults: [],
  };
}
