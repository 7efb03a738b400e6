// src/incident-io/: everything that talks to incident.io: the client, retry rules, resolvers (names → IDs), lookups, incidents.
/**
 * The one HTTP client for incident.io. It owns authentication, timeouts, retries, the deadline
 * and the error format, so the rest of the action deals in parsed bodies and clear ApiErrors.
 * It never follows a redirect: a 3xx from incident.io is an error naming where it pointed.
 * Server text reaches a message only through `serverText` (redacted, then cut), and only once:
 * retry lines carry the status, type and request id, the final error the server's words.
 */
import { ApiError } from '../core/errors.js';
import { describeNetworkError, type Fetch } from '../core/fetch.js';
import { seconds, type Clock, type Deadline } from '../core/time.js';
import type { Redactor } from '../core/redact.js';
import { serverText } from '../core/server-text.js';
import { expectShape, id, isRecord, list, object, type Shape } from '../core/shape.js';
import { USER_AGENT } from '../core/version.js';
import { forbidden, unauthorized, type Credential } from './refusals.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, isRetryableStatus, serverDirectedDelay, serverRetryDelay, type RetryPolicy } from './retry.js';
import { SCOPES } from './scopes.js';

export type Query = Record<string, string | number | readonly string[] | undefined>;

export interface ClientOptions {
  baseUrl: string;
  /** Sent only as `Authorization: Bearer …`. */
  token: string;
  /** Which input the token came from, and what the run says about secrets: the advice after a 401 or a 403 names them. */
  credential: Credential;
  /**
   * The input that made the action send these requests (`custom-fields`), named after a 403;
   * undefined for the job's own requests. Set with `sentFor`.
   */
  sentFor?: string;
  fetch: Fetch;
  clock: Clock;
  deadline: Deadline;
  redactor: Redactor;
  policy?: RetryPolicy;
  /** Told about each retry, for the log. */
  onRetry?: (message: string) => void;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  /** The server's clock when it answered (its Date header), in ms. */
  date?: number;
  /** No answer was read: an attempt whose answer was lost took effect (see `landed`). */
  landed?: boolean;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /**
   * For a write that is not safe to repeat (no idempotency key): asked before each retry
   * whether the last attempt took effect after all. True ends the request without sending it
   * again; a check that fails ends it with the error, since a retry might write twice.
   */
  landed?: () => Promise<boolean>;
}

/** One attempt's failure, before deciding whether to try again. */
interface Failure {
  /** Status and type, for a retry line: "answered 503 internal_error". */
  brief: string;
  /** The server's words, for the final error: shaped once, here. */
  details?: string;
  retryable: boolean;
  status?: number;
  type?: string;
  requestId?: string;
  body?: unknown;
  serverDelayMs?: number;
}

type Attempt<T> = { ok: true; response: ApiResponse<T> } | { ok: false; failure: Failure };

export class IncidentIoClient {
  private readonly policy: RetryPolicy;

  constructor(private readonly options: ClientOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
  }

  /** The clock's time, for values the action sends (`now` in a timestamp). */
  readonly now = (): number => this.options.clock.now();

  /** The same client under another deadline (the short one for work after the write). */
  withDeadline(deadline: Deadline): IncidentIoClient {
    return new IncidentIoClient({ ...this.options, deadline });
  }

