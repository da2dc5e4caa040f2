import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Client } from 'ssh2';
import { loopbackPort } from '../../packages/local-server/src/ports';
import { newEd25519Key } from '../../packages/local-server/src/ssh/authorizedKeys';
import { LocalServerProcess } from '../kit/localServer';
import { configWith, makeKey, QUIET_OPTIONS, requireOpenSsh, run } from '../kit/ssh';
import { waitFor } from '../kit/wait';

const MESSAGE = 'This account can only be used for tunneling.';

interface NotebookSshInfo {
  enabled: boolean;
  state: string;
  host: string;
  login: string;
  bastion: { host: string; port: number; user: string };
  config: string;
}

/** A loopback HTTP server answering `name` (a port inside the notebook, or one that stands for the Lab's). */
async function httpServer(name: string): Promise<Server> {
  const srv = createServer((_req, res) => res.end(name));
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}
const portOf = (srv: Server): number => (srv.address() as AddressInfo).port;

/** Signs in to the bastion with the ssh2 client; resolves with the error it ends with, or 'ready'. */
function signIn(port: number, opts: Record<string, unknown>): Promise<string> {
  return new Promise(resolve => {
    const c = new Client();
    c.once('ready', () => {
      c.end();
      resolve('ready');
    });
    c.once('error', err => {
      c.end();
      resolve((err as Error & { level?: string }).level ?? err.message);
    });
    c.connect({ host: '127.0.0.1', port, readyTimeout: 60_000, ...opts });
  });
}

