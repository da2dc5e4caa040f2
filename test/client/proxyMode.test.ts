import { AuthError, PrimeHubClient, type TransportRequest } from '../../shared-client/src/browser';
import { LocalServerProcess } from '../kit/localServer';
import { JupyterTokenProxy } from './jupyterProxy';
import { collect, unique } from './support';

/**
 * The JupyterLab proxy mode of the browser build, end to end: the client runs with a relative
 * `baseUrl` and no token, the way JupyterLab's front end runs it; a real token-adding proxy (the
 * server extension's stand-in) checks Jupyter's XSRF header against its cookie and forwards to a
 * real PrimeHub Local. GraphQL, file transfers and the absolute log URLs all go through the proxy.
 */
describe('client (browser build): JupyterLab proxy mode', () => {
  let server: LocalServerProcess;
  let proxy: JupyterTokenProxy;
  let client: PrimeHubClient;
  const page = (): string => `${proxy.origin}/user/alice/lab/tree/work.ipynb`;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '2'] });
    proxy = await JupyterTokenProxy.start('/user/alice/', server.baseUrl, server.token);
    // the page the JupyterLab front end runs in: relative URLs resolve against it
    Object.defineProperty(globalThis, 'document', { value: { baseURI: page() }, configurable: true });
    client = new PrimeHubClient({
      baseUrl: '/user/alice/primehub-suite/proxy/api',
      group: server.groupName,
      headers: () => ({ 'X-XSRFToken': proxy.xsrfToken }),
      // a browser adds the page's cookies by itself; Node's fetch has no cookie jar
      hook: (request: TransportRequest, send) =>
        send({ ...request, headers: { ...request.headers, cookie: proxy.cookie } }),
      pollIntervalMs: 100
    });
  });

  afterAll(async () => {
    await client?.close();
    Reflect.deleteProperty(globalThis, 'document');
    await proxy?.close();
    await server?.dispose();
  });

  test('GraphQL, a job with its followed log, and files all go through the proxy with the XSRF header', async () => {
    expect(client.endpoint).toBe(`${proxy.origin}/user/alice/primehub-suite/proxy/api/graphql`);
    expect((await client.me.get()).username).toBeTruthy();
    expect((await client.group()).name).toBe(server.groupName);

    const job = await client.jobs.submit({
      displayName: unique('proxied'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'for i in 1 2 3; do echo "line $i"; sleep 0.2; done; mkdir -p artifacts; echo ok > artifacts/r.txt'
    });
    const lines = await collect(client.jobs.logs(job.id, { follow: true, reconnectDelayMs: 100 }));
    expect(lines.slice(0, 3)).toEqual(['line 1', 'line 2', 'line 3']);
    expect((await client.jobs.wait(job.id)).phase).toBe('Succeeded');

    const dir = unique('proxy');
    await client.files.upload(`/${dir}/hello.txt`, 'grüße through the proxy\n');
    expect((await client.files.list(`/${dir}`)).map(f => f.name)).toEqual(['hello.txt']);
    const dl = await client.files.download(`/${dir}/hello.txt`);
    expect(Buffer.concat(await collect(dl.body)).toString('utf8')).toBe('grüße through the proxy\n');
    const art = await client.jobs.downloadArtifact(job.id, 'r.txt');
    expect(Buffer.concat(await collect(art.body)).toString()).toBe('ok\n');

    // every request reached PrimeHub through the proxy, with the XSRF header, and without a token
    const paths = proxy.seen.map(s => s.path);
    expect(paths).toEqual(expect.arrayContaining(['/graphql']));
    expect(paths.some(p => p.startsWith('/logs/namespaces/hub/phjobs/'))).toBe(true);
    expect(paths.some(p => p.startsWith(`/files/groups/`) && p.endsWith(`/${dir}/hello.txt`))).toBe(true);
    expect(proxy.seen.every(s => s.xsrf && s.clientAuthorization === undefined)).toBe(true);
  });

  test('without the XSRF header the proxy refuses, and the client reports it as an AuthError', async () => {
    const bare = new PrimeHubClient({ baseUrl: '/user/alice/primehub-suite/proxy/api', retry: false });
    await expect(bare.me.get()).rejects.toBeInstanceOf(AuthError);
    await bare.close();
  });
});
