/** Attachments on an incident that may have some already: nothing attached twice, however incident.io spells the URL back. */
import { attach, normaliseUrl } from '../src/incident-io/attachments.js';
import { json, scriptedFetch, testClient } from './helpers/fakes.js';

describe('normaliseUrl', () => {
  it('compares URLs without case in scheme and host, fragment or trailing slash', () => {
    expect(normaliseUrl('HTTPS://Runbooks.Example.com/checkout/#step-2')).toBe(normaliseUrl('https://runbooks.example.com/checkout'));
    expect(normaliseUrl('https://x.example.com/a/?b=1')).toBe(normaliseUrl('https://x.example.com/a?b=1'));
    expect(normaliseUrl('https://x.example.com/A')).not.toBe(normaliseUrl('https://x.example.com/a'));
  });
});

describe('attach, listing first', () => {
  const pull = { title: 'Pull request #7', url: 'https://github.com/acme/shop/pull/7', pullRequest: true };
  const runbook = { title: 'Runbook', url: 'https://runbooks.example.com/checkout' };

  it('skips a URL incident.io gives back only as external_id, or with a fragment', async () => {
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
    const outcome = await attach(testClient(fetch), '01INC', [pull, runbook], { listFirst: true });
    expect(outcome).toEqual({ made: [], skipped: [pull, runbook], warnings: [] });
    expect(fetch.calls).toHaveLength(1);
  });

  it('attaches what is not there yet, once each, however often the plans repeat it', async () => {
    const fetch = scriptedFetch([json(200, { incident_attachments: [] }), json(201, { incident_attachment: { id: 'a3' } })]);
    const outcome = await attach(testClient(fetch), '01INC', [runbook, { ...runbook, url: `${runbook.url}/` }], { listFirst: true });
    expect(outcome.made).toEqual([runbook]);
    expect(fetch.calls.map((c) => c.init.method)).toEqual(['GET', 'POST']);
  });
});
