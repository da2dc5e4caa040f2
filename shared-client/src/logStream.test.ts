import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientClosedError } from './errors';
import { OverlapAligner } from './logStream';
import { PrimeHubClient } from './node/PrimeHubClient';
import { readBody, startServer, TestServer } from './testing/httpServer';

/**
 * A job log server like PrimeHub's: raw text, `follow` and `tailLines`, the response ends when
 * the job ends. `dropPlan[i]` makes connection i drop (mid-line) after that many lines.
 */
class FakeLogServer {
  log: string[] = [];
  ended = false;
  connections: Array<{ follow: boolean; tail?: number }> = [];
  dropPlan: Array<number | undefined> = [];
  /** Answer this many log requests with 500, like PrimeHub for a job without a pod yet. */
  failRequests = 0;
  private subscribers = new Set<() => boolean>();
  server!: TestServer;

  async start(): Promise<void> {
    this.server = await startServer((req, res) => void this.handle(req, res));
  }

  append(...lines: string[]): void {
    this.log.push(...lines);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const s of [...this.subscribers]) {
      if (s()) {
        this.subscribers.delete(s);
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/graphql') {
      const body = JSON.parse((await readBody(req)).toString()) as { operationName: string };
      const data =
        body.operationName === 'JobLogEndpoint'
          ? { phJob: { logEndpoint: `${this.server.url}/api/logs/namespaces/hub/phjobs/job-1` } }
          : { phJob: { phase: this.ended ? 'Succeeded' : 'Running' } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
      return;
    }
    expect(req.headers.authorization).toBe('Bearer log-token');
    if (this.failRequests > 0) {
      this.failRequests--;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'INTERNAL_ERROR', message: 'pod not found' }));
      return;
    }
    const follow = url.searchParams.get('follow') === 'true';
    const tailParam = url.searchParams.get('tailLines');
    const tail = tailParam === null ? undefined : Number(tailParam);
    const drop = this.dropPlan[this.connections.length];
    this.connections.push({ follow, ...(tail !== undefined ? { tail } : {}) });
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    let sent = tail !== undefined ? Math.max(0, this.log.length - tail) : 0;
    let count = 0;
    const pump = (): boolean => {
      while (sent < this.log.length) {
        if (drop !== undefined && count >= drop) {
          res.write(this.log[sent].slice(0, 4)); // half a line, then the connection dies
          res.socket?.destroy();
          return true;
        }
        res.write(`${this.log[sent]}\n`);
        sent++;
        count++;
      }
      if (!follow || this.ended) {
        res.end();
        return true;
      }
      return false;
    };
    if (!pump()) {
      this.subscribers.add(pump);
    }
  }
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) {
    out.push(l);
  }
  return out;
}

function produce(srv: FakeLogServer, from: number, to: number, perTick: number, ms: number): Promise<void> {
  return new Promise(resolve => {
    let n = from;
    const t = setInterval(() => {
      for (let i = 0; i < perTick && n <= to; i++, n++) {
        srv.append(`line ${n} ${'x'.repeat(n % 7)}`);
      }
      if (n > to) {
        clearInterval(t);
        srv.end();
        resolve();
      }
    }, ms);
  });
}

