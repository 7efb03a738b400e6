/** The incident-key search: bounded, honest about being cut short, and never finding one incident twice. */
import { findOpenByKey, keyToken, MAX_LIST_PAGES } from '../src/incident-io/tracking.js';
import { json, scriptedFetch, testClient } from './helpers/fakes.js';

const token = keyToken('acme/shop', 'Deploy@main');
const open = (id: string, created: string, summary = `Broken.\n\nIncident key \`Deploy@main\` · ${token}`) => ({
  id,
  reference: `INC-${id}`,
  name: 'Deploy failed',
  summary,
  created_at: created,
});
const page = (incidents: unknown[], after?: string) => json(200, { incidents, pagination_meta: after ? { after } : {} });
const search = (fetch: ReturnType<typeof scriptedFetch>) =>
  findOpenByKey(testClient(fetch), { repository: 'acme/shop', key: 'Deploy@main', mode: 'standard' });

describe('findOpenByKey', () => {
  it("finds the key's open incidents across pages, newest first, and ignores the others", async () => {
    const fetch = scriptedFetch([
      page([open('1', '2026-11-26T10:00:00Z'), open('2', '2026-11-26T11:00:00Z', 'another key')], 'c1'),
      page([open('3', '2026-11-26T12:00:00Z')]),
    ]);
    const result = await search(fetch);
    expect(result.incidents.map((i) => i.id)).toEqual(['3', '1']);
    expect(result).toMatchObject({ complete: true, read: 3 });
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
});
