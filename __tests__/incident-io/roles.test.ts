import { assigneeKind } from '../../src/settings/changes.js';
import { roleAssignments } from '../../src/incident-io/roles.js';
import { json, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const roleList = [
  { id: 'r-lead', name: 'Incident Lead', shortform: 'lead', role_type: 'lead' },
  { id: 'r-comms', name: 'Communications', shortform: 'comms', role_type: 'custom' },
  { id: 'r-reporter', name: 'Reporter', shortform: 'reporter', role_type: 'reporter' },
];

type User = { id: string; name: string; email: string; slack_user_id: string };
const alice: User = { id: 'u-alice', name: 'Alice', email: 'alice@example.com', slack_user_id: 'U0ALICE1' };
const mallory: User = { id: 'u-mallory', name: 'Mallory', email: 'mallory@example.com', slack_user_id: 'U0MALLORY' };

/** A fake incident.io; `ignoreFilter` answers every user list with everyone, Mallory first. */
function setup({ ignoreFilter = false, showAnyUser = false } = {}) {
  const everyone = [mallory, alice];
  const route = (url: URL): Response => {
    if (url.pathname === '/v2/incident_roles') return json(200, { incident_roles: roleList });
    if (url.pathname === '/v2/users') {
      const found = ignoreFilter
        ? everyone
        : everyone.filter(
            (u) => u.email === url.searchParams.get('email')?.toLowerCase() || u.slack_user_id === url.searchParams.get('slack_user_id'),
          );
      return json(200, { users: found, pagination_meta: {} });
    }
    const id = url.pathname.replace('/v2/users/', '');
    const user = showAnyUser ? mallory : everyone.find((u) => u.id === id);
    return user ? json(200, { user }) : json(404, { type: 'not_found', errors: [{ message: 'not found' }] });
  };
  const fetch = scriptedFetch(Array.from({ length: 10 }, (): Reply => (url) => route(new URL(url))));
  return { fetch, client: testClient(fetch) };
}

const assignments = (resolved: Awaited<ReturnType<typeof roleAssignments>>) => resolved.map((r) => r.assignment);

describe('roleAssignments', () => {
  it('resolves roles by name or shortform and assignees by email, Slack ID or user ID, all at once', async () => {
    const { client, fetch } = setup();
    const result = await roleAssignments(
      client,
      new Map([
        ['lead', 'Alice@Example.com'],
        ['Communications', 'U0ALICE1'],
        ['reporter', 'u-alice'],
      ]),
      'declare',
    );
    expect(assignments(result)).toEqual([
      { incident_role_id: 'r-lead', assignee: { id: 'u-alice' } },
      { incident_role_id: 'r-comms', assignee: { id: 'u-alice' } },
      { incident_role_id: 'r-reporter', assignee: { id: 'u-alice' } },
    ]);
    expect(result.map((r) => `${r.role.name}: ${r.user.name}`)).toEqual([
      'Incident Lead: Alice',
      'Communications: Alice',
      'Reporter: Alice',
    ]);
    expect(fetch.calls.map((c) => new URL(c.url).pathname + new URL(c.url).search)).toEqual([
      '/v2/incident_roles',
      '/v2/users?email=Alice%40Example.com&page_size=25',
      '/v2/users?slack_user_id=U0ALICE1&page_size=25',
      '/v2/users/u-alice',
    ]);
  });

  it('names an unknown role with the choices', async () => {
    const { client } = setup();
    await expect(roleAssignments(client, new Map([['Scribe', 'alice@example.com']]), 'declare')).rejects.toThrow(
      'Input "roles" names "Scribe", which is not an incident role in this incident.io workspace. Available: "Incident Lead", "Communications", "Reporter".',
    );
  });

  it('reports an unknown role and an unknown assignee of the same entry together', async () => {
    const { client } = setup();
    const error = await roleAssignments(client, new Map([['Scribe', 'nobody@example.com']]), 'declare').catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      expect.stringMatching(/^Input "roles" names "Scribe", which is not an incident role/),
      expect.stringMatching(/^Input "roles" assigns "Scribe" to "nobody@example\.com", but no user has this email/),
    ]);
  });

  it('looks up only the name of a role whose assignee was refused already', async () => {
    const { client, fetch } = setup();
    await expect(roleAssignments(client, new Map(), 'edit', { namesOnly: ['lead', 'reporter', 'Scrib'] })).rejects.toThrow(
      /^Input "roles" names "reporter", the reporter role, .*\nInput "roles" names "Scrib", which is not an incident role/s,
    );
    expect(fetch.calls.map((c) => new URL(c.url).pathname)).toEqual(['/v2/incident_roles']);
    expect(await roleAssignments(client, new Map(), 'declare', { namesOnly: ['lead'] })).toEqual([]);
  });

  it.each([
    ['nobody@example.com', /no user has this email/],
    ['U0NOBODY1', /no user has this Slack user ID/],
    ['u-nobody', /no user has this ID/],
  ])('names an unknown assignee %s', async (assignee, message) => {
    const { client } = setup();
    await expect(roleAssignments(client, new Map([['lead', assignee]]), 'declare')).rejects.toThrow(message);
  });

  it('never takes "the first user" from a server that ignores its filter', async () => {
    const { client } = setup({ ignoreFilter: true });
    const [lead] = await roleAssignments(client, new Map([['lead', 'alice@example.com']]), 'declare');
    expect(lead?.assignment.assignee.id).toBe('u-alice');
    await expect(
      roleAssignments(setup({ ignoreFilter: true }).client, new Map([['lead', 'nobody@example.com']]), 'declare'),
    ).rejects.toThrow(/no user has this email/);
    await expect(roleAssignments(setup({ ignoreFilter: true }).client, new Map([['lead', 'U0NOBODY1']]), 'declare')).rejects.toThrow(
      /no user has this Slack user ID/,
    );
  });

  it('refuses a user answer for another ID', async () => {
    const { client } = setup({ showAnyUser: true });
    await expect(roleAssignments(client, new Map([['lead', 'u-alice']]), 'declare')).rejects.toThrow(/no user has this ID/);
  });

  it('reports every bad role and assignee in one error', async () => {
    const { client } = setup();
    const error = await roleAssignments(
      client,
      new Map([
        ['Scribe', 'alice@example.com'],
        ['lead', 'nobody@example.com'],
        ['comms', 'U0NOBODY1'],
      ]),
      'declare',
    ).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      expect.stringContaining('"Scribe", which is not an incident role'),
      expect.stringContaining('"nobody@example.com", but no user has this email'),
      expect.stringContaining('"U0NOBODY1", but no user has this Slack user ID'),
    ]);
  });

  it('refuses the same role named twice, by name and by shortform', async () => {
    const { client } = setup();
    await expect(
      roleAssignments(
        client,
        new Map([
          ['Incident Lead', 'alice@example.com'],
          ['lead', 'U0ALICE1'],
        ]),
        'declare',
      ),
    ).rejects.toThrow('Input "roles" names "Incident Lead" and "lead", which are the same role (Incident Lead); assign it once.');
  });

  it('refuses the reporter role on update, which incident.io sets only at creation', async () => {
    const { client } = setup();
    await expect(roleAssignments(client, new Map([['Reporter', 'alice@example.com']]), 'edit')).rejects.toThrow(
      /"Reporter", the reporter role, which incident.io only lets an incident set when it is created/,
    );
  });
});

describe('assigneeKind', () => {
  it('tells emails, Slack user IDs and incident.io IDs apart', () => {
    expect(assigneeKind('a@b.co')).toBe('email');
    expect(assigneeKind('U02AYNF2XJM')).toBe('slack_user_id');
    expect(assigneeKind('W012ABCDEF')).toBe('slack_user_id');
    expect(assigneeKind('01G0J1EXE7AXZ2C93K61WBPYEH')).toBe('id');
  });

  it.each(['..', '.', '../users', 'a/b', 'a?b', 'a#b', 'a b', '%2e%2e', 'a@b'])('calls %s invalid (a path, not an ID)', (value) => {
    expect(assigneeKind(value)).toBe('invalid');
  });
});
