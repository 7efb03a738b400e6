/** Test doubles for the dependencies the action takes: a clock, fetch and core. */
import type { Fetch } from '../../src/core/fetch.js';
import type { Clock } from '../../src/core/time.js';
import { IncidentIoClient } from '../../src/incident-io/client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../src/incident-io/retry.js';
import type { Credential } from '../../src/incident-io/refusals.js';
import { Redactor } from '../../src/core/redact.js';
import type { GitHubContext } from '../../src/github/context.js';
import type { Core } from '../../src/runner/core.js';
import { isJob, type JobName } from '../../src/settings/inputs.js';

/** A clock whose sleeps return at once and move time forward; records every wait. */
export class FakeClock implements Clock {
  waits: number[] = [];
  constructor(
    public time = Date.parse('2026-11-26T12:00:00Z'),
    private readonly rand = 0.5,
  ) {}
  now = (): number => this.time;
  random = (): number => this.rand;
  sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.time += ms;
  };
}

export type Reply = Response | Error | ((url: string, init: RequestInit) => Response | Promise<Response>);

/** A fetch that answers from a script, one reply per call, and records the calls. */
export function scriptedFetch(replies: Reply[]): Fetch & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${init.method} ${url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(url, init) : reply;
  };
  return Object.assign(fn, { calls });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function networkError(code: string): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
}

/** A core that reads inputs from a map and records everything the action says. */
export function fakeCore(inputs: Record<string, string>) {
  const log: { level: string; message: string }[] = [];
  const outputs: Record<string, string> = {};
  const secrets: string[] = [];
  let failed: string | undefined;
  const summaryParts: string[] = [];
  const say = (level: string) => (message: string | Error) => {
    log.push({ level, message: String(message) });
  };
  const summary = {
    addRaw(text: string) {
      summaryParts.push(text);
      return summary;
    },
    async write() {
      return summary;
    },
  };
  const core = {
    getInput: (name: string) => (inputs[name] ?? '').trim(),
    setSecret: (value: string) => void secrets.push(value),
    setOutput: (name: string, value: unknown) => void (outputs[name] = String(value)),
    info: say('info'),
    debug: say('debug'),
    notice: say('notice'),
    warning: say('warning'),
    setFailed: (message: string | Error) => {
      failed = String(message);
      log.push({ level: 'error', message: String(message) });
    },
    summary,
  } as unknown as Core;
  return {
    core,
    log,
    outputs,
    secrets,
    summaryParts,
    get failed() {
      return failed;
    },
  };
}

/** An incident.io client on a fake clock, with the usual deadline, redacting `token`. */
export function testClient(
  fetch: Fetch,
  {
    clock = new FakeClock(),
    token = 'token-0123456789',
    policy = DEFAULT_RETRY_POLICY,
    deadlineMs = 120_000,
    onRetry,
    credential = { input: 'api-key', job: 'declare', event: 'push' },
  }: {
    clock?: FakeClock;
    token?: string;
    policy?: RetryPolicy;
    deadlineMs?: number;
    onRetry?: (message: string) => void;
    credential?: Credential;
  } = {},
): IncidentIoClient {
  return new IncidentIoClient({
    baseUrl: 'https://api.incident.io',
    token,
    credential,
    fetch,
    clock,
    policy,
    redactor: new Redactor([token]),
    deadline: { at: clock.now() + deadlineMs, name: `the ${deadlineMs / 1000} s deadline` },
    onRetry,
  });
}

/** The GitHub context of run 1001 (#7) of the Deploy workflow, on a push to main. */
export const pushContext: GitHubContext = {
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  workflow: 'Deploy',
  runId: 1001,
  runNumber: 7,
  runAttempt: 1,
  sha: '0123456789abcdef',
  ref: 'refs/heads/main',
  actor: 'octocat',
  eventName: 'push',
  job: 'deploy',
  payload: {},
};

/**
 * A step of a test, as a workflow writes it: the job it runs (the action it `uses:`; `declare`,
 * the root action, when left out) and its `with:` inputs. `job` is only the tests' shorthand for
 * `uses:`: the action itself has no such input.
 */
export type Step = { job?: string } & Record<string, string>;

/** The job and the inputs of a test's step. */
export function stepOf({ job = 'declare', ...inputs }: Step): { job: JobName; inputs: Record<string, string> } {
  if (!isJob(job)) throw new Error(`a test step runs "${job}", which is no job`);
  return { job, inputs };
}
