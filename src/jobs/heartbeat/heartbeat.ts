/**
 * The heartbeat job: one ping to an incident.io heartbeat alert source, so that incident.io
 * raises an alert when the pings stop (a scheduled workflow GitHub quietly disabled, say). The
 * source's token goes only in the Authorization header; no API key is needed. Only a 204, an
 * empty 2xx or `{"status": "success"}` counts as sent: any other answer (`{"status": "error"}`, a
 * page of HTML, a list) is an error that carries it, since a ping that did not land lets the
 * heartbeat alert fire while the step is green.
 */
import { ApiError, withContext } from '../../core/errors.js';
import type { ApiResponse } from '../../incident-io/client.js';
import { serverText } from '../../core/server-text.js';
import { check, object, optional, text } from '../../core/shape.js';
import { code, md } from '../../core/markdown.js';
import { card } from '../../output/report.js';
import type { HeartbeatSettings } from './settings.js';
import { clientFor, dryRunChecks, printDryRun, type JobContext } from '../job.js';

export async function heartbeat(ctx: JobContext<HeartbeatSettings>): Promise<void> {
  const { out, settings } = ctx;
  const path = `/v2/heartbeat/${encodeURIComponent(settings.alertSourceId)}/ping`;
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
  let response: ApiResponse<unknown>;
  try {
    response = await clientFor(ctx, {
      input: 'alert-token',
      token: settings.alertToken,
      source: { kind: 'heartbeat', id: settings.alertSourceId },
    }).post<unknown>(path, undefined);
  } catch (error) {
    throw explain(error, settings.alertSourceId);
  }
  if (!acknowledged(response)) {
    throw new ApiError(
      `incident.io POST ${path} answered ${response.status} with ${serverText(JSON.stringify(response.body), ctx.redactor, 300)}, ` +
        'which is not a heartbeat received (a 204, an empty answer or "status": "success"), so the ping is not known to have landed.',
      response.status,
      undefined,
      undefined,
      response.body,
    );
  }
  out.announce(`Sent a heartbeat ping to the heartbeat alert source ${settings.alertSourceId}.`, 'incident.io heartbeat');
  await out.summary(card(md`heartbeat sent`, [['Heartbeat source', code(settings.alertSourceId)]]));
}

const ANSWER = object({ status: optional(text) });

/** A 204, an empty 2xx (no body at all), or an object whose `status` is "success". */
function acknowledged(response: ApiResponse<unknown>): boolean {
  if (response.status === 204 || response.body === undefined) return true;
  const result = check(ANSWER, response.body);
  return result.ok && result.value.status === 'success';
}

/** A 404 names the source input; a 401 or 403 already says what to check (the client shapes it, see refusals.ts). */
function explain(error: unknown, sourceId: string): unknown {
  if (!(error instanceof ApiError) || error.status !== 404) return error;
  const advice = `incident.io has no heartbeat alert source ${sourceId}: check "alert-source-id" (Alerts → Sources; a heartbeat is its own source, not the HTTP source "alert" posts to).`;
  return withContext(error, advice);
}
