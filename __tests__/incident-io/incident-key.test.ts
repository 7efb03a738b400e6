/**
 * The incident-key search: bounded, honest about being cut short, never finding one incident
 * twice, and accepting only incidents that are provably the action's own for the key.
 */
import {
  declaredBy,
  findOpenByKey,
  keyMarker,
  MAX_LIST_PAGES,
  ownMarker,
  parseMarker,
  whyNotOurs,
} from '../../src/incident-io/incident-key.js';
import { json, scriptedFetch, testClient } from '../helpers/fakes.js';
import { keyScope, keyToken, runToken } from '../../src/github/keys.js';

const scope = { repository: 'acme/shop' };
const idem = 'github-actions/acme/shop/runs/8001';
const token = keyToken(scope, 'Deploy@main');
const marker = keyMarker(scope, 'Deploy@main', idem).source;
const apiKey = { api_key: { id: '01APIKEY', name: 'GitHub Actions' } };
const live = { id: '01LIVE', name: 'Investigating', category: 'live' };

const open = (id: string, created: string, summary = `Broken.\n\n${marker}`, extra: Record<string, unknown> = {}) => ({
  id,
  reference: `INC-${id}`,
  name: 'Deploy failed',
  summary,
  created_at: created,
  creator: apiKey,
  incident_status: live,
  mode: 'standard',
  ...extra,
});
const page = (incidents: unknown[], after?: string) => json(200, { incidents, pagination_meta: after ? { after } : {} });
const search = (fetch: ReturnType<typeof scriptedFetch>) =>
  findOpenByKey(testClient(fetch), { scope, key: 'Deploy@main', mode: 'standard' });

describe('findOpenByKey', () => {
  it("finds the key's open incidents across pages, newest first, and ignores the others", async () => {
    const fetch = scriptedFetch([
      page([open('1', '2026-11-26T10:00:00Z'), open('2', '2026-11-26T11:00:00Z', 'another key')], 'c1'),
      page([open('3', '2026-11-26T12:00:00Z')]),
    ]);
    const result = await search(fetch);
    expect(result.incidents.map((i) => i.id)).toEqual(['3', '1']);
    expect(result).toMatchObject({ complete: true, read: 3, rejected: [] });
  });

  it('stops when the cursor repeats, counting an incident seen twice once, and does not call that cut short', async () => {
    const fetch = scriptedFetch([page([open('1', '2026-11-26T10:00:00Z')], 'c1'), page([open('1', '2026-11-26T10:00:00Z')], 'c1')]);
    const result = await search(fetch);
    expect(fetch.calls).toHaveLength(2);
    expect(result.incidents.map((i) => i.id)).toEqual(['1']);
    expect(result.complete).toBe(true);
  });

  it('reads at most its page limit, and says the search was cut short', async () => {
    const fetch = scriptedFetch(
      Array.from({ length: MAX_LIST_PAGES + 2 }, (_, i) => page([open(`${i}`, '2026-11-26T10:00:00Z', 'x')], `c${i}`)),
    );
    const result = await search(fetch);
    expect(fetch.calls).toHaveLength(MAX_LIST_PAGES);
    expect(result).toMatchObject({ complete: false, incidents: [] });
  });

  it('leaves alone, and names with the reason, every incident that mentions the token but is not provably ours', async () => {
    const quoted = `We saw this before: ${marker}\n\nChecking the deploy now.`;
    const fetch = scriptedFetch([
      page([
        open('1', '2026-11-26T10:00:00Z', quoted),
        open('2', '2026-11-26T10:00:00Z', undefined, { creator: { user: { id: 'U', name: 'Bob' } } }),
        open('3', '2026-11-26T10:00:00Z', undefined, { creator: { workflow: { id: 'W', name: 'Escalate' } } }),
        open('4', '2026-11-26T10:00:00Z', undefined, { creator: undefined }),
        // The server ignored the filters: one is closed, one is a test incident.
        open('5', '2026-11-26T10:00:00Z', undefined, { incident_status: { id: 'C', name: 'Closed', category: 'closed' } }),
        open('6', '2026-11-26T10:00:00Z', undefined, { mode: 'test' }),
        open('7', '2026-11-26T10:00:00Z', undefined, { incident_status: { id: 'X', name: 'Odd' } }),
        open('8', '2026-11-26T11:00:00Z'),
      ]),
    ]);
    const result = await search(fetch);
    expect(result.incidents.map((i) => i.id)).toEqual(['8']);
    expect(Object.fromEntries(result.rejected.map((r) => [r.name, r.reason]))).toEqual({
      'INC-1': "its summary quotes this key's marker, but its last line is not the marker",
      'INC-2': 'a person created it, not the action (incident.io names no API key as its creator)',
      'INC-3': 'an incident.io workflow created it, not the action (incident.io names no API key as its creator)',
      'INC-4': 'someone incident.io does not name created it, not the action (incident.io names no API key as its creator)',
      'INC-5': 'it is no longer open (status "Closed" in category "closed")',
      'INC-6': 'it is a test incident, not standard',
      'INC-7': 'incident.io does not say whether it is open',
    });
  });

  it("scopes a fork's key apart from the repository's own, and keeps the repository's own tokens as they were", () => {
    // Pinned: incidents declared before this change are still found.
    expect(keyToken({ repository: 'acme/shop' }, 'Deploy@main')).toBe('iokey-9b7556a9474d94f3a7629c62');
    const fork = keyToken({ repository: 'acme/shop', fork: 'mallory/shop' }, 'Deploy@main');
    expect(fork).toMatch(/^iokey-[0-9a-f]{24}$/);
    expect(fork).not.toBe(token);
    expect(keyToken({ repository: 'acme/shop', fork: 'Mallory/Shop' }, 'Deploy@main')).toBe(fork);
    expect(keyScope({ repository: 'acme/shop' })).toEqual({ repository: 'acme/shop' });
    expect(keyScope({ repository: 'acme/shop', fork: { repository: 'mallory/shop' } })).toEqual({
      repository: 'acme/shop',
      fork: 'mallory/shop',
    });
    expect(keyMarker({ repository: 'acme/shop', fork: 'mallory/shop' }, 'Deploy@main', idem).source).toContain(
      'of the fork `mallory/shop`',
    );
  });
});

