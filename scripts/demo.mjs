/**
 * `npm run demo`: starts the local incident.io sandbox on a free loopback port and runs the
 * bundled action against it the way the runner would, then re-runs the same workflow run to
 * show that the second attempt finds the incident instead of opening another. It prints the
 * inputs, the log as the runner shows it (workflow commands rendered, not raw), the request the
 * action sent, and what the workflow sees: the outputs and the job summary. The step it prints is
 * one a user can paste (scripts/demo-step.mjs); what only the sandbox needs is shown apart.
 */
import { startSandbox } from '../sandbox/server.mjs';
import { DEMO_INPUTS, workflowStep } from './demo-step.mjs';
import { runAction } from './run-action.mjs';

const started = performance.now();
const sandbox = await startSandbox();
const rule = (title) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);
const indent = (text, prefix = '  ') => text.replace(/^/gm, prefix);

/** The log as the runner shows it: add-mask lines counted, annotations labelled, nothing raw. */
function runnerView(stdout) {
  let masked = 0;
  const lines = [];
  for (const line of stdout.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('::add-mask::')) {
      masked += 1;
      continue;
    }
    const command = /^::(notice|warning|error|debug)(?: title=([^:]*))?::(.*)$/.exec(line);
    if (!command) lines.push(line);
    else {
      const [, level, title, text] = command;
      const decode = (s) => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
      lines.push(`[${level}${title ? `: ${decode(title)}` : ''}] ${decode(text)}`);
    }
  }
  if (masked > 0) lines.unshift(`(${masked} secret${masked === 1 ? '' : 's'} registered with the runner's log masking)`);
  return lines.join('\n');
}

try {
  console.log(`incident.io sandbox listening on ${sandbox.url}: no incident.io account needed.`);
  // What only the sandbox needs: its URL, and its stand-in for GitHub's API and token.
  const sandboxOnly = { 'api-url': sandbox.url, 'github-token': sandbox.githubToken };
  const inputs = { 'api-key': sandbox.apiKey, ...DEMO_INPUTS, ...sandboxOnly };
  const env = { GITHUB_API_URL: `${sandbox.url}/github` };

  rule('The step, as a workflow would write it');
  console.log(indent(workflowStep()));
  rule('The demo also passes, for the local sandbox only (leave these out)');
  console.log(`  api-url: ${sandbox.url}   (the sandbox; the default is https://api.incident.io)`);
  console.log("  github-token: the sandbox's token, with GITHUB_API_URL set to the sandbox   (on a runner the default is github.token)");

  for (const attempt of ['1', '2']) {
    if (attempt === '2') {
      // A re-run starts minutes later: move the sandbox's incident back in time to match.
      for (const incident of sandbox.incidents()) incident.created_at = new Date(Date.now() - 5 * 60_000).toISOString();
    }
    rule(`Workflow run 1001, attempt ${attempt}: the deploy failed, so the action runs`);
    const before = sandbox.requests.length;
    const result = await runAction(inputs, { env: { ...env, GITHUB_RUN_ATTEMPT: attempt } });
    console.log(indent(runnerView(result.stdout), '  │ '));
    if (result.stderr) console.log(indent(result.stderr, '  │ '));
    console.log(`  exit code ${result.code} in ${Math.round(result.ms)} ms`);
    if (attempt === '1') {
      const create = sandbox.requests.slice(before).find((r) => r.route === 'POST /v2/incidents');
      rule('The request it sent: POST /v2/incidents');
      console.log(indent(JSON.stringify(create?.body, null, 2)));
    }
    rule('What the workflow sees: outputs');
    for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name.padEnd(20)} ${value}`);
    if (attempt === '1') {
      rule('What the workflow sees: the job summary');
      console.log(indent(result.summary.trim()));
    }
    if (result.code !== 0) process.exitCode = 1;
  }

  rule('What the sandbox holds');
  const requests = sandbox.requests.map((r) => `${r.method} ${r.path}`);
  console.log(
    `  incidents:   ${sandbox
      .incidents()
      .map((i) => `${i.reference} "${i.name}"`)
      .join(', ')}`,
  );
  console.log(
    `  attachments: ${sandbox
      .attachments()
      .map((a) => a.resource.title)
      .join(', ')}`,
  );
  console.log(indent(`requests:\n${indent(requests.join('\n'))}`));
  if (sandbox.incidents().length !== 1) {
    console.error('  expected exactly one incident');
    process.exitCode = 1;
  }
  console.log(`\nThe demo took ${Math.round(performance.now() - started)} ms.`);
} finally {
  await sandbox.close();
}
