// src/incident-io/: everything that talks to incident.io: the client, retry rules, resolvers (names → IDs), lookups, incidents.
/**
 * The one HTTP client for incident.io. It owns authentication, timeouts, retries and the
 * error format, so the rest of the action deals in parsed bodies and clear ApiErrors.
 */
import { ApiError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, isRecord, isRetryableStatus, serverRetryDelay, type RetryPolicy } from './retry.js';
import { USER_AGENT } from '../version.js';

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
export type Query = Record<string, string | number | undefined>;

export interface ClientOptions {
  baseUrl: string;
  /** Sent only as `Authorization: Bearer …`. */
  token: string;
  fetch: FetchLike;
  clock: Clock;
  policy?: RetryPolicy;
  /** Told about each retry, for the log. */
  onRetry?: (message: string) => void;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  /** The server's clock when it answered (its Date header), in ms. */
  date?: number;
}

/** One attempt's failure, before deciding whether to try again. */
interface Failure {
  summary: string;
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

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  /** GETs an unpaginated list such as `{severities: [...]}` and checks its shape. */
  async getList<T>(path: string, key: string, query?: Query): Promise<T[]> {
    const body = await this.get<unknown>(path, query);
    const list = isRecord(body) ? body[key] : undefined;
    if (!Array.isArray(list)) {
      throw new ApiError(`incident.io GET ${path} answered without the expected "${key}" list.`);
    }
    return list as T[];
  }

  /**
   * POSTs are retried too: every POST this action sends is safe to repeat (a create carries
   * its idempotency key in the body, an edit sets absolute values, an alert event is deduplicated).
   */
  async post<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body });
  }

  async request<T>(method: string, path: string, init: { query?: Query; body?: unknown }): Promise<ApiResponse<T>> {
    const { clock } = this.options;
    const url = this.url(path, init.query);
    const started = clock.now();
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt<T>(method, url, init.body);
      if (result.ok) return result.response;
      const failure = result.failure;
      const elapsed = clock.now() - started;
      const wait = failure.serverDelayMs ?? backoffDelay(attempt, this.policy, clock.random);
      let stop: string | undefined;
      if (!failure.retryable) stop = '';
      else if (attempt >= this.policy.maxAttempts) stop = ` Gave up after ${attempt} attempts in ${seconds(elapsed)}.`;
      else if (elapsed + wait > this.policy.budgetMs) {
        stop =
          ` Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: waiting ${seconds(wait)} more would pass ` +
          `the ${seconds(this.policy.budgetMs)} retry budget.`;
      }
      if (stop !== undefined) throw this.error(method, path, failure, stop);
      this.options.onRetry?.(
        `incident.io ${method} ${path}: ${failure.summary}; retrying in ${seconds(wait)} (attempt ${attempt + 1} of ${this.policy.maxAttempts}).`,
      );
      await clock.sleep(wait);
    }
  }

  private url(path: string, query?: Query): string {
    const url = new URL(this.options.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.href;
  }

  private async attempt<T>(method: string, url: string, body: unknown): Promise<Attempt<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.token}`,
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const { timeoutMs } = this.policy;
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, failure: { summary: describeNetworkError(error, timeoutMs), retryable: true } };
    }
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed.ok) {
        const date = Date.parse(response.headers.get('date') ?? '');
        const body = parsed.value as T;
        return { ok: true, response: { status: response.status, body, date: Number.isNaN(date) ? undefined : date } };
      }
      // A 2xx whose body is cut short: the answer was lost on the way, so ask again.
      const summary = `answered ${response.status} but the body was not complete JSON (${excerpt(text)})`;
      return { ok: false, failure: { summary, retryable: true } };
    }
    return { ok: false, failure: this.httpFailure(response, parsed.ok ? parsed.value : undefined, text) };
  }

  private httpFailure(response: Response, body: unknown, text: string): Failure {
    const status = response.status;
    const retryable = isRetryableStatus(status);
    const requestId =
      (isRecord(body) && typeof body['request_id'] === 'string' ? body['request_id'] : undefined) ??
      response.headers.get('x-request-id') ??
      undefined;
    const type = isRecord(body) && typeof body['type'] === 'string' ? body['type'] : undefined;
    const details = describeErrorBody(body) ?? `${response.statusText || 'no message'} (${excerpt(text)})`;
    return {
      summary: `answered ${status}${type ? ` ${type}` : ''}: ${details}`,
      retryable,
      status,
      type,
      requestId,
      body,
      serverDelayMs: retryable ? serverRetryDelay(response.headers.get('retry-after'), body, this.options.clock.now()) : undefined,
    };
  }

  private error(method: string, path: string, failure: Failure, suffix: string): ApiError {
    const id = failure.requestId ? ` (request id ${failure.requestId})` : '';
    const message = this.redact(`incident.io ${method} ${path} ${failure.summary}${id}.${suffix}`);
    return new ApiError(message, failure.status, failure.type, failure.requestId, failure.body);
  }

  /** The key is never put in a message; this also catches a server that echoes it back. */
  private redact(text: string): string {
    return redactSecret(text, this.options.token);
  }
}

/** Replaces a secret in text. Too short a "secret" would shred ordinary words, and no real key is that short. */
export function redactSecret(text: string, secret: string): string {
  return secret.length >= 8 ? text.split(secret).join('***') : text;
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

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `got no answer within ${seconds(timeoutMs)}`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `failed on the network (${detail})`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return 'empty body';
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
