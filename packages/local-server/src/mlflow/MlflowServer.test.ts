import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../../test/kit/wait';
import { DataDir } from '../DataDir';
import { createLogger } from '../logger';
import { groupMembers } from '../processes';
import { mlflowAuthFiles } from './MlflowAccounts';
import { MLFLOW_MARKER_ENV, MlflowServer, type MlflowOptions, type MlflowStatus } from './MlflowServer';

/**
 * Stand-ins for `mlflow server` (the real one is tested in test/local-server/mlflow.test.ts): like MLflow's CLI,
 * the script starts a worker that serves `/health` on `--port` and waits for it.
 */
const SERVES = [
  '#!/bin/sh',
  'while [ $# -gt 0 ]; do if [ "$1" = --port ]; then port=$2; fi; shift; done',
  'mkdir -p www && echo OK > www/health',
  'python3 -m http.server --bind 127.0.0.1 --directory www "$port" >/dev/null 2>&1 &',
  'wait'
].join('\n');
/** {@link SERVES}, first recording its arguments and environment (`args`, `env` in its working directory). */
const RECORDS = SERVES.replace('#!/bin/sh\n', '#!/bin/sh\nprintf "%s\\n" "$@" > args\nenv > env\n');
const FAILS = '#!/bin/sh\necho "no database" >&2\nexit 3\n';
const HANGS = '#!/bin/sh\nexec sleep 600\n';

const quiet = createLogger('error', () => undefined);

