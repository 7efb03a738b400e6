/**
 * The declare job's `escalation-path`: page that path for the incident this run declared.
 * Loaded only when a step sets `escalation-path`.
 *
 * - The path's name is resolved before any write, with the other lookups, so a typo fails the
 *   step with suggestions and declares nothing (even in `mode: test`, whose point is to find it).
 * - It pages only the run's own incident: the one the create returned under this run's
 *   idempotency key, new or replayed. An `incident-key` follow-up (an update posted to another
 *   run's open incident) pages no one: that incident's own run paged when it declared it.
 * - The escalation is linked to the incident and keyed by the incident and the path alone
 *   (escalations.ts's declareEscalationRequest): a re-run pages no one twice, and a re-run after a
 *   page that failed still pages.
 * - `mode: test` and `mode: tutorial` page no one (escalations have no test mode), nor does a
 *   fork's run: a notice says why.
 * - It runs after the incident's outputs are set, under its own after-write deadline, and a page
 *   that fails is returned, not thrown: the caller finishes the incident's summary first, then
 *   hands it to the failure policy.
 */
import { ApiError } from '../../core/errors.js';
import { code, join, md, text, type Markdown } from '../../core/markdown.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import {
  declareEscalationRequest,
  ESCALATIONS_PATH,
  createEscalation,
  listEscalationPaths,
  resolveEscalationPath,
  type EscalationPath,
} from '../../incident-io/escalations.js';
import type { Incident } from '../../incident-io/incidents.js';
import { userName } from '../../incident-io/lookups.js';
import type { User } from '../../incident-io/names.js';
import { quoted } from '../../output/dry-run.js';
import type { CardItem } from '../../output/report.js';
import { afterWriteDeadline, type JobContext } from '../job.js';
import { sinceCancelled } from '../escalate/escalate.js';
import { refusedPage } from '../skip.js';
import type { DeclareSettings } from './settings.js';

type Ctx = JobContext<DeclareSettings>;

/** What `escalation-path` asks of this run, decided before any write. */
export interface PagePlan {
  /** The path, resolved (absent for a fork's run, which looks nothing up). */
  path?: EscalationPath;
  /** Why this run pages no one (a fork, `mode: test`), for its notice; absent when it pages. */
  skip?: string;
}

/**
 * Before any write: the path `escalation-path` names, read from every page of paths (an unknown
 * name is an input error with the closest names), and whether this run may page at all.
 */
export async function planPage(ctx: Ctx, client: IncidentIoClient): Promise<PagePlan> {
  const { settings, run } = ctx;
  const fork = refusedPage(run, 'page');
  if (fork) return { skip: fork };
  const pages = await listEscalationPaths(client);
  const path = resolveEscalationPath('escalation-path', settings.escalationPath, pages);
  if (!pages.complete) {
    ctx.out.warning(
      `The action read the first ${pages.items.length} escalation paths (${pages.pages} pages, its limit) and left the rest unread; ` +
        `another path of the name ${quoted(path.name)} may be among them. Name the path by its ID (${path.id}) to be sure.`,
      'incident.io: not every escalation path was read',
    );
  }
  if (settings.mode === 'test' || settings.mode === 'tutorial') {
    return {
      path,
      skip:
        `"mode" is "${settings.mode}", and incident.io escalations have no test mode: a page would wake the people on ${quoted(path.name)} ` +
        'for real. The path was checked; it pages only for a standard incident.',
    };
  }
  return { path };
}

/** Says, once, that this run pages no one and why. */
export function reportSkip(ctx: Ctx, plan: PagePlan): CardItem {
  ctx.out.notice(`Not paged: ${plan.skip ?? ''}`, 'incident.io page skipped');
  return ['Paged', md`no one: ${plan.skip ?? ''}`];
}

/** A dry run: what it would page, after the incident is declared. */
export function reportDryRun(ctx: Ctx, plan: PagePlan): CardItem {
  if (plan.skip || !plan.path) return reportSkip(ctx, plan);
  const { path } = plan;
  ctx.out.info(
    `Dry run: once the incident is declared, this step would send POST ${ctx.settings.apiUrl}${ESCALATIONS_PATH} to page the escalation path ` +
      `${quoted(path.name)} (${path.id}), linked to the incident, under an idempotency key derived from the incident and the path.`,
  );
  return ['Would page', md`${path.name} (${code(path.id)})${onCallNow(path)}`];
}

/** An `incident-key` follow-up posted to another run's incident: that run paged; this one pages no one. */
export function reportFollowUp(ctx: Ctx, incident: Incident): void {
  ctx.out.notice(
    `Not paged: this run posted an update to ${incident.reference}, which another run declared under incident-key ` +
      `"${ctx.settings.incidentKey}"; "escalation-path" pages only for the incident a run declares itself, and that run paged for it.`,
    'incident.io page skipped',
  );
}

/** How the page went: the card's line, and the error to hand to the failure policy once the summary is written. */
export interface PageOutcome {
  item: CardItem;
  error?: Error;
}

