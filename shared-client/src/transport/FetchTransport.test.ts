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
      if (req.url?.startsWith('/stall-body')) {
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

  it('turns its headers timeout into TimeoutError', async () => {
    const client = new PrimeHubClient({
      endpoint: `${server.url}/hang/graphql`,
      token: 't',
      timeoutMs: 0,
      retry: false,
      transport: new FetchTransport({ headersTimeoutMs: 40 })
    });
    await expect(client.me.get()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('turns a stalled body into TimeoutError', async () => {
    const t = new FetchTransport({ bodyTimeoutMs: 40 });
    const res = await t.request({ method: 'GET', url: `${server.url}/stall-body`, headers: {} });
    const it = res.body[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe('first\n');
    await expect(it.next()).rejects.toBeInstanceOf(TimeoutError);
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
