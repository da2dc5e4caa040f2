/**
 * Starts PrimeHub Local (fresh data directory) and a JupyterLab whose root is laid out like a
 * PrimeHub notebook's home (`<group>/` = the group volume, `phfs/`), with a spawner's env and a
 * PrimeHub config file without a token (the tests sign in). Details go to the workers via env.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { notebookEnvironment } from '../../packages/local-server/src/notebookEnvironment';
import { uiPort } from './playwright.config';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'packages', 'local-server', 'dist', 'cli.js');
const VENV_BIN = join(ROOT, '.venv', 'bin');

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

export default async function globalSetup(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'phjl-ui-'));
  const dataDir = join(work, 'primehub-local');
  // no MLflow: these tests do not use it, and it would hold 500 MiB and a core for seconds
  const server = spawn(
    process.execPath,
    [CLI, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--no-mlflow'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true
    }
  );
  const [, endpoint] = await waitForLine(server.stdout!, /GraphQL endpoint: (\S+)/, 'PrimeHub Local', 60_000);
  const local = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
  const group = local.group as { id: string; name: string };
  const groupPath = group.name.toLowerCase().replace(/_/g, '-');
  const volume = join(dataDir, 'volumes', group.name);
  const phfs = join(dataDir, 'phfs', 'groups', groupPath);
  const home = join(work, 'home');
  for (const dir of [volume, phfs, home]) {
    mkdirSync(dir, { recursive: true });
  }
  symlinkSync(volume, join(home, group.name), 'dir');
  symlinkSync(phfs, join(home, 'phfs'), 'dir');
  const configFile = join(work, 'primehub-config.json');
  writeFileSync(configFile, JSON.stringify({ endpoint, group }), { mode: 0o600 });

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
    PHJL_UI_PORT: uiPort()
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
  await waitForLine(lab.stderr!, /Jupyter Server .* is running at/, 'JupyterLab', 90_000);
  lab.stderr!.resume();

  const cli = (...a: string[]): string =>
    spawnSync(process.execPath, [CLI, ...a, '--data-dir', dataDir], { encoding: 'utf8' }).stdout.trim();
  Object.assign(process.env, {
    PHJL_UI_WORK: work,
    PHJL_UI_DATA_DIR: dataDir,
    PHJL_UI_HOME: home,
    PHJL_UI_GROUP: group.name,
    PHJL_UI_GROUP_ID: group.id,
    PHJL_UI_VOLUME: volume,
    PHJL_UI_CONFIG: configFile,
    PHJL_UI_TOKEN: local['api-token'],
    PHJL_UI_PIDS: `${server.pid},${lab.pid}`,
    PHJL_UI_CLI: CLI
  });
  // Fail early with the reason if PrimeHub Local cannot issue tokens (the expired-token test needs it).
  if (!cli('token', '--user', 'phuser')) {
    throw new Error('primehub-local token printed nothing');
  }
}
