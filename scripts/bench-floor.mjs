/**
 * The benchmark's floor: a bare Node script making the two requests a minimal create needs,
 * `GET /v1/severities` then `POST /v2/incidents`, with the same inputs the action gets.
 * No validation, no retries, no outputs: the least any implementation could do.
 */
const base = process.env['INPUT_API-URL'];
const headers = { Authorization: `Bearer ${process.env['INPUT_API-KEY']}`, 'Content-Type': 'application/json' };
const wanted = process.env.INPUT_SEVERITY.toLowerCase();

const { severities } = await (await fetch(`${base}/v1/severities`, { headers })).json();
const severity = severities.find((s) => s.name.toLowerCase() === wanted);
const response = await fetch(`${base}/v2/incidents`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    idempotency_key: `floor/${process.env.GITHUB_RUN_ID}`,
    severity_id: severity.id,
    visibility: 'public',
    name: 'Bench floor',
    summary: 'Bench floor',
    mode: 'standard',
  }),
});
const { incident } = await response.json();
if (!incident?.id) process.exit(1);
