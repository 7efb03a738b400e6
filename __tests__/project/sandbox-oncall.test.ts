/**
 * The sandbox's routes for paging, on-call, maintenance windows and the incident behind an alert
 * (issues 19 and 20), called directly with fetch: the happy paths, the limits, key replay,
 * filters, the refusals, what happens later (an incident a route opens, a Slack channel), faults,
 * and that every answer has the shape the pruned spec (the contract test's Prism) gives it.
 */
import { ONCALL_IDS } from '../../sandbox/seed.mjs';
import { specShapeErrors } from '../helpers/spec-shape.js';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();

/** A parsed JSON answer, read as loosely as the sandbox's own objects are. */
type Json = ReturnType<typeof JSON.parse>;

interface Answer {
  status: number;
  text: string;
  json: Json;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(sandbox.url + path, {
    method,
    headers: { authorization: `Bearer ${sandbox.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** The answer fits the spec's schema for `operation` and its status. */
function expectShape(operation: string, answer: Answer) {
  expect(specShapeErrors(operation, answer.status, answer.json)).toEqual([]);
}

const error = (answer: Answer) => answer.json.errors[0];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (items: { id: string }[]) => items.map((i) => i.id);
const names = (items: { name: string }[]) => items.map((i) => i.name);

/** Every page of a list route, following pagination_meta.after: the items and the answers. */
async function allPages(path: string, key: string, operation: string) {
  const items: Json[] = [];
  const answers: Answer[] = [];
  let after: string | undefined;
  do {
    const answer = await call('GET', `${path}${path.includes('?') ? '&' : '?'}${after ? `after=${after}` : ''}`);
    expect(answer.status).toBe(200);
    expectShape(operation, answer);
    answers.push(answer);
    items.push(...answer.json[key]);
    after = answer.json.pagination_meta.after;
  } while (after && answers.length < 20);
  return { items, answers };
}

async function declare(extra: Record<string, unknown> = {}) {
  const answer = await call('POST', '/v2/incidents', {
    idempotency_key: `incident-${Math.random()}`,
    visibility: 'public',
    severity_id: '01SEVMINOR0000000000000000',
    ...extra,
  });
  expect(answer.status).toBe(200);
  return answer.json.incident;
}

describe('escalation paths', () => {
  it('lists 25 a page at most, "Platform" on the second page, with the duplicates and case twins', async () => {
    const { items, answers } = await allPages('/v2/escalation_paths?page_size=25', 'escalation_paths', 'GET /v2/escalation_paths');
    expect(answers.map((a) => a.json.escalation_paths.length)).toEqual([25, 2]);
    expect(answers[1]!.json.pagination_meta).toEqual({ page_size: 25 });
    expect(names(items).slice(-2)).toEqual(['Payments', 'Platform']);
    expect(items.filter((p: Json) => p.name === 'Database').map((p: Json) => p.id)).toEqual(ONCALL_IDS.databasePaths);
    expect(names(items)).toEqual(expect.arrayContaining(['Web Frontend', 'web frontend']));
    expect(new Set(ids(items)).size).toBe(27);
  });

  it("answers who a path pages now: the schedule's override, or its users", async () => {
    const { items } = await allPages('/v2/escalation_paths?page_size=25', 'escalation_paths', 'GET /v2/escalation_paths');
    const byId = (id: string) => items.find((p: Json) => p.id === id);
    expect(names(byId(ONCALL_IDS.platformPath).current_responders)).toEqual(['Olivia Override']);
    expect(names(byId(ONCALL_IDS.paymentsPath).current_responders)).toEqual(['Bob Example', 'Alice Example']);
    expect(byId(ONCALL_IDS.platformPath).path[0].level.targets).toEqual([
      expect.objectContaining({ id: ONCALL_IDS.platformSchedule, type: 'schedule' }),
    ]);
  });

  it('refuses a page size over 25 and an unknown cursor; pageCap shortens pages', async () => {
    expect(error(await call('GET', '/v2/escalation_paths?page_size=26'))).toMatchObject({ source: { field: 'page_size' } });
    expect((await call('GET', '/v2/escalation_paths?after=01NOPE')).status).toBe(422);
    sandbox.state.pageCap = 10;
    const { answers } = await allPages('/v2/escalation_paths?page_size=25', 'escalation_paths', 'GET /v2/escalation_paths');
    expect(answers.map((a) => a.json.escalation_paths.length)).toEqual([10, 10, 7]);
  });
});

describe('escalations', () => {
  const byPath = (key: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/v2/escalations', {
      idempotency_key: key,
      title: 'Deploy failed',
      escalation_path_id: ONCALL_IDS.platformPath,
      ...extra,
    });

  it('pages a path: 201, triggered, the key kept off the answer and recorded', async () => {
    const answer = await byPath('acme/shop:1001:platform', { description: 'What failed\n\n<!-- marker -->' });
    expect(answer.status).toBe(201);
    expectShape('POST /v2/escalations', answer);
    const { escalation } = answer.json;
    expect(escalation).toMatchObject({
      title: 'Deploy failed',
      description: 'What failed\n\n<!-- marker -->',
      status: 'triggered',
      escalation_path_id: ONCALL_IDS.platformPath,
      related_incidents: [],
    });
    expect(escalation.events[0]).toMatchObject({ event: 'triggered', users: [expect.objectContaining({ name: 'Olivia Override' })] });
    expect(answer.text).not.toContain('acme/shop:1001:platform');
    expect(sandbox.escalations()).toHaveLength(1);
    expect(sandbox.escalations()[0]._idempotencyKey).toBe('acme/shop:1001:platform');
  });

  it('returns the escalation a repeated key made, unchanged, with its own created_at, and pages no one again', async () => {
    const first = (await byPath('k-replay')).json.escalation;
    await sleep(5);
    const again = await byPath('k-replay', { title: 'Another title', escalation_path_id: ONCALL_IDS.paymentsPath });
    expect(again.status).toBe(201);
    expect(again.json.escalation).toEqual(first);
    expect(sandbox.escalations()).toHaveLength(1);
  });

  it('pages users directly, linked to an incident by its full ID only', async () => {
    const incident = await declare();
    const body = { idempotency_key: 'k-users', title: 'Paging', user_ids: [ONCALL_IDS.olivia, ONCALL_IDS.dana], incident_id: incident.id };
    const answer = await call('POST', '/v2/escalations', body);
    expect(answer.status).toBe(201);
    expectShape('POST /v2/escalations', answer);
    expect(answer.json.escalation).not.toHaveProperty('escalation_path_id');
    expect(names(answer.json.escalation.events[0].users)).toEqual(['Olivia Override', 'Dana Noemail']);
    expect(answer.json.escalation.related_incidents).toEqual([
      { id: incident.id, external_id: 1, reference: 'INC-1', name: 'INC-1', status_category: 'active', visibility: 'public' },
    ]);
    const byNumber = await call('POST', '/v2/escalations', { ...body, idempotency_key: 'k-number', incident_id: '1' });
    expect(error(byNumber)).toMatchObject({ code: 'not_found', source: { field: 'incident_id' } });
  });

  it('refuses both targets, neither, unknown ones, and a missing key or title, paging no one', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ idempotency_key: 'k', title: 't', escalation_path_id: ONCALL_IDS.platformPath, user_ids: [ONCALL_IDS.olivia] }, 'user_ids'],
      [{ idempotency_key: 'k', title: 't' }, 'escalation_path_id'],
      [{ idempotency_key: 'k', title: 't', escalation_path_id: '01NOPE' }, 'escalation_path_id'],
      [{ idempotency_key: 'k', title: 't', user_ids: [] }, 'user_ids'],
      [{ idempotency_key: 'k', title: 't', user_ids: ['olivia@example.com'] }, 'user_ids[0]'],
      [{ title: 't', escalation_path_id: ONCALL_IDS.platformPath }, 'idempotency_key'],
      [{ idempotency_key: 'k', escalation_path_id: ONCALL_IDS.platformPath }, 'title'],
    ];
    for (const [body, field] of cases) {
      const answer = await call('POST', '/v2/escalations', body);
      expect([answer.status, error(answer).source.field]).toEqual([422, field]);
    }
    expect(sandbox.escalations()).toHaveLength(0);
  });

  describe('listing', () => {
    async function seed() {
      const incident = await declare();
      const made: Record<string, Json> = {};
      for (const [name, key, extra] of [
        ['deploy1', 'acme/shop|deploy|1', {}],
        ['deploy2', 'acme/shop|deploy|2', { incident_id: incident.id }],
        ['deployApi', 'acme/shop|deploy-api|1', { escalation_path_id: ONCALL_IDS.paymentsPath }],
        ['other', 'acme/other|deploy|1', {}],
      ] as const) {
        made[name] = (await byPath(key, extra)).json.escalation;
      }
      return { incident, made };
    }
    const list = async (query: string) => {
      const answer = await call('GET', `/v2/escalations?${query}`);
      expect(answer.status).toBe(200);
      expectShape('GET /v2/escalations', answer);
      return ids(answer.json.escalations);
    };

    it('filters on the idempotency key (is, starts_with), status, incident and path, newest first', async () => {
      const { incident, made } = await seed();
      expect(await list('idempotency_key[starts_with]=acme/shop|deploy|')).toEqual([made.deploy2.id, made.deploy1.id]);
      expect(await list('idempotency_key[is]=acme/shop|deploy|1')).toEqual([made.deploy1.id]);
      expect(await list(`incident[one_of]=${incident.id}`)).toEqual([made.deploy2.id]);
      expect(await list(`escalation_path[one_of]=${ONCALL_IDS.paymentsPath}`)).toEqual([made.deployApi.id]);
      sandbox.escalations().find((e) => e.id === made.deploy1.id).status = 'resolved';
      const live = 'status[one_of]=triggered&status[one_of]=acked&status[one_of]=snoozed';
      expect(await list(`idempotency_key[starts_with]=acme/shop|deploy|&${live}`)).toEqual([made.deploy2.id]);
      expect(await list('status[not_in]=triggered')).toEqual([made.deploy1.id]);
      expect(await list(`alert[one_of]=01ALERT`)).toEqual([]);
      expect(await list('created_at[gte]=2020-01-01')).toHaveLength(4);
    });

    it('pages 50 at most, and with escalationsIgnoreFilters ignores every filter', async () => {
      const { made } = await seed();
      expect((await call('GET', '/v2/escalations?page_size=51')).status).toBe(422);
      const first = await call('GET', '/v2/escalations?page_size=3');
      expect(first.json.pagination_meta).toEqual({ page_size: 3, after: made.deploy2.id });
      const second = await call('GET', `/v2/escalations?page_size=3&after=${first.json.pagination_meta.after}`);
      expect(ids(second.json.escalations)).toEqual([made.deploy1.id]);
      expect(second.json.pagination_meta).toEqual({ page_size: 3 });
      sandbox.state.escalationsIgnoreFilters = true;
      expect(await list('idempotency_key[is]=acme/shop|deploy|1')).toHaveLength(4);
    });

    it('refuses filters and operators it does not know, and statuses that do not exist', async () => {
      for (const query of [
        'priority[one_of]=P1',
        'status[is]=triggered',
        'status[one_of]=firing',
        'idempotency_key[is]=a&idempotency_key[is]=b',
      ]) {
        expect((await call('GET', `/v2/escalations?${query}`)).status).toBe(422);
      }
    });
  });

  describe('cancel', () => {
    const cancel = (id: string) => call('POST', `/v2/escalations/${id}/actions/cancel`);

    it('cancels with a 200 and no body; a repeat changes nothing', async () => {
      const { escalation } = (await byPath('k-cancel')).json;
      const answer = await cancel(escalation.id);
      expect([answer.status, answer.text]).toEqual([200, '']);
      expect(specShapeErrors('POST /v2/escalations/{id}/actions/cancel', 200, undefined)).toEqual([]);
      const [record] = sandbox.escalations();
      expect(record.status).toBe('cancelled');
      const updated = record.updated_at;
      await sleep(5);
      expect((await cancel(escalation.id)).status).toBe(200);
      expect(record.events.map((e: Json) => e.event)).toEqual(['triggered', 'cancelled']);
      expect(record.updated_at).toBe(updated);
      const listed = await call('GET', '/v2/escalations?status[one_of]=cancelled');
      expect(ids(listed.json.escalations)).toEqual([escalation.id]);
    });

    it('refuses a resolved or expired escalation with an incident.io error, and an unknown one with 404', async () => {
      for (const status of ['resolved', 'expired']) {
        const { escalation } = (await byPath(`k-${status}`)).json;
        sandbox.escalations().find((e) => e.id === escalation.id).status = status;
        const answer = await cancel(escalation.id);
        expect(answer.status).toBe(422);
        expect(answer.json).toMatchObject({ type: 'validation_error', errors: [{ message: expect.stringContaining(status) }] });
        expect(sandbox.escalations().find((e) => e.id === escalation.id).status).toBe(status);
      }
      expect((await cancel('01NOPE')).status).toBe(404);
    });

    it('cancels an acked or snoozed escalation', async () => {
      for (const status of ['acked', 'snoozed']) {
        const { escalation } = (await byPath(`k-${status}`)).json;
        sandbox.escalations().find((e) => e.id === escalation.id).status = status;
        expect((await cancel(escalation.id)).status).toBe(200);
      }
      expect(sandbox.escalations().map((e) => e.status)).toEqual(['cancelled', 'cancelled']);
    });
  });
});

describe('schedules', () => {
  it('lists every schedule, "Platform Primary" past the first page of 25, names not unique', async () => {
    const { items, answers } = await allPages('/v2/schedules', 'schedules', 'GET /v2/schedules');
    expect(answers.map((a) => a.json.schedules.length)).toEqual([25, 1]);
    expect(answers[0]!.json.pagination_meta).toMatchObject({ page_size: 25, total_record_count: 26 });
    expect(items.at(-1)).toMatchObject({ id: ONCALL_IDS.platformSchedule, name: 'Platform Primary' });
    expect(items.filter((s: Json) => s.name === 'Database').map((s: Json) => s.id)).toEqual(ONCALL_IDS.databaseSchedules);
    expect(names(items.at(-1).current_shifts.map((s: Json) => s.user))).toEqual(['Olivia Override']);
    expect((await call('GET', '/v2/schedules?page_size=10000')).json.schedules).toHaveLength(26);
    expect((await call('GET', '/v2/schedules?page_size=10001')).status).toBe(422);
    sandbox.state.pageCap = 20;
    expect((await call('GET', '/v2/schedules?page_size=10000')).json.schedules).toHaveLength(20);
  });

  describe('entries', () => {
    const entries = (scheduleId: string, from: number, to: number, cursor?: string) =>
      call(
        'GET',
        `/v2/schedule_entries?schedule_id=${scheduleId}&entry_window_start=${encodeURIComponent(cursor ?? new Date(from).toISOString())}` +
          `&entry_window_end=${new Date(to).toISOString()}`,
      );
    /** Every page of entries for the window, following the cursor the documented way. */
    async function pages(scheduleId: string, from: number, to: number) {
      const answers: Answer[] = [];
      let cursor: string | undefined;
      do {
        const answer = await entries(scheduleId, from, to, cursor);
        expect(answer.status).toBe(200);
        expectShape('GET /v2/schedule_entries', answer);
        answers.push(answer);
        cursor = answer.json.pagination_meta?.after;
      } while (cursor && answers.length < 10);
      const all = (list: string) => answers.flatMap((a) => a.json.schedule_entries[list]);
      return { answers, scheduled: all('scheduled'), overrides: all('overrides'), final: all('final') };
    }
    const covering = (list: Json[], at: number) =>
      list.filter((e) => Date.parse(e.start_at) <= at && Date.parse(e.end_at) > at).map((e) => e.user.name);

    it('applies the override in final: Olivia now, not the rotation user', async () => {
      const now = Date.now();
      const { answers, scheduled, overrides, final } = await pages(ONCALL_IDS.platformSchedule, now - 3_600_000, now + 3_600_000);
      expect(answers).toHaveLength(1);
      expect(answers[0]!.json).not.toHaveProperty('pagination_meta');
      expect(covering(final, now)).toEqual(['Olivia Override']);
      const rotationUser = covering(scheduled, now);
      expect(rotationUser).toHaveLength(1);
      expect(['Alice Example', 'Bob Example']).toContain(rotationUser[0]);
      expect(overrides).toEqual([
        expect.objectContaining({ entry_id: ONCALL_IDS.platformOverride, rotation_id: ONCALL_IDS.platformRotation }),
      ]);
    });

    it('goes back to the rotation when the override ends, and cuts the rotation around it in final', async () => {
      const later = Date.now() + 13 * 3_600_000;
      const { final } = await pages(ONCALL_IDS.platformSchedule, later, later + 1000);
      expect(['Alice Example', 'Bob Example']).toContain(covering(final, later)[0]);
      const day = await pages(ONCALL_IDS.platformSchedule, Date.now() - 86_400_000, Date.now() + 86_400_000);
      const times = day.final.map((e: Json) => [Date.parse(e.start_at), Date.parse(e.end_at)]);
      for (let i = 1; i < times.length; i++) expect(times[i]![0]).toBe(times[i - 1]![1]); // no gap, no overlap
    });

    it('has nobody on call for Weekend Cover', async () => {
      const { answers, final, scheduled } = await pages(ONCALL_IDS.weekendSchedule, Date.now(), Date.now() + 1000);
      expect([answers.length, final, scheduled]).toEqual([1, [], []]);
    });

    it('spreads All Hands over two pages, whose cursor goes back in as entry_window_start, and ends', async () => {
      const now = Date.now();
      const { answers, final } = await pages(ONCALL_IDS.allHandsSchedule, now, now + 1000);
      expect(answers.map((a) => a.json.schedule_entries.final.length)).toEqual([5, 2]);
      expect(answers[1]!.json).not.toHaveProperty('pagination_meta');
      expect(final).toHaveLength(7);
      expect(covering(final, now)).toHaveLength(7);
      expect(final.map((e: Json) => e.user.name).sort()).toEqual(
        ['Alice Example', 'Bob Example', 'Dana Noemail', 'Doe, Jane', 'Erin Noslack', 'Frank Night', 'Frank Night'].sort(),
      );
      const starts = final.map((e: Json) => Date.parse(e.start_at));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      const dana = final.find((e: Json) => e.user.name === 'Dana Noemail').user;
      const erin = final.find((e: Json) => e.user.name === 'Erin Noslack').user;
      expect([dana.email, erin.slack_user_id]).toEqual([undefined, undefined]);
      const meta = answers[0]!.json.pagination_meta;
      expect(meta.after_url).toBe(
        `${sandbox.url}/v2/schedule_entries?schedule_id=${ONCALL_IDS.allHandsSchedule}&entry_window_start=${encodeURIComponent(meta.after)}` +
          `&entry_window_end=${encodeURIComponent(new Date(now + 1000).toISOString())}`,
      );
    });

    it('points after_url where it is told, and with the endless bug never stops giving cursors', async () => {
      sandbox.state.scheduleEntriesAfterUrlBase = 'https://trap.example';
      const now = Date.now();
      const first = await entries(ONCALL_IDS.allHandsSchedule, now, now + 1000);
      expect(first.json.pagination_meta.after_url).toMatch(/^https:\/\/trap\.example\/v2\/schedule_entries\?/);
      sandbox.state.scheduleEntriesBug = 'endless';
      const { answers } = await pages(ONCALL_IDS.allHandsSchedule, now, now + 1000);
      expect(answers).toHaveLength(10);
      expect(answers.at(-1)!.json.schedule_entries.final).toEqual([]);
    });

    it('refuses a missing or unknown schedule, a bad window, and a cursor of another schedule', async () => {
      const now = Date.now();
      expect(error(await call('GET', '/v2/schedule_entries'))).toMatchObject({ code: 'is_required', source: { field: 'schedule_id' } });
      expect((await entries('01NOPE', now, now + 1000)).status).toBe(404);
      expect((await entries(ONCALL_IDS.platformSchedule, now, now - 1000)).status).toBe(422);
      expect((await entries(ONCALL_IDS.platformSchedule, now, now + 1000, 'yesterday')).status).toBe(422);
      const cursor = (await entries(ONCALL_IDS.allHandsSchedule, now, now + 1000)).json.pagination_meta.after;
      expect(error(await entries(ONCALL_IDS.platformSchedule, now, now + 1000, cursor))).toMatchObject({
        source: { field: 'entry_window_start' },
      });
    });
  });
});

describe('users on the schedules', () => {
  it('finds them by email, and the email filter survives a user without one', async () => {
    const olivia = await call('GET', '/v2/users?email=OLIVIA@example.com');
    expect(olivia.json.users).toEqual([expect.objectContaining({ id: ONCALL_IDS.olivia, email: 'olivia@example.com' })]);
    const dana = await call('GET', '/v2/users?slack_user_id=U0DANA');
    expect(dana.json.users).toEqual([{ id: ONCALL_IDS.dana, name: 'Dana Noemail', role: 'responder', slack_user_id: 'U0DANA' }]);
    expect((await call('GET', `/v2/users/${ONCALL_IDS.erin}`)).json.user.email).toBe('erin@example.com');
  });
});

describe('alert attributes', () => {
  it('lists a catalog-typed Service, whose values are Service catalog entries found by name, external ID or alias', async () => {
    const answer = await call('GET', '/v2/alert_attributes');
    expectShape('GET /v2/alert_attributes', answer);
    const service = answer.json.alert_attributes.find((a: Json) => a.name === 'Service');
    expect(service).toMatchObject({ id: ONCALL_IDS.serviceAttribute, array: false });
    const typeId = /^CatalogEntry\["(.+)"\]$/.exec(service.type)![1];
    for (const identifier of ['Checkout', 'checkout', 'co']) {
      const entries = await call('GET', `/v3/catalog_entries?catalog_type_id=${typeId}&identifier=${identifier}&page_size=25`);
      expect(names(entries.json.catalog_entries)).toEqual(['Checkout']);
    }
    expect(answer.json.alert_attributes.map((a: Json) => [a.name, a.type, a.array])).toEqual([
      ['Service', service.type, false],
      ['Environment', 'String', false],
      ['Team', 'String', true],
    ]);
  });
});

describe('maintenance windows', () => {
  const CHECKOUT = '01ENTRYCHECKOUT00000000000';
  const PAYMENTS = '01ENTRYPAYMENTS00000000000';
  const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
  const holdServices = (...entries: string[]) => [
    {
      conditions: [
        {
          subject: `alert.attributes.${ONCALL_IDS.serviceAttribute}`,
          operation: 'one_of',
          param_bindings: [{ array_value: entries.map((literal) => ({ literal })) }],
        },
      ],
    },
  ];
  const windowBody = (extra: Record<string, unknown> = {}) => ({
    name: 'Deploy acme/shop #42 [mw:abc123]',
    lead: { email: 'Alice@example.com' },
    start_at: minutes(-1),
    end_at: minutes(30),
    show_in_sidebar: true,
    alert_condition_groups: holdServices(CHECKOUT, PAYMENTS),
    reroute_on_end: true,
    ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}) => {
    const answer = await call('POST', '/v1/maintenance_windows', windowBody(extra));
    expect(answer.status).toBe(201);
    expectShape('POST /v1/maintenance_windows', answer);
    return answer.json.maintenance_window;
  };
  const list = async (query: string) => {
    const answer = await call('GET', `/v1/maintenance_windows?${query}`);
    expect(answer.status).toBe(200);
    expectShape('GET /v1/maintenance_windows', answer);
    return ids(answer.json.maintenance_windows);
  };

  it('creates a window and answers it in the read shapes, with labels, the lead as a user, defaults set', async () => {
    const window = await create();
    expect(window).toMatchObject({
      name: 'Deploy acme/shop #42 [mw:abc123]',
      lead: { user: { id: '01USERALICE000000000000000', email: 'alice@example.com' } },
      show_in_sidebar: true,
      reroute_on_end: true,
      resolve_on_end: false,
    });
    expect(window.alert_condition_groups).toEqual([
      {
        conditions: [
          {
            subject: { label: 'Alert → Service', reference: `alert.attributes.${ONCALL_IDS.serviceAttribute}` },
            operation: { label: 'is one of', value: 'one_of' },
            param_bindings: [
              {
                array_value: [
                  { label: 'Checkout', literal: CHECKOUT },
                  { label: 'Payments', literal: PAYMENTS },
                ],
              },
            ],
          },
        ],
      },
    ]);
    const shown = await call('GET', `/v1/maintenance_windows/${window.id}`);
    expectShape('GET /v1/maintenance_windows/{id}', shown);
    expect(shown.json.maintenance_window).toEqual(window);
    expect((await call('GET', '/v1/maintenance_windows/01NOPE')).status).toBe(404);
  });

  it('has no idempotency key: two POSTs make two windows', async () => {
    await create();
    await create();
    expect(sandbox.maintenanceWindows()).toHaveLength(2);
  });

  it('lists by one status, from the clock; a second status value is a 422', async () => {
    const active = await create();
    const upcoming = await create({ start_at: minutes(60), end_at: minutes(90) });
    const past = await create({ start_at: minutes(-90), end_at: minutes(-60) });
    expect(await list('status=active')).toEqual([active.id]);
    expect(await list('status=upcoming')).toEqual([upcoming.id]);
    expect(await list('status=past')).toEqual([past.id]);
    expect(await list('')).toEqual([past.id, upcoming.id, active.id]);
    expect(error(await call('GET', '/v1/maintenance_windows?status=active&status=upcoming'))).toMatchObject({
      source: { field: 'status' },
    });
    expect((await call('GET', '/v1/maintenance_windows?status=ended')).status).toBe(422);
    expect((await call('GET', '/v1/maintenance_windows?page_size=51')).status).toBe(422);
    const page = await call('GET', '/v1/maintenance_windows?page_size=2');
    expect(page.json.pagination_meta).toEqual({ page_size: 2, after: upcoming.id });
    expect(await list(`page_size=2&after=${upcoming.id}`)).toEqual([active.id]);
  });

  it('replaces the whole window on PUT: what the body leaves out is reset', async () => {
    const window = await create({ resolve_on_end: true, notification_message: 'Deploying checkout' });
    expect(window.notification_message).toBe('Deploying checkout');
    const body = windowBody({ end_at: minutes(5), reroute_on_end: undefined });
    const answer = await call('PUT', `/v1/maintenance_windows/${window.id}`, body);
    expect(answer.status).toBe(200);
    expectShape('PUT /v1/maintenance_windows/{id}', answer);
    expect(answer.json.maintenance_window).toMatchObject({
      id: window.id,
      created_at: window.created_at,
      end_at: new Date(body.end_at).toISOString(),
      reroute_on_end: false,
      resolve_on_end: false,
    });
    expect(answer.json.maintenance_window).not.toHaveProperty('notification_message');
    expect(sandbox.maintenanceWindows()[0]._bodies).toHaveLength(2);
  });

  it('refuses a PUT in the read shapes, or without a required field, changing nothing', async () => {
    const window = await create();
    const readShapes = { ...windowBody(), alert_condition_groups: window.alert_condition_groups };
    expect(error(await call('PUT', `/v1/maintenance_windows/${window.id}`, readShapes))).toMatchObject({
      source: { field: 'alert_condition_groups[0].conditions[0].subject' },
    });
    const noLead = await call('PUT', `/v1/maintenance_windows/${window.id}`, { ...windowBody(), lead: window.lead });
    expect(error(noLead)).toMatchObject({ source: { field: 'lead' } });
    for (const field of ['name', 'start_at', 'end_at', 'show_in_sidebar', 'alert_condition_groups']) {
      const answer = await call('PUT', `/v1/maintenance_windows/${window.id}`, { ...windowBody(), [field]: undefined });
      expect([field, answer.status, error(answer).source.field]).toEqual([field, 422, field]);
    }
    expect(sandbox.maintenanceWindows()[0]).toMatchObject({ end_at: window.end_at, updated_at: window.updated_at });
  });

  it('refuses catalog names where entry IDs belong, unknown subjects, operations and leads, and a window that ends first', async () => {
    const service = `alert.attributes.${ONCALL_IDS.serviceAttribute}`;
    const cases: [Record<string, unknown>, string][] = [
      [
        { alert_condition_groups: holdServices('checkout') },
        'alert_condition_groups[0].conditions[0].param_bindings[0].array_value[0].literal',
      ],
      [
        { alert_condition_groups: [{ conditions: [{ subject: 'alert.attributes.01NOPE', operation: 'one_of', param_bindings: [] }] }] },
        'alert_condition_groups[0].conditions[0].subject',
      ],
      [
        { alert_condition_groups: [{ conditions: [{ subject: service, operation: 'in', param_bindings: [] }] }] },
        'alert_condition_groups[0].conditions[0].operation',
      ],
      [
        { alert_condition_groups: [{ conditions: [{ subject: service, operation: 'one_of', param_bindings: [{}] }] }] },
        'alert_condition_groups[0].conditions[0].param_bindings[0]',
      ],
      [{ lead: { email: 'nobody@example.com' } }, 'lead.email'],
      [{ end_at: minutes(-5) }, 'end_at'],
      [{ start_at: 'now' }, 'start_at'],
      [{ incident_id: '1' }, 'incident_id'],
    ];
    for (const [extra, field] of cases) {
      const answer = await call('POST', '/v1/maintenance_windows', windowBody(extra));
      expect([answer.status, error(answer).source.field]).toEqual([422, field]);
    }
    expect(sandbox.maintenanceWindows()).toHaveLength(0);
  });

  it('takes plain string attributes and the alert title as subjects, and an incident by its full ID', async () => {
    const incident = await declare();
    const window = await create({
      incident_id: incident.id,
      alert_condition_groups: [
        {
          conditions: [
            {
              subject: `alert.attributes.${ONCALL_IDS.environmentAttribute}`,
              operation: 'is',
              param_bindings: [{ value: { literal: 'production' } }],
            },
            { subject: 'alert.title', operation: 'contains', param_bindings: [{ value: { literal: 'checkout' } }] },
          ],
        },
      ],
    });
    expect(window.incident_id).toBe(incident.id);
    expect(window.alert_condition_groups[0].conditions.map((c: Json) => c.param_bindings[0].value.label)).toEqual([
      'production',
      'checkout',
    ]);
  });

  it('refuses to DELETE an active window, and archives one that is not', async () => {
    const active = await create();
    const refused = await call('DELETE', `/v1/maintenance_windows/${active.id}`);
    expect(refused.status).toBe(422);
    expect(error(refused).message).toMatch(/active/);
    const upcoming = await create({ start_at: minutes(60), end_at: minutes(90) });
    const deleted = await call('DELETE', `/v1/maintenance_windows/${upcoming.id}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect(await list('status=upcoming')).toEqual([]);
    expect((await call('GET', `/v1/maintenance_windows/${upcoming.id}`)).status).toBe(404);
    expect(sandbox.maintenanceWindows().map((w) => w.archived_at === undefined)).toEqual([true, false]);
    expect(sandbox.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([422, 204]);
  });
});

describe('alerts and the incident behind one', () => {
  const send = (body: Record<string, unknown>) =>
    fetch(`${sandbox.url}/v2/alert_events/http/${sandbox.alertSourceId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.alertToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => expect(r.status).toBe(202));
  const alerts = async (query: string) => {
    const answer = await call('GET', `/v2/alerts?page_size=25&${query}`);
    expect(answer.status).toBe(200);
    expectShape('GET /v2/alerts', answer);
    return answer.json.alerts;
  };
  const incidentAlerts = async (alertId: string) => {
    const answer = await call('GET', `/v2/incident_alerts?alert_id=${alertId}&page_size=50`);
    expect(answer.status).toBe(200);
    expectShape('GET /v2/incident_alerts', answer);
    return answer.json.incident_alerts;
  };

  it('keeps one alert per firing deduplication key: a firing event updates it, a resolved one resolves it', async () => {
    await send({ title: 'Deploy failed', status: 'firing', deduplication_key: 'k1', source_url: 'https://ci.example/1' });
    await send({ title: 'Deploy failed again', status: 'firing', deduplication_key: 'k1' });
    let [alert] = await alerts('deduplication_key[is]=k1');
    expect(alert).toMatchObject({
      title: 'Deploy failed again',
      status: 'firing',
      deduplication_key: 'k1',
      alert_source_id: sandbox.alertSourceId,
      source_url: 'https://ci.example/1',
    });
    await send({ title: 'Deploy fixed', status: 'resolved', deduplication_key: 'k1' });
    [alert] = await alerts('deduplication_key[is]=k1');
    expect(alert.status).toBe('resolved');
    expect(alert.resolved_at).toEqual(expect.any(String));
    await send({ title: 'Deploy failed', status: 'firing', deduplication_key: 'k1' });
    const both = await alerts('deduplication_key[is]=k1');
    expect(both.map((a: Json) => a.status)).toEqual(['firing', 'resolved']);
    expect(await alerts('deduplication_key[is]=k1&status[one_of]=firing')).toHaveLength(1);
    expect(await alerts(`alert_source[not_in]=${sandbox.alertSourceId}`)).toEqual([]);
    expect(sandbox.alertRecords()).toHaveLength(2);
    expect(sandbox.alerts()).toHaveLength(4);
  });

  it('needs page_size (at most 50) on both lists, and refuses unknown filters', async () => {
    expect(error(await call('GET', '/v2/alerts'))).toMatchObject({ code: 'is_required', source: { field: 'page_size' } });
    expect((await call('GET', '/v2/alerts?page_size=51')).status).toBe(422);
    expect((await call('GET', '/v2/alerts?page_size=5&title[is]=x')).status).toBe(422);
    expect(error(await call('GET', '/v2/incident_alerts?alert_id=01A'))).toMatchObject({ source: { field: 'page_size' } });
    expect((await call('GET', '/v2/incident_alerts?alert_id=01A&page_size=51')).status).toBe(422);
  });

  it('with an alert route, opens an incident for a firing alert after the delay, created by the alert', async () => {
    sandbox.state.alertRoute = { incidentAfterMs: 300 };
    await send({ title: 'Checkout deploy failed', status: 'firing', deduplication_key: 'k-route' });
    const [alert] = await alerts('deduplication_key[is]=k-route');
    expect(await incidentAlerts(alert.id)).toEqual([]);
    expect(sandbox.incidents()).toHaveLength(0);
    await sleep(400);
    const [link] = await incidentAlerts(alert.id);
    expect(link).toMatchObject({
      alert: { id: alert.id, deduplication_key: 'k-route', status: 'firing' },
      incident: { reference: 'INC-1', name: 'Checkout deploy failed', status_category: 'active', external_id: 1 },
      alert_route_id: ONCALL_IDS.alertRoute,
    });
    expect(link.alert).not.toHaveProperty('attributes');
    const incident = await call('GET', `/v2/incidents/${link.incident.id}`);
    expectShape('GET /v2/incidents/{id}', incident);
    expect(incident.json.incident).toMatchObject({ creator: { alert: { id: alert.id, title: 'Checkout deploy failed' } } });
    expect(incident.json.incident.permalink).toEqual(expect.stringContaining('/incidents/1'));
    expect(sandbox.incidentAlerts()).toHaveLength(1);
  });

  it('waits 2 s by default, opens nothing for an alert resolved in the meantime, and can join an existing incident', async () => {
    sandbox.state.alertRoute = {};
    await send({ title: 'Slow route', status: 'firing', deduplication_key: 'k-default' });
    expect(sandbox.state.deferred.map((d) => d.at - Date.now())).toEqual([expect.any(Number)]);
    expect(sandbox.state.deferred[0]!.at - Date.now()).toBeGreaterThan(1500);
    sandbox.state.alertRoute = { incidentAfterMs: 100 };
    await send({ title: 'Flapping', status: 'firing', deduplication_key: 'k-flap' });
    await send({ title: 'Flapping', status: 'resolved', deduplication_key: 'k-flap' });
    await sleep(150);
    expect(sandbox.incidents()).toHaveLength(0);
    const existing = await declare();
    sandbox.state.alertRoute = { incidentAfterMs: 0, incidentId: existing.id };
    await send({ title: 'Grouped', status: 'firing', deduplication_key: 'k-group' });
    const [alert] = await alerts('deduplication_key[is]=k-group');
    expect((await incidentAlerts(alert.id)).map((l: Json) => l.incident.id)).toEqual([existing.id]);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it('opens nothing without an alert route', async () => {
    await send({ title: 'No route', status: 'firing', deduplication_key: 'k-none' });
    await sleep(50);
    expect([sandbox.incidentAlerts(), sandbox.state.deferred]).toEqual([[], []]);
  });
});

describe("an incident's Slack channel", () => {
  const show = async (id: string) => (await call('GET', `/v2/incidents/${id}`)).json.incident;

  it('by default has no channel ID, as before', async () => {
    const incident = await declare({ name: 'Checkout down' });
    expect(incident).toMatchObject({ slack_channel_id: '', slack_channel_name: 'inc-1-checkout-down', slack_team_id: 'T0SANDBOX' });
  });

  it('with slackChannelAfterMs 0, is in the create answer', async () => {
    sandbox.state.slackChannelAfterMs = 0;
    const incident = await declare({ name: 'Checkout down' });
    expect(incident).toMatchObject({ slack_channel_id: 'C0SANDBOX1', slack_channel_name: 'inc-1-checkout-down' });
    expect(specShapeErrors('GET /v2/incidents/{id}', 200, { incident: await show(incident.id) })).toEqual([]);
  });

  it('with slackChannelAfterMs N, appears only N ms after the create', async () => {
    sandbox.state.slackChannelAfterMs = 300;
    const incident = await declare({ name: 'Checkout down' });
    expect(incident.slack_channel_id).toBe('');
    expect(incident).not.toHaveProperty('slack_channel_name');
    expect((await show(incident.id)).slack_channel_id).toBe('');
    await sleep(350);
    expect(await show(incident.id)).toMatchObject({ slack_channel_id: 'C0SANDBOX1', slack_channel_name: 'inc-1-checkout-down' });
    expect(specShapeErrors('GET /v2/incidents/{id}', 200, { incident })).toEqual([]);
  });

  it('takes a hostile name from slackChannelName', async () => {
    sandbox.state.slackChannelAfterMs = 0;
    sandbox.state.slackChannelName = 'inc-1\n::set-output name=incident-id::forged';
    const incident = await declare();
    expect((await show(incident.id)).slack_channel_name).toBe('inc-1\n::set-output name=incident-id::forged');
  });
});

describe('faults on the new routes', () => {
  const ROUTES = [
    'GET /v2/escalation_paths',
    'POST /v2/escalations',
    'GET /v2/escalations',
    'POST /v2/escalations/:id/actions/cancel',
    'GET /v2/schedules',
    'GET /v2/schedule_entries',
    'GET /v1/maintenance_windows',
    'POST /v1/maintenance_windows',
    'GET /v1/maintenance_windows/:id',
    'PUT /v1/maintenance_windows/:id',
    'DELETE /v1/maintenance_windows/:id',
    'GET /v2/alert_attributes',
    'GET /v2/alerts',
    'GET /v2/incident_alerts',
  ];

  it('meets a status fault on every one', async () => {
    for (const route of ROUTES) {
      sandbox.fault(route, { type: 'status', status: 503 });
      const [method, template] = route.split(' ') as [string, string];
      const answer = await call(method, template.replace(':id', '01ANY'), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect([route, answer.status]).toEqual([route, 503]);
    }
  });

  it('pages exactly once when the answer to a create is lost and the client retries with its key', async () => {
    sandbox.fault('POST /v2/escalations', { type: 'reset', after: 'process' });
    const body = { idempotency_key: 'k-lost', title: 'Deploy failed', escalation_path_id: ONCALL_IDS.platformPath };
    await expect(call('POST', '/v2/escalations', body)).rejects.toThrow();
    expect(sandbox.escalations()).toHaveLength(1);
    const retry = await call('POST', '/v2/escalations', body);
    expect(retry.status).toBe(201);
    expect(retry.json.escalation.id).toBe(sandbox.escalations()[0].id);
    expect(sandbox.escalations()).toHaveLength(1);
  });

  it('makes the window when the answer to its create is lost, so a careful client finds it among the active ones', async () => {
    sandbox.fault('POST /v1/maintenance_windows', { type: 'reset', after: 'process' });
    const body = {
      name: 'Deploy [mw:lost]',
      lead: { id: ONCALL_IDS.olivia },
      start_at: new Date().toISOString(),
      end_at: new Date(Date.now() + 600_000).toISOString(),
      show_in_sidebar: true,
      alert_condition_groups: [],
    };
    await expect(call('POST', '/v1/maintenance_windows', body)).rejects.toThrow();
    const active = await call('GET', '/v1/maintenance_windows?status=active');
    expect(names(active.json.maintenance_windows)).toEqual(['Deploy [mw:lost]']);
  });

  it('truncates and slows the new answers after processing them', async () => {
    sandbox.fault('GET /v2/schedule_entries', { type: 'truncated' });
    const truncated = await call('GET', `/v2/schedule_entries?schedule_id=${ONCALL_IDS.platformSchedule}`);
    expect([truncated.status, truncated.json]).toEqual([200, undefined]);
    sandbox.fault('POST /v2/escalations/:id/actions/cancel', { type: 'slow', delayMs: 200 });
    const made = await call('POST', '/v2/escalations', { idempotency_key: 'k-slow', title: 't', user_ids: [ONCALL_IDS.olivia] });
    const started = Date.now();
    const cancelPromise = call('POST', `/v2/escalations/${made.json.escalation.id}/actions/cancel`);
    await sleep(50);
    expect(sandbox.escalations()[0].status).toBe('cancelled');
    expect((await cancelPromise).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('reset', () => {
  it('restores the new flags and forgets the new records', async () => {
    Object.assign(sandbox.state, {
      pageCap: 1,
      escalationsIgnoreFilters: true,
      scheduleEntriesPageSize: 1,
      scheduleEntriesBug: 'endless',
      scheduleEntriesAfterUrlBase: 'https://trap.example',
      alertRoute: { incidentAfterMs: 10_000 },
      slackChannelAfterMs: 10_000,
      slackChannelName: 'x',
    });
    await call('POST', '/v2/escalations', { idempotency_key: 'k', title: 't', user_ids: [ONCALL_IDS.olivia] });
    await declare();
    await fetch(`${sandbox.url}/v2/alert_events/http/${sandbox.alertSourceId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.alertToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't', status: 'firing', deduplication_key: 'k' }),
    });
    sandbox.state.schedules.pop();
    expect(sandbox.state.deferred).toHaveLength(2);
    sandbox.reset();
    expect(sandbox.state).toMatchObject({
      pageCap: null,
      escalationsIgnoreFilters: false,
      scheduleEntriesPageSize: 5,
      scheduleEntriesBug: null,
      scheduleEntriesAfterUrlBase: null,
      alertRoute: null,
      slackChannelAfterMs: null,
      slackChannelName: null,
      deferred: [],
    });
    expect(sandbox.state.schedules).toHaveLength(26);
    expect([sandbox.escalations(), sandbox.maintenanceWindows(), sandbox.alertRecords(), sandbox.incidentAlerts()]).toEqual([
      [],
      [],
      [],
      [],
    ]);
    expect(sandbox.state.escalationIdempotency.size).toBe(0);
  });
});
