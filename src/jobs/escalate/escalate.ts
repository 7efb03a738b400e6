/**
 * The `escalate` job: page an escalation path or people, exactly once, or cancel what the steps
 * of this repository paged under an `escalation-key`.
 *
 * Page: the path (or the users) and the incident are looked up at once, every name before any
 * write; then one `POST /v2/escalations` with an idempotency key (escalation-keys.ts), so a retry
 * after a lost answer or a re-run of the run pages no one twice. A dry run prints that request
 * with the names beside the IDs, and sends nothing.
 *
 * Cancel: the escalations of the key that still page, listed by the key's prefix and kept only
 * when their description's last line is the key's marker, each cancelled; one incident.io
 * refuses (resolved or expired since) is a notice. Nothing to cancel is a notice, and green.
 *
 * A fork's run pages no one and cancels nothing (its code and branch names are the fork's to
 * choose), and says so. Paging has no test mode in incident.io: a `mode: test` declare is the
 * declare job's concern (./declare/page.ts).
 */
import { ApiError, InputError, settleAll } from '../../core/errors.js';
import { defaultIncidentName, runUrl, type RunContext } from '../../github/context.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import { escalationKey, keyPrefix, markerToken, stepToken, tokenFor, withMarker, type Target } from '../../incident-io/escalation-keys.js';
import {
  cancelEscalation,
  createEscalation,
  ESCALATIONS_PATH,
  findOwnEscalations,
  listEscalationPaths,
  resolveEscalationPath,
  resolveUsers,
  type Escalation,
  type EscalationPath,
  type EscalationRequest,
} from '../../incident-io/escalations.js';
import { fetchIncident, type Incident } from '../../incident-io/incidents.js';
import { userName } from '../../incident-io/lookups.js';
import type { IdName, User } from '../../incident-io/names.js';
import { quoted } from '../../output/dry-run.js';
import { code, md, text, type Markdown } from '../../core/markdown.js';
import { card, incidentLink, type CardItem } from '../../output/report.js';
import { apiKeyClient, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { nothingFailed, refusedPage, skipStep } from '../skip.js';
import type { EscalateSettings } from './settings.js';

type Ctx = JobContext<EscalateSettings>;

/** Who an escalation pages, resolved: the path, or the users (each once, in the order given). */
export type Paged = { path: EscalationPath } | { users: User[] };

export async function escalate(ctx: Ctx): Promise<void> {
  const cancelling = ctx.settings.escalationStatus === 'cancelled';
  const fork = refusedPage(ctx.run, cancelling ? 'cancel' : 'page');
  if (fork) return skipStep(ctx, fork, cancelling ? 'incident.io cancel refused (fork)' : 'incident.io page refused (fork)');
  if (cancelling) return cancel(ctx);
  // A watcher asked to page for a watched run that succeeded pages no one, as it declares nothing.
  const green = nothingFailed(ctx.run, 'page to send');
  if (green) return skipStep(ctx, green, 'incident.io step skipped');
  return page(ctx);
}

async function page(ctx: Ctx): Promise<void> {
  const { out, settings, run } = ctx;
  const client = apiKeyClient(ctx);
  // Every name at once, so a wrong path and a wrong incident are reported together, before any write.
  const [paged, incident] = await settleAll([
    settings.escalationPath
      ? pathToPage(ctx, client.sentFor('escalation-path'))
      : resolveUsers(client.sentFor('users'), 'users', settings.users).then((users) => ({ users })),
    settings.incidentId ? fetchIncident(client.sentFor('incident-id'), settings.incidentId) : undefined,
  ] as const);
  const target: Target = 'path' in paged ? { pathId: paged.path.id } : { userIds: paged.users.map((u) => u.id) };
  const idempotencyKey = escalationKey(run, target, settings.escalationKey);
  const request: EscalationRequest = {
    idempotency_key: idempotencyKey,
    title: settings.title || defaultIncidentName(run),
    description: withMarker(
      settings.description || defaultDescription(run),
      tokenFor(run.repository, settings.escalationKey, idempotencyKey),
      stepToken(),
    ),
    ...('path' in paged ? { escalation_path_id: paged.path.id } : { user_ids: paged.users.map((u) => u.id) }),
    ...(incident && { incident_id: incident.id }),
  };

  if (settings.dryRun) {
    printDryRun(ctx, 'POST', ESCALATIONS_PATH, request, namesOf(paged, incident));
    out.setOutput('created', 'false');
    await out.summary(
      card(md`dry run (would page)`, [
        ...requestItems(request, paged, incident, settings.escalationKey),
        ['Paged', md`no one: this was a dry run`],
        dryRunChecks(ctx, 'whether the API key may create escalations, or may page this target: it sends no write'),
      ]),
    );
    return;
  }

  let created: Awaited<ReturnType<typeof createEscalation>>;
  try {
    created = await createEscalation(client, request);
  } catch (error) {
    throw explainCreateFailure(error, paged, idempotencyKey);
  }
  const { escalation } = created;
  out.setOutput('escalation-id', escalation.id);
  out.setOutput('escalation-status', escalation.status);
  out.setOutput('created', String(created.created));
  const who = whoText(paged);
  if (created.created) {
    out.announce(
      `Paged ${who}: escalation ${escalation.id} ${quoted(request.title)}, status "${escalation.status}".`,
      'incident.io page sent',
    );
  } else {
    out.announce(
      `${who.charAt(0).toUpperCase()}${who.slice(1)} was already paged under this idempotency key, by an earlier attempt or re-run of this run: ` +
        `escalation ${escalation.id}, status "${escalation.status}". Nobody was paged again.${sinceCancelled(escalation.status)}`,
      'incident.io page already sent',
    );
  }
  await out.summary(
    card(created.created ? md`paged` : md`already paged (nobody paged again)`, [
      ...requestItems(request, paged, incident, settings.escalationKey),
      ['Escalation', md`${code(escalation.id)}, status ${code(escalation.status)}`],
      ['Notified so far', escalation.notified.map((user) => personText(user))],
    ]),
  );
}

/** The path, read from every page; a page limit that left paths unread is a warning (a namesake may hide there). */
async function pathToPage(ctx: Ctx, client: IncidentIoClient): Promise<{ path: EscalationPath }> {
  const pages = await listEscalationPaths(client);
  const path = resolveEscalationPath('escalation-path', ctx.settings.escalationPath, pages);
  if (!pages.complete) {
    ctx.out.warning(
      `The action read the first ${pages.items.length} escalation paths (${pages.pages} pages, its limit) and left the rest unread; ` +
        `another path of the name ${quoted(path.name)} may be among them. Name the path by its ID (${path.id}) to be sure.`,
      'incident.io: not every escalation path was read',
    );
  }
  return { path };
}

/**
 * The default description: what failed, where and the run's link, from facts the run gives (see
 * `defaultIncidentName`: a watched run is described by its own conclusion).
 */
export function defaultDescription(run: RunContext): string {
  const commit = run.sha
    ? `Commit ${run.sha.slice(0, 7)}${run.actor ? ` by ${run.actor}` : ''}${run.eventName ? ` (${run.eventName})` : ''}.`
    : '';
  const url = runUrl(run);
  return [`${defaultIncidentName(run)}.`, commit, url ? `Run: ${url}` : ''].filter(Boolean).join('\n');
}

/** "the escalation path "Platform"", or "Olivia Override, "Dana"": for the log. */
function whoText(paged: Paged): string {
  if ('path' in paged) return `the escalation path ${quoted(paged.path.name)}`;
  return paged.users.map((user) => quoted(userName(user).name)).join(', ');
}

/** What each ID in the request stands for, for a dry run's reader. */
function namesOf(paged: Paged, incident: Incident | undefined): Map<string, IdName> {
  const names = new Map<string, IdName>();
  if ('path' in paged) {
    const now = (paged.path.current_responders ?? []).map((u) => userName(u).name);
    names.set(paged.path.id, {
      kind: 'escalation path',
      name: paged.path.name,
      ...(now.length > 0 && { note: `on call now: ${now.map((n) => quoted(n)).join(', ')}` }),
    });
  } else {
    for (const user of paged.users) names.set(user.id, { kind: 'user', ...userName(user) });
  }
  if (incident) names.set(incident.id, { kind: 'incident', name: `${incident.reference}: ${incident.name}` });
  return names;
}

function personText(user: User): Markdown {
  const { name, email } = userName(user);
  return email ? md`${name} (${email})` : text(name);
}

/** The card's lines for what the request pages, as incident.io names it. */
function requestItems(request: EscalationRequest, paged: Paged, incident: Incident | undefined, key: string): CardItem[] {
  const target: CardItem[] =
    'path' in paged
      ? [
          ['Escalation path', md`${paged.path.name} (${code(paged.path.id)})`],
          ['On call for the path now', (paged.path.current_responders ?? []).map((user) => personText(user))],
        ]
      : [['Users', paged.users.map((user) => md`${personText(user)} (${code(user.id)})`)]];
  return [
    ['Title', text(request.title)],
    ...target,
    ['Incident', incident ? incidentLink(incident) : undefined],
    ['Escalation key', key ? code(key) : undefined],
    ['Idempotency key', code(request.idempotency_key)],
  ];
}

/**
 * A 403 on the create names the scope (the client does) and what the spec says about keys scoped
 * to teams. A create whose answer never came may have paged: the error says that a re-run sends
 * the same key, so it pages no one twice. A refusal (4xx other than 408 and 429) paged no one.
 */
function explainCreateFailure(error: unknown, paged: Paged, idempotencyKey: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const rewrap = (message: string) => new ApiError(message, error.status, error.type, error.requestId, error.body);
  if (error.status === 403) {
    return rewrap(
      `${error.message} ` +
        ('path' in paged
          ? "A key whose permissions are scoped to teams may only page an escalation path that one of its teams owns: check the path's teams, or use a key with the permission for the whole account."
          : 'Paging users directly needs the permission for the whole account: a key scoped to teams may only page escalation paths its teams own.'),
    );
  }
  const refused = error.status !== undefined && error.status >= 300 && error.status < 500 && error.status !== 408 && error.status !== 429;
  if (refused) return error;
  return rewrap(
    `${error.message} incident.io may have paged before its answer was lost: re-running this job sends the same idempotency key ` +
      `("${idempotencyKey}"), so it pages no one twice.`,
  );
}

async function cancel(ctx: Ctx): Promise<void> {
  const { out, settings, run } = ctx;
  const key = settings.escalationKey;
  if (!run.repository) {
    throw new InputError(
      'A cancel finds the escalations of this repository\'s "escalation-key", but GITHUB_REPOSITORY is not set (is this running outside GitHub Actions?). ' +
        'Run the step in a GitHub Actions workflow.',
    );
  }
  const prefix = keyPrefix(run.repository, key);
  const client = apiKeyClient(ctx);
  const found = await findOwnEscalations(client, prefix, markerToken(prefix));
  for (const r of found.rejected) out.info(`Left alone: escalation ${r.id}${r.title ? ` ${quoted(r.title)}` : ''}: ${r.reason}.`);
  if (!found.complete) {
    out.warning(
      'The action read the most escalations it reads for one key and left the rest unread, so some of them may still page. ' +
        'Run the step again to cancel the next ones.',
      'incident.io: not every escalation was read',
    );
  }
  out.setOutput('created', 'false');
  const place = `${run.repository} ("escalation-key" ${quoted(key)})`;
  if (found.escalations.length === 0) {
    out.setOutput('escalation-id', '');
    out.setOutput('escalation-status', '');
    out.notice(`Nothing to cancel: no escalation that steps of ${place} made still pages anyone.`, 'incident.io nothing to cancel');
    await out.summary(
      card(md`nothing to cancel`, [
        ['Escalation key', code(key)],
        ['Why', md`no escalation of this key still pages anyone`],
      ]),
    );
    return;
  }
  if (settings.dryRun) {
    for (const e of found.escalations) {
      printDryRun(
        ctx,
        'POST',
        cancelPath(e.id),
        undefined,
        new Map([[e.id, { kind: 'escalation', name: e.title ?? e.id, note: `status "${e.status}"` }]]),
      );
    }
    await out.summary(
      card(md`dry run (would cancel)`, [
        ['Escalation key', code(key)],
        ['Would cancel', found.escalations.map(escalationText)],
        ['Cancelled', md`nothing: this was a dry run`],
        dryRunChecks(ctx, 'whether the API key may cancel escalations: it sends no write'),
      ]),
    );
    return;
  }

  const cancelled: Escalation[] = [];
  const refused: { escalation: Escalation; why: string }[] = [];
  const failed: { escalation: Escalation; error: unknown }[] = [];
  // One at a time: each is a write, and the list is short (one per run that paged and was not fixed).
  for (const escalation of found.escalations) {
    try {
      const outcome = await cancelEscalation(client, escalation.id);
      if (outcome.cancelled) cancelled.push(escalation);
      else refused.push({ escalation, why: outcome.why });
    } catch (error) {
      failed.push({ escalation, error });
    }
  }
  out.setOutput('escalation-id', cancelled.map((e) => e.id).join(','));
  out.setOutput('escalation-status', cancelled.length > 0 ? 'cancelled' : '');
  for (const { escalation, why } of refused) {
    out.notice(
      `incident.io did not cancel escalation ${escalation.id}${escalation.title ? ` ${quoted(escalation.title)}` : ''}: it may have been ` +
        `resolved or expired since it was listed, and such cannot be cancelled. ${why}`,
      'incident.io escalation not cancelled',
    );
  }
  if (cancelled.length > 0) {
    out.announce(
      `Cancelled ${cancelled.length} escalation${cancelled.length === 1 ? '' : 's'} of ${place}: ` +
        cancelled.map((e) => `${e.id}${e.title ? ` ${quoted(e.title)}` : ''}`).join(', ') +
        '.',
      'incident.io page cancelled',
    );
  }
  await out.summary(
    card(md`${cancelled.length > 0 ? 'cancelled' : 'nothing cancelled'}`, [
      ['Escalation key', code(key)],
      ['Cancelled', cancelled.map(escalationText)],
      ['Not cancelled (incident.io refused)', refused.map((r) => escalationText(r.escalation))],
      ['Could not cancel', failed.map((f) => escalationText(f.escalation))],
    ]),
  );
  if (failed.length > 0) {
    const reasons = failed.map(({ escalation, error }) => `${escalation.id}: ${error instanceof Error ? error.message : String(error)}`);
    const [first] = failed;
    throw new ApiError(
      `Could not cancel ${failed.length} of the ${found.escalations.length} escalations of ${place}, so they may still page: ${reasons.join(' ')} ` +
        'Running the step again cancels what still pages.',
      first?.error instanceof ApiError ? first.error.status : undefined,
    );
  }
}

const cancelPath = (id: string) => `${ESCALATIONS_PATH}/${encodeURIComponent(id)}/actions/cancel`;

function escalationText(e: Escalation): Markdown {
  return md`${e.title ? md`${text(e.title)} ` : md``}(${code(e.id)}, status ${code(e.status)})`;
}

/** A replayed page that was cancelled since is not sent again (a cancelled page is never re-sent): say so. */
export function sinceCancelled(status: string): string {
  return status === 'cancelled' ? ' It was cancelled since, and a cancelled page is not sent again.' : '';
}
