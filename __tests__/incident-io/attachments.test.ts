/**
 * Attachments on an incident: nothing attached twice, however incident.io spells the URL back,
 * and however many jobs of one run attach at the same moment (the list after the write keeps the
 * first of each URL, and tells which job's run link came first).
 */
import { attach, normaliseUrl, type AttachmentPlan } from '../../src/incident-io/attachments.js';
import { json, scriptedFetch, testClient } from '../helpers/fakes.js';

const RUN = 'https://github.com/acme/shop/actions/runs/1001';
const run: AttachmentPlan = { title: 'GitHub Actions: Deploy #42', url: RUN };
const runbook: AttachmentPlan = { title: 'Runbook', url: 'https://runbooks.example.com/checkout' };
const pull: AttachmentPlan = { title: 'Pull request #7', url: 'https://github.com/acme/shop/pull/7', pullRequest: true };
const isRun = (url: string) => /\/actions\/runs\/\d+$/.test(url);
const item = (id: string, url: string) => ({ id, incident_id: '01INC', resource: { resource_type: 'arbitrary_url', permalink: url } });
const listed = (...items: unknown[]) => json(200, { incident_attachments: items });
const created = (id: string) => json(201, { incident_attachment: item(id, 'x') });
const deleted = () => new Response(null, { status: 204 });

describe('normaliseUrl', () => {
  it('compares URLs without case in scheme and host, or a trailing slash', () => {
    expect(normaliseUrl('HTTPS://Runbooks.Example.com/checkout/')).toBe(normaliseUrl('https://runbooks.example.com/checkout'));
    expect(normaliseUrl('https://x.example.com/a/?b=1')).toBe(normaliseUrl('https://x.example.com/a?b=1'));
    expect(normaliseUrl('https://x.example.com/A')).not.toBe(normaliseUrl('https://x.example.com/a'));
  });

  it('keeps the fragment: two sections of one page are two links', () => {
    expect(normaliseUrl('https://docs.example.com/runbook#database')).not.toBe(normaliseUrl('https://docs.example.com/runbook#cache'));
    expect(normaliseUrl('https://docs.example.com/runbook#database')).not.toBe(normaliseUrl('https://docs.example.com/runbook'));
    expect(normaliseUrl('https://Docs.example.com/runbook/#database')).toBe(normaliseUrl('https://docs.example.com/runbook#database'));
  });
});

