import { LocalServerProcess } from '../../../test/kit/localServer';
import { requireOpenSsh } from '../../../test/kit/ssh';
import { TestHub, when } from '../testing/TestHub';
import type { IAuthorizedKey, IPrimeHubConfig } from '../tokens';
import type { IKeyStore } from './SshModel';
import { SshModel } from './SshModel';

// PrimeHub Local with phuser's notebook beside it (its SSH off until switched on), and one without any.
let server: LocalServerProcess;
let bare: LocalServerProcess;
let model: SshModel;

const KEY: IAuthorizedKey = {
  type: 'ssh-ed25519',
  typeName: 'ED25519',
  bits: 256,
  fingerprint: 'SHA256:abc',
  comment: 'me@laptop'
};

/** The server extension's key routes as a list in memory; `fail` makes the next call reject. */
class MemoryKeys implements IKeyStore {
  keys: IAuthorizedKey[] = [KEY];
  fail = '';
  private answer(): Promise<{ file: string; keys: IAuthorizedKey[] }> {
    if (this.fail) {
      const err = new Error(this.fail);
      this.fail = '';
      return Promise.reject(err);
    }
    return Promise.resolve({ file: '/home/jovyan/.ssh/authorized_keys', keys: [...this.keys] });
  }
  authorizedKeys(): Promise<{ file: string; keys: IAuthorizedKey[] }> {
    return this.answer();
  }
  removeKey(fingerprint: string): Promise<{ file: string; keys: IAuthorizedKey[] }> {
    if (!this.fail) {
      this.keys = this.keys.filter(k => k.fingerprint !== fingerprint);
    }
    return this.answer();
  }
}

beforeAll(async () => {
  requireOpenSsh();
  [server, bare] = await Promise.all([
    LocalServerProcess.start({ args: ['--notebook-user', 'phuser', '--ssh-port', '0'] }),
    LocalServerProcess.start({ args: ['--ssh-port', '0'] })
  ]);
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await Promise.all([server?.dispose(), bare?.dispose()]);
});

// Each test's model stops polling when it ends: a live Poll's timer would keep jest from exiting.
afterEach(() => model?.dispose());

function startModel(srv: LocalServerProcess, keys: IKeyStore): { model: SshModel; hub: TestHub } {
  const hub = new TestHub(srv.endpoint, srv.token, srv.groupName);
  hub.config = { user: 'phuser', isLocal: true } as IPrimeHubConfig;
  model = new SshModel(hub, keys);
  model.active = true;
  model.start();
  return { model, hub };
}

it('shows the status and the keys; the switch starts the real sshd and stops it', async () => {
  const { hub } = startModel(server, new MemoryKeys());
  await when(model.changed, () => model.status !== null && model.keys !== null);
  expect(model.status).toMatchObject({ enabled: false, state: 'off', host: 'jupyter-phuser.hub' });
  expect(model.keys).toEqual([KEY]);
  expect(model.keysFile).toBe('/home/jovyan/.ssh/authorized_keys');

  const on = model.setEnabled(true);
  expect(model.switching).toBe(true);
  await on;
  expect(model.switching).toBe(false);
  expect(model.error).toBe('');
  expect(model.status).toMatchObject({ enabled: true, state: 'running' });
  expect(model.status?.config).toContain('ProxyCommand ssh -W %h:%p');

  await model.setEnabled(false);
  expect(model.status).toMatchObject({ enabled: false, state: 'off' });
  await hub.client.close();
});

it('a remove that fails says why and keeps the list; one that works shows the keys left', async () => {
  const keys = new MemoryKeys();
  const { hub } = startModel(server, keys);
  await when(model.changed, () => model.keys !== null);
  keys.fail = 'the file is a symbolic link: not followed';
  expect(await model.removeKey(KEY)).toBe(false);
  expect(model.keysError).toContain('symbolic link');
  expect(model.keys).toEqual([KEY]);
  expect(await model.removeKey(KEY)).toBe(true);
  expect(model.keysError).toBe('');
  expect(model.keys).toEqual([]);
  await hub.client.close();
});

it('a PrimeHub Local this notebook does not run beside is a state to explain, and the keys still show', async () => {
  const { hub } = startModel(bare, new MemoryKeys());
  await when(model.changed, () => model.unavailable !== '' && model.keys !== null);
  expect(model.unavailable).toContain('no notebook of user phuser');
  expect(model.status).toBeNull();
  expect(model.error).toBe('');
  expect(model.keys).toEqual([KEY]);
  await hub.client.close();
});
