/**
 * Dry runs a person can check by eye: each request is printed with what its IDs stand for, every
 * job writes a card listing what it would do, and the last line says what was looked up and what
 * a dry run cannot check. Names from incident.io are hostile text; no secret gets into either.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { run } from '../../src/main.js';
import { FRAGMENT } from '../../src/core/redact.js';
import { FakeClock, fakeCore, json, pushContext, stepOf, type Step } from '../helpers/fakes.js';
import { runnerCommands } from '../helpers/runner-commands.js';
import '../../src/github/jobs.js';
import '../../src/github/pulls.js';

const KEY = 'inc_test_key_0123456789abcdef';
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
const render = (markdown: string) => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });

/** A workspace answering every lookup by path; `names` replaces a name (hostile ones). */
function workspace(names: Record<string, string> = {}) {
  const n = (id: string, name: string) => names[id] ?? name;
  const incident = {
    id: '01INC',
    reference: 'INC-7',
    name: 'Checkout down',
    permalink: 'https://app.incident.io/acme/incidents/7',
    incident_status: { id: 'st-inv', name: 'Investigating', category: 'live' },
    severity: { id: 'sev-minor', name: 'Minor' },
  };
  const routes: Record<string, unknown> = {
    '/v1/severities': {
      severities: [
        { id: 'sev-minor', name: n('sev-minor', 'Minor'), rank: 1 },
        { id: 'sev-major', name: n('sev-major', 'Major'), rank: 2 },
      ],
    },
    '/v1/incident_types': { incident_types: [{ id: 'type-sec', name: n('type-sec', 'Security') }] },
    '/v1/incident_statuses': {
      incident_statuses: [
        { id: 'st-inv', name: n('st-inv', 'Investigating'), rank: 1, category: 'live' },
        { id: 'st-doc', name: n('st-doc', 'Documenting'), rank: 2, category: 'learning' },
      ],
    },
    '/v2/custom_fields': {
      custom_fields: [
        { id: 'f-teams', name: n('f-teams', 'Teams'), field_type: 'multi_select' },
        { id: 'f-notes', name: 'Notes', field_type: 'text' },
      ],
    },
    '/v1/custom_field_options': {
      custom_field_options: [
        { id: 'o-plat', value: n('o-plat', 'Platform') },
        { id: 'o-pay', value: 'Payments' },
      ],
      pagination_meta: {},
    },
    '/v2/incident_roles': { incident_roles: [{ id: 'r-lead', name: n('r-lead', 'Incident Lead'), shortform: 'lead', role_type: 'lead' }] },
    '/v2/users': { users: [{ id: 'u-alice', name: n('u-alice', 'Alice Example'), email: 'alice@example.com' }], pagination_meta: {} },
    '/v2/incident_timestamps': { incident_timestamps: [{ id: 'ts-impact', name: 'Impact started', rank: 1 }] },
    '/v2/incidents/7': { incident },
    '/v1/incident_attachments': { incident_attachments: [] },
  };
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const { pathname } = new URL(url);
    calls.push(`${init.method} ${pathname}`);
    if (init.method !== 'GET') throw new Error(`a dry run sent ${init.method} ${pathname}`);
    const body = routes[pathname];
    return body ? json(200, body) : json(404, { type: 'not_found', errors: [{ message: `no ${pathname}` }] });
  };
  return { fetch, calls };
}

async function dryRun(step: Step, names: Record<string, string> = {}) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore({ 'dry-run': 'true', ...inputs });
  const { fetch, calls } = workspace(names);
  await run({ core: core.core, fetch, env, clock: new FakeClock(), context: () => pushContext }, job);
  const log = core.log.map((l) => l.message).join('\n');
  const summary = core.summaryParts.join('');
  return { ...core, calls, log, summary, html: render(summary) };
}

const declare = {
  'api-key': KEY,
  severity: 'major',
  'incident-type': 'Security',
  status: 'Investigating',
  'custom-fields': 'Teams: [Platform, Payments]\nNotes: deploy 42 failed',
  roles: 'lead: alice@example.com',
  timestamps: 'Impact started: 2026-11-26T10:04:00Z',
  links: 'Runbook: https://runbooks.example.com/checkout\nDashboard: https://grafana.example.com/d/checkout',
};

