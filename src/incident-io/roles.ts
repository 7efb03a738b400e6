/**
 * `roles`: a mapping of role name or shortform to an assignee, turned into incident.io's
 * `incident_role_assignments`. The role list and every user lookup run at the same time. An
 * assignee must match exactly: a user whose email (in any case) or Slack user ID is the one
 * given, or whose ID is; never "the first user the server returned".
 */
import { ApiError, InputError, settleAll } from '../core/errors.js';
import { assigneeKind, parseOnCallAssignee } from '../settings/changes.js';
import type { IncidentIoClient } from './client.js';
import { findByName, type Role, type User } from './names.js';
import { onCallLead } from './on-call.js';
import { expectShape, id, loose, object, optional, text, type Shape } from '../core/shape.js';

const ROLE: Shape<Role> = object({ id, name: id, shortform: loose(text), role_type: loose(text) });
/** A user is matched by what the answer says exactly; a field of another type is no match, not a failure. */
const USER: Shape<User> = object({ id, name: loose(text), email: loose(text), slack_user_id: loose(text) });
const ONE_USER = object({ user: optional(USER) });

export interface RoleAssignment {
  incident_role_id: string;
  assignee: { id: string };
}

/** A role and the user it goes to, with names for the log and the summary. */
export interface AssignedRole {
  role: Role;
  user: User;
  assignment: RoleAssignment;
  /** The schedule an `on-call:` assignee named: the user is who was on call on it. */
  onCall?: { id: string; name: string };
}

/**
 * `namesOnly`: roles whose assignee was refused already; only their names are looked up. A role
 * and its assignee are looked up independently, so an unknown role does not hide an unknown user.
 */
export async function roleAssignments(
  client: IncidentIoClient,
  mapping: Map<string, string>,
  purpose: 'declare' | 'edit',
  { namesOnly = [], warnings = [] }: { namesOnly?: readonly string[]; warnings?: string[] } = {},
): Promise<AssignedRole[]> {
  if (mapping.size === 0 && namesOnly.length === 0) return [];
  const rolesRequest = client.getList('/v2/incident_roles', 'incident_roles', undefined, ROLE);
  const findRole = async (name: string): Promise<Role> => {
    const role = findByName('roles', 'incident role', name, await rolesRequest, {
      aliases: (r) => (r.shortform ? [r.shortform] : []),
      verb: 'names',
    });
    if (purpose === 'edit' && role.role_type === 'reporter') {
      throw new InputError(
        `Input "roles" names ${JSON.stringify(name)}, the reporter role, which incident.io only lets an incident set when it is created. Leave it out of the update.`,
      );
    }
    return role;
  };
  const [resolved] = await settleAll([
    settleAll(
      [...mapping].map(async ([name, assignee]) => {
        const schedule = parseOnCallAssignee(name, assignee);
        const [role, found] = await settleAll([
          findRole(name),
          schedule === undefined
            ? assigneeOf(client, name, assignee).then((user): Found => ({ user }))
            : onCallAssignee(client, name, schedule),
        ] as const);
        return { name, role, ...found };
      }),
    ),
    settleAll(namesOnly.map(findRole)),
  ] as const);
  const byRole = new Map<string, string>();
  for (const { name, role } of resolved) {
    const earlier = byRole.get(role.id);
    if (earlier !== undefined) {
      throw new InputError(
        `Input "roles" names ${JSON.stringify(earlier)} and ${JSON.stringify(name)}, which are the same role (${role.name}); assign it once.`,
      );
    }
    byRole.set(role.id, name);
  }
  const assigned: AssignedRole[] = [];
  for (const { role, user, onCall, warning } of resolved) {
    // Nobody on call, or a schedule that could not be read: the role is left out, with a warning.
    if (warning !== undefined) warnings.push(warning);
    if (!user) continue;
    assigned.push({ role, user, assignment: { incident_role_id: role.id, assignee: { id: user.id } }, ...(onCall && { onCall }) });
  }
  return assigned;
}

/** The user a role goes to, or why it goes to no one. */
interface Found {
  user?: User;
  onCall?: { id: string; name: string };
  warning?: string;
}

/**
 * The person on call on `schedule` now, for `on-call:<schedule>`. An unknown schedule is an input
 * error (thrown, before any write); nobody on call, or a schedule that cannot be read, is a
 * warning and no user: an incident with no lead beats no incident.
 */
async function onCallAssignee(client: IncidentIoClient, role: string, schedule: string): Promise<Found> {
  const lead = await onCallLead(client.sentFor('roles'), role, schedule, client.now());
  if (lead.user) return { user: lead.user, onCall: { id: lead.schedule.id, name: lead.schedule.name } };
  return { warning: lead.warning };
}

/** The user `assignee` names, or an input error saying no user has it. */
async function assigneeOf(client: IncidentIoClient, role: string, assignee: string): Promise<User> {
  const user = await findUser(client, assignee);
  if (user) return user;
  const how = { email: 'no user has this email', slack_user_id: 'no user has this Slack user ID', id: 'no user has this ID' }[
    assigneeKind(assignee) as 'email' | 'slack_user_id' | 'id'
  ];
  throw new InputError(
    `Input "roles" assigns ${JSON.stringify(role)} to ${JSON.stringify(assignee)}, but ${how} in this incident.io workspace. ` +
      'Use the email of their incident.io account, their incident.io user ID or their Slack user ID (U…).',
  );
}

/** The user an assignee names exactly, or undefined when there is none. */
export async function findUser(client: IncidentIoClient, assignee: string): Promise<User | undefined> {
  const kind = assigneeKind(assignee);
  if (kind === 'id') {
    const path = `/v2/users/${encodeURIComponent(assignee)}`;
    const body = await client.get<unknown>(path).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (body === undefined) return undefined;
    const { user } = expectShape(ONE_USER, body, `incident.io GET ${path} answered`);
    return user?.id === assignee ? user : undefined;
  }
  if (kind === 'invalid') return undefined;
  // The filter is the server's; the match is ours, so a server that ignores the filter cannot misassign.
  const users = await client.getList('/v2/users', 'users', { [kind]: assignee, page_size: 25 }, USER);
  return kind === 'email'
    ? users.find((u) => typeof u.email === 'string' && u.email.toLowerCase() === assignee.toLowerCase())
    : users.find((u) => u.slack_user_id === assignee);
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}
