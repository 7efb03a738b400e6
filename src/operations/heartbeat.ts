/**
 * `operation: heartbeat`: one ping to an incident.io heartbeat alert source, so that incident.io
 * raises an alert when the pings stop (a scheduled workflow GitHub quietly disabled, say). The
 * source's token goes only in the Authorization header; no API key is needed. 204 is success.
 */
import { ApiError } from '../errors.js';
import { code, md } from '../output/markdown.js';
import { card } from '../output/report.js';
import type { HeartbeatSettings } from '../settings/settings.js';
import { clientFor, dryRunChecks, printDryRun, type OperationContext } from './operation.js';

export async function heartbeat(ctx: OperationContext<HeartbeatSettings>): Promise<void> {
  const { out, settings } = ctx;
  const path = `/v2/heartbeat/${encodeURIComponent(settings.alertSourceId)}/ping`;
  out.setOutput('created', 'false');
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', path, undefined);
    await out.summary(
      card(md`dry run (would send a heartbeat ping)`, [
        ['Heartbeat source', code(settings.alertSourceId)],
        ['Sent', md`nothing: this was a dry run`],
        dryRunChecks(
          ctx,
          '"alert-token" or "alert-source-id": it sends nothing with the heartbeat token, so only a real run shows whether incident.io takes them',
        ),
      ]),
    );
    return;
  }
  try {
    await clientFor(ctx, 'alert-token').post<unknown>(path, undefined);
  } catch (error) {
    throw explain(error, settings.alertSourceId);
  }
  out.announce(`Sent a heartbeat ping to the heartbeat alert source ${settings.alertSourceId}.`, 'incident.io heartbeat');
  await out.summary(card(md`heartbeat sent`, [['Heartbeat source', code(settings.alertSourceId)]]));
}

/** A 404 names the source input; a 401 or 403 already says what to check (the client shapes it, see refusals.ts). */
function explain(error: unknown, sourceId: string): unknown {
  if (!(error instanceof ApiError) || error.status !== 404) return error;
  const advice = `incident.io has no heartbeat alert source ${sourceId}: check "alert-source-id" (Alerts → Sources; a heartbeat is its own source, not the HTTP source "alert" posts to).`;
  return new ApiError(`${advice} ${error.message}`, error.status, error.type, error.requestId, error.body);
}
