/**
 * `maintenance`: a maintenance window around a deploy, so that a rolling restart pages no one.
 * `window: start` opens a window that holds the alerts `alerts` (or `conditions`) names, from now
 * for `duration`; `window: end` (run with `if: always()`) ends it, found by its key. A window is
 * opened once however often the step runs (see src/incident-io/maintenance-windows.ts), is never
 * extended, and is never deleted. A fork's run opens and ends nothing.
 */
import { InputError, settleAll } from '../../core/errors.js';
import { code, md, text, type Markdown } from '../../core/markdown.js';
import { foreignRun, runPlace, type RunContext } from '../../github/context.js';
import {
  ATTRIBUTE_SUBJECT,
  checkRawConditions,
  conditionsFromAlerts,
  conditionWords,
  type ResolvedConditions,
} from '../../incident-io/alert-conditions.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import { fetchIncident, type Incident } from '../../incident-io/incidents.js';
import { userName } from '../../incident-io/lookups.js';
import {
  endTime,
  endWindow,
  findEndedWindow,
  findOurWindows,
  openWindow,
  readWindow,
  updatePayload,
  windowConditionWords,
  windowKey,
  windowName,
  WINDOWS_PATH,
  type MaintenanceWindow,
  type WindowKey,
  type WindowPayload,
} from '../../incident-io/maintenance-windows.js';
import type { IdName, User } from '../../incident-io/names.js';
import { findUser } from '../../incident-io/roles.js';
import { describeId, quoted } from '../../output/dry-run.js';
import { card, incidentLink, type CardItem } from '../../output/report.js';
import { apiKeyClient, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { skipStep } from '../skip.js';
import { formatDuration, type MaintenanceSettings, type OnEnd } from './settings.js';

export type MaintenanceContext = JobContext<MaintenanceSettings>;

const TITLE = 'incident.io maintenance window';

/**
 * The job's story. The reader's notices (inputs this `window` does not read) are said first.
 * Outputs: `maintenance-window-id`, `ends-at`, `created`.
 */
export async function maintenance(ctx: MaintenanceContext): Promise<void> {
  const { out, settings, run } = ctx;
  for (const notice of settings.notices) out.notice(notice, TITLE);
  const foreign = foreignRun(run);
  if (foreign)
    return skipStep(
      ctx,
      forkRefusal(settings.window, foreign, run),
      `${TITLE} ${settings.window === 'start' ? 'not opened' : 'not ended'} (fork)`,
    );
  return settings.window === 'start' ? start(ctx) : end(ctx);
}

/** Why a fork's run opens (or ends) nothing, and how to guard the step. */
function forkRefusal(window: 'start' | 'end', why: string, run: RunContext): string {
  const what =
    window === 'start'
      ? `a fork's run never opens a maintenance window: it would silence ${run.repository}'s alerts`
      : `a fork's run never ends a maintenance window that ${run.repository}'s own runs opened`;
  return (
    `${why}, and ${what}. Guard the step with \`if: github.event.workflow_run.head_repository.full_name == github.repository\` ` +
    '(or, for a pull request, `github.event.pull_request.head.repo.full_name == github.repository`).'
  );
}

// ── Start ────────────────────────────────────────────────────────────────────────────────────

async function start(ctx: MaintenanceContext): Promise<void> {
  const { out, settings, run } = ctx;
  const client = apiKeyClient(ctx);
  // Every name resolves at once, and every unknown one is reported together, before any write.
  const [conditions, lead, incident] = await settleAll([
    resolveConditions(client, settings),
    findLead(client.sentFor('lead'), settings.lead),
    settings.incidentId ? fetchIncident(client.sentFor('incident-id'), settings.incidentId) : undefined,
  ] as const);
  const key = keyOf(run, settings, conditions);
  const now = ctx.clock.now();
  const payload: WindowPayload = {
    name: windowName(settings.name || defaultWindowName(run), key.marker),
    lead: { id: lead.id },
    start_at: new Date(now).toISOString(),
    end_at: new Date(now + settings.durationMs).toISOString(),
    show_in_sidebar: true,
    alert_condition_groups: conditions.groups,
    reroute_on_end: settings.onEnd === 'reroute',
    resolve_on_end: settings.onEnd === 'resolve',
    ...(incident && { incident_id: incident.id }),
  };
  for (const notice of conditions.notices) out.notice(notice, TITLE);
  const names = new Map(conditions.names);
  names.set(lead.id, { kind: 'user', ...userName(lead) });
  if (incident) names.set(incident.id, { kind: 'incident', name: `${incident.reference}: ${incident.name}` });

  if (settings.dryRun) return dryRunStart(ctx, client, payload, key, conditions, names, lead, incident);

  const opened = await openWindow(client, payload, key.marker);
  const { window, created } = opened;
  out.setOutput('maintenance-window-id', window.id);
  out.setOutput('ends-at', window.end_at);
  out.setOutput('created', String(created));
  for (const note of opened.notes) out.warning(note, TITLE);
  const holds = windowConditionWords(window.alert_condition_groups);
  const story = created
    ? `Opened maintenance window ${JSON.stringify(window.name)} (${window.id})${opened.recovered ? " (its create's answer was lost; found again by its marker, not opened twice)" : ''}`
    : `Maintenance window ${JSON.stringify(window.name)} (${window.id}) was already open for ${key.description} (by an earlier attempt or step); reusing it as it is`;
  out.announce(
    `${story}. It holds the alerts where ${holds.join(', or where ')}, led by ${leadText(window, lead)}, until ${window.end_at}: ` +
      `if the end step never runs, it ends on its own then. ${onEndWords(window)}.`,
    created ? `${TITLE} opened` : `${TITLE} already open`,
  );
  if (opened.others.length > 0) {
    out.notice(
      `Other windows of the same key are open too (${opened.others.join(', ')}): another step opened one at the same moment. The end step ends them all.`,
      TITLE,
    );
  }
  await out.summary(
    card(created ? md`maintenance window opened` : md`maintenance window already open (reused)`, [
      ...windowItems(window, lead, incident),
      ['Ends', md`${window.end_at}, on its own, if the end step never runs`],
      ['Key', md`${text(key.description)}: ${code(key.marker)}`],
    ]),
  );
}

async function dryRunStart(
  ctx: MaintenanceContext,
  client: IncidentIoClient,
  payload: WindowPayload,
  key: WindowKey,
  conditions: ResolvedConditions,
  names: ReadonlyMap<string, IdName>,
  lead: User,
  incident: Incident | undefined,
): Promise<void> {
  const { out, settings } = ctx;
  const search = await findOurWindows(client, key.marker, client.now());
  for (const note of search.notes) out.warning(note, TITLE);
  const existing = search.ours[0];
  out.setOutput('created', 'false');
  if (existing) {
    out.info(
      `Dry run: the maintenance window ${JSON.stringify(existing.name)} (${existing.id}) of ${key.description} is already open, so a real run would reuse it and open none.`,
    );
  } else {
    printDryRun(ctx, 'POST', WINDOWS_PATH, payload, names, conditionWhere(payload.alert_condition_groups, names));
  }
  const holds = conditionWords(conditions.groups, conditions.names);
  await out.summary(
    card(
      existing
        ? md`dry run (a window of this key is already open: a real run would reuse it)`
        : md`dry run (would open a maintenance window)`,
      [
        ['Name', text(payload.name)],
        ['Holds the alerts where', holds.map((words) => text(words))],
        ['Lead', text(userText(lead))],
        ['Starts', md`${payload.start_at} (when the step runs)`],
        ['Ends', md`${formatDuration(settings.durationMs)} later, ${payload.end_at}, on its own, if the end step never runs`],
        ['When it ends', text(onEndText(settings.onEnd))],
        ['Incident', incident ? incidentLink(incident) : undefined],
        ['Key', md`${text(key.description)}: ${code(key.marker)}`],
        ['Already open', existing ? md`${text(existing.name)} (${code(existing.id)})` : undefined],
        ['Sent', md`nothing: this was a dry run`],
        dryRunChecks(
          ctx,
          'whether the API key may create or update maintenance windows ("maintenance_window.create", "maintenance_window.update"): it writes nothing',
        ),
      ],
    ),
  );
}

// ── End ──────────────────────────────────────────────────────────────────────────────────────

async function end(ctx: MaintenanceContext): Promise<void> {
  const { out, settings, run } = ctx;
  const client = apiKeyClient(ctx);
  // With a maintenance key the conditions are not needed to find the window: they are not looked up.
  const conditions = settings.maintenanceKey ? undefined : await resolveConditions(client, settings);
  const key = keyOf(run, settings, conditions);
  const search = await findOurWindows(client, key.marker, client.now());
  for (const note of search.notes) out.warning(note, TITLE);
  out.setOutput('created', 'false');

  if (search.ours.length === 0) {
    const past = search.over[0] ? { window: search.over[0], complete: true } : await findEndedWindow(client, key.marker);
    out.setOutput('maintenance-window-id', past.window?.id ?? '');
    out.setOutput('ends-at', past.window?.end_at ?? '');
    const message = past.window
      ? `The maintenance window ${past.window.id} of ${key.description} ended already, at ${past.window.end_at}: nothing to end.`
      : `No active or upcoming maintenance window carries the marker ${JSON.stringify(key.marker)} of ${key.description}` +
        `${past.complete ? ', nor does a past one' : ', nor does a recent past one'}: the start step opened none for this key ` +
        '(it was skipped, failed, or was given other alerts or another "maintenance-key"). Nothing to end.';
    out.notice(message, `${TITLE}: nothing to end`);
    await out.summary(
      card(md`maintenance window: nothing to end`, [
        ['Why', text(message)],
        ['Key', md`${text(key.description)}: ${code(key.marker)}`],
      ]),
    );
    return;
  }

  if (settings.dryRun) return dryRunEnd(ctx, client, search.ours, key);

  const ended: { window: MaintenanceWindow; endedAt: string }[] = [];
  for (const { id } of search.ours) {
    const outcome = await endWindow(client, id);
    if (outcome.state === 'ended') {
      ended.push({ window: outcome.window, endedAt: outcome.endAt });
      const when = outcome.beforeStart
        ? `${outcome.endAt}, a second after its start (it had not started yet: the start step's runner clock was ahead)`
        : outcome.endAt;
      out.announce(
        `Ended maintenance window ${JSON.stringify(outcome.window.name)} (${id}) at ${when}. ${onEndWords(outcome.window)}.`,
        `${TITLE} ended`,
      );
      if (outcome.unknownFields.length > 0) {
        out.warning(
          `incident.io's window had fields the action does not know (${outcome.unknownFields.join(', ')}); ending it replaced the whole window, so they may have been reset. Check the window in incident.io.`,
          TITLE,
        );
      }
    } else {
      const why = outcome.state === 'archived' ? 'was archived' : `ended already, at ${outcome.window.end_at}`;
      out.notice(
        `The maintenance window ${JSON.stringify(outcome.window.name)} (${id}) ${why}: nothing to end.`,
        `${TITLE}: nothing to end`,
      );
      ended.push({ window: outcome.window, endedAt: outcome.window.end_at });
    }
  }
  const [first] = ended;
  if (!first) return;
  out.setOutput('maintenance-window-id', first.window.id);
  out.setOutput('ends-at', first.endedAt);
  await out.summary(
    card(md`maintenance window ended`, [
      ...ended.flatMap(({ window, endedAt }): CardItem[] => [
        ['Window', md`${text(window.name)} (${code(window.id)})`],
        ['Held the alerts where', windowConditionWords(window.alert_condition_groups).map((words) => text(words))],
        ['Ended', md`${endedAt}`],
        ['When it ended', text(windowOnEnd(window))],
      ]),
      ['Key', md`${text(key.description)}: ${code(key.marker)}`],
    ]),
  );
}

async function dryRunEnd(
  ctx: MaintenanceContext,
  client: IncidentIoClient,
  ours: readonly { id: string }[],
  key: WindowKey,
): Promise<void> {
  const { out } = ctx;
  const items: CardItem[] = [];
  for (const { id } of ours) {
    const window = await readWindow(client, id);
    const { endAt } = endTime(window, client.now());
    const payload = updatePayload(window, endAt);
    const names = new Map<string, IdName>();
    if (window.lead.user) names.set(window.lead.user.id, { kind: 'user', ...userName(window.lead.user) });
    printDryRun(ctx, 'PUT', `${WINDOWS_PATH}/${encodeURIComponent(id)}`, payload, names);
    out.info(
      `Dry run: only end_at would change, from ${window.end_at} to now (${endAt}); every other field is sent back as incident.io has it.`,
    );
    items.push(
      ['Window', md`${text(window.name)} (${code(window.id)})`],
      ['Holds the alerts where', windowConditionWords(window.alert_condition_groups).map((words) => text(words))],
      ['Would end', md`now (${endAt}), instead of ${window.end_at}`],
      ['When it ends', text(windowOnEnd(window))],
    );
  }
  await out.summary(
    card(md`dry run (would end a maintenance window)`, [
      ...items,
      ['Key', md`${text(key.description)}: ${code(key.marker)}`],
      ['Sent', md`nothing: this was a dry run`],
      dryRunChecks(ctx, 'whether the API key may update maintenance windows ("maintenance_window.update"): it writes nothing'),
    ]),
  );
}

// ── Shared ───────────────────────────────────────────────────────────────────────────────────

export function resolveConditions(client: IncidentIoClient, settings: MaintenanceSettings): Promise<ResolvedConditions> {
  return settings.conditions ? checkRawConditions(client, settings.conditions) : conditionsFromAlerts(client, settings.alerts);
}

/** The window's key, from the run and the maintenance key or the conditions. */
function keyOf(run: RunContext, settings: MaintenanceSettings, conditions: ResolvedConditions | undefined): WindowKey {
  if (!run.repository || run.runId === undefined) {
    throw new InputError(
      'No maintenance window key can be derived, because GITHUB_REPOSITORY or GITHUB_RUN_ID is not set (is this running outside GitHub Actions?). ' +
        'The key names the repository and the run, so that a re-run finds the window its first attempt opened.',
    );
  }
  return windowKey({
    repository: run.repository,
    runId: run.runId,
    maintenanceKey: settings.maintenanceKey,
    conditions: conditions?.canonical ?? '',
  });
}

/** The lead `lead` names exactly, or an input error. */
export async function findLead(client: IncidentIoClient, lead: string): Promise<User> {
  const user = await findUser(client, lead);
  if (user) return user;
  throw new InputError(
    `Input "lead" is ${JSON.stringify(lead)}, but no user has this ${lead.includes('@') ? 'email' : 'ID'} in this incident.io workspace. ` +
      'Use the email of their incident.io account, or their incident.io user ID.',
  );
}

/** `Workflow "Deploy" in acme/shop@main, run #42`: the deploy's workflow, repository, branch and run number. */
export function defaultWindowName(run: RunContext): string {
  const workflow = run.workflow ? `Workflow ${JSON.stringify(run.workflow)}` : 'GitHub Actions';
  const number = run.runNumber !== undefined ? `, run #${run.runNumber}` : '';
  return `${workflow} in ${runPlace(run)}${number}`;
}

/** The "where" lines for what the conditions carry: each attribute's ID in its subject, each catalog entry's ID in a literal. */
function conditionWhere(groups: WindowPayload['alert_condition_groups'], names: ReadonlyMap<string, IdName>): string[] {
  const lines = new Set<string>();
  for (const condition of groups.flatMap((group) => group.conditions)) {
    const attribute = condition.subject.startsWith(ATTRIBUTE_SUBJECT)
      ? names.get(condition.subject.slice(ATTRIBUTE_SUBJECT.length))
      : undefined;
    if (attribute) lines.add(`subject ${quoted(condition.subject)} = ${describeId(attribute)}`);
    for (const value of condition.param_bindings.flatMap((binding) => [binding.value, ...(binding.array_value ?? [])])) {
      const name = value?.literal !== undefined ? names.get(value.literal) : undefined;
      if (name && value?.literal !== undefined) lines.add(`literal ${quoted(value.literal)} = ${describeId(name)}`);
    }
  }
  return [...lines];
}

function userText(user: { id: string; name?: string; email?: string }): string {
  const { name, email } = userName(user);
  return email ? `${name} (${email})` : name;
}

/** The lead as the window has it, or as it was resolved. */
function leadText(window: MaintenanceWindow, lead: User): string {
  return userText(window.lead.user ?? lead);
}

function onEndText(onEnd: OnEnd): string {
  return {
    reroute: 'alerts still firing go through alert routing again',
    resolve: 'alerts still firing that it held are resolved',
    none: 'alerts still firing are neither rerouted nor resolved',
  }[onEnd];
}

/** What the window does with the alerts still firing when it ends, from its own flags. */
function windowOnEnd(window: MaintenanceWindow): string {
  const onEnd: OnEnd = window.reroute_on_end ? 'reroute' : window.resolve_on_end ? 'resolve' : 'none';
  const both = window.reroute_on_end && window.resolve_on_end ? ' (the window is set to reroute and to resolve them)' : '';
  return `${onEndText(onEnd)}${both}`;
}

function onEndWords(window: MaintenanceWindow): string {
  return `When it ends, ${windowOnEnd(window)}`;
}

function windowItems(window: MaintenanceWindow, lead: User, incident: Incident | undefined): CardItem[] {
  return [
    ['Window', md`${text(window.name)} (${code(window.id)})`],
    ['Holds the alerts where', windowConditionWords(window.alert_condition_groups).map((words): Markdown => text(words))],
    ['Lead', text(leadText(window, lead))],
    ['Starts', md`${window.start_at}`],
    ['When it ends', text(windowOnEnd(window))],
    ['Incident', incident ? incidentLink(incident) : window.incident_id ? code(window.incident_id) : undefined],
  ];
}
