import { NotFoundError, PermissionError, PrimeHubClient } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { requireOpenSsh } from '../kit/ssh';
import { clientAs, clientFor, tempDir } from './support';

/** `client.ssh` against a real PrimeHub Local whose notebooks (phuser's, alice's) run beside it, SSH off at start. */
describe('client: notebook SSH status and switch', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let alice: PrimeHubClient;

  beforeAll(async () => {
    requireOpenSsh();
    server = new LocalServerProcess(tempDir('ssh'), {
      args: ['--notebook-user', 'phuser', '--notebook-user', 'alice', '--ssh-port', '0']
    });
    server.cli('user', 'add', 'alice', '--group', 'phusers');
    await server.launch();
    client = await clientFor(server);
    alice = clientAs(server, 'alice', 'phusers');
  });

  afterAll(async () => {
    await Promise.all([client?.close(), alice?.close()]);
    await server?.dispose();
  });

  test('status says SSH is off, with the host, login, bastion and the config block', async () => {
    const s = await client.ssh.status('phuser');
    expect(s).toMatchObject({
      user: 'phuser',
      enabled: false,
      state: 'off',
      host: 'jupyter-phuser.hub',
      port: 22,
      bastion: { state: 'running', host: '127.0.0.1', user: 'limited-user' }
    });
    expect(s.bastion.port).toEqual(expect.any(Number));
    expect(s.config).toContain(
      `ProxyCommand ssh -W %h:%p -i ~/.ssh/id_rsa limited-user@127.0.0.1 -p ${s.bastion.port}`
    );
  });

  test('setEnabled turns the sshd on (running once it answers) and off again', async () => {
    expect(await client.ssh.setEnabled('phuser', true)).toMatchObject({ enabled: true, state: 'running' });
    expect(await client.ssh.status('phuser')).toMatchObject({ enabled: true, state: 'running' });
    expect(await client.ssh.setEnabled('phuser', false)).toMatchObject({ enabled: false, state: 'off' });
  });

  test("another user's notebook is refused, a user without a notebook here is not found", async () => {
    await expect(alice.ssh.setEnabled('phuser', true)).rejects.toBeInstanceOf(PermissionError);
    await expect(client.ssh.status('nobody')).rejects.toBeInstanceOf(PermissionError);
    const admin = new PrimeHubClient({ endpoint: server.endpoint, token: server.cli('token', '--user', 'phadmin') });
    try {
      await expect(admin.ssh.status('phadmin')).rejects.toBeInstanceOf(NotFoundError);
      expect(await admin.ssh.status('alice')).toMatchObject({ user: 'alice', enabled: false });
    } finally {
      await admin.close();
    }
  });
});
