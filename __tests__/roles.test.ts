import { IncidentIoClient } from '../src/incident-io/client.js';
import { assigneeKind } from '../src/incident-io/resolvers.js';
import { roleAssignments } from '../src/incident-io/roles.js';
import { FakeClock, json, scriptedFetch, type Reply } from './helpers/fakes.js';

const roles = json(200, {
  incident_roles: [
    { id: 'r-lead', name: 'Incident Lead', shortform: 'lead', role_type: 'lead' },
    { id: 'r-comms', name: 'Communications', shortform: 'comms', role_type: 'custom' },
  ],
});

function setup(route: (url: URL) => Response) {
  const fetch = scriptedFetch(Array.from({ length: 10 }, (): Reply => (url) => route(new URL(url))));
  return {
    fetch,
    client: new IncidentIoClient({ baseUrl: 'https://api.incident.io', token: 'token-0123456789', fetch, clock: new FakeClock() }),
  };
}

const users: Record<string, { id: string; email: string; slack_user_id: string }> = {
  alice: { id: 'u-alice', email: 'alice@example.com', slack_user_id: 'U0ALICE1' },
};
const api = (url: URL): Response => {
  if (url.pathname === '/v2/incident_roles') return roles.clone();
  if (url.pathname === '/v2/users') {
    const found = Object.values(users).filter(
      (u) => u.email === url.searchParams.get('email')?.toLowerCase() || u.slack_user_id === url.searchParams.get('slack_user_id'),
    );
    return json(200, { users: found, pagination_meta: {} });
  }
  const id = url.pathname.replace('/v2/users/', '');
  const user = Object.values(users).find((u) => u.id === id);
  return user ? json(200, { user }) : json(404, { type: 'not_found', errors: [{ message: 'not found' }] });
};

describe('roleAssignments', () => {
  it('resolves roles by name or shortform and assignees by email, Slack ID or user ID, all at once', async () => {
    const { client, fetch } = setup(api);
    const result = await roleAssignments(
      client,
      new Map([
        ['lead', 'Alice@Example.com'],
        ['Communications', 'U0ALICE1'],
        ['incident lead', 'u-alice'],
      ]),
    );
    expect(result).toEqual([
      { incident_role_id: 'r-lead', assignee: { id: 'u-alice' } },
      { incident_role_id: 'r-comms', assignee: { id: 'u-alice' } },
      { incident_role_id: 'r-lead', assignee: { id: 'u-alice' } },
    ]);
    expect(fetch.calls.map((c) => new URL(c.url).pathname + new URL(c.url).search)).toEqual([
      '/v2/incident_roles',
      '/v2/users?email=Alice%40Example.com&page_size=2',
      '/v2/users?slack_user_id=U0ALICE1&page_size=2',
      '/v2/users/u-alice',
    ]);
  });

  it('names an unknown role with the choices', async () => {
    const { client } = setup(api);
    await expect(roleAssignments(client, new Map([['Scribe', 'alice@example.com']]))).rejects.toThrow(
      'Input "roles" names "Scribe", which is not an incident role in this incident.io workspace. Available: "Incident Lead", "Communications".',
    );
  });

  it.each([
    ['nobody@example.com', /no user has this email/],
    ['U0NOBODY1', /no user has this Slack user ID/],
    ['u-nobody', /no user has this ID/],
  ])('names an unknown assignee %s', async (assignee, message) => {
    const { client } = setup(api);
    await expect(roleAssignments(client, new Map([['lead', assignee]]))).rejects.toThrow(message);
  });
});

describe('assigneeKind', () => {
  it('tells emails, Slack user IDs and incident.io IDs apart', () => {
    expect(assigneeKind('a@b.co')).toBe('email');
    expect(assigneeKind('U02AYNF2XJM')).toBe('slack_user_id');
    expect(assigneeKind('W012ABCDEF')).toBe('slack_user_id');
    expect(assigneeKind('01G0J1EXE7AXZ2C93K61WBPYEH')).toBe('id');
  });
});
