/** Shared pieces of the client integration tests: clients for a PrimeHub Local, temp folders, a TCP proxy. */
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PrimeHubClient, type FromConfigOptions } from '../../shared-client/src';
import type { LocalServerProcess } from '../kit/localServer';

/**
 * A client built the way a user's script builds it: from PrimeHub Local's SDK-format config file.
 * The environment is left out so the machine's own PRIMEHUB_* variables cannot leak in.
 */
export function clientFor(server: LocalServerProcess, options: FromConfigOptions = {}): Promise<PrimeHubClient> {
  return PrimeHubClient.fromConfig({
    configPath: join(server.dataDir, 'config.json'),
    env: {},
    pollIntervalMs: 100,
    ...options
  });
}

/** A client for another user of the same server (token from `primehub-local token`). */
export function clientAs(server: LocalServerProcess, user: string, group: string): PrimeHubClient {
  return new PrimeHubClient({
    endpoint: server.endpoint,
    token: server.cli('token', '--user', user),
    group,
    pollIntervalMs: 100
  });
}

/** A fresh temporary folder; remove it with {@link removeDir}. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `phc-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A name no other test of the run uses, for display names and PHFS folders. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
  }
  return out;
}

export { freePort } from '../../scripts/machine.cjs';

/**
 * A TCP proxy between a client and a server, to break connections for real: `drop()` destroys
 * every open connection at once; `refuse(true)` closes new connections as soon as they arrive.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  /** Connections accepted so far (including refused ones). */
  accepted = 0;
  target?: { host: string; port: number };

  private constructor(private readonly server: Server) {}

  static async start(target?: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    proxy.target = target;
    server.on('connection', socket => proxy.accept(socket));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.refusing || !this.target) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Destroys every open connection, in both directions, mid-stream. */
  drop(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) {
      s.destroy();
    }
    return n;
  }

  refuse(on: boolean): void {
    this.refusing = on;
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/** Every file under `dir`, as sorted relative paths. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
      } else {
        out.push(relative(dir, p));
      }
    }
  };
  walk(dir);
  return out.sort();
}
