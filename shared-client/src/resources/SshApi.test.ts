import { FeatureUnavailableError, HttpError, NotFoundError, PermissionError } from '../errors';
import { MockPrimeHub, ORIGIN, TOKEN } from '../testing/mockPrimeHub';
import { notebookSshHost, SSH_KEY_LINK_PARAM, sshKeyLink } from './SshApi';

const STATUS = {
  user: 'phuser',
  enabled: true,
  state: 'running',
  host: 'jupyter-phuser.hub',
  login: 'jovyan',
  port: 22,
  bastion: { state: 'running', host: '127.0.0.1', port: 2222, user: 'limited-user' },
  config: 'HOST jupyter-phuser.hub\n'
};

describe('client.ssh', () => {
  let ph: MockPrimeHub;

  beforeEach(() => {
    ph = new MockPrimeHub();
  });
  afterEach(async () => {
    // the mock's GraphQL route persists; every SSH reply must have been used
    expect(ph.agent.pendingInterceptors().filter(i => i.path !== '/api/graphql')).toEqual([]);
    await ph.close();
  });

  it('reads the status of a notebook at <api>/ssh/notebooks/<user>, signed in, the user name encoded', async () => {
    const seen: { path: string; authorization: string }[] = [];
    ph.agent
      .get(ORIGIN)
      .intercept({ path: /^\/api\/ssh\/notebooks\//, method: 'GET' })
      .reply(opts => {
        const headers = opts.headers as Record<string, string>;
        seen.push({ path: opts.path, authorization: headers.authorization });
        return { statusCode: 200, data: JSON.stringify(STATUS) };
      })
      .times(2);
    const client = ph.client();
    expect(await client.ssh.status('phuser')).toEqual(STATUS);
    await client.ssh.status('a b/c');
    expect(seen).toEqual([
      { path: '/api/ssh/notebooks/phuser', authorization: `Bearer ${TOKEN}` },
      { path: '/api/ssh/notebooks/a%20b%2Fc', authorization: `Bearer ${TOKEN}` }
    ]);
  });

  it('turns SSH on and off with PUT {"enabled": …} and answers the new status', async () => {
    const bodies: unknown[] = [];
    ph.agent
      .get(ORIGIN)
      .intercept({ path: '/api/ssh/notebooks/phuser', method: 'PUT' })
      .reply(opts => {
        const body = JSON.parse(String(opts.body)) as { enabled: boolean };
        bodies.push({ body, type: (opts.headers as Record<string, string>)['content-type'] });
        const answer = body.enabled ? STATUS : { ...STATUS, enabled: false, state: 'off' };
        return { statusCode: 200, data: JSON.stringify(answer) };
      })
      .times(2);
    const client = ph.client();
    expect(await client.ssh.setEnabled('phuser', false)).toMatchObject({ enabled: false, state: 'off' });
    expect(await client.ssh.setEnabled('phuser', true)).toMatchObject({ enabled: true, state: 'running' });
    expect(bodies).toEqual([
      { body: { enabled: false }, type: 'application/json' },
      { body: { enabled: true }, type: 'application/json' }
    ]);
  });

  it("maps the server's refusals to the client's errors", async () => {
    const pool = ph.agent.get(ORIGIN);
    pool
      .intercept({ path: '/api/ssh/notebooks/alice', method: 'PUT' })
      .reply(403, JSON.stringify({ code: 'NOT_AUTH', message: 'user not auth' }));
    pool
      .intercept({ path: '/api/ssh/notebooks/nobody', method: 'GET' })
      .reply(404, JSON.stringify({ code: 'RESOURCE_NOT_FOUND', message: 'no notebook of user nobody runs here' }));
    // a PrimeHub cluster: no such route, its ingress's page
    pool.intercept({ path: '/api/ssh/notebooks/phuser', method: 'GET' }).reply(404, '<html>Not Found</html>');
    pool.intercept({ path: '/api/ssh/notebooks/odd', method: 'GET' }).reply(200, '{"hello":1}');
    const client = ph.client({ retry: false });
    await expect(client.ssh.setEnabled('alice', true)).rejects.toBeInstanceOf(PermissionError);
    const missing = client.ssh.status('nobody');
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toThrow('no notebook of user nobody runs here');
    const cluster = await client.ssh.status('phuser').catch((e: unknown) => e);
    expect(cluster).toBeInstanceOf(FeatureUnavailableError);
    expect((cluster as FeatureUnavailableError).status).toBe(404);
    await expect(client.ssh.status('odd')).rejects.toBeInstanceOf(HttpError);
    await expect(client.ssh.status('')).rejects.toThrow('user is required');
  });
});

describe('sshKeyLink', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk+/= me@laptop';

  it('puts the public key, URL-encoded, in the Lab URL and keeps its other parameters', () => {
    const link = sshKeyLink('http://127.0.0.1:8888/lab?reset#x', `${key}\n`);
    const u = new URL(link);
    expect(u.pathname).toBe('/lab');
    expect(u.searchParams.get(SSH_KEY_LINK_PARAM)).toBe(key);
    expect(u.searchParams.has('reset')).toBe(true);
    expect(u.hash).toBe('#x');
    expect(link).not.toContain(' ');
    expect(link).not.toContain('+/=');
  });
});

describe('notebookSshHost', () => {
  it("escapes the user name as KubeSpawner does for the notebook pod's name", () => {
    expect(notebookSshHost('phuser')).toBe('jupyter-phuser.hub');
    expect(notebookSshHost('Alice.B_c')).toBe('jupyter--41lice-2e-42-5fc.hub');
    expect(notebookSshHost('é')).toBe('jupyter--c3-a9.hub');
  });
});
