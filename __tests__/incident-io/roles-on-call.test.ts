/**
 * `on-call:<schedule>` as a role's assignee (src/settings/changes.ts reads it, src/incident-io/roles.ts
 * resolves it): whoever is on call now gets the role; an unknown schedule is an input error with
 * the other names' mistakes; nobody on call, or a schedule that cannot be read, leaves the role
 * out with a warning; the other roles are assigned as before.
 */
import { InputError } from '../../src/core/errors.js';
import { roleAssignments } from '../../src/incident-io/roles.js';
import { FakeClock, json, testClient } from '../helpers/fakes.js';

const AT = Date.parse('2026-11-26T03:00:00Z');
const olivia = { id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA' };
const alice = { id: 'u-alice', name: 'Alice', email: 'alice@example.com', slack_user_id: 'U0ALICE1' };
const roleList = [
  { id: 'r-lead', name: 'Incident Lead', shortform: 'lead', role_type: 'lead' },
  { id: 'r-comms', name: 'Communications', shortform: 'comms', role_type: 'custom' },
];

/** A fake incident.io with roles, users, two schedules (Platform: Olivia on call; Weekend: nobody), and `entries` faults. */
function setup({ entriesStatus = 200 } = {}) {
  const seen: string[] = [];
  const fetch = async (url: string) => {
    const u = new URL(url);
    seen.push(u.pathname);
    if (u.pathname === '/v2/incident_roles') return json(200, { incident_roles: roleList });
    if (u.pathname === '/v2/users') return json(200, { users: [alice], pagination_meta: {} });
    if (u.pathname === '/v2/schedules') {
      return json(200, {
        schedules: [
          { id: '01PP', name: 'Platform Primary' },
          { id: '01WC', name: 'Weekend Cover' },
        ],
        pagination_meta: {},
      });
    }
    if (u.pathname === '/v2/schedule_entries') {
      if (entriesStatus !== 200) return json(entriesStatus, { type: 'internal_error', errors: [{ message: 'boom' }] });
      const final =
        u.searchParams.get('schedule_id') === '01PP'
          ? [{ start_at: '2026-11-26T02:00:00Z', end_at: '2026-11-26T04:00:00Z', user: olivia }]
          : [];
      return json(200, { schedule_entries: { scheduled: [], overrides: [], final } });
    }
    return json(404, {});
  };
  const policy = { maxAttempts: 2, maxServerDirectedAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 1000 };
  return { client: testClient(fetch, { clock: new FakeClock(AT), policy }), seen };
}

describe('roles: on-call:<schedule>', () => {
  it('assigns the person on call now, beside a role assigned by email', async () => {
    const { client } = setup();
    const warnings: string[] = [];
    const roles = new Map([
      ['Incident Lead', 'ON-CALL: platform primary'],
      ['comms', 'alice@example.com'],
    ]);
    const assigned = await roleAssignments(client, roles, 'declare', { warnings });
    expect(assigned.map((r) => [r.role.name, r.user.id, r.onCall?.name])).toEqual([
      ['Incident Lead', '01OLIVIA', 'Platform Primary'],
      ['Communications', 'u-alice', undefined],
    ]);
    expect(assigned[0]!.assignment).toEqual({ incident_role_id: 'r-lead', assignee: { id: '01OLIVIA' } });
    expect(warnings).toEqual([]);
  });

  it('refuses an unknown schedule as an input error, with an unknown role beside it', async () => {
    const { client } = setup();
    const roles = new Map([
      ['Incident Lead', 'on-call:Platfrom Primary'],
      ['Scribe', 'alice@example.com'],
    ]);
    const attempt = roleAssignments(client, roles, 'declare');
    await expect(attempt).rejects.toThrow(InputError);
    await expect(roleAssignments(setup().client, roles, 'declare')).rejects.toThrow(
      /"Platfrom Primary", which is not a schedule in this incident\.io workspace\..*Did you mean "Platform Primary"\?[\s\S]*"Scribe"/,
    );
  });

  it('leaves the role out, with a warning, when nobody is on call or the entries cannot be read', async () => {
    const nobody = setup();
    const warnings: string[] = [];
    const roles = new Map([
      ['lead', 'on-call:Weekend Cover'],
      ['comms', 'alice@example.com'],
    ]);
    const assigned = await roleAssignments(nobody.client, roles, 'declare', { warnings });
    expect(assigned.map((r) => r.role.name)).toEqual(['Communications']);
    expect(warnings).toEqual(['The role "lead" was left unassigned: nobody is on call on the schedule "Weekend Cover" (01WC) now.']);

    const broken = setup({ entriesStatus: 500 });
    const more: string[] = [];
    expect(await roleAssignments(broken.client, new Map([['lead', 'on-call:01PP']]), 'declare', { warnings: more })).toEqual([]);
    expect(more).toEqual([
      expect.stringMatching(/^The role "lead" was left unassigned: who is on call on the schedule "Platform Primary" could not be read\./),
    ]);
  });
});
