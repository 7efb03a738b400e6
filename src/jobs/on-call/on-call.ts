/**
 * The on-call job: who is on call on a schedule now (or at `at`), as outputs a later step can
 * use (a Slack mention, a reviewer, an email), and in the job summary. It only reads, so it has
 * no dry run and no fork rule. Nobody on call is a warning and a green step: an empty rota is a
 * fact about the schedule, not a failure of the workflow.
 */
import { code, md, text } from '../../core/markdown.js';
import { listSchedules, resolveSchedule, whoIsOnCall, type OnCallUser } from '../../incident-io/on-call.js';
import { oneLineJson, quoted } from '../../output/dry-run.js';
import { card } from '../../output/report.js';
import { apiKeyClient, type JobContext } from '../job.js';
import type { OnCallSettings } from './settings.js';

/** The outputs the job sets besides `skipped` (its action.yml declares these). */
export const ON_CALL_OUTPUTS = ['emails', 'names', 'user-ids', 'slack-user-ids', 'users', 'count'] as const;
export type OnCallOutput = (typeof ON_CALL_OUTPUTS)[number];

export async function onCall(ctx: JobContext<OnCallSettings>): Promise<void> {
  const { out, settings } = ctx;
  const client = apiKeyClient(ctx);
  const pages = await listSchedules(client.sentFor('schedule'));
  const schedule = resolveSchedule('schedule', settings.schedule, pages);
  if (!pages.complete) {
    out.warning(
      `The action read the first ${pages.items.length} schedules (${pages.pages} pages, its limit) and left the rest unread; ` +
        `another schedule of the name ${quoted(schedule.name)} may be among them. Name the schedule by its ID (${schedule.id}) to be sure.`,
      'incident.io: not every schedule was read',
    );
  }
  const at = settings.at ?? ctx.clock.now();
  const when = new Date(at).toISOString();
  const onCallNow = await whoIsOnCall(client, schedule.id, at);
  const outputs = onCallOutputs(onCallNow.users);
  for (const name of ON_CALL_OUTPUTS) out.setOutput(name, outputs[name]);
  if (!onCallNow.complete) {
    out.warning(
      `The action read ${onCallNow.pages} pages of the schedule's entries, its limit, and stopped with more to read: ` +
        'people whose entries come later are not listed.',
      'incident.io: not every schedule entry was read',
    );
  }
  const where = `the schedule ${quoted(schedule.name)} (${schedule.id}) at ${when}`;
  if (onCallNow.users.length === 0) {
    out.warning(`Nobody is on call on ${where}: the outputs are empty and "count" is 0.`, 'incident.io: nobody on call');
  } else {
    out.info(`On call on ${where}: ${onCallNow.users.map(personLine).join(', ')}.`);
  }
  await out.summary(
    card(md`on call`, [
      ['Schedule', md`${schedule.name} (${code(schedule.id)})`],
      ['At', code(when)],
      onCallNow.users.length === 0
        ? ['On call', md`nobody`]
        : ['On call', onCallNow.users.map((u) => (u.email ? md`${u.name || u.id} (${u.email})` : text(u.name || u.id)))],
    ]),
  );
}

function personLine(user: OnCallUser): string {
  return `${quoted(user.name || user.id)}${user.email ? ` (${quoted(user.email)})` : ''}`;
}

/**
 * The outputs for the people on call, in their order. The lists are comma-separated and aligned:
 * the n-th place of each is the same person, and a person without an email or Slack ID leaves an
 * empty place. A comma (which would shift every place after it) or a line break inside a value
 * becomes a space. `users` holds the same people as JSON, each `{id, name, email, slack_user_id}`
 * with null for what incident.io does not give.
 */
export function onCallOutputs(users: readonly OnCallUser[]): Record<OnCallOutput, string> {
  const place = (value: string | undefined) =>
    (value ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/[,\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  const column = (pick: (user: OnCallUser) => string | undefined) => users.map((user) => place(pick(user))).join(',');
  return {
    emails: column((u) => u.email),
    names: column((u) => u.name),
    'user-ids': column((u) => u.id),
    'slack-user-ids': column((u) => u.slack_user_id),
    users: oneLineJson(users.map((u) => ({ id: u.id, name: u.name, email: u.email ?? null, slack_user_id: u.slack_user_id ?? null }))),
    count: String(users.length),
  };
}
