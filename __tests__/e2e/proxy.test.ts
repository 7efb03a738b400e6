/**
 * End-to-end through a proxy: the bundle (built from src/ by the global setup) runs as a child
 * process with HTTPS_PROXY / HTTP_PROXY / NO_PROXY set, as on a self-hosted runner behind a
 * corporate proxy.
 *
 * The design: incident.io is `https://api.incident.test` and GitHub `http://github.test:<port>`,
 * names that resolve nowhere, so a run that reaches them can only have gone through the test
 * proxy (helpers/proxy.ts), which counts every request. The proxy tunnels CONNECT for
 * api.incident.test:443 to a TLS front with a self-signed certificate (trusted through
 * NODE_EXTRA_CA_CERTS, as a runner behind a TLS-inspecting proxy would be) that decrypts into the
 * plain-http sandbox, and forwards plain proxy requests for github.test to the sandbox's /github
 * routes. So both paths a real proxy sees are exercised: CONNECT for https, forwarding for http.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleDir, runAction } from '../../scripts/run-action.mjs';
import { ENRICHMENT_BUDGET_MS } from '../../src/core/time.js';
import {
  deadPort,
  selfSignedCertificate,
  startProxy,
  startTlsFront,
  type Certificate,
  type ProxyBehaviour,
  type TestProxy,
} from '../helpers/proxy.js';
import { leakedFragments } from '../helpers/leaks.js';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const API = 'api.incident.test';

let certificate: Certificate;
let front: Awaited<ReturnType<typeof startTlsFront>>;
let proxy: TestProxy;
let sandboxPort: number;

const routes = (host: string) =>
  host === API ? { host: '127.0.0.1', port: front.port } : host === 'github.test' ? { host: '127.0.0.1', port: sandboxPort } : undefined;

beforeAll(async () => {
  sandboxPort = Number(new URL(sandbox.url).port);
  certificate = selfSignedCertificate(API);
  front = await startTlsFront(certificate, sandboxPort);
  proxy = await startProxy({ routes });
});
afterAll(async () => {
  await proxy?.close();
  await front?.close();
  certificate?.remove();
});
beforeEach(() => {
  proxy.requests.length = 0;
});

const inputs = (extra: Record<string, string> = {}) => ({
  'api-key': sandbox.apiKey,
  'api-url': `https://${API}`,
  severity: 'Major',
  ...extra,
});
const githubUrl = () => `http://github.test:${sandboxPort}/github`;
const trustTestCertificate = () => ({ NODE_EXTRA_CA_CERTS: certificate.certFile });
/** Short enough that a run that cannot reach anything gives up in a few seconds. */
const SHORT = { INCIDENT_IO_DEADLINE_MS: '4000', INCIDENT_IO_TIMEOUT_MS: '3000' };