  /**
   * The same client, for the requests an input asks for: a 403 on one of them names that input
   * ("The action sent it for input "roles"."). The lookups mark their requests with it where
   * they start; a request made without it is the job's own.
   */
  sentFor(input: string): IncidentIoClient {
    return new IncidentIoClient({ ...this.options, sentFor: input });
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  /**
   * GETs an unpaginated list such as `{severities: [...]}` and reads it as a list of `item`
   * (src/core/shape.ts), or of objects with non-empty text in `id` and in each field named (`name`,
   * by default). Every item must match: an item without its ID or name is incident.io's fault,
   * named with the request and the field, never a name resolved to nothing or an edit that
   * changes nothing.
   */
  async getList<T>(path: string, key: string, query?: Query, item: Shape<T> | readonly string[] = ['name']): Promise<T[]> {
    const body = await this.get<unknown>(path, query);
    const shape = Array.isArray(item) ? (withText(item) as Shape<T>) : (item as Shape<T>);
    return expectShape(object({ [key]: list(shape) }), body, `incident.io GET ${path} answered`)[key] as T[];
  }

  /**
   * POSTs are retried too. Most are safe to repeat (a create or an incident update carries its
   * idempotency key, an edit sets absolute values, an alert event is deduplicated, a heartbeat is
   * a ping); one that is not (an attachment) passes `landed`, checked before each retry.
   */
  async post<T>(path: string, body: unknown, landed?: () => Promise<boolean>): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body, landed });
  }

  async request<T>(method: string, path: string, init: RequestOptions): Promise<ApiResponse<T>> {
    const { clock, deadline } = this.options;
    const url = this.url(path, init.query);
    // Every text sent is redacted here, whatever field it came from (a custom field's value, a
    // link, alert metadata): a secret never reaches the incident, its channel or an alert.
    const body = init.body === undefined ? undefined : JSON.stringify(this.options.redactor.redactValues(init.body));
    const started = clock.now();
    // Two budgets: failures the action times itself (network errors, timeouts, 5xx without a
    // Retry-After) get policy.maxAttempts; waits incident.io asks for are bounded by the deadline
    // (and a backstop count). Neither spends the other's: a run that has waited out ten 429s
    // still has its retries for a connection reset, which a busy machine makes more likely.
    let ownFailures = 0;
    let asked = false;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline.at - clock.now();
      if (remaining <= 0) throw this.error(method, path, { brief: `was not asked: ${deadline.name} had passed`, retryable: false }, '');
      const result = await this.attempt<T>(method, url, body, Math.min(this.policy.timeoutMs, remaining));
      if (result.ok) return result.response;
      const failure = result.failure;
      const directed = failure.serverDelayMs !== undefined;
      if (directed) asked = true;
      else ownFailures += 1;
      const wait =
        failure.serverDelayMs !== undefined
          ? serverDirectedDelay(failure.serverDelayMs, clock.random)
          : backoffDelay(ownFailures, this.policy, clock.random);
      const elapsed = clock.now() - started;
      let stop: string | undefined;
      if (!failure.retryable) stop = '';
      else if ((!directed && ownFailures >= this.policy.maxAttempts) || attempt >= this.policy.maxServerDirectedAttempts) {
        stop = ` Gave up after ${attempt} attempts in ${seconds(elapsed)}.`;
      } else if (clock.now() + wait >= deadline.at) {
        stop =
          ` Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${seconds(elapsed)}: ` +
          `waiting ${seconds(wait)} more would pass ${deadline.name}.`;
      }
      if (stop !== undefined) throw this.error(method, path, failure, stop);
      // "of 5" only while every failure was one the action times: then it is the whole budget.
      const of = asked ? '' : ` of ${this.policy.maxAttempts}`;
      const why = directed ? `, as incident.io asked (plus jitter)` : '';
      this.options.onRetry?.(
        `incident.io ${method} ${path} ${failure.brief}${requestIdText(failure)}; retrying in ${seconds(wait)}${why} (attempt ${attempt + 1}${of}).`,
      );
      await clock.sleep(wait);
      if (init.landed && (await this.tookEffect(init.landed, method, path, failure))) {
        return { status: failure.status ?? 0, body: undefined as T, landed: true };
      }
    }
  }

  private async tookEffect(landed: () => Promise<boolean>, method: string, path: string, failure: Failure): Promise<boolean> {
    try {
      return await landed();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw this.error(method, path, failure, ` Not sent again, since it may have taken effect and could not be checked: ${why}`);
    }
  }

  private url(path: string, query?: Query): string {
    const url = new URL(this.options.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (typeof value === 'string' || typeof value === 'number') url.searchParams.set(key, String(value));
      else for (const item of value) url.searchParams.append(key, item);
    }
    return url.href;
  }

  private async attempt<T>(method: string, url: string, body: string | undefined, timeoutMs: number): Promise<Attempt<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.token}`,
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, failure: { brief: this.shape(describeNetworkError(error, timeoutMs, new URL(url).host)), retryable: true } };
    }
    if (response.status >= 300 && response.status < 400) return { ok: false, failure: this.redirectFailure(response, url) };
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed.ok) {
        const date = Date.parse(response.headers.get('date') ?? '');
        return { ok: true, response: { status: response.status, body: parsed.value as T, date: Number.isNaN(date) ? undefined : date } };
      }
      // A 2xx whose body is cut short: the answer was lost on the way, so ask again.
      return {
        ok: false,
        failure: { brief: `answered ${response.status} but the body was not complete JSON`, details: this.excerpt(text), retryable: true },
      };
    }
    return { ok: false, failure: this.httpFailure(response, parsed.ok ? parsed.value : undefined, text) };
  }

  private redirectFailure(response: Response, url: string): Failure {
    let where = 'nowhere (no Location header)';
    const location = response.headers.get('location');
    if (location) {
      try {
        where = new URL(location, url).host;
      } catch {
        where = 'an unreadable Location';
      }
    }
    return {
      brief: `answered ${response.status}, a redirect to ${this.shape(where)}`,
      details:
        "the action never follows a redirect from incident.io, so an answer from another address cannot be taken for incident.io's. " +
        'Check "api-url", and any proxy or gateway that rewrites requests to it',
      retryable: false,
      status: response.status,
    };
  }

  private httpFailure(response: Response, body: unknown, text: string): Failure {
    const status = response.status;
    const retryable = isRetryableStatus(status);
    const rawRequestId =
      (isRecord(body) && typeof body['request_id'] === 'string' ? body['request_id'] : undefined) ?? response.headers.get('x-request-id');
    const rawType = isRecord(body) && typeof body['type'] === 'string' ? body['type'] : undefined;
    const type = rawType === undefined ? undefined : this.shape(rawType, 80);
    const words = describeErrorBody(body);
    return {
      brief: `answered ${status}${type ? ` ${type}` : ''}`,
      details: words !== undefined ? this.shape(words) : `${this.shape(response.statusText || 'no message', 80)} (${this.excerpt(text)})`,
      retryable,
      status,
      type,
      requestId: rawRequestId ? this.shape(rawRequestId, 80) : undefined,
      body,
      serverDelayMs: retryable ? serverRetryDelay(response.headers.get('retry-after'), body, this.options.clock.now()) : undefined,
    };
  }

  private error(method: string, path: string, failure: Failure, suffix: string): ApiError {
    const details = failure.details ? `: ${failure.details}` : '';
    const advice = this.refusal(method, path, failure.status);
    const message = `incident.io ${method} ${path} ${failure.brief}${details}${requestIdText(failure)}.${suffix}${advice && ` ${advice}`}`;
    return new ApiError(this.options.redactor.redact(message), failure.status, failure.type, failure.requestId, failure.body);
  }

  /** What to do about a 401 or a 403, shaped here for every request (see refusals.ts); empty for any other status. */
  private refusal(method: string, path: string, status: number | undefined): string {
    const { credential, sentFor } = this.options;
    if (status === 401) return unauthorized(credential);
    if (status === 403) return forbidden(credential, scopesOf(method, path), sentFor);
    return '';
  }

  /** Server text for a message: redacted, then cut (the one shaping rule; see serverText). */
  private shape(text: string, limit?: number): string {
    return serverText(text, this.options.redactor, limit);
  }

  private excerpt(text: string): string {
    return text.trim() === '' ? 'empty body' : JSON.stringify(this.shape(text, 300));
  }
}

/** Objects with non-empty text in `id` and in each of `fields`. */
function withText(fields: readonly string[]): Shape<Record<string, string>> {
  return object(Object.fromEntries(['id', ...fields].map((field) => [field, id])));
}

/**
 * The scopes incident.io's spec lists for a request (scopes.ts, generated from the pruned spec):
 * `/v2/incidents/01ABC/actions/edit` matches `/v2/incidents/{id}/actions/edit`; an exact path
 * wins over a template. Every request the action makes is in the table: the contract test's Prism
 * serves only the pruned spec's operations, and __tests__/incident-io/refusals.test.ts checks the table
 * against prune-spec's list.
 */
export function scopesOf(method: string, path: string, table: Readonly<Record<string, readonly string[]>> = SCOPES): readonly string[] {
  const exact = table[`${method} ${path}`];
  if (exact) return exact;
  const segments = path.split('/');
  for (const [request, scopes] of Object.entries(table)) {
    const [m, template] = request.split(' ') as [string, string];
    const parts = template.split('/');
    if (m === method && parts.length === segments.length && parts.every((part, i) => part === segments[i] || /^\{[^}]+\}$/.test(part))) {
      return scopes;
    }
  }
  return [];
}

function requestIdText(failure: Failure): string {
  return failure.requestId ? ` (request id ${failure.requestId})` : '';
}

/** incident.io's `errors[]` as one sentence: "message (field x); message". */
export function describeErrorBody(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body['errors'])) return undefined;
  const parts = body['errors'].filter(isRecord).map((e) => {
    const source = isRecord(e['source']) ? e['source']['field'] : undefined;
    const message = typeof e['message'] === 'string' ? e['message'] : typeof e['code'] === 'string' ? e['code'] : 'unknown error';
    return typeof source === 'string' && source !== '' ? `${message} (field ${source})` : message;
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
