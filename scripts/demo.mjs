/**
 * `npm run demo`: starts the local incident.io sandbox on a free loopback port and runs the
 * bundled action against it the way the runner would, then re-runs the same workflow run to
 * show that the second attempt finds the incident instead of opening another.
 */
import { startSandbox } from '../sandbox/server.mjs';
import { runAction } from './run-action.mjs';

const sandbox = await startSandbox();
const rule = (title) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

try {
  console.log(`incident.io sandbox listening on ${sandbox.url}`);
  const inputs = {
    'api-key': sandbox.apiKey,
    'api-url': sandbox.url,
    severity: 'major',
    summary: 'The production deploy of `shop` failed; checkout may be serving errors.',
    'custom-fields': 'Affected service: checkout\nTeams: [Platform, Payments]',
    roles: 'Incident Lead: alice@example.com',
    // The sandbox also serves GitHub's jobs API, so the incident can say what failed.
    'github-token': sandbox.githubToken,
  };
  const env = { GITHUB_API_URL: `${sandbox.url}/github` };

  for (const attempt of ['1', '2']) {
    if (attempt === '2') {
      // A re-run starts minutes later: move the sandbox's incident back in time to match.
      for (const incident of sandbox.incidents()) incident.created_at = new Date(Date.now() - 5 * 60_000).toISOString();
    }
    rule(`Workflow run 1001, attempt ${attempt}: the deploy failed, so the action runs`);
    const result = await runAction(inputs, { env: { ...env, GITHUB_RUN_ATTEMPT: attempt } });
    process.stdout.write(result.stdout.replace(/^/gm, '  │ '));
    if (result.stderr) process.stdout.write(result.stderr.replace(/^/gm, '  │ '));
    console.log(`  exit code ${result.code} in ${Math.round(result.ms)} ms`);
    rule('Outputs');
    for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name.padEnd(20)} ${value}`);
    rule('Job summary');
    console.log(result.summary.trim().replace(/^/gm, '  '));
    if (result.code !== 0) process.exitCode = 1;
  }

  rule('The incident text in incident.io');
  console.log(sandbox.incidents()[0]?.summary.replace(/^/gm, '  '));

  rule('What the sandbox holds');
  const requests = sandbox.requests.map((r) => `${r.method} ${r.path}`);
  console.log(
    `  incidents: ${sandbox
      .incidents()
      .map((i) => `${i.reference} "${i.name}"`)
      .join(', ')}`,
  );
  console.log(`  requests:  ${requests.join(', ')}`);
  if (sandbox.incidents().length !== 1) {
    console.error('  expected exactly one incident');
    process.exitCode = 1;
  }
} finally {
  await sandbox.close();
}