const expected = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i} ${'x'.repeat((from + i) % 7)}`);

describe('job log streaming', () => {
  let srv: FakeLogServer;
  let client: PrimeHubClient;

  beforeEach(async () => {
    srv = new FakeLogServer();
    await srv.start();
    client = new PrimeHubClient({
      endpoint: `${srv.server.url}/api/graphql`,
      token: 'log-token',
      proxy: false,
      retry: { baseDelayMs: 1 }
    });
  });
  afterEach(async () => {
    await client.close();
    await srv.server.close();
  });

  it('close() during a follow ends the iterator at once (no grace period), and later calls are refused', async () => {
    srv.append('one', 'two');
    const lines: string[] = [];
    const following = (async () => {
      for await (const l of client.jobs.logs('job-1', { follow: true })) {
        lines.push(l);
      }
    })();
    while (lines.length < 2) {
      await new Promise(r => setTimeout(r, 5));
    }
    const started = Date.now();
    await client.close();
    await following;
    expect(Date.now() - started).toBeLessThan(500);
    expect(lines).toEqual(['one', 'two']);
    const err = await client.jobs.get('job-1').catch(e => e);
    expect(err).toBeInstanceOf(ClientClosedError);
    expect(err.code).toBe('CLIENT_CLOSED');
  });

  it('reads a finished log without follow', async () => {
    srv.append('a', 'b', '', 'c');
    srv.end();
    expect(await collect(client.jobs.logs('job-1'))).toEqual(['a', 'b', '', 'c']);
    expect(srv.connections).toEqual([{ follow: false }]);
  });

  it('passes tail as tailLines', async () => {
    srv.append('a', 'b', 'c');
    expect(await collect(client.jobs.logs('job-1', { tail: 2 }))).toEqual(['b', 'c']);
    expect(srv.connections).toEqual([{ follow: false, tail: 2 }]);
  });

  it('follows across dropped connections without repeating or losing lines (whole log)', async () => {
    srv.append(...expected(1, 10));
    srv.dropPlan = [15, 12, undefined, 3];
    const done = produce(srv, 11, 80, 3, 5);
    const lines = await collect(client.jobs.logs('job-1', { follow: true, reconnectDelayMs: 5 }));
    await done;
    expect(lines).toEqual(expected(1, 80));
    expect(srv.connections.length).toBeGreaterThanOrEqual(3);
    // exact mode: every reconnect asks for the whole log and skips what was yielded
    expect(srv.connections.every(c => c.follow && c.tail === undefined)).toBe(true);
  });

  it('follows across dropped connections with a tail, realigning on the overlap', async () => {
    srv.append(...expected(1, 30));
    srv.dropPlan = [8, 6, 20];
    const collecting = collect(
      client.jobs.logs('job-1', { follow: true, tail: 5, reconnectDelayMs: 5, overlapLines: 4, reconnectSlack: 50 })
    );
    // the job writes on only once the first tail is taken, so that tail is lines 26–30
    while (srv.connections.length === 0) {
      await new Promise(r => setTimeout(r, 1));
    }
    const done = produce(srv, 31, 90, 2, 5);
    const lines = await collecting;
    await done;
    expect(lines).toEqual(expected(26, 90));
    expect(srv.connections[0]).toEqual({ follow: true, tail: 5 });
    expect(srv.connections[1]).toEqual({ follow: true, tail: 54 });
  });

  it('keeps lines that arrived beyond the slack window (partial overlap)', async () => {
    srv.append(...expected(1, 10));
    srv.dropPlan = [10];
    const p = collect(
      client.jobs.logs('job-1', { follow: true, tail: 10, reconnectDelayMs: 40, overlapLines: 5, reconnectSlack: 3 })
    );
    // once the first connection has taken its tail, and while the client waits to reconnect,
    // 6 lines arrive (> slack 3), then the job ends
    while (srv.connections.length === 0) {
      await new Promise(r => setTimeout(r, 2));
    }
    srv.append(...expected(11, 16));
    srv.end();
    expect(await p).toEqual(expected(1, 16));
  });

  it('keeps waiting while a running job answers 5xx, then streams', async () => {
    srv.failRequests = 12; // more than retries x maxReconnects
    // the job keeps running (and writing nothing) until the server answers again, however slow the machine
    const done = (async () => {
      while (srv.failRequests > 0) {
        await new Promise(r => setTimeout(r, 5));
      }
      await produce(srv, 1, 20, 5, 20);
    })();
    const lines = await collect(client.jobs.logs('job-1', { follow: true, reconnectDelayMs: 5, maxReconnects: 1 }));
    await done;
    expect(lines).toEqual(expected(1, 20));
  });

  it('stops with the caller abort reason', async () => {
    srv.append('a');
    const ac = new AbortController();
    const it = client.jobs.logs('job-1', { follow: true, signal: ac.signal });
    const first = await it.next();
    expect(first.value).toBe('a');
    const reason = new Error('stop');
    setTimeout(() => ac.abort(reason), 10);
    await expect(it.next()).rejects.toBe(reason);
  });

  it('gives up after maxReconnects failures without progress', async () => {
    srv.append('a', 'b');
    srv.dropPlan = new Array(100).fill(0);
    const it = client.jobs.logs('job-1', { follow: true, reconnectDelayMs: 1, maxReconnects: 2 });
    await expect(collect(it)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    // 3 attempts; a drop before the headers is also retried inside each attempt (3 retries)
    expect(srv.connections.length).toBeGreaterThanOrEqual(3);
    expect(srv.connections.length).toBeLessThanOrEqual(12);
  });
});

describe('OverlapAligner', () => {
  const feed = (a: OverlapAligner, lines: string[]): string[] => [...lines.flatMap(l => a.push(l)), ...a.flush()];

  it('skips up to the full match of the kept lines', () => {
    expect(feed(new OverlapAligner(['c', 'd', 'e'], 8), ['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toEqual(['f', 'g']);
  });

  it('does not mistake a repeated single line for the overlap', () => {
    expect(feed(new OverlapAligner(['x', 'y', 'x'], 10), ['x', 'y', 'z', 'x', 'y', 'x', 'w'])).toEqual(['w']);
  });

  it('falls back to the longest prefix overlap', () => {
    expect(feed(new OverlapAligner(['a', 'b', 'c'], 4), ['b', 'c', 'd', 'e'])).toEqual(['d', 'e']);
  });

  it('yields everything when nothing overlaps', () => {
    expect(feed(new OverlapAligner(['a'], 2), ['p', 'q', 'r'])).toEqual(['p', 'q', 'r']);
  });
});
