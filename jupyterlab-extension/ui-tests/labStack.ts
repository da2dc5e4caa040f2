/**
 * A PrimeHub Local (fresh data directory) and a JupyterLab whose root is laid out like a PrimeHub
 * notebook's home (`<group>/` = the group volume, `phfs/`), with a spawner's env and a PrimeHub
 * config file. globalSetup starts the suite's one (no MLflow, signed out); the models spec starts
 * one with MLflow for itself alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { notebookEnvironment } from '../../packages/local-server/src/notebookEnvironment';

const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'packages', 'local-server', 'dist', 'cli.js');
const VENV_BIN = join(ROOT, '.venv', 'bin');

/** What a started stack is: its files, its group and token, and the process groups to stop. */
export interface ILabStack {
  work: string;
  dataDir: string;
  /** The Lab's root. */
  home: string;
  endpoint: string;
  /** PrimeHub Local's `http://127.0.0.1:<port>`. */
  serverUrl: string;
  group: { id: string; name: string };
  volume: string;
  configFile: string;
  token: string;
  labPort: string;
  /** PrimeHub Local's and JupyterLab's process group leaders. */
  pids: number[];
}

function waitForLine(stream: NodeJS.ReadableStream, re: RegExp, what: string, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${seen}`)), ms);
    createInterface({ input: stream }).on('line', line => {
      seen += `${line}\n`;
      const m = re.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

/**
 * Starts both servers. `mlflow`: PrimeHub Local runs its MLflow (started in the background, ready
 * later: see waitForMlflow). `signedIn`: the Lab's config file holds the API token already. `ssh`:
 * the Lab is phuser's notebook as `npm start` runs it (PrimeHub Local's `--notebook-user phuser`,
 * its SSH bastion on a free port, the Lab's root the notebook home its sshd reads keys from); SSH
 * itself stays off until switched on.
 */
export async function startLabStack(opts: {
  labPort: string;
  mlflow: boolean;
  signedIn: boolean;
  ssh?: boolean;
}): Promise<ILabStack> {
  const work = mkdtempSync(join(tmpdir(), 'phjl-ui-'));
  const dataDir = join(work, 'primehub-local');
  const server = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...(opts.mlflow ? [] : ['--no-mlflow']),
      ...(opts.ssh ? ['--notebook-user', 'phuser', '--ssh-port', '0'] : [])
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true
    }
  );
  const pids = [server.pid!];
  try {
    const [, endpoint] = await waitForLine(server.stdout!, /GraphQL endpoint: (\S+)/, 'PrimeHub Local', 60_000);
    server.stdout!.resume();
    const local = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    const group = local.group as { id: string; name: string };
    const groupPath = group.name.toLowerCase().replace(/_/g, '-');
    const volume = join(dataDir, 'volumes', group.name);
    const phfs = join(dataDir, 'phfs', 'groups', groupPath);
    const home = opts.ssh ? new DataDir(dataDir).notebooks('phuser') : join(work, 'home');
    for (const dir of [volume, phfs, home]) {
      mkdirSync(dir, { recursive: true });
    }
    symlinkSync(volume, join(home, group.name), 'dir');
    symlinkSync(phfs, join(home, 'phfs'), 'dir');
    const configFile = join(work, 'primehub-config.json');
    const token = local['api-token'] as string;
    writeFileSync(configFile, JSON.stringify({ endpoint, group, ...(opts.signedIn ? { 'api-token': token } : {}) }), {
      mode: 0o600
    });

    const labHome = join(work, 'user-home');
    mkdirSync(labHome, { recursive: true });
    const env = {
      ...process.env,
      // The server extension's own files (~/.primehub/…) stay this run's.
      HOME: labHome,
      PATH: `${VENV_BIN}:${process.env.PATH}`,
      ...notebookEnvironment(new DataDir(dataDir), 'phuser', group),
      // as a PrimeHub notebook sees them: in its home
      PRIMEHUB_GROUP_VOLUME_PATH: join(home, group.name),
      PRIMEHUB_PHFS_PATH: join(home, 'phfs'),
      PRIMEHUB_API_ENDPOINT: endpoint,
      PRIMEHUB_CONFIG: configFile,
      PRIMEHUB_LOCAL: '1',
      PHJL_UI_ROOT: home,
      PHJL_UI_PORT: opts.labPort
    };
    const args = ['lab', '--config', join(__dirname, 'jupyter_server_test_config.py')];
    if (process.getuid?.() === 0) {
      args.push('--allow-root');
    }
    const lab = spawn(join(VENV_BIN, 'jupyter'), args, {
      env,
      cwd: home,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true
    });
    pids.push(lab.pid!);
    await waitForLine(lab.stderr!, /Jupyter Server .* is running at/, 'JupyterLab', 90_000);
    lab.stderr!.resume();
    return {
      work,
      dataDir,
      home,
      endpoint,
      serverUrl: endpoint.replace(/\/api\/graphql$/, ''),
      group,
      volume,
      configFile,
      token,
      labPort: opts.labPort,
      pids
    };
  } catch (err) {
    await stopLabStack(pids, work);
    throw err;
  }
}

/** Runs PrimeHub Local's CLI on a data directory; returns what it printed. */
export function stackCli(dataDir: string, ...args: string[]): string {
  const res = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`primehub-local ${args.join(' ')} failed: ${res.stderr}`);
  }
  return res.stdout.trim();
}

/** PrimeHub Local's MLflow as `/api/health` tells it. */
export async function mlflowHealth(stack: ILabStack): Promise<{ state: string; url?: string; restarts: number }> {
  const res = await fetch(`${stack.serverUrl}/api/health`);
  return ((await res.json()) as { mlflow: { state: string; url?: string; restarts: number } }).mlflow;
}

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops JupyterLab (with its kernels) and PrimeHub Local (with its MLflow), and removes their files. */
export async function stopLabStack(pids: number[], work?: string): Promise<void> {
  for (const pid of [...pids].reverse()) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  // Until both have stopped (a loaded machine takes longer), then whatever is left is killed.
  const deadline = Date.now() + 15_000;
  while (pids.some(groupAlive) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  for (const pid of pids.filter(groupAlive)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Stopped.
    }
  }
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
}