describe('the bundle behind a proxy', () => {
  it('sends incident.io requests through a CONNECT tunnel and GitHub requests as proxy requests', async () => {
    const result = await runAction(inputs({ 'github-token': sandbox.githubToken }), {
      // Lower case for one and upper case for the other: both spellings are honoured.
      env: { https_proxy: proxy.url, HTTP_PROXY: proxy.url, GITHUB_API_URL: githubUrl(), ...trustTestCertificate() },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.outputs.created).toBe('true');
    // The jobs listing came back through the proxy: the incident names the failed job.
    expect(sandbox.incidents()[0].summary).toContain('**What failed**');

    expect(new Set(sandbox.requests.map((r) => r.route))).toEqual(
      new Set([
        'GET /v1/severities',
        'GET /v2/incident_timestamps',
        'POST /v2/incidents',
        'POST /v1/incident_attachments',
        'GET /v1/incident_attachments',
        'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs',
        'GET /github/repos/:owner/:repo/check-runs/:id/annotations',
        'GET /github/repos/:owner/:repo/commits/:sha/pulls',
      ]),
    );
    const connects = proxy.requests.filter((r) => r.method === 'CONNECT');
    expect(connects.length).toBeGreaterThanOrEqual(1);
    expect(new Set(connects.map((r) => r.target))).toEqual(new Set([`${API}:443`]));
    // Every GitHub call (jobs, their annotations, the commit's pull requests) went as a proxy request.
    expect(
      proxy.requests
        .filter((r) => r.method === 'GET')
        .map((r) => new URL(r.target).pathname)
        .sort(),
    ).toEqual(
      [
        '/github/repos/acme/shop/actions/runs/1001/attempts/1/jobs',
        '/github/repos/acme/shop/check-runs/5002/annotations',
        '/github/repos/acme/shop/commits/4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a/pulls',
      ].sort(),
    );
    // incident.io saw the request as sent, authenticated, over the tunnel.
    expect(sandbox.requests.find((r) => r.route === 'POST /v2/incidents')!.headers['authorization']).toBe(`Bearer ${sandbox.apiKey}`);
  });

  it('sends the credentials in the proxy URL to the proxy, and never prints them', async () => {
    const password = 'p@ss w0rd:proxy-secret';
    const authProxy = await startProxy({ routes, credentials: `build-bot:${password}` });
    const withCredentials = authProxy.url.replace('//', `//build-bot:${encodeURIComponent(password)}@`);
    try {
      // In the same run, GitHub on loopback goes direct: one process, both paths.
      const result = await runAction(inputs({ 'github-token': sandbox.githubToken }), {
        env: {
          HTTPS_PROXY: withCredentials,
          HTTP_PROXY: withCredentials,
          GITHUB_API_URL: `http://localhost:${sandboxPort}/github`,
          ...trustTestCertificate(),
        },
      });
      expect(result.code).toBe(0);
      expect(sandbox.incidents()).toHaveLength(1);
      expect(sandbox.incidents()[0].summary).toContain('**What failed**');
      expect(authProxy.requests.length).toBeGreaterThanOrEqual(1);
      expect(authProxy.requests.every((r) => r.method === 'CONNECT' && r.authorized)).toBe(true);
      expect(result.stdout).toContain(`::add-mask::${password}`);
      const printed = [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs)].join('\n');
      expect(leakedFragments(printed, [password, encodeURIComponent(password)])).toEqual([]);
    } finally {
      await authProxy.close();
    }
  });

  it('says the proxy asked for credentials when it refuses the ones given', async () => {
    const authProxy = await startProxy({ routes, credentials: 'build-bot:right-password' });
    try {
      const result = await runAction(inputs(), {
        env: { HTTPS_PROXY: authProxy.url.replace('//', '//build-bot:wrong-password@'), ...SHORT, ...trustTestCertificate() },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /::error::incident\.io GET \/v1\/severities could not reach api\.incident\.test through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+ \(the proxy asked for credentials: 407\)\./,
      );
      expect(authProxy.requests.length).toBeGreaterThanOrEqual(1);
      expect(authProxy.requests.some((r) => r.authorized)).toBe(false);
    } finally {
      await authProxy.close();
    }
  });

  it('goes direct for a host in NO_PROXY, and then names the host it could not reach', async () => {
    const result = await runAction(inputs(), {
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: ' localhost, EXAMPLE.com,,.incident.test ', ...SHORT, ...trustTestCertificate() },
    });
    expect(proxy.requests).toEqual([]);
    expect(result.code).toBe(1);
    // api.incident.test resolves nowhere: going direct can only fail, and the message says where it went.
    expect(result.stdout).toMatch(
      /::error::incident\.io GET \/v1\/severities could not reach api\.incident\.test \((ENOTFOUND|EAI_AGAIN)\)\./,
    );
    expect(result.stdout).not.toMatch(/through the proxy/);
  });

  it('never sends loopback requests to the proxy, even a dead one', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const result = await runAction(
      { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major', 'github-token': sandbox.githubToken },
      { env: { HTTPS_PROXY: dead, HTTP_PROXY: dead, GITHUB_API_URL: `http://localhost:${sandboxPort}/github` } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.incidents()[0].summary).toContain('**What failed**');
  });

  it('says that it failed through the proxy, with the credentials redacted, when the proxy is down', async () => {
    const port = await deadPort();
    const result = await runAction(inputs(), {
      env: { HTTPS_PROXY: `http://alice:dead-proxy-secret-0123@127.0.0.1:${port}`, ...SHORT },
    });
    expect(result.code).toBe(1);
    const through = `could not reach api.incident.test through the proxy http://***@127.0.0.1:${port} (ECONNREFUSED)`;
    expect(result.stdout).toContain(`incident.io GET /v1/severities ${through}; retrying in`);
    expect(result.stdout).toContain(`::error::incident.io GET /v1/severities ${through}. Gave up after`);
    expect(leakedFragments(result.stdout + result.stderr + result.summary, ['dead-proxy-secret-0123'])).toEqual([]);
    expect(result.stdout).toContain('::add-mask::dead-proxy-secret-0123');
    expect(result.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('alice');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a malformed proxy variable by name before sending anything, without echoing its credentials', async () => {
    const result = await runAction(
      { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' },
      { env: { HTTPS_PROXY: 'http://bob:hunter2-proxy-secret@proxy.example.com:31 28' } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '::error::The proxy variable HTTPS_PROXY is "http://***@proxy.example.com:31 28", which is not a URL. Set it to the proxy\'s URL',
    );
    expect(leakedFragments(result.stdout + result.stderr, ['hunter2-proxy-secret'])).toEqual([]);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('a proxy that misbehaves: the step ends within its deadline, and says what happened', () => {
  // The deadline the tests set (SHORT), and what a step may take beyond it here: starting Node and
  // the bundle, and the work after the write, on a busy machine. A step that does not end is
  // killed by runAction after a minute and fails the test as `timedOut`.
  const DEADLINE_MS = Number(SHORT.INCIDENT_IO_DEADLINE_MS);
  const SLACK_MS = 10_000;
  /** The GitHub lookups' time limit: the budget the step's optional lookups share. */
  const GITHUB_LIMIT_MS = ENRICHMENT_BUDGET_MS;
  const GITHUB = 'api.github.test';
  let behaviours: Record<string, ProxyBehaviour>;
  let bad: TestProxy;

  beforeAll(async () => {
    bad = await startProxy({ routes, behaviour: (host) => behaviours[host] ?? 'forward' });
  });
  afterAll(() => bad?.close());
  beforeEach(() => {
    behaviours = {};
    bad.requests.length = 0;
  });

  const run = (extra: Record<string, string> = {}, env: Record<string, string> = {}) =>
    runAction(inputs(extra), { env: { HTTPS_PROXY: bad.url, ...SHORT, ...trustTestCertificate(), ...env }, timeoutMs: 60_000 });
  const connects = () => bad.requests.filter((r) => r.method === 'CONNECT').length;
  const through = () => `through the proxy ${bad.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

  it('that closes the connection on CONNECT to incident.io: fails at once, naming what the proxy did', async () => {
    behaviours[API] = 'close';
    const result = await run();
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(result.stdout).toMatch(
      new RegExp(
        `^::error::incident\\.io GET /v1/severities could not reach api\\.incident\\.test ${through()} ` +
          '\\(the proxy closed the connection without answering CONNECT\\)\\. Gave up after',
        'm',
      ),
    );
    // One CONNECT per attempt: undici 7 reconnected thousands of times a second and the step never ended.
    expect(connects()).toBeGreaterThanOrEqual(1);
    expect(connects()).toBeLessThanOrEqual(10);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('that lets incident.io through and closes the connection on CONNECT to GitHub: declares the incident, and says why the jobs are missing', async () => {
    behaviours[GITHUB] = 'close';
    const result = await run({ 'github-token': sandbox.githubToken }, { GITHUB_API_URL: `https://${GITHUB}` });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.outputs.created).toBe('true');
    expect(result.stdout).toMatch(
      new RegExp(
        `^::notice .*could not reach api\\.github\\.test ${through()} \\(the proxy closed the connection without answering CONNECT\\)`,
        'm',
      ),
    );
    expect(bad.requests.filter((r) => r.target.startsWith(GITHUB)).length).toBeLessThanOrEqual(10);
  });

  it('that never answers: gives up at the deadline, and ends', async () => {
    behaviours[API] = 'hang';
    const result = await run();
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(result.stdout).toMatch(
      new RegExp(
        `^::error::incident\\.io GET /v1/severities got no answer within \\d\\.\\d s from api\\.incident\\.test ${through()}\\. Gave up`,
        'm',
      ),
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('that never answers for GitHub: declares the incident, and ends when the GitHub lookups give up', async () => {
    behaviours[GITHUB] = 'hang';
    // A deadline past the GitHub lookups' limit, so that the create waits for them and is made.
    const result = await run(
      { 'github-token': sandbox.githubToken },
      { GITHUB_API_URL: `https://${GITHUB}`, INCIDENT_IO_DEADLINE_MS: '30000' },
    );
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(GITHUB_LIMIT_MS + SLACK_MS);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.stdout).toMatch(new RegExp(`^::notice .*GitHub did not answer within ${GITHUB_LIMIT_MS / 1000} s`, 'm'));
  });

  it('that echoes Proxy-Authorization in its error page: the credentials, in base64 too, reach no log line, notice, output or summary', async () => {
    const password = 'p@ss w0rd:proxy-secret';
    const credentials = `build-bot:${password}`;
    const basic = Buffer.from(credentials).toString('base64');
    const echoing = await startProxy({ routes, credentials, behaviour: (host) => (host === 'github.test' ? 'echo' : 'forward') });
    const url = echoing.url.replace('//', `//build-bot:${encodeURIComponent(password)}@`);
    try {
      const result = await runAction(inputs({ 'github-token': sandbox.githubToken }), {
        env: { HTTPS_PROXY: url, HTTP_PROXY: url, GITHUB_API_URL: githubUrl(), ...trustTestCertificate() },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(0);
      expect(sandbox.incidents()).toHaveLength(1);
      // The page reached the notice (so the test shows something), with the header's value redacted.
      expect(result.stdout).toMatch(/^::notice .*GitHub answered 502: .*Proxy-Authorization: Basic \*\*\*/m);
      expect(result.stdout).toContain(`::add-mask::${basic}`);
      const printed = [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs)].join('\n');
      expect(leakedFragments(printed, [password, credentials, basic, encodeURIComponent(password)])).toEqual([]);
      // incident.io never saw it either.
      expect(JSON.stringify(sandbox.incidents())).not.toContain(basic.slice(0, 12));
    } finally {
      await echoing.close();
    }
  });
});

describe('the proxy chunk', () => {
  let dir: string;
  beforeAll(() => {
    // A copy of the bundle whose proxy-only chunks throw when loaded.
    dir = mkdtempSync(join(tmpdir(), 'incident-io-action-noproxy-'));
    const source = bundleDir();
    for (const file of readdirSync(source)) copyFileSync(join(source, file), join(dir, file));
    const proxyChunks = readdirSync(dir).filter(
      (file) => /^\d+\.index\.js$/.test(file) && /proxiedFetch|Proxy response/.test(readFileSync(join(dir, file), 'utf8')),
    );
    expect(proxyChunks.length).toBeGreaterThanOrEqual(1);
    for (const file of proxyChunks) writeFileSync(join(dir, file), 'throw new Error("the proxy chunk was loaded");\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is not loaded by a run without a proxy variable', async () => {
    const result = await runAction(
      { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major', 'github-token': sandbox.githubToken },
      { bundle: join(dir, 'declare.js'), env: { GITHUB_API_URL: `${sandbox.url}/github` } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it('is not loaded when every request bypasses the proxy', async () => {
    const result = await runAction(
      { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' },
      { bundle: join(dir, 'declare.js'), env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } },
    );
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it('is what a proxied run loads (so the two tests above prove something)', async () => {
    const result = await runAction(inputs(), { bundle: join(dir, 'declare.js'), env: { HTTPS_PROXY: proxy.url, ...SHORT } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('through the proxy');
    expect(result.stdout).toContain('the proxy chunk was loaded');
    expect(proxy.requests).toEqual([]);
  });
});
