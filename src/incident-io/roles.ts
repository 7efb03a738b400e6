/**
 * `roles`: a mapping of role name or shortform to an assignee, turned into incident.io's
 * `incident_role_assignments`. The role list and every user lookup run at the same time.
 */
import type { IncidentIoClient } from './client.js';
import { ApiError, InputError } from '../errors.js';
import type { MappingValue } from '../settings/mapping.js';
import { assigneeKind, resolveByName, type Role, type User } from './resolvers.js';

export interface RoleAssignment {
  incident_role_id: string;
  assignee: { id: string };
}

export async function roleAssignments(client: IncidentIoClient, mapping: Map<string, MappingValue>): Promise<RoleAssignment[]> {
  if (mapping.size === 0) return [];
  const entries = [...mapping].map(([role, assignee]) => ({ role, assignee: String(assignee).trim() }));
  const [roles, ...users] = await Promise.all([
    client.getList<Role>('/v2/incident_roles', 'incident_roles'),
    ...entries.map((e) => findUser(client, e.assignee)),
  ]);
  return entries.map((entry, i) => {
    const role = resolveRole(entry.role, roles);
    const user = users[i];
    if (!user) {
      const how = { email: 'no user has this email', slack_user_id: 'no user has this Slack user ID', id: 'no user has this ID' }[
        assigneeKind(entry.assignee)
      ];
      throw new InputError(
        `Input "roles" assigns ${JSON.stringify(entry.role)} to ${JSON.stringify(entry.assignee)}, but ${how} in this incident.io workspace. ` +
          'Use the email of their incident.io account, their incident.io user ID or their Slack user ID (U…).',
      );
    }
    return { incident_role_id: role.id, assignee: { id: user.id } };
  });
}

function resolveRole(name: string, roles: readonly Role[]): Role {
  return resolveByName('roles', 'incident role', name, roles, { aliases: (r) => (r.shortform ? [r.shortform] : []), verb: 'names' });
}

/** The user an assignee names, or undefined when there is none. */
export async function findUser(client: IncidentIoClient, assignee: string): Promise<User | undefined> {
  const kind = assigneeKind(assignee);
  if (kind === 'id') {
    try {
      return (await client.get<{ user?: User }>(`/v2/users/${encodeURIComponent(assignee)}`)).user;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
      throw error;
    }
  }
  const users = await client.getList<User>('/v2/users', 'users', { [kind]: assignee, page_size: 2 });
  return kind === 'email' ? (users.find((u) => u.email?.toLowerCase() === assignee.toLowerCase()) ?? users[0]) : users[0];
}
