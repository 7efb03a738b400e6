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
 * @property {string[]} closeOnWrite incident IDs or references closed just before the next edit or incident update to them arrives (which then moves no status)
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
 * @returns {SandboxState & OnCallState}
 */
export function freshState(options) {
  return {
    replay: options.replay ?? 'original',
    refuseClose: false,
    closeOnWrite: [],
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
    users: [...seedUsers(), ...seedOnCallUsers()],
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
    ...freshOnCallState(),
  };
}

// ── On-call, maintenance windows and alert records (issues 19 and 20) ───────────────────────

/** Seed IDs the tests and the jobs' end-to-end tests name. */
export const ONCALL_IDS = {
  olivia: seedId('USEROLIVIA'),
  dana: seedId('USERDANA'),
  erin: seedId('USERERIN'),
  jane: seedId('USERJANE'),
  frank: seedId('USERFRANK'),
  platformPath: seedId('ESCPLATFORM'),
  paymentsPath: seedId('ESCPAYMENTS'),
  databasePaths: [seedId('ESCDATABASEA'), seedId('ESCDATABASEB')],
  webFrontendPaths: [seedId('ESCWEBFRONTEND'), seedId('ESCWEBFRONTENDLC')],
  platformSchedule: seedId('SCHEDPLATFORM'),
  weekendSchedule: seedId('SCHEDWEEKEND'),
  allHandsSchedule: seedId('SCHEDALLHANDS'),
  databaseSchedules: [seedId('SCHEDDATABASEA'), seedId('SCHEDDATABASEB')],
  platformRotation: seedId('ROTAPLATFORM'),
  platformOverride: seedId('OVERRIDEPLATFORM'),
  serviceAttribute: seedId('ATTRSERVICE'),
  environmentAttribute: seedId('ATTRENVIRONMENT'),
  teamAttribute: seedId('ATTRTEAM'),
  alertRoute: seedId('ALERTROUTE'),
};

/** Names of the filler paths and schedules, so that the lists need more than one page of 25. */
const FILLER_NAMES = [
  'Analytics',
  'Billing',
  'Catalog',
  'Checkout API',
  'Data Platform',
  'Edge',
  'Fulfilment',
  'Growth',
  'Identity',
  'Infrastructure',
  'Inventory',
  'Messaging',
  'Mobile',
  'Notifications',
  'Observability',
  'Pricing',
  'Recommendations',
  'Search',
  'Security',
  'Storage',
  'Support Tooling',
];

/**
 * The people on the schedules: Olivia overrides the Platform rotation now; Dana has no email,
 * Erin no Slack ID, and "Doe, Jane" a comma in her name. None of their emails is one a test
 * uses as unknown (carol@, nobody@, mallory@).
 */
function seedOnCallUsers() {
  return [
    { id: ONCALL_IDS.olivia, name: 'Olivia Override', email: 'olivia@example.com', role: 'responder', slack_user_id: 'U0OLIVIA' },
    { id: ONCALL_IDS.dana, name: 'Dana Noemail', role: 'responder', slack_user_id: 'U0DANA' },
    { id: ONCALL_IDS.erin, name: 'Erin Noslack', email: 'erin@example.com', role: 'responder' },
    { id: ONCALL_IDS.jane, name: 'Doe, Jane', email: 'jane.doe@example.com', role: 'responder', slack_user_id: 'U0JANE' },
    { id: ONCALL_IDS.frank, name: 'Frank Night', email: 'frank@example.com', role: 'responder', slack_user_id: 'U0FRANK' },
  ];
}

const ALICE_ID = seedId('USERALICE');
const BOB_ID = seedId('USERBOB');

/**
 * Escalation paths, in list order: 27, so that even the largest page (25) leaves two for a second
 * page, and "Platform" (the one the recipes page) is the last. "Database" is two paths with the
 * same name; "Web Frontend" and "web frontend" differ only in case. Each path has one level: a
 * schedule's current on-call (`schedule_id`) or users (`user_ids`); current_responders is worked
 * out from it when answered.
 */