/**
 * Pages the path for the incident (this run's own), under a fresh after-write deadline. Sets
 * `escalation-id`, and says who was paged, or that a re-run's page was already there.
 */
export async function pageForIncident(ctx: Ctx, client: IncidentIoClient, incident: Incident, path: EscalationPath): Promise<PageOutcome> {
  const { out } = ctx;
  const request = declareEscalationRequest(incident, path);
  try {
    const { escalation, created } = await createEscalation(client.withDeadline(afterWriteDeadline(ctx)), request);
    out.setOutput('escalation-id', escalation.id);
    const who = `the escalation path ${quoted(path.name)}`;
    out.announce(
      created
        ? `Paged ${who} for ${incident.reference}: escalation ${escalation.id}, status "${escalation.status}".`
        : `${who.charAt(0).toUpperCase()}${who.slice(1)} was already paged for ${incident.reference} (escalation ${escalation.id}, ` +
            `status "${escalation.status}"), by an earlier attempt or re-run of this run. Nobody was paged again.${sinceCancelled(escalation.status)}`,
      created ? 'incident.io page sent' : 'incident.io page already sent',
    );
    const notified = escalation.notified.map(personText);
    return {
      item: [
        created ? 'Paged' : 'Paged (already, nobody paged again)',
        md`${path.name} (escalation ${code(escalation.id)}, status ${code(escalation.status)})${
          notified.length > 0 ? md`; notified so far: ${join(notified, ', ')}` : md``
        }${onCallNow(path, notified.length > 0)}`,
      ],
    };
  } catch (error) {
    return { item: ['Paged', md`no one: the page failed (see the error)`], error: explain(error, incident, path, request.idempotency_key) };
  }
}

/** The failure names the incident, which exists whatever the page did, and whether a re-run pages twice. */
function explain(error: unknown, incident: Incident, path: EscalationPath, key: string): Error {
  if (!(error instanceof ApiError))
    return error instanceof Error ? error : new Error(`Paging for ${incident.reference} failed: ${JSON.stringify(error)}`);
  const refused = error.status !== undefined && error.status >= 300 && error.status < 500 && error.status !== 408 && error.status !== 429;
  const scope =
    error.status === 403
      ? " A key whose permissions are scoped to teams may only page an escalation path that one of its teams owns: check the path's teams."
      : '';
  const again = refused
    ? ' Nobody was paged. A re-run returns the same incident and pages then.'
    : ` incident.io may have paged before its answer was lost: a re-run sends the same idempotency key ("${key}"), so it pages no one twice.`;
  return new ApiError(
    `${incident.reference} was declared, but paging the escalation path ${quoted(path.name)} for it failed: ${error.message}${scope}${again}`,
    error.status,
    error.type,
    error.requestId,
    error.body,
  );
}

function personText(user: User): Markdown {
  const { name, email } = userName(user);
  return email ? md`${name} (${email})` : text(name);
}

/** "; on call for the path now: …", from the path's current responders (not when the notified users say it already). */
function onCallNow(path: EscalationPath, said = false): Markdown {
  const now = (path.current_responders ?? []).map(personText);
  return now.length > 0 && !said ? md`; on call for the path now: ${join(now, ', ')}` : md``;
}

/**
 * The page of one declare step, once its plan is made: the declare story (and its `incident-key`
 * follow-up) calls it where the incident is known, and puts its card items in the summary. A page
 * that failed is kept until the summary is written: `throwIfFailed` then hands it on.
 */
export class Pager {
  private error: Error | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: IncidentIoClient,
    private readonly plan: PagePlan,
  ) {}

  /** This run's own incident (new, or replayed by its idempotency key), its outputs set: page it (a dry run says what it would). */
  async own(incident: Incident): Promise<CardItem[]> {
    const { plan, ctx } = this;
    if (plan.skip || !plan.path) return [reportSkip(ctx, plan)];
    if (ctx.settings.dryRun) return [reportDryRun(ctx, plan)];
    const outcome = await pageForIncident(ctx, this.client, incident, plan.path);
    this.error = outcome.error;
    return [outcome.item];
  }

  /** Another run's open incident of the `incident-key`, which this run posted an update to: no page. */
  other(incident: Incident): CardItem[] {
    reportFollowUp(this.ctx, incident);
    return [['Paged', md`no one: ${incident.reference} was declared, and paged for, by another run`]];
  }

  /** incident.io said the idempotency key's incident exists, but not which: there is nothing to link a page to. */
  unknown(): CardItem[] {
    if (this.plan.skip) return [reportSkip(this.ctx, this.plan)];
    this.ctx.out.warning(
      'Not paged: incident.io answered that this run\'s incident was already declared, but not which incident it is, so "escalation-path" ' +
        'had no incident to page for. The run that declared it paged, unless its page failed: check the incident in incident.io.',
      'incident.io page skipped',
    );
    return [['Paged', md`no one: incident.io did not say which incident this run declared`]];
  }

  throwIfFailed(): void {
    if (this.error) throw this.error;
  }
}
