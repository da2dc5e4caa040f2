import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient } from '@primehub-suite/client';
import { Logger, NULL_SINK } from '../../vscode-extension/src/logger/Logger';
import { MemoryStore } from '../../vscode-extension/src/testing/fakes';
import { SshConfigFile } from '../../vscode-extension/src/ssh/SshConfigFile';
import { diagnose, examine, type CauseId, type NotebookFacts } from '../../vscode-extension/src/ssh/SshDoctor';
import { SshManager, type NotebookTarget } from '../../vscode-extension/src/ssh/SshManager';
import { HopError, openNotebook } from '../../vscode-extension/src/ssh/notebookTunnel';
import { keyAuth, readKey, type SshKey } from '../../vscode-extension/src/ssh/sshKeys';
import { createLogger } from '../../packages/local-server/src/logger';
import { NotebookSshd } from '../../packages/local-server/src/ssh/NotebookSshd';
import { loopbackPort } from '../../packages/local-server/src/ports';
import { LocalServerProcess } from '../kit/localServer';
import { makeKey, requireOpenSsh, run } from '../kit/ssh';
import { waitFor } from '../kit/wait';

/**
 * The VS Code SSH commands' work (Connect, Forward a Notebook Port, SSH Doctor) against a real PrimeHub Local with
 * real notebook sshds behind its bastion, the real OpenSSH client reading the config the extension writes.
 */