describe('the marker line', () => {
  it('reads the tokens of the line the action writes, and nothing else', () => {
    expect(parseMarker(marker)).toEqual({ key: token, run: runToken(idem) });
    expect(ownMarker(`Summary.\n\n${marker}\n\n  \n`)?.marker.key).toBe(token);
    expect(ownMarker(`${marker}\n\nA note a responder added below it.`)).toBeUndefined();
    expect(ownMarker(undefined)).toBeUndefined();
  });

  it('survives incident.io re-writing the Markdown: other emphasis, escapes, entities, HTML emphasis, CRLF', () => {
    const [, key, run] = /(iokey-[0-9a-f]+) · (iorun-[0-9a-f]+)/.exec(marker)!;
    const tail = 'the incident.io GitHub Action finds this open incident by this line, so keep it when you edit the summary';
    const forms = [
      `*Incident key \`Deploy@main\` · ${key} · ${run}: ${tail}.*`,
      `\\_Incident key \\\`Deploy@main\\\` · ${key} · ${run}: ${tail}.\\_`,
      `_Incident key Deploy@main &middot; ${key} &middot; ${run}: ${tail}._`,
      `<em>Incident key <code>Deploy@main</code> · ${key} · ${run}: ${tail}.</em>`,
      `Incident   key 'Deploy@main' - ${key} - ${run} - ${tail}`,
    ];
    for (const form of forms) expect(ownMarker(`Summary.\r\n\r\n${form}\r\n`)?.marker).toEqual({ key: token, run: runToken(idem) });
  });

  it('does not count the marker quoted, listed, or cut short', () => {
    for (const line of [`> ${marker}`, `- ${marker}`, `# ${marker}`, marker.replace(/, so keep it.*$/, '')]) {
      expect(parseMarker(line)).toBeUndefined();
    }
  });

  it("takes the key token in its place, after the key: a key that holds another key's token cannot stand in for it", () => {
    const hostile = keyMarker(scope, `x ${token} · iorun-000000000000 y`, idem).source;
    expect(hostile).toContain(token);
    expect(parseMarker(hostile)?.key).toBe(keyToken(scope, `x ${token} · iorun-000000000000 y`));
  });

  it('knows the run that declared the incident', () => {
    const incident = { id: '1', reference: 'INC-1', name: 'x', summary: `Broken.\n\n${marker}` };
    expect(declaredBy(incident, idem)).toBe(true);
    expect(declaredBy(incident, 'github-actions/acme/shop/runs/8002')).toBe(false);
    // The declaring run's token quoted above another key's marker does not make it this run's.
    const other = keyMarker(scope, 'Deploy@release', 'github-actions/acme/shop/runs/9').source;
    expect(declaredBy({ ...incident, summary: `${marker}\n\n${other}` }, idem)).toBe(false);
  });

  it('whyNotOurs accepts our own open incident', () => {
    expect(whyNotOurs(open('1', '2026-11-26T10:00:00Z'), token, 'standard')).toBeUndefined();
    const otherKey = keyMarker(scope, 'Deploy@release', idem).source;
    expect(whyNotOurs(open('1', '2026-11-26T10:00:00Z', `${marker}\n\n${otherKey}`), token, 'standard')).toBe(
      "its summary quotes this key's marker, but its last line is the marker of another key",
    );
  });
});