function seedEscalationPaths() {
  const path = (id, name, target) => ({ id, name, team_ids: [seedId('TEAMPLATFORM')], ...target });
  const fillers = FILLER_NAMES.map((name, i) => path(seedId('ESCFILL', i + 1), name, { user_ids: [ALICE_ID] }));
  return [
    path(ONCALL_IDS.databasePaths[0], 'Database', { schedule_id: ONCALL_IDS.databaseSchedules[0] }),
    path(ONCALL_IDS.databasePaths[1], 'Database', { schedule_id: ONCALL_IDS.databaseSchedules[1] }),
    path(ONCALL_IDS.webFrontendPaths[0], 'Web Frontend', { user_ids: [BOB_ID] }),
    path(ONCALL_IDS.webFrontendPaths[1], 'web frontend', { user_ids: [ALICE_ID] }),
    ...fillers,
    path(ONCALL_IDS.paymentsPath, 'Payments', { user_ids: [BOB_ID, ALICE_ID] }),
    path(ONCALL_IDS.platformPath, 'Platform', { schedule_id: ONCALL_IDS.platformSchedule }),
  ];
}

/**
 * Schedules, in list order: 26, "Platform Primary" last (a second page at 25 a page).
 * - Platform Primary: Alice and Bob by the day from SEED_TIME, and Olivia overriding that
 *   rotation from an hour before the sandbox (re)started until eleven hours after it.
 * - Weekend Cover: no rotations, nobody on call.
 * - All Hands: seven one-person rotations with different handovers, so seven final entries at
 *   any moment (two pages at the default five entries a page), started at different times, with
 *   Frank in two of them, and Dana (no email), Erin (no Slack ID) and "Doe, Jane" among them.
 * - Database (twice): the same name, Bob and Alice by the week.
 * Rotation `interval_type` is hourly, daily or weekly; `handover_start_at` anchors the shifts.
 */
function seedSchedules(now) {
  const rotation = (tag, name, user_ids, interval, interval_type, handover_start_at) => ({
    id: seedId(`ROTA${tag}`),
    name,
    layer: { id: seedId(`LAYER${tag}`), name: 'Layer 1' },
    user_ids,
    interval,
    interval_type,
    handover_start_at,
  });
  const schedule = (id, name, rotations, overrides = []) =>
    stamp({ id, name, timezone: 'Europe/London', team_ids: [seedId('TEAMPLATFORM')], annotations: {}, rotations, overrides });
  const hour = 3_600_000;
  const overrideStart = Math.floor(now / hour) * hour - hour;
  const platform = rotation('PLATFORM', 'Primary', [ALICE_ID, BOB_ID], 1, 'daily', SEED_TIME);
  const at = (time) => `2026-01-05T${time}:00.000Z`;
  return [
    schedule(ONCALL_IDS.weekendSchedule, 'Weekend Cover', []),
    schedule(ONCALL_IDS.allHandsSchedule, 'All Hands', [
      rotation('HANDS1', 'Nights', [ONCALL_IDS.frank], 1, 'daily', at('00:00')),
      rotation('HANDS2', 'Chat', [ONCALL_IDS.dana], 1, 'daily', at('01:00')),
      rotation('HANDS3', 'Tickets', [ONCALL_IDS.erin], 12, 'hourly', at('02:00')),
      rotation('HANDS4', 'Billing', [ONCALL_IDS.jane], 8, 'hourly', at('03:00')),
      rotation('HANDS5', 'Platform', [ALICE_ID], 6, 'hourly', at('00:30')),
      rotation('HANDS6', 'Backup', [ONCALL_IDS.frank], 4, 'hourly', at('00:15')),
      rotation('HANDS7', 'Payments', [BOB_ID], 1, 'daily', at('05:00')),
    ]),
    schedule(ONCALL_IDS.databaseSchedules[0], 'Database', [rotation('DATABASEA', 'Primary', [BOB_ID], 1, 'weekly', SEED_TIME)]),
    schedule(ONCALL_IDS.databaseSchedules[1], 'Database', [rotation('DATABASEB', 'Primary', [ALICE_ID], 1, 'weekly', SEED_TIME)]),
    ...FILLER_NAMES.map((name, i) =>
      schedule(seedId('SCHEDFILL', i + 1), name, [rotation(`FILL${i + 1}`, 'Primary', [BOB_ID], 1, 'weekly', SEED_TIME)]),
    ),
    schedule(
      ONCALL_IDS.platformSchedule,
      'Platform Primary',
      [platform],
      [
        {
          id: ONCALL_IDS.platformOverride,
          rotation_id: platform.id,
          layer_id: platform.layer.id,
          user_id: ONCALL_IDS.olivia,
          start_at: new Date(overrideStart).toISOString(),
          end_at: new Date(overrideStart + 12 * hour).toISOString(),
        },
      ],
    ),
  ];
}

