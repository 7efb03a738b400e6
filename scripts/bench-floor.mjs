/**
 * The benchmark's floors: bare Node scripts making the requests the action makes, in the same
 * rounds, with the same inputs, and nothing else: no validation, no retries, no outputs, the
 * least any implementation could do. Like the action, it ends with an explicit exit once its
 * streams are flushed.
 *
 *   node scripts/bench-floor.mjs          the default create: GET /v1/severities, POST
 *                                         /v2/incidents, then the run's attachment and the list
 *                                         of the incident's attachments after it
 *   node scripts/bench-floor.mjs --rich   a rich create (type, status, a select field, a role):
 *                                         the five lookups at once, the field's options, the
 *                                         create, the run's attachment and the list after it
 *
 * The list after the attachment is work a correct `created` needs, not overhead: two jobs of one
 * run that declare the same incident at the same moment can only be told apart by which one's
 * attachment incident.io made first (docs/performance.md, "Racing jobs of one run").
 */
const base = process.env['INPUT_API-URL'];
const headers = { Authorization: `Bearer ${process.env['INPUT_API-KEY']}`, 'Content-Type': 'application/json' };
const get = async (path) => (await fetch(`${base}${path}`, { headers })).json();
const named = (list, name) => list.find((item) => item.name.toLowerCase() === name.toLowerCase());
const rich = process.argv.includes('--rich');

const body = {
  idempotency_key: `floor/${process.env.GITHUB_RUN_ID}`,
  visibility: 'public',
  name: 'Bench floor',
  summary: 'Bench floor',
  mode: 'standard',
};
if (rich) {
  const [{ severities }, { incident_types }, { incident_statuses }, { custom_fields }, { incident_roles }, { users }] = await Promise.all([
    get('/v1/severities'),
    get('/v1/incident_types'),
    get('/v1/incident_statuses'),
    get('/v2/custom_fields'),
    get('/v2/incident_roles'),
    get('/v2/users?email=alice%40example.com&page_size=25'),
  ]);
  const field = named(custom_fields, 'Teams');
  const { custom_field_options } = await get(`/v1/custom_field_options?custom_field_id=${field.id}&page_size=250`);
  Object.assign(body, {
    severity_id: named(severities, process.env.INPUT_SEVERITY).id,
    incident_type_id: named(incident_types, 'Platform').id,
    incident_status_id: named(incident_statuses, 'Triage').id,
    custom_field_entries: [
      { custom_field_id: field.id, values: [{ value_option_id: custom_field_options.find((o) => o.value === 'Platform').id }] },
    ],
    incident_role_assignments: [{ incident_role_id: incident_roles.find((r) => r.shortform === 'lead').id, assignee: { id: users[0].id } }],
  });
} else {
  const { severities } = await get('/v1/severities');
  body.severity_id = named(severities, process.env.INPUT_SEVERITY).id;
}
const { incident } = await (await fetch(`${base}/v2/incidents`, { method: 'POST', headers, body: JSON.stringify(body) })).json();
if (!incident?.id) process.exit(1);
const attached = await fetch(`${base}/v1/incident_attachments`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    incident_id: incident.id,
    resource: {
      resource_type: 'arbitrary_url',
      url: `https://github.com/acme/shop/actions/runs/${process.env.GITHUB_RUN_ID}`,
      title: 'GitHub Actions: Deploy',
    },
  }),
});
if (!attached.ok) process.exit(1);
const { incident_attachments } = await get(`/v1/incident_attachments?incident_id=${incident.id}`);
if (!Array.isArray(incident_attachments)) process.exit(1);
// The action exits explicitly once its outcome is out (src/runner/exit.ts): so does its floor, the
// same way, after its last answer, so both end alike (docs/performance.md: the exit saves no time).
process.exitCode = 0;
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(0);
