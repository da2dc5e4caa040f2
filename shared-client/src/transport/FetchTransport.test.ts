import { AuthError, NetworkError, TimeoutError } from '../errors';
import { PrimeHubClient } from '../PrimeHubClient';
import { startServer, TestServer } from '../testing/httpServer';
import { FetchTransport } from './FetchTransport';

describe('fetch transport (browser path)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url?.startsWith('/hang')) {
        return;
      }
      if (req.url?.startsWith('/stall-body') || req.url?.startsWith('/log/')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first\n');
        return;
      }
      if (req.url?.startsWith('/bad-token')) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [
              {
                message: 'Context creation failed: request not authorized',
                extensions: { code: 'INTERNAL_SERVER_ERROR' }
              }
            ]
          })
        );
        return;
      }
      if (req.url?.startsWith('/logs-api/graphql')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { phJob: { logEndpoint: `${server.url}/log/job-1` } } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ data: { me: { id: 'u', username: 'alice', authorization: req.headers.authorization } } })
      );
    });
  });
  afterAll(() => server.close());

  it('sends GraphQL with the token and maps errors like the Node transport', async () => {
    const ok = new PrimeHubClient({ endpoint: `${server.url}/api/graphql`, token: 'fetch-token' });
    expect(await ok.me.get()).toMatchObject({ username: 'alice', authorization: 'Bearer fetch-token' });
    const bad = new PrimeHubClient({ endpoint: `${server.url}/bad-token/graphql`, token: 'x-token' });
    await expect(bad.me.get()).rejects.toBeInstanceOf(AuthError);
  });

  it('rethrows the caller abort reason untouched', async () => {
    const client = new PrimeHubClient({ endpoint: `${server.url}/hang/graphql`, token: 't' });
    const ac = new AbortController();
    const reason = new DOMException('cancelled by user', 'AbortError');
    setTimeout(() => ac.abort(reason), 20);
    await expect(client.me.get({ signal: ac.signal })).rejects.toBe(reason);
  });

  it("the client's timeoutMs bounds the wait for headers: TimeoutError", async () => {
    const client = new PrimeHubClient({
      endpoint: `${server.url}/hang/graphql`,
      token: 't',
      timeoutMs: 40,
      retry: false,
      transport: new FetchTransport()
    });
    await expect(client.me.get()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("the client's bodyTimeoutMs ends a stalled streamed body with TimeoutError", async () => {
    const client = new PrimeHubClient({
      endpoint: `${server.url}/logs-api/graphql`,
      token: 't',
      bodyTimeoutMs: 40,
      retry: false,
      transport: new FetchTransport()
    });
    const lines: string[] = [];
    const err = await (async () => {
      for await (const l of client.jobs.logs('job-1', { follow: false })) {
        lines.push(l);
      }
    })().catch(e => e);
    expect(lines).toEqual(['first']);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/no data for 40 ms/);
  });

  it('keeps no timer of its own: only the signal ends a request (no 30 s headers timeout)', async () => {
    jest.useFakeTimers();
    try {
      const ac = new AbortController();
      const fetchStub = (_url: string, init: RequestInit): Promise<Response> =>
        new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
      const t = new FetchTransport({ fetch: fetchStub });
      let settled: unknown = 'pending';
      const p = t.request({ method: 'GET', url: 'https://ph.example/x', headers: {}, signal: ac.signal }).then(
        () => (settled = 'resolved'),
        e => (settled = e)
      );
      await jest.advanceTimersByTimeAsync(120_000);
      expect(settled).toBe('pending');
      const reason = new Error('stop');
      ac.abort(reason);
      await p;
      expect(settled).toBe(reason);
    } finally {
      jest.useRealTimers();
    }
  });

  it('maps a refused connection to NetworkError', async () => {
    const s = await startServer(() => undefined);
    await s.close();
    const client = new PrimeHubClient({ endpoint: `${s.url}/api/graphql`, token: 't', retry: false });
    await expect(client.me.get()).rejects.toBeInstanceOf(NetworkError);
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fetchStub = async (url: string, init: RequestInit): Promise<Response> => {
      calls.push(`${init.method} ${url}`);
      return new Response(JSON.stringify({ data: { me: { id: '1', username: 'stub' } } }), { status: 200 });
    };
    const client = new PrimeHubClient({
      endpoint: 'https://ph.example/api/graphql',
      token: 't',
      transport: new FetchTransport({ fetch: fetchStub })
    });
    expect((await client.me.get()).username).toBe('stub');
    expect(calls).toEqual(['POST https://ph.example/api/graphql']);
  });

  it('rewriteUrl routes every request (e.g. through a same-origin proxy)', async () => {
    const seen: string[] = [];
    const fetchStub = async (url: string): Promise<Response> => {
      seen.push(url);
      return new Response(JSON.stringify({ data: { me: { id: '1', username: 'p' } } }), { status: 200 });
    };
    const client = new PrimeHubClient({
      endpoint: 'https://ph.example/api/graphql',
      token: 't',
      transport: new FetchTransport({ fetch: fetchStub }),
      rewriteUrl: u => u.replace('https://ph.example/', 'http://localhost:8888/primehub-proxy/')
    });
    await client.me.get();
    expect(seen).toEqual(['http://localhost:8888/primehub-proxy/api/graphql']);
  });
});