describe('attach, listing first', () => {
  it('skips a URL incident.io gives back only as external_id, and one with the same fragment', async () => {
    const section = { title: 'Runbook', url: 'https://runbooks.example.com/checkout#top' };
    const fetch = scriptedFetch([
      json(200, {
        incident_attachments: [
          { id: 'a1', resource: { resource_type: 'github_pull_request', external_id: 'https://github.com/acme/shop/pull/7', title: 'PR' } },
          {
            id: 'a2',
            resource: { resource_type: 'arbitrary_url', permalink: 'https://runbooks.example.com/checkout#top', title: 'Runbook' },
          },
        ],
      }),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [pull, section], { listFirst: true });
    expect(outcome).toMatchObject({ made: [], skipped: [pull, section], warnings: [] });
    expect(fetch.calls).toHaveLength(1);
  });

  it('attaches a link whose fragment differs from the one already there', async () => {
    const section = { title: 'Runbook: cache', url: 'https://runbooks.example.com/checkout#cache' };
    const fetch = scriptedFetch([
      listed(item('a1', 'https://runbooks.example.com/checkout#database')),
      created('a2'),
      listed(item('a1', 'https://runbooks.example.com/checkout#database'), item('a2', section.url)),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [section], { listFirst: true });
    expect(outcome.made).toEqual([section]);
    expect(outcome.skipped).toEqual([]);
  });

  it('attaches what is not there yet, once each, and says which plans it merged', async () => {
    const again = { title: 'Runbook (again)', url: `${runbook.url}/` };
    const fetch = scriptedFetch([listed(), created('a3'), listed(item('a3', runbook.url))]);
    const outcome = await attach(testClient(fetch), '01INC', [runbook, again], { listFirst: true });
    expect(outcome.made).toEqual([runbook]);
    expect(outcome.merged).toEqual([{ dropped: again, kept: runbook }]);
    expect(fetch.calls.map((c) => c.init.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('keeps two links that differ only by their fragment, both attached', async () => {
    const database = { title: 'Runbook: database', url: 'https://runbooks.example.com/checkout#database' };
    const cache = { title: 'Runbook: cache', url: 'https://runbooks.example.com/checkout#cache' };
    const fetch = scriptedFetch([created('a1'), created('a2'), listed(item('a1', database.url), item('a2', cache.url))]);
    const outcome = await attach(testClient(fetch), '01INC', [database, cache], { listFirst: false });
    expect(outcome.made).toEqual([database, cache]);
    expect(outcome.merged).toEqual([]);
  });
});

describe('attach to a new incident, with a claim', () => {
  it("wins when this step's run link is the first on the incident", async () => {
    const fetch = scriptedFetch([created('01B'), listed(item('01B', RUN))]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'won', made: [run], removed: [] });
  });

  it("loses when another job's run link came first, and removes its own copies, not the first ones", async () => {
    const fetch = scriptedFetch([
      created('01C'),
      created('01D'),
      listed(item('01A', RUN), item('01B', runbook.url), item('01C', RUN), item('01D', runbook.url)),
      deleted(),
      deleted(),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run, runbook], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'lost', made: [], removed: [run, runbook], warnings: [] });
    const deletes = fetch.calls.filter((c) => c.init.method === 'DELETE').map((c) => new URL(c.url).pathname);
    expect(deletes.sort()).toEqual(['/v1/incident_attachments/01C', '/v1/incident_attachments/01D']);
  });

  it('wins, and removes its own later copy of a link the other job attached first', async () => {
    const fetch = scriptedFetch([
      created('01A'),
      created('01D'),
      listed(item('01A', RUN), item('01B', runbook.url), item('01C', RUN), item('01D', runbook.url)),
      deleted(),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run, runbook], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'won', made: [run], removed: [runbook] });
    expect(fetch.calls.at(-1)?.url).toMatch(/\/v1\/incident_attachments\/01D$/);
  });

  it('compares IDs as ULIDs: a shorter ID is older, else the lexically smaller', async () => {
    const fetch = scriptedFetch([created('01ZZ'), listed(item('01ZZ', RUN), item('01ZZZ', RUN))]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome.claim).toBe('won');
  });

  it('loses when its own run link could not be attached but another job’s is there', async () => {
    const fetch = scriptedFetch([
      json(422, { type: 'validation_error', errors: [{ message: 'nope' }] }),
      listed(item('01A', 'https://github.com/acme/shop/actions/runs/1001')),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome.claim).toBe('lost');
    expect(outcome.warnings).toEqual([expect.stringMatching(/could not attach a link/)]);
  });

  it('cannot tell without the attachments scope, says so once, and lists nothing', async () => {
    const fetch = scriptedFetch([
      json(403, { type: 'forbidden', errors: [{ message: 'The API key lacks the attachments.create scope' }] }),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome.claim).toBe('unknown');
    expect(outcome.warnings).toEqual([expect.stringMatching(/the scope "attachments\.create"/)]);
    expect(fetch.calls).toHaveLength(1);
  });

  it('cannot tell when the list after the write is refused, and warns naming the scope', async () => {
    const fetch = scriptedFetch([created('01B'), json(403, { type: 'forbidden', errors: [{ message: 'no' }] })]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'unknown', made: [run] });
    expect(outcome.warnings).toEqual([expect.stringMatching(/list the attachments after adding them.*the scope "attachments\.view"/)]);
  });

  it('warns, naming attachments.destroy, when its later copy cannot be removed; the claim still stands', async () => {
    const fetch = scriptedFetch([
      created('01C'),
      listed(item('01A', RUN), item('01C', RUN)),
      json(403, { type: 'forbidden', errors: [{ message: 'The API key lacks the attachments.destroy scope' }] }),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'lost', made: [run], removed: [] });
    expect(outcome.warnings).toEqual([expect.stringMatching(/attached twice\. .*give it the scope "attachments\.destroy"/)]);
  });

  it('counts a copy already removed (404) as removed', async () => {
    const fetch = scriptedFetch([
      created('01C'),
      listed(item('01A', RUN), item('01C', RUN)),
      json(404, { type: 'not_found', errors: [{ message: 'gone' }] }),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'lost', removed: [run], warnings: [] });
  });

  it.each([
    ['a list that is an object', { incident_attachments: { a: item('01A', RUN) } }],
    ['no list', {}],
    ['null', null],
    ['a list', [item('01A', RUN)]],
  ])('cannot tell from an answer that is %s, and warns instead of failing', async (_what, body) => {
    const fetch = scriptedFetch([created('01B'), json(200, body)]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    expect(outcome).toMatchObject({ claim: 'unknown', made: [run] });
    expect(outcome.warnings).toEqual([expect.stringMatching(/GET \/v1\/incident_attachments answered with a list the action cannot read/)]);
  });

  it('reads past items of the wrong shape, and a create answer without an ID', async () => {
    const fetch = scriptedFetch([
      json(201, { incident_attachment: { id: 7 } }),
      listed(null, { id: 3, resource: {} }, { id: '01A', resource: { permalink: 42 } }, item('01B', RUN)),
    ]);
    const outcome = await attach(testClient(fetch), '01INC', [run], { listFirst: false, claims: isRun });
    // Its own ID unknown, this step cannot tell whether the first run link is its own.
    expect(outcome).toMatchObject({ claim: 'unknown', made: [run], removed: [] });
  });
});