describe('MlflowServer', () => {
  let root: string;
  let dirs: DataDir;
  const servers: MlflowServer[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'phl-mlflow-unit-'));
    dirs = new DataDir(join(root, 'data'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  function fake(script: string): string {
    const file = join(root, `mlflow-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, `${script}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  function server(opts: Partial<MlflowOptions> = {}): MlflowServer {
    const s = new MlflowServer(dirs, { enabled: true, program: fake(SERVES), backoffMs: 20, ...opts }, quiet);
    servers.push(s);
    return s;
  }

  const recorded = (): { pid: number; port: number } => JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
  const inState = (s: MlflowServer, state: MlflowStatus['state'], restarts = 0) =>
    waitFor(`MLflow ${state} (restarts ${restarts})`, () => {
      const st = s.status();
      return st.state === state && st.restarts === restarts && st;
    });

  test('reports starting, then running at its loopback URL; stop ends every process it started', async () => {
    const s = server();
    const states: string[] = [];
    s.on('state', (st: MlflowStatus) => states.push(st.state));
    await s.start();
    const { pid, port } = recorded();
    expect(s.status()).toEqual({ state: 'starting', url: `http://127.0.0.1:${port}`, restarts: 0 });
    await inState(s, 'running');
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect(groupMembers(pid).length).toBe(2);
    expect(readFileSync(dirs.mlflowLog, 'utf8')).toContain(`starts mlflow server on 127.0.0.1:${port}`);

    await s.stop();
    expect(groupMembers(pid)).toEqual([]);
    expect(s.status()).toMatchObject({ state: 'stopped', reason: 'PrimeHub Local stopped' });
    expect(states).toEqual(['starting', 'running', 'stopped']);
  });

  test('killed with SIGKILL, it is started again on the same port and its orphaned worker is ended', async () => {
    const s = server();
    await s.start();
    await inState(s, 'running');
    const first = recorded();
    const [worker] = groupMembers(first.pid).filter(p => p !== first.pid);
    process.kill(first.pid, 'SIGKILL');

    await inState(s, 'running', 1);
    const second = recorded();
    expect(second.pid).not.toBe(first.pid);
    expect(second.port).toBe(first.port);
    expect(groupMembers(first.pid)).toEqual([]);
    expect(groupMembers(worker)).toEqual([]);
  });

  test('after failed starts in a row with a growing backoff it is left stopped, saying why and where the log is', async () => {
    const s = server({ program: fake(FAILS), maxFailures: 2 });
    await s.start();
    const st = await inState(s, 'stopped', 2);
    expect(st.reason).toMatch(/exited with 3; not restarted after 2 failed starts in a row \(see .*mlflow\.log\)/);
    expect(readFileSync(dirs.mlflowLog, 'utf8').match(/no database/g)).toHaveLength(3);
  });

  test('a start that never answers /health is killed after the start timeout', async () => {
    const s = server({ program: fake(HANGS), startTimeoutMs: 300, maxFailures: 0 });
    await s.start();
    const { pid } = recorded();
    const st = await inState(s, 'stopped');
    expect(st.reason).toMatch(/exited with SIGKILL; not restarted/);
    expect(groupMembers(pid)).toEqual([]);
  });

  test('disabled by the flag, or when mlflow is not installed', async () => {
    const off = server({ enabled: false });
    await off.start();
    expect(off.status()).toEqual({ state: 'disabled', reason: 'turned off (--no-mlflow)', restarts: 0 });

    const missing = server({ program: undefined, pythonEnv: join(root, 'no-venv') });
    await missing.start();
    expect(missing.status()).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/not installed/) });
    expect(missing.url).toBeUndefined();
  });

  test('a start ends what an earlier server left running on the data directory, and takes its port again', async () => {
    const s = server();
    await s.start();
    await inState(s, 'running');
    const { port } = recorded();
    await s.stop();
    // A leftover as a killed PrimeHub Local leaves it: carrying this data directory's marker, recorded.
    const leftover = spawn(fake(SERVES), ['--port', String(port)], {
      cwd: dirs.mlflow,
      env: { ...process.env, [MLFLOW_MARKER_ENV]: dirs.mlflow },
      detached: true,
      stdio: 'ignore'
    });
    const pid = leftover.pid!;
    writeFileSync(dirs.mlflowProcess, JSON.stringify({ pid, port }));
    await waitFor('the leftover to serve', () => groupMembers(pid).length === 2);

    const again = server();
    await again.start();
    expect(groupMembers(pid)).toEqual([]);
    await inState(again, 'running');
    expect(again.url).toBe(`http://127.0.0.1:${port}`);
  });

  test('it runs the basic-auth app with workspaces; the admin password is only in its 0600 auth config', async () => {
    const s = server({ program: fake(RECORDS) });
    await s.start();
    await inState(s, 'running');
    const args = readFileSync(join(dirs.mlflow, 'args'), 'utf8').split('\n');
    expect(args.join(' ')).toContain('--app-name basic-auth --enable-workspaces');
    const env = Object.fromEntries(
      readFileSync(join(dirs.mlflow, 'env'), 'utf8')
        .split('\n')
        .map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    const files = mlflowAuthFiles(dirs);
    expect(env).toMatchObject({
      MLFLOW_AUTH_CONFIG_PATH: files.config,
      MLFLOW_FLASK_SERVER_SECRET_KEY: expect.stringMatching(/^\S{43}$/),
      MLFLOW_RBAC_SEED_DEFAULT_ROLES: 'false'
    });
    expect(statSync(files.config).mode & 0o777).toBe(0o600);
    const password = /^admin_password = (\S+)$/m.exec(readFileSync(files.config, 'utf8'))![1];
    expect(JSON.stringify(env)).not.toContain(password);
    expect(args.join(' ')).not.toContain(password);
    expect(readFileSync(dirs.mlflowLog, 'utf8')).not.toContain(password);
    expect(readFileSync(files.config, 'utf8')).toContain(`database_uri = sqlite:///${files.database}`);
  });

  test('onReady runs once /health answers, before it is reported running, after every start; failing it only warns', async () => {
    const readies: Array<{ url: string; state: string }> = [];
    const lines: string[] = [];
    const s = new MlflowServer(
      dirs,
      {
        enabled: true,
        program: fake(SERVES),
        backoffMs: 20,
        onReady: async url => {
          readies.push({ url, state: s.status().state });
          if (readies.length === 1) {
            throw new Error('no accounts');
          }
        }
      },
      createLogger('warn', l => lines.push(l))
    );
    servers.push(s);
    await s.start();
    await inState(s, 'running');
    expect(readies).toEqual([{ url: s.url, state: 'starting' }]);
    expect(lines.join('')).toContain('MLflow: preparing it after its start failed: no accounts');

    process.kill(recorded().pid, 'SIGKILL');
    await inState(s, 'running', 1);
    expect(readies).toEqual([
      { url: s.url, state: 'starting' },
      { url: s.url, state: 'starting' }
    ]);
  });
});
