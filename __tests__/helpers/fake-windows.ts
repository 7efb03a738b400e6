/**
 * A small stand-in for incident.io's maintenance window routes, on a fake clock, for unit tests:
 * windows are kept in the read shapes (`lead: {user}`, `subject: {label, reference}`,
 * `operation: {label, value}`, labelled bindings), as the API answers them. Faults a test can
 * turn on: a server that ignores the `status` filter, a create whose answer is lost after it took
 * effect, and any answer replaced by the test's own.
 */
import { json, networkError, type FakeClock } from './fakes.js';

/** A window as the fake keeps it (the API's read shape). */
export type StoredWindow = Record<string, unknown> & { id: string; name: string; start_at: string; end_at: string };

export interface FakeCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: Record<string, unknown>;
  authorization?: string;
}

type Body = Record<string, unknown>;

const labelOf = (literal: unknown) => `label of ${String(literal)}`;

/** A create or PUT body in the read shapes. */
export function readShape(body: Body, users: Record<string, { id: string; name: string; email?: string }>): Body {
  const lead = body['lead'] as { id?: string; email?: string };
  const user = Object.values(users).find((u) => u.id === lead.id || (lead.email !== undefined && u.email === lead.email));
  const value = (v: Body) => ({ label: labelOf(v['literal'] ?? v['reference']), ...v });
  const binding = (b: Body) => ({
    ...(b['value'] ? { value: value(b['value'] as Body) } : {}),
    ...(b['array_value'] ? { array_value: (b['array_value'] as Body[]).map(value) } : {}),
  });
  const groups = (body['alert_condition_groups'] as { conditions: Body[] }[]).map((g) => ({
    conditions: g.conditions.map((c) => ({
      subject: { label: `Alert → ${String(c['subject'])}`, reference: c['subject'] },
      operation: { label: String(c['operation']).replace('_', ' '), value: c['operation'] },
      param_bindings: (c['param_bindings'] as Body[]).map(binding),
    })),
  }));
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'lead' && key !== 'alert_condition_groups'));
  return {
    resolve_on_end: false,
    reroute_on_end: false,
    ...rest,
    lead: user ? { user: { ...user, role: 'responder' } } : { api_key: { id: 'k', name: 'key' } },
    alert_condition_groups: groups,
  };
}

export class FakeWindows {
  windows: StoredWindow[] = [];
  calls: FakeCall[] = [];
  /** The list answers every window, whatever `status` asks. */
  ignoreStatus = false;
  /** The next create takes effect, then its connection is reset before the answer. */
  loseNextCreate = false;
  /** Answers a test puts in place of the route's own, by "METHOD path" (taken once each). */
  replies = new Map<string, Response[]>();
  /** The page size the list answers with at most. */
  pageCap = 50;
  users = { alice: { id: '01USERALICE', name: 'Alice Example', email: 'alice@example.com' } };
  private next = 1;

  constructor(private readonly clock: FakeClock) {}

  status(window: StoredWindow): 'active' | 'upcoming' | 'past' {
    const now = this.clock.now();
    if (now < Date.parse(window.start_at)) return 'upcoming';
    return now < Date.parse(window.end_at) ? 'active' : 'past';
  }

  /** Adds a window someone else made (or an earlier run), in the read shape. */
  add(fields: Partial<StoredWindow> & { name: string }, { minutes = 30 } = {}): StoredWindow {
    const now = this.clock.now();
    const window: StoredWindow = {
      id: this.newId(),
      start_at: new Date(now - 60_000).toISOString(),
      end_at: new Date(now + minutes * 60_000).toISOString(),
      lead: { user: { ...this.users.alice, role: 'responder' } },
      alert_condition_groups: [],
      resolve_on_end: false,
      reroute_on_end: true,
      show_in_sidebar: true,
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
      ...fields,
    };
    this.windows.push(window);
    return window;
  }

  private newId(): string {
    return `01WINDOW${String(this.next++).padStart(4, '0')}`;
  }

  fetch = async (raw: string, init: RequestInit): Promise<Response> => {
    const url = new URL(raw);
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Body) : undefined;
    const headers = init.headers as Record<string, string> | undefined;
    this.calls.push({ method, path: url.pathname, query: url.searchParams, body, authorization: headers?.['Authorization'] });
    const replaced = this.replies.get(`${method} ${url.pathname}`)?.shift();
    if (replaced) return replaced;
    const match = /^\/v1\/maintenance_windows(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) throw new Error(`unexpected ${method} ${url.pathname}`);
    const id = match[1] && decodeURIComponent(match[1]);
    if (!id && method === 'GET') return this.list(url.searchParams);
    if (!id && method === 'POST') return this.create(body!);
    const window = this.windows.find((w) => w.id === id);
    if (!window) return json(404, { type: 'not_found', errors: [{ message: 'No such window' }] });
    if (method === 'GET') return json(200, { maintenance_window: window });
    if (method === 'PUT') {
      for (const key of Object.keys(window)) if (!['id', 'created_at'].includes(key)) delete window[key];
      Object.assign(window, readShape(body!, this.users), { updated_at: new Date(this.clock.now()).toISOString() });
      return json(200, { maintenance_window: window });
    }
    return json(422, { type: 'validation_error', errors: [{ message: 'Cannot archive an active maintenance window' }] });
  };

  private list(query: URLSearchParams): Response {
    const status = query.get('status');
    const size = Math.min(Number(query.get('page_size') ?? 25), this.pageCap);
    const matching = this.windows.filter((w) => this.ignoreStatus || status === null || this.status(w) === status);
    const after = query.get('after');
    const start = after ? matching.findIndex((w) => w.id === after) + 1 : 0;
    const page = matching.slice(start, start + size);
    const more = start + size < matching.length;
    return json(200, { maintenance_windows: page, pagination_meta: { page_size: size, ...(more ? { after: page.at(-1)!.id } : {}) } });
  }

  private create(body: Body): Response {
    const now = new Date(this.clock.now()).toISOString();
    const window = { id: this.newId(), ...readShape(body, this.users), created_at: now, updated_at: now } as unknown as StoredWindow;
    this.windows.push(window);
    if (this.loseNextCreate) {
      this.loseNextCreate = false;
      throw networkError('ECONNRESET');
    }
    return json(201, { maintenance_window: window });
  }
}
