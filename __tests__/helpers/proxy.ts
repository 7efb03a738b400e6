/**
 * A corporate proxy in miniature, for the end-to-end tests: plain proxy requests
 * (`GET http://host/path`) for http targets and CONNECT tunnels for https ones, each counted in
 * `requests`. `routes` says where a target's host really is (names such as `api.incident.test`
 * resolve nowhere else, so a run that reaches them went through here). With `credentials`, a
 * request without that `Proxy-Authorization: Basic …` gets a 407. `behaviour` makes it misbehave
 * for some hosts, as broken and hostile proxies do (see ProxyBehaviour).
 * Also: a self-signed certificate made with openssl, and a TLS front that decrypts into the
 * plain-http sandbox, so an https:// api-url can be served locally.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface ProxiedRequest {
  method: string;
  /** `host:port` for CONNECT, the absolute URL for a plain proxy request. */
  target: string;
  /** Whether the request carried the expected Proxy-Authorization (true when none is expected). */
  authorized: boolean;
}

export interface TestProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Connections from clients still open. */
  connections: () => number;
  close: () => Promise<void>;
}

type Route = (host: string) => { host: string; port: number } | undefined;

/**
 * What the proxy does with an authorized request for a host:
 * - `forward`: its job (the default);
 * - `close`: closes the connection without answering (a CONNECT, or a plain request);
 * - `hang`: never answers, and keeps the connection open;
 * - `echo`: answers 502 with an error page that repeats the request's headers,
 *   `Proxy-Authorization` included, on one line (as some proxies' error pages do).
 */
export type ProxyBehaviour = 'forward' | 'close' | 'hang' | 'echo';

export async function startProxy({
  routes,
  credentials,
  behaviour = () => 'forward',
}: {
  routes: Route;
  credentials?: string;
  behaviour?: (host: string) => ProxyBehaviour;
}): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const expected = credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
  const authorized = (header: string | undefined) => expected === undefined || header === expected;
  // Proxy-Authorization first, so that it is in any excerpt of the page.
  const errorPage = ({ 'proxy-authorization': authorization, ...headers }: Record<string, string | string[] | undefined>) =>
    '<html><body><h1>502 Bad Gateway</h1><pre>' +
    [`Proxy-Authorization: ${String(authorization)}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`)].join(
      ' | ',
    ) +
    '</pre></body></html>';

  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const ok = authorized(req.headers['proxy-authorization']);
    requests.push({ method: req.method ?? '', target: target.href, authorized: ok });
    if (!ok) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const act = behaviour(target.hostname);
    if (act === 'close') return void req.socket.destroy();
    if (act === 'hang') return void closeWhenClientDoes(req.socket);
    if (act === 'echo') return void res.writeHead(502, { 'content-type': 'text/html' }).end(errorPage(req.headers));
    const to = routes(target.hostname);
    if (!to) {
      res.writeHead(502).end(`no route to ${target.hostname}`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: to.host, port: to.port, method: req.method, path: target.pathname + target.search, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req, client: Socket, head: Buffer) => {
    const ok = authorized(req.headers['proxy-authorization']);
    requests.push({ method: 'CONNECT', target: req.url ?? '', authorized: ok });
    client.on('error', () => client.destroy());
    if (!ok) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const host = (req.url ?? '').replace(/:\d+$/, '');
    const act = behaviour(host);
    if (act === 'close') return void client.destroy();
    if (act === 'hang') return void closeWhenClientDoes(client);
    if (act === 'echo') {
      const page = errorPage(req.headers);
      return void client.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(page)}\r\n\r\n${page}`,
      );
    }
    const to = routes(host);
    if (!to) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    track(sockets, upstream);
    upstream.on('error', () => client.destroy());
  });
  const clients = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    track(sockets, socket);
    track(clients, socket);
  });

  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    connections: () => clients.size,
    close: () => close(server, sockets),
  };
}

export interface Certificate {
  cert: string;
  key: string;
  /** A PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  certFile: string;
  remove: () => void;
}

/** A self-signed certificate for `host`, made with openssl (the runners have it). */
export function selfSignedCertificate(host: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-action-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A TLS server that decrypts each connection into a plain TCP connection to `port` on loopback. */
export async function startTlsFront(certificate: Certificate, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: certificate.cert, key: certificate.key }, (secure) => {
    const plain = connect(port, '127.0.0.1');
    track(sockets, plain);
    secure.on('error', () => plain.destroy());
    plain.on('error', () => secure.destroy());
    secure.pipe(plain).pipe(secure);
  });
  server.on('secureConnection', (socket: Socket) => track(sockets, socket));
  await listen(server);
  return { port: (server.address() as AddressInfo).port, close: () => close(server, sockets) };
}

/** A port on loopback where nothing listens (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await close(server, new Set());
  return port;
}

/** Reads and drops what a client sends, and closes its side when the client closes its own (the server allows half-open sockets). */
function closeWhenClientDoes(socket: Socket): void {
  socket.on('end', () => socket.destroy());
  socket.resume();
}

function track(sockets: Set<Socket>, socket: Socket): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
}

function listen(server: Server | ReturnType<typeof createTlsServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function close(server: Server | ReturnType<typeof createTlsServer>, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