/**
 * Alert attributes: "Service" is catalog-typed (its values are Service catalog entries:
 * Checkout, Payments, Search); "Environment" a plain string; "Team" an array of strings.
 */
function seedAlertAttributes() {
  return [
    {
      id: ONCALL_IDS.serviceAttribute,
      name: 'Service',
      type: `CatalogEntry["${CATALOG_SERVICE_ID}"]`,
      array: false,
      required: false,
      emoji: 'gear',
    },
    { id: ONCALL_IDS.environmentAttribute, name: 'Environment', type: 'String', array: false, required: false },
    { id: ONCALL_IDS.teamAttribute, name: 'Team', type: 'String', array: true, required: false },
  ];
}

/**
 * The on-call, maintenance and alert part of the state (flags are described in server.mjs's header).
 * @typedef {object} OnCallState
 * @property {null | number} pageCap the new list routes answer at most this many a page, whatever page_size says
 * @property {boolean} escalationsIgnoreFilters GET /v2/escalations ignores every filter
 * @property {number} scheduleEntriesPageSize entries per list (scheduled, overrides, final) per page
 * @property {null | 'endless'} scheduleEntriesBug every schedule entries page has a cursor, even past the end
 * @property {null | string} scheduleEntriesAfterUrlBase the origin of pagination_meta.after_url (default: the sandbox's)
 * @property {null | { incidentAfterMs?: number, incidentId?: string }} alertRoute a new firing alert opens (or joins) an incident later
 * @property {null | number} slackChannelAfterMs null: no channel ID (as before); 0: at create; N: N ms after the create
 * @property {null | string} slackChannelName the name every new incident's channel gets (for hostile names)
 * @property {any[]} escalationPaths
 * @property {any[]} escalations every escalation created, oldest first
 * @property {Map<string, any>} escalationIdempotency idempotency_key -> escalation
 * @property {any[]} schedules
 * @property {any[]} alertAttributes
 * @property {any[]} maintenanceWindows every window created (archived ones too), oldest first
 * @property {any[]} alertRecords every alert (not event), oldest first
 * @property {any[]} incidentAlerts { id, alert_id, incident_id, alert_route_id, created_at } per link
 * @property {{ at: number, run: (state: any) => void }[]} deferred what the sandbox does later
 */

/**
 * The state of the on-call, maintenance and alert routes; flags first (see server.mjs's header).
 * `deferred` holds what the sandbox does later (a route opening an incident, a Slack channel
 * appearing): run by the first request or accessor at or after its time (deferred.mjs).
 * @returns {OnCallState}
 */
function freshOnCallState(now = Date.now()) {
  return {
    pageCap: null,
    escalationsIgnoreFilters: false,
    scheduleEntriesPageSize: 5,
    scheduleEntriesBug: null,
    scheduleEntriesAfterUrlBase: null,
    alertRoute: null,
    slackChannelAfterMs: null,
    slackChannelName: null,
    escalationPaths: seedEscalationPaths(),
    escalations: [],
    escalationIdempotency: new Map(),
    schedules: seedSchedules(now),
    alertAttributes: seedAlertAttributes(),
    maintenanceWindows: [],
    alertRecords: [],
    incidentAlerts: [],
    deferred: [],
  };
}