describe('a dry run of a create', () => {
  it('prints what each ID in the request stands for', async () => {
    const r = await dryRun(declare);
    expect(r.failed).toBeUndefined();
    expect(r.calls.every((c) => c.startsWith('GET '))).toBe(true);
    const where = r.log.slice(r.log.indexOf('where\n')).split('\n').slice(1, 11);
    expect(where).toEqual([
      '  severity_id "sev-major" = severity "Major"',
      '  incident_type_id "type-sec" = incident type "Security"',
      '  incident_status_id "st-inv" = status "Investigating"',
      '  custom_field_id "f-teams" = custom field "Teams"',
      '  value_option_id "o-plat" = option "Platform" of custom field "Teams"',
      '  value_option_id "o-pay" = option "Payments" of custom field "Teams"',
      '  custom_field_id "f-notes" = custom field "Notes"',
      '  incident_role_id "r-lead" = role "Incident Lead"',
      '  assignee.id "u-alice" = user "Alice Example" ("alice@example.com")',
      '  incident_timestamp_id "ts-impact" = timestamp "Impact started"',
    ]);
    expect(r.log).not.toMatch(/every input is valid/);
  });

  it('says when the severity was the lowest-ranked default', async () => {
    const r = await dryRun({ 'api-key': KEY });
    expect(r.log).toContain('severity_id "sev-minor" = severity "Minor" (the lowest-ranked, as "severity" is empty)');
    expect(r.summary).toContain('- **Severity:** Minor (the lowest-ranked, as "severity" is empty)');
  });

  it('writes a card that lists everything the incident would be given, as one list', async () => {
    const r = await dryRun(declare);
    expect(r.summary.split('\n')).toEqual([
      '### incident.io: dry run (would declare)',
      '',
      '- **Name:** Workflow "Deploy" failed in acme/shop@main (run #7)',
      '- **Severity:** Major',
      '- **Type:** Security',
      '- **Status:** Investigating',
      '- **Visibility:** public',
      '- **Mode:** standard',
      '- **Custom fields:**',
      '  - Teams: Platform, Payments',
      '  - Notes: deploy 42 failed',
      '- **Roles:**',
      '  - Incident Lead: Alice Example',
      '- **Timestamps:**',
      '  - Impact started: 2026-11-26T10:04:00Z',
      '- **Idempotency key:** `github-actions/acme/shop/runs/1001`',
      '- **Would attach:**',
      '  - [GitHub Actions: Deploy #7](https://github.com/acme/shop/actions/runs/1001)',
      '  - [Runbook](https://runbooks.example.com/checkout)',
      '  - [Dashboard](https://grafana.example.com/d/checkout)',
      '- **Created:** nothing: this was a dry run',
      expect.stringMatching(
        /^- \*\*Checked:\*\* against the incident\.io workspace: .+\. A dry run cannot check whether the API key may create incidents and attachments: it sends no write\.$/,
      ),
      '',
    ]);
    // One list: a nested list under each list item, no paragraph breaking it.
    expect(r.html).not.toContain('<p>');
    expect(r.html.match(/<ul>/g)).toHaveLength(5);
    expect(r.html).toContain('<li><strong>Would attach:</strong>\n<ul>\n<li><a href="https://github.com/acme/shop/actions/runs/1001">');
  });

  it('says in its last line which lookups ran, and only those', async () => {
    const plain = await dryRun({ 'api-key': KEY, severity: 'Major' });
    expect(plain.log.split('\n').at(-1)).toBe(
      'Dry run: checked against the incident.io workspace: severities. A dry run cannot check whether the API key may create incidents and attachments: it sends no write.',
    );
    const rich = await dryRun(declare);
    const last = rich.log.split('\n').at(-1) ?? '';
    for (const lookup of [
      'severities',
      'incident types',
      'incident statuses',
      'custom fields',
      'custom field options',
      'incident roles',
      'users',
      'incident timestamps',
    ]) {
      expect(last).toContain(lookup);
    }
    expect(rich.summary.trim().split('\n').at(-1)).toMatch(/^- \*\*Checked:\*\* /);
  });

  it('keeps hostile names from incident.io inert in the log and the card', async () => {
    const hostile = {
      'sev-major': 'Major\n::error::PWNED',
      'type-sec': 'Sec ##[add-mask]PWNED',
      'o-plat': '"] [click](https://evil.example) <img src=x>',
      'r-lead': 'Lead\u2028::warning::PWNED',
      'u-alice': 'Alice\r\n# heading',
    };
    const r = await dryRun(
      {
        ...declare,
        severity: 'sev-major',
        'incident-type': 'type-sec',
        'custom-fields': 'Teams: [o-plat]',
        roles: 'r-lead: alice@example.com',
      },
      hostile,
    );
    expect(r.failed).toBeUndefined();
    // Each name is one quoted JSON string on its own "where" line: no line of it starts a command.
    expect(runnerCommands(r.log).map((c) => c.name)).toEqual([]);
    expect(r.log).toContain('severity_id "sev-major" = severity "Major\\n::error::PWNED"');
    expect(r.log).toContain('incident_role_id "r-lead" = role "Lead\\u2028::warning::PWNED"');
    expect(r.html).not.toMatch(/<a href="https:\/\/evil|<img|<h1/);
    expect(r.html.match(/<li>/g)).toHaveLength(r.summary.split('\n').filter((l) => /^\s*- /.test(l)).length);
  });

  it('never shows the API key, whole or in part, even when a name from incident.io carries it', async () => {
    const r = await dryRun(
      { ...declare, 'incident-type': 'type-sec' },
      { 'u-alice': `Alice ${KEY}`, 'type-sec': KEY.slice(3, 3 + FRAGMENT) },
    );
    expect(r.failed).toBeUndefined();
    const everything = [r.log, r.summary, JSON.stringify(r.outputs)].join('\n');
    for (let i = 0; i + FRAGMENT <= KEY.length; i++) expect(everything).not.toContain(KEY.slice(i, i + FRAGMENT));
    expect(r.log).toContain('assignee.id "u-alice" = user "Alice ***"');
    expect(r.log).toContain('incident_type_id "type-sec" = incident type "***"');
    expect(r.summary).toContain('- **Type:** ***\n');
  });
});

describe('a dry run of the other jobs', () => {
  it('update: names the incident in the path and what changes, and writes its card', async () => {
    const r = await dryRun({
      job: 'update',
      'api-key': KEY,
      'incident-id': 'INC-7',
      severity: 'Major',
      'custom-fields': 'Teams: [Platform]',
      links: 'Runbook: https://runbooks.example.com/x',
    });
    expect(r.failed).toBeUndefined();
    expect(r.log).toContain('Dry run: this request would be sent to POST https://api.incident.io/v2/incidents/01INC/actions/edit:');
    expect(r.log).toContain('  in the path "01INC" = incident "INC-7: Checkout down"');
    expect(r.log).toContain('  severity_id "sev-major" = severity "Major"');
    expect(r.log).toContain('  value_option_id "o-plat" = option "Platform" of custom field "Teams"');
    expect(r.summary).toContain('- **Changed:**\n  - severity → Major\n  - Teams → Platform\n');
    expect(r.summary).toContain('- **Would attach:**\n  - [Runbook](https://runbooks.example.com/x)\n');
    expect(r.summary.trim().split('\n').at(-1)).toMatch(
      /^- \*\*Checked:\*\* against the incident\.io workspace: the incident, severities, custom fields, custom field options, the incident's attachments\. A dry run cannot check whether the API key may edit incidents and post incident updates: it sends no write\.$/,
    );
  });

  it('resolve: names the status it would move to, and says the move itself is not checked', async () => {
    const r = await dryRun({ job: 'resolve', 'api-key': KEY, 'incident-id': 'INC-7', message: 'Rolled back.' });
    expect(r.log).toContain('  to_incident_status_id "st-doc" = status "Documenting"');
    expect(r.log).toContain('  incident_id "01INC" = incident "INC-7: Checkout down"');
    expect(r.summary).toContain('- **Changed:**\n  - status → Documenting\n');
    expect(r.summary).toMatch(
      /- \*\*Checked:\*\* against the incident\.io workspace: the incident, incident statuses\. A dry run cannot check whether the API key may edit incidents, or whether incident\.io accepts the move to "Documenting"/,
    );
  });

  it('alert: writes a card of the event, and says the token was not checked', async () => {
    const r = await dryRun({
      job: 'alert',
      'alert-source-id': 'src-1',
      'alert-token': 'tok_alert_0123456789',
      'alert-metadata': 'team: payments',
    });
    expect(r.failed).toBeUndefined();
    expect(r.calls).toEqual([]);
    expect(r.summary).toContain('### incident.io: dry run (would send a firing alert event)');
    expect(r.summary).toContain('- **Alert source:** `src-1`');
    expect(r.summary).toContain('  - team: payments\n');
    expect(r.summary).toContain('- **Sent:** nothing: this was a dry run');
    expect(r.summary.trim().split('\n').at(-1)).toBe(
      '- **Checked:** nothing against the incident.io workspace. A dry run cannot check "alert-token" or "alert-source-id": it sends nothing with the alert token, so only a real run shows whether incident.io takes them.',
    );
    expect(r.log.split('\n').at(-1)).toMatch(
      /^Dry run: checked nothing against the incident\.io workspace\. A dry run cannot check "alert-token"/,
    );
    expect(r.summary + r.log).not.toContain('tok_alert_0123456789');
  });

  it('heartbeat: writes a card, and says the token was not checked', async () => {
    const r = await dryRun({ job: 'heartbeat', 'alert-source-id': 'hb-1', 'alert-token': 'tok_heartbeat_0123456789' });
    expect(r.failed).toBeUndefined();
    expect(r.calls).toEqual([]);
    expect(r.summary).toContain('### incident.io: dry run (would send a heartbeat ping)');
    expect(r.summary).toContain('- **Heartbeat source:** `hb-1`');
    expect(r.summary).toMatch(
      /- \*\*Checked:\*\* nothing against the incident\.io workspace\. A dry run cannot check "alert-token" or "alert-source-id": it sends nothing with the heartbeat token/,
    );
  });
});