describe('VS Code: notebook SSH through PrimeHub Local', () => {
  let server: LocalServerProcess;
  let dir: string;
  let client: PrimeHubClient;
  let manager: SshManager;
  let configPath: string;
  let target: NotebookTarget;
  let key: SshKey;
  let service: Server;
  const clients: PrimeHubClient[] = [];

  /** A manager for `user`, writing `config` and keeping its keys in `dir`, as the extension does for a window. */
  const managerFor = (
    c: PrimeHubClient,
    config: string,
    over: { isLocal?: boolean; clusterBastionPort?: number; agent?: string } = {}
  ): SshManager =>
    new SshManager(
      { client: c, profile: { id: 'p', endpoint: server.endpoint }, me: signal => c.me.get({ signal }) },
      new MemoryStore(),
      {
        configFile: () => new SshConfigFile(config, false),
        clusterBastionPort: () => over.clusterBastionPort ?? 2222,
        isLocal: async () => over.isLocal ?? true,
        agentSocket: () => over.agent,
        keyDir: () => dir
      },
      new Logger(NULL_SINK, 'ssh')
    );

  const clientAs = (user: string): PrimeHubClient => {
    const c = new PrimeHubClient({ endpoint: server.endpoint, token: server.cli('token', '--user', user) });
    clients.push(c);
    return c;
  };

  const authorize = (user: string, k: SshKey): void => {
    const ssh = join(server.dataDir, 'notebooks', user, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    appendFileSync(join(ssh, 'authorized_keys'), `${k.publicKey}\n`);
  };

  beforeAll(async () => {
    requireOpenSsh();
    dir = mkdtempSync(join(tmpdir(), 'ph-vscode-ssh-'));
    server = new LocalServerProcess(join(dir, 'data'), {
      args: ['--notebook-user', 'phuser', '--notebook-user', 'alice', '--ssh-port', '0']
    });
    server.cli('user', 'add', 'alice', '--group', 'phusers');
    await server.launch();
    client = clientAs('phuser');
    configPath = join(dir, 'ssh_config');
    // the user's own config: comments, an Include, CRLF line breaks and no last line break
    writeFileSync(configPath, '# mine\r\nInclude /nonexistent/conf.d/*\r\nHost work\r\n  HostName work.example.com');
    manager = managerFor(client, configPath);
    service = createServer((_req, res) => res.end('tensorboard in the notebook'));
    await new Promise<void>(resolve => service.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    manager?.dispose();
    await new Promise(r => (service ? service.close(r) : r(undefined)));
    await Promise.all(clients.map(c => c.close()));
    await server?.dispose();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Connect: SSH turned on, a key made once, the block written; the OpenSSH client runs a command in the notebook', async () => {
    target = await manager.target();
    expect(target).toMatchObject({ user: 'phuser', isLocal: true, status: { enabled: false } });
    expect(target.aliases.notebook).toBe(
      `primehub-${new URL(server.endpoint).hostname}-${new URL(server.endpoint).port}`
    );
    expect(await manager.enable('phuser')).toMatchObject({ enabled: true, state: 'running' });
    target = await manager.target();

    const made = await manager.ensureKey(target.spec.identityFile, 'phuser@primehub-local');
    expect(made.created).toBe(true);
    expect(statSync(target.spec.identityFile).mode & 0o777).toBe(0o600);
    const again = await manager.ensureKey(target.spec.identityFile, 'other comment');
    expect(again).toEqual({ key: made.key, created: false });
    key = made.key;

    // before the key is authorized the preflight stops at the bastion
    expect((await manager.tryNotebook(target.spec, key)).error?.hop).toBe('bastion-auth');
    const link = await manager.authorizeLink(target.spec.label, 'http://127.0.0.1:8888/lab', key);
    expect(new URL(link).searchParams.get('primehub-ssh-key')).toBe(key.publicKey);
    // what the notebook's JupyterLab does with the link once its user confirms
    authorize('phuser', key);
    const home = join(server.dataDir, 'notebooks', 'phuser');
    expect(await manager.tryNotebook(target.spec, key)).toEqual({ home });

    const before = readFileSync(configPath, 'utf8');
    const written = await manager.writeBlock(target.spec);
    expect(written).toMatchObject({ changed: true, check: { ok: true } });
    const text = readFileSync(configPath, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${configPath}.primehub.bak`, 'utf8')).toBe(before);
    expect((await manager.writeBlock(target.spec)).changed).toBe(false);

    const res = await run('ssh', ['-F', configPath, '-o', 'BatchMode=yes', target.aliases.notebook, 'echo "ok $HOME"']);
    expect(res).toMatchObject({ code: 0, stdout: `ok ${home}\n` });

    // Disconnect: the block goes, the rest is byte for byte what it was
    expect((await manager.removeBlock()).removed).toBe(true);
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    await manager.writeBlock(target.spec);
  });

  test('Forward a Notebook Port: a page served in the notebook is fetched on a local port, until stopped', async () => {
    const port = (service.address() as AddressInfo).port;
    const forward = await manager.forward(target.spec, key, port);
    expect(manager.forwards).toEqual([forward]);
    expect(forward.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const [a, b] = await Promise.all([fetch(forward.url), fetch(`${forward.url}x`)]);
    expect([await a.text(), await b.text()]).toEqual(['tensorboard in the notebook', 'tensorboard in the notebook']);
    forward.stop();
    expect(manager.forwards).toEqual([]);
    await expect(fetch(forward.url)).rejects.toThrow();

    const unused = await loopbackPort();
    await expect(manager.forward(target.spec, key, unused)).rejects.toThrow(`port ${unused}`);
    expect(manager.forwards).toEqual([]);

    // the extension deactivated (its window closed): every forward stops with it
    const other = managerFor(client, configPath);
    await other.setKeyPath(target.spec.label, key.path);
    const [f1, f2] = await Promise.all([other.forward(target.spec, key, port), other.forward(target.spec, key, port)]);
    expect(await (await fetch(f2.url)).text()).toBe('tensorboard in the notebook');
    other.dispose();
    expect([f1.isStopped, f2.isStopped, other.forwards]).toEqual([true, true, []]);
    await expect(fetch(f1.url)).rejects.toThrow();
  });

  describe('SSH Doctor names each cause, produced for real', () => {
    const doctorWith = async (m: SshManager): Promise<CauseId> => (await m.doctor()).diagnosis.cause;

    /** Runs the doctor's examination for facts built as on a PrimeHub cluster (no SSH API). */
    const asCluster = async (over: Partial<NotebookFacts['spec']>, config: string, authorizedAt?: number) => {
      const facts = await examine({
        notebook: { isLocal: false, spec: { ...target.spec, ...over } },
        keyPath: over.identityFile ?? target.spec.identityFile,
        configFile: new SshConfigFile(config, false),
        authorizedAt,
        readyTimeoutMs: 10_000
      });
      return diagnose(facts);
    };

    test('all hops work', async () => {
      const { diagnosis, facts } = await manager.doctor();
      expect(diagnosis.cause).toBe('ok');
      expect(facts.probe).toEqual({ ok: true });
    });

    test("the bastion's host key changed (PrimeHub Local's data directory made anew): named, as OpenSSH refuses it too", async () => {
      // ssh remembered the bastion's key on first use (accept-new), beside the config
      expect(readFileSync(target.spec.knownHostsFile, 'utf8')).toContain(`[127.0.0.1]:${target.spec.bastionPort}`);
      const moved = join(dir, 'moved');
      mkdirSync(moved);
      const movedConfig = join(moved, 'ssh_config');
      const m = managerFor(client, movedConfig);
      await m.setKeyPath(target.spec.label, target.spec.identityFile);
      const spec = (await m.target()).spec;
      await m.writeBlock(spec);
      // the key another bastion had on this address
      writeFileSync(
        spec.knownHostsFile,
        `[127.0.0.1]:${spec.bastionPort} ${readFileSync(`${makeKey(moved, 'old_bastion')}.pub`, 'utf8')}`
      );
      const openssh = await run('ssh', ['-F', movedConfig, '-o', 'BatchMode=yes', target.aliases.notebook, 'true']);
      expect(openssh.code).toBe(255);
      expect(openssh.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      const d = (await m.doctor()).diagnosis;
      expect(d.cause).toBe('bastion-host-key');
      expect(d.fix).toContain(`ssh-keygen -R '[127.0.0.1]:${spec.bastionPort}' -f ${spec.knownHostsFile}`);
      // forgotten as the fix says, the next connection remembers the new key again
      expect((await run('ssh-keygen', ['-R', `[127.0.0.1]:${spec.bastionPort}`, '-f', spec.knownHostsFile])).code).toBe(
        0
      );
      expect((await m.doctor()).diagnosis.cause).toBe('ok');
    });

    test('config block missing; shadowed by an earlier Host entry; wrong bastion user', async () => {
      expect(await doctorWith(managerFor(client, join(dir, 'empty_config')))).toBe('config-missing');

      const shadowed = join(dir, 'shadowed_config');
      writeFileSync(shadowed, `Host ${target.aliases.notebook}\n  User nobody\n${readFileSync(configPath, 'utf8')}`);
      const s = await managerFor(client, shadowed).doctor();
      expect(s.diagnosis).toMatchObject({ cause: 'config-shadowed' });
      expect(s.diagnosis.fix).toContain(`line 1 "Host ${target.aliases.notebook}"`);

      const wrongUser = join(dir, 'wrong_user_config');
      writeFileSync(wrongUser, `Host primehub-*-bastion\n  User jovyan\n${readFileSync(configPath, 'utf8')}`);
      const w = await managerFor(client, wrongUser).doctor();
      expect(w.diagnosis).toMatchObject({ cause: 'wrong-user' });
      // the preflight signed in as the config says, and the bastion refused that user
      expect(w.facts.probe).toMatchObject({ ok: false, hop: 'bastion-auth' });
    });

    test('key not authorized (at the bastion, and by another notebook only); passphrase key not in the agent', async () => {
      const stranger = await readKey(makeKey(dir, 'stranger'));
      const m = managerFor(client, configPath);
      await m.setKeyPath(target.spec.label, stranger.path);
      const unknown = await m.doctor();
      expect(unknown.diagnosis.cause).toBe('key-not-authorized');
      expect(unknown.facts.probe).toMatchObject({ hop: 'bastion-auth' });

      // alice's notebook (SSH on) authorizes it: the bastion lets it in, but not through to phuser's notebook
      await clientAs('alice').ssh.setEnabled('alice', true);
      authorize('alice', stranger);
      const elsewhere = await m.doctor();
      expect(elsewhere.diagnosis.cause).toBe('key-not-authorized');
      expect(elsewhere.facts.probe).toMatchObject({ hop: 'tunnel' });

      const locked = join(dir, 'locked');
      const gen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', locked]);
      expect(gen.code).toBe(0);
      await m.setKeyPath(target.spec.label, locked);
      const agentless = await m.doctor();
      expect(agentless.diagnosis.cause).toBe('passphrase-not-in-agent');
      expect(agentless.diagnosis.fix).toContain(`ssh-add ${locked}`);

      // once a real ssh-agent holds it (and the notebook authorizes it), the same key gets through
      authorize('phuser', await readKey(locked));
      const sock = join(dir, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      try {
        await waitFor('the ssh-agent socket', () => existsSync(sock) || undefined, 10_000);
        const askpass = join(dir, 'askpass.sh');
        writeFileSync(askpass, "#!/bin/sh\necho 'secret phrase'\n", { mode: 0o700 });
        const added = spawnSync('ssh-add', [locked], {
          env: {
            ...process.env,
            SSH_AUTH_SOCK: sock,
            SSH_ASKPASS: askpass,
            SSH_ASKPASS_REQUIRE: 'force',
            DISPLAY: ':0'
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8'
        });
        expect(added.status).toBe(0);
        const inAgent = managerFor(client, configPath, { agent: sock });
        await inAgent.setKeyPath(target.spec.label, locked);
        expect(await doctorWith(inAgent)).toBe('ok');
      } finally {
        const exited = new Promise(r => agent.once('exit', r));
        agent.kill('SIGTERM');
        await exited;
      }
    });

    test('bastion port with nothing listening; key still in the cache window (a cluster, which has one)', async () => {
      const dead = await loopbackPort();
      const clusterConfig = join(dir, 'cluster_config');
      await new SshConfigFile(clusterConfig, false).upsert({ ...target.spec, bastionPort: dead });
      expect((await asCluster({ bastionPort: dead }, clusterConfig)).cause).toBe('bastion-port');

      const fresh = await readKey(makeKey(dir, 'fresh'));
      const freshConfig = join(dir, 'fresh_config');
      await new SshConfigFile(freshConfig, false).upsert({ ...target.spec, identityFile: fresh.path });
      // asked to be authorized a minute ago: the bastion may not know it yet
      const cached = await asCluster({ identityFile: fresh.path }, freshConfig, Date.now() - 60_000);
      expect(cached.cause).toBe('key-cache-window');
      expect(cached.fix).toMatch(/wait up to 14 more minutes/);
      // long ago, or never: simply not authorized
      expect((await asCluster({ identityFile: fresh.path }, freshConfig, Date.now() - 3600_000)).cause).toBe(
        'key-not-authorized'
      );
    });

    test("no sshd in the image: PrimeHub's OpenSSH bastion answers the tunnel to a notebook without sshd with Connection refused", async () => {
      // PrimeHub's bastion is OpenSSH; so is this stand-in (an sshd that allows TCP forwarding, as the notebook's)
      const home = join(dir, 'bastion-home');
      const sshd = new NotebookSshd(
        { home, dir: join(dir, 'openssh-bastion') },
        createLogger('error', () => undefined)
      );
      try {
        await sshd.start();
        const port = sshd.status().port!;
        appendFileSync(join(home, '.ssh', 'authorized_keys'), `${key.publicKey}\n`);
        // the notebook pod answers, but nothing listens on its port 22
        const noSshd = await loopbackPort();
        const route = {
          bastionHost: '127.0.0.1',
          bastionPort: port,
          bastionUser: userInfo().username,
          notebookHost: '127.0.0.1',
          notebookPort: noSshd,
          login: 'jovyan'
        };
        const failed = await openNotebook(route, await keyAuth(key)).then(
          s => {
            s.close();
            return undefined;
          },
          (e: unknown) => e
        );
        expect(failed).toBeInstanceOf(HopError);
        const hop = failed as HopError;
        expect({ hop: hop.hop, failure: hop.failure }).toEqual({ hop: 'tunnel', failure: 'refused' });
        // the rest of a cluster's checks passed: the doctor names the cause from this refusal
        const facts = await examine({
          notebook: { isLocal: false, spec: target.spec },
          keyPath: target.spec.identityFile,
          configFile: new SshConfigFile(configPath, false)
        });
        expect(facts.probe).toEqual({ ok: true });
        const d = diagnose({
          ...facts,
          probe: { ok: false, hop: hop.hop, failure: hop.failure, message: hop.message }
        });
        expect(d.cause).toBe('no-sshd');
      } finally {
        await sshd.stop();
      }
    });

    test('SSH not enabled (PrimeHub Local says so; on a cluster the bastion refuses the tunnel); notebook stopped', async () => {
      await client.ssh.setEnabled('phuser', false);
      try {
        expect(await doctorWith(manager)).toBe('ssh-not-enabled');
        // a key alice's notebook authorizes passes the bastion, whose tunnel to phuser's notebook is refused
        const stranger = join(dir, 'stranger');
        const viaAlice = join(dir, 'via_alice_config');
        await new SshConfigFile(viaAlice, false).upsert({ ...target.spec, identityFile: stranger });
        const d = await asCluster({ identityFile: stranger }, viaAlice);
        expect(d.cause).toBe('ssh-not-enabled');
      } finally {
        await client.ssh.setEnabled('phuser', true);
      }
      // phadmin has no notebook on this PrimeHub Local
      expect(await doctorWith(managerFor(clientAs('phadmin'), configPath))).toBe('notebook-stopped');
    });
  });
});
