import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { NetworkError } from '../errors';
import { requires } from '../testing/paths';
import { PrimeHubClient } from '../node/PrimeHubClient';
import { startServer, TestServer } from '../testing/httpServer';
import { UndiciTransport } from './UndiciTransport';

/** A minimal forward proxy: CONNECT tunnels and absolute-form requests, recording what it saw. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers
      },
      r => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }
    );
    req.pipe(up);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

describe('undici transport', () => {
  let target: TestServer;
  beforeAll(async () => {
    target = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { me: { id: '1', username: 'via', ua: req.headers['user-agent'] } } }));
    });
  });
  afterAll(() => target.close());

  it('goes through an explicit proxy', async () => {
    const proxy = await startProxy();
    const client = new PrimeHubClient({ endpoint: `${target.url}/api/graphql`, token: 't', proxy: proxy.url });
    expect((await client.me.get()).username).toBe('via');
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen[0]).toContain(new URL(target.url).host);
    await client.close();
    await proxy.close();
  });

  it('honours HTTP_PROXY from the environment, and NO_PROXY', async () => {
    const proxy = await startProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    try {
      const viaProxy = new PrimeHubClient({ endpoint: `${target.url}/api/graphql`, token: 't' });
      await viaProxy.me.get();
      expect(proxy.seen).toHaveLength(1);
      await viaProxy.close();
      process.env.NO_PROXY = '127.0.0.1';
      const direct = new PrimeHubClient({ endpoint: `${target.url}/api/graphql`, token: 't' });
      await direct.me.get();
      expect(proxy.seen).toHaveLength(1);
      await direct.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) {
          delete process.env[k];
        } else {
          process.env[k] = v;
        }
      }
      await proxy.close();
    }
  });

  it('sends a user agent and closes only what it owns', async () => {
    const t = new UndiciTransport({ proxy: false, userAgent: 'test-agent/1' });
    const res = await t.request({ method: 'GET', url: `${target.url}/x`, headers: {} });
    expect(JSON.parse(await res.text()).data.me.ua).toBe('test-agent/1');
    await t.close();
    await t.close(); // idempotent
  });
});

describe('self-signed TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made =
    spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1'
      ],
      { stdio: 'ignore' }
    ).status === 0;
  let server: https.Server | undefined;
  let url = '';

  beforeAll(async () => {
    requires(made, 'openssl, to make a self-signed certificate');
    server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { me: { id: '1', username: 'tls' } } }));
    });
    await new Promise<void>(r => server!.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/graphql`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>(r => (server ? server.close(() => r()) : r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects an unknown CA, accepts a configured CA, or rejectUnauthorized: false', async () => {
    requires(made, 'openssl, to make a self-signed certificate');
    const strict = new PrimeHubClient({ endpoint: url, token: 't', proxy: false, retry: false });
    await expect(strict.me.get()).rejects.toBeInstanceOf(NetworkError);
    await strict.close();
    const withCa = new PrimeHubClient({ endpoint: url, token: 't', proxy: false, ca: fs.readFileSync(cert, 'utf8') });
    expect((await withCa.me.get()).username).toBe('tls');
    await withCa.close();
    const insecure = new PrimeHubClient({ endpoint: url, token: 't', proxy: false, rejectUnauthorized: false });
    expect((await insecure.me.get()).username).toBe('tls');
    await insecure.close();
  });
});