describe('SSH through PrimeHub Local bastion (real OpenSSH client and server)', () => {
  let server: LocalServerProcess;
  let dir: string;
  let keyA: string;
  let keyB: string;
  let cfgA: string;
  let cfgB: string;
  let bastionPort: number;
  let info: NotebookSshInfo;
  let service: Server;
  let lab: Server;

  const bastionSsh = (
    key: string,
    ...args: string[]
  ): Promise<ReturnType<typeof run> extends Promise<infer R> ? R : never> =>
    run('ssh', [
      '-F',
      'none',
      ...QUIET_OPTIONS.flatMap(o => ['-o', o.replace(' ', '=')]),
      '-i',
      key,
      '-p',
      String(bastionPort),
      ...args
    ]);

  beforeAll(async () => {
    requireOpenSsh();
    dir = mkdtempSync(join(tmpdir(), 'phl-ssh-'));
    const dataDir = join(dir, 'data');
    server = new LocalServerProcess(dataDir, {
      args: ['--notebook-user', 'phuser', '--notebook-user', 'alice', '--ssh', '--ssh-port', '0']
    });
    server.cli('user', 'add', 'alice', '--group', 'phusers', '--allow-unisolated-jobs');
    await server.launch();
    keyA = makeKey(dir, 'phuser_key');
    keyB = makeKey(dir, 'alice_key');
    for (const [user, key] of [
      ['phuser', keyA],
      ['alice', keyB]
    ]) {
      mkdirSync(join(dataDir, 'notebooks', user, '.ssh'), { recursive: true, mode: 0o700 });
      appendFileSync(join(dataDir, 'notebooks', user, '.ssh', 'authorized_keys'), readFileSync(`${key}.pub`));
    }
    const res = await fetch(`${server.baseUrl}/api/ssh/notebooks/phuser`, {
      headers: { authorization: `Bearer ${server.token}` }
    });
    info = (await res.json()) as NotebookSshInfo;
    expect(info).toMatchObject({ enabled: true, state: 'running', host: 'jupyter-phuser.hub' });
    bastionPort = info.bastion.port;
    cfgA = join(dir, 'config-a');
    writeFileSync(cfgA, configWith(info.config, keyA, cfgA));
    cfgB = join(dir, 'config-b');
    writeFileSync(cfgB, configWith(info.config, keyB, cfgB));
    service = await httpServer('notebook service');
    lab = await httpServer('lab');
  });

  afterAll(async () => {
    await Promise.all([service, lab].map(s => s && new Promise(r => s.close(r))));
    await server?.dispose();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('/api/health reports the bastion; its host key is kept 0600', async () => {
    const health = (await (await fetch(`${server.baseUrl}/api/health`)).json()) as { ssh: unknown };
    expect(health.ssh).toEqual({ state: 'running', host: '127.0.0.1', port: bastionPort, user: 'limited-user' });
    expect(statSync(join(server.dataDir, 'ssh', 'bastion_host_ed25519_key')).mode & 0o777).toBe(0o600);
  });

  test('the OpenSSH client, with the config PrimeHub shows, runs a command in the notebook', async () => {
    const res = await run('ssh', ['-F', cfgA, 'jupyter-phuser.hub', 'echo "ok $HOME"']);
    expect(res).toMatchObject({ code: 0, stdout: `ok ${join(server.dataDir, 'notebooks', 'phuser')}\n` });
  });

  test('ssh -L forwards a port of the notebook', async () => {
    const local = await loopbackPort();
    const child = spawn(
      'ssh',
      [
        '-F',
        cfgA,
        '-N',
        '-o',
        'ExitOnForwardFailure=yes',
        '-L',
        `${local}:127.0.0.1:${portOf(service)}`,
        'jupyter-phuser.hub'
      ],
      { stdio: 'ignore' }
    );
    try {
      const body = await waitFor(
        'the forwarded port to answer',
        () =>
          fetch(`http://127.0.0.1:${local}/`).then(
            r => r.text(),
            () => undefined
          ),
        20_000
      );
      expect(body).toBe('notebook service');
    } finally {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  test("a key only another user's notebook authorizes does not reach this notebook", async () => {
    const [other, own] = await Promise.all([
      bastionSsh(keyB, '-W', 'jupyter-phuser.hub:22', 'limited-user@127.0.0.1'),
      bastionSsh(keyB, '-W', 'jupyter-alice.hub:22', 'limited-user@127.0.0.1')
    ]);
    expect(other).toMatchObject({ code: 255, stdout: '' });
    expect(other.stderr).toContain('stdio forwarding failed');
    expect(own.stdout).toMatch(/^SSH-2\.0-OpenSSH/);
    const through = await run('ssh', ['-F', cfgB, 'jupyter-phuser.hub', 'true']);
    expect(through.code).toBe(255);
  });

  test('forwards to any other host or port are refused', async () => {
    const targets = [
      `127.0.0.1:${new URL(server.baseUrl).port}`,
      `localhost:${new URL(server.baseUrl).port}`,
      `127.0.0.1:${portOf(lab)}`,
      `jupyter-phuser.hub:${portOf(lab)}`,
      'jupyter-phuser.hub:8888',
      `127.0.0.1:${bastionPort}`,
      '127.0.0.1:22',
      'jupyter-nobody.hub:22',
      'jupyter-phuser.hub.evil:22',
      'jupyter-phuser:22'
    ];
    const results = await Promise.all(
      targets.map(t => bastionSsh(keyA, '-W', t, 'limited-user@127.0.0.1').then(r => ({ t, ...r })))
    );
    for (const r of results) {
      expect({
        t: r.t,
        stdout: r.stdout,
        refused: r.code === 255 && r.stderr.includes('stdio forwarding failed')
      }).toEqual({
        t: r.t,
        stdout: '',
        refused: true
      });
    }
  });

  test('a shell, a command and a subsystem get PrimeHub bastion message, and nothing runs', async () => {
    const [exec, shell, sftp] = await Promise.all([
      bastionSsh(keyA, 'limited-user@127.0.0.1', 'touch', join(dir, 'ran')),
      bastionSsh(keyA, '-T', 'limited-user@127.0.0.1'),
      bastionSsh(keyA, '-s', 'limited-user@127.0.0.1', 'sftp')
    ]);
    expect(exec).toMatchObject({ code: 1, stdout: `${MESSAGE}\n` });
    expect(shell).toMatchObject({ code: 1, stdout: `${MESSAGE}\n` });
    expect(sftp.code).toBe(1);
    expect(sftp.stderr).toContain(MESSAGE);
    expect(() => statSync(join(dir, 'ran'))).toThrow();
  });

  test('passwords, keyboard-interactive, other users and unknown keys are refused', async () => {
    const good = readFileSync(keyA, 'utf8');
    const unknown = newEd25519Key().private;
    const results = await Promise.all([
      signIn(bastionPort, { username: 'limited-user', password: 'anything', tryKeyboard: true }),
      signIn(bastionPort, { username: 'jovyan', privateKey: good }),
      signIn(bastionPort, { username: 'root', privateKey: good }),
      signIn(bastionPort, { username: 'limited-user', privateKey: unknown }),
      signIn(bastionPort, { username: 'limited-user', privateKey: good })
    ]);
    expect(results).toEqual([
      'client-authentication',
      'client-authentication',
      'client-authentication',
      'client-authentication',
      'ready'
    ]);
  });

  test('a good client is served while 100 bad-key attempts arrive at once', async () => {
    const bad = Array.from({ length: 100 }, () => newEd25519Key().private);
    const started = Date.now();
    const flood = Promise.all(bad.map(privateKey => signIn(bastionPort, { username: 'limited-user', privateKey })));
    const goodRun = run('ssh', ['-F', cfgA, 'jupyter-phuser.hub', 'echo served'], 60_000);
    const [refused, good] = await Promise.all([flood, goodRun]);
    expect(good).toMatchObject({ code: 0, stdout: 'served\n' });
    expect(refused.filter(r => r === 'client-authentication')).toHaveLength(100);
    expect(Date.now() - started).toBeLessThan(45_000);
  });

  test('the notebook user turns SSH off and on again (PUT /api/ssh/notebooks/<user>); off, the bastion refuses it', async () => {
    const aliceToken = server.cli('token', '--user', 'alice');
    const put = (enabled: boolean) =>
      fetch(`${server.baseUrl}/api/ssh/notebooks/alice`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled })
      }).then(async r => ({ status: r.status, body: (await r.json()) as NotebookSshInfo }));
    const off = await put(false);
    expect(off).toMatchObject({ status: 200, body: { enabled: false, state: 'off' } });
    const refused = await bastionSsh(keyB, '-W', 'jupyter-alice.hub:22', 'limited-user@127.0.0.1');
    expect(refused.stdout).toBe('');
    const on = await put(true);
    expect(on).toMatchObject({ status: 200, body: { enabled: true, state: 'running' } });
    const again = await bastionSsh(keyB, '-W', 'jupyter-alice.hub:22', 'limited-user@127.0.0.1');
    expect(again.stdout).toMatch(/^SSH-2\.0-OpenSSH/);
    const [otherUser, noNotebook] = await Promise.all([
      fetch(`${server.baseUrl}/api/ssh/notebooks/phuser`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${aliceToken}` },
        body: '{"enabled":false}'
      }),
      fetch(`${server.baseUrl}/api/ssh/notebooks/phadmin`, {
        headers: { authorization: `Bearer ${server.cli('token', '--user', 'phadmin')}` }
      })
    ]);
    expect([otherUser.status, noNotebook.status]).toEqual([403, 404]);
  });
});
