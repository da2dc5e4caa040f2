#!/usr/bin/env node
// `npm start` (after the bootstrap in `prestart`): PrimeHub Local in the foreground plus a
// JupyterLab from the project's .venv, started with the environment a PrimeHub spawner gives a
// notebook. Ctrl+C stops both; PrimeHub Local stopping alone (a crash, a kill) is restarted on the same
// port while JupyterLab and its kernels run on. The data directory's layout and the notebook's environment come from
// PrimeHub Local's own build (one source); nothing else is needed beyond what the bootstrap installs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'packages', 'local-server', 'dist');
const CLI = join(DIST, 'cli.js');
const JUPYTER = join(ROOT, '.venv', 'bin', 'jupyter');
/** Time a child gets to stop after the forwarded signal before it is killed. */
const STOP_GRACE_MS = 30_000;
/** PrimeHub Local is restarted when it stops on its own, unless it stopped this often within RESTART_WINDOW_MS. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

if (!existsSync(CLI)) {
  fail(`${CLI} is missing: run \`npm start\` (its bootstrap builds it) or \`npm run build\``);
}
const { DataDir, DEFAULT_USER, notebookEnvironment, readSdkConfig, resolveDataDir, writeSdkConfig } = createRequire(
  import.meta.url
)(join(DIST, 'index.js'));

const USAGE = `Usage: npm start -- [--port 8321] [--data-dir DIR] [--jupyter-port 8888] [--no-jupyter] [--ssh]

Starts PrimeHub Local (GraphQL + REST on 127.0.0.1) and a JupyterLab for user ${DEFAULT_USER}.
--ssh starts the notebook's SSH server (OpenSSH, reached through PrimeHub Local's SSH bastion).
The data directory defaults to $PRIMEHUB_LOCAL_HOME, else ~/.primehub-local.`;

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '8321' },
      'data-dir': { type: 'string' },
      'jupyter-port': { type: 'string', default: '8888' },
      'no-jupyter': { type: 'boolean', default: false },
      ssh: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true
  }).values;
} catch (err) {
  fail(`${err.message}\n\n${USAGE}`);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const flag of ['port', 'jupyter-port']) {
  if (!/^\d+$/.test(args[flag]) || Number(args[flag]) > 65535) {
    fail(`--${flag} must be a port number (got "${args[flag]}")`);
  }
}
if (args.ssh && args['no-jupyter']) {
  fail("--ssh is the notebook's SSH server: it needs the notebook (leave out --no-jupyter)");
}
const dataDir = resolveDataDir(args['data-dir']);
const dirs = new DataDir(dataDir);

/** Children by name; each one runs in its own process group, so only this script sees the terminal's Ctrl+C and forwards it once. */
const children = new Map();
let stopping = false;
let firstSignalAt = 0;

function startChild(name, cmd, cmdArgs, options) {
  const child = spawn(cmd, cmdArgs, { ...options, detached: true });
  const entry = { child, exited: new Promise(r => child.once('exit', (code, signal) => r({ code, signal }))) };
  children.set(name, entry);
  child.once('error', err => console.error(`npm start: ${name} could not start: ${err.message}`));
  return entry;
}

function signalChild(name, signal, group = false) {
  const entry = children.get(name);
  if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null || entry.child.pid === undefined) {
    return;
  }
  try {
    // JupyterLab's kernels share its process group; PrimeHub Local stops its own jobs.
    process.kill(group ? -entry.child.pid : entry.child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops both children (SIGINT/SIGTERM to the server, SIGTERM to JupyterLab) and exits with `code`. */
async function shutdown(serverSignal, code) {
  if (stopping) {
    return;
  }
  stopping = true;
  signalChild('jupyterlab', 'SIGTERM', true);
  signalChild('server', serverSignal);
  const timer = setTimeout(() => {
    console.error('npm start: still stopping after 30 s; killing PrimeHub Local and JupyterLab');
    forceKill();
  }, STOP_GRACE_MS);
  await Promise.all([...children.values()].map(c => c.exited));
  clearTimeout(timer);
  const server = children.get('server');
  const result = server ? await server.exited : { code: 0 };
  // The server answers the forwarded signal with a clean stop and exit code 0.
  process.exit(code ?? (result.code === 0 ? 0 : 1));
}

function forceKill() {
  signalChild('jupyterlab', 'SIGKILL', true);
  signalChild('server', 'SIGKILL');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (!stopping) {
      firstSignalAt = now;
      console.error(
        `\nStopping PrimeHub Local${children.has('jupyterlab') ? ' and JupyterLab' : ''}… (Ctrl+C again to force)`
      );
      void shutdown(signal === 'SIGHUP' ? 'SIGTERM' : signal);
      return;
    }
    // npm forwards the terminal's Ctrl+C as well, so a repeat within a second is the same keypress.
    if (now - firstSignalAt > 1000) {
      console.error('npm start: forcing stop');
      forceKill();
    }
  });
}
// Last resort if this script dies of an error: do not leave the detached children behind.
process.on('exit', () => forceKill());

/** Starts PrimeHub Local on `port`; resolves with its GraphQL endpoint once it serves. */
async function startServer(port) {
  // the notebook's SSH server is PrimeHub Local's to run (its bastion connects to it), started and stopped with it
  const notebook = args['no-jupyter'] ? [] : ['--notebook-user', DEFAULT_USER, ...(args.ssh ? ['--ssh'] : [])];
  const server = startChild(
    'server',
    process.execPath,
    [CLI, 'start', '--data-dir', dataDir, '--port', port, ...notebook],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  );
  const lines = createInterface({ input: server.child.stdout });
  const endpoint = await new Promise((resolve, reject) => {
    let banner = '';
    let found;
    let inBanner = true;
    lines.on('line', line => {
      // The server's start-up banner is replaced by the summary below; anything after it is shown.
      inBanner &&= !found || line.startsWith('  ');
      if (inBanner) {
        banner += `${line}\n`;
      } else {
        console.log(line);
      }
      const m = /GraphQL endpoint: (\S+)/.exec(line);
      if (m && !found) {
        found = m[1];
        resolve(found);
      }
    });
    void server.exited.then(({ code, signal }) => {
      if (!found) {
        reject(
          new Error(`PrimeHub Local exited (${code ?? signal}) before it was ready${banner ? `:\n${banner}` : ''}`)
        );
      }
    });
  });
  void server.exited.then(({ code, signal }) => {
    if (!stopping) {
      void restartServer(endpoint, code ?? signal);
    }
  });
  return endpoint;
}

const restarts = [];

/**
 * PrimeHub Local stopped on its own: it is started again on the same port (JupyterLab's extension
 * and the SDK keep their endpoint, and the Lab's requests reach it again), recovering its jobs as
 * after any restart. JupyterLab and its kernels are left running. Only a server that keeps
 * stopping is given up on; then JupyterLab runs on until Ctrl+C.
 */
async function restartServer(endpoint, why) {
  const now = Date.now();
  restarts.push(now);
  while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) {
    restarts.shift();
  }
  if (restarts.length > MAX_RESTARTS) {
    console.error(
      `npm start: PrimeHub Local stopped (${why}) ${restarts.length} times within a minute; not restarting it.` +
        (children.has('jupyterlab') ? ' JupyterLab keeps running; Ctrl+C stops it.' : '')
    );
    if (!children.has('jupyterlab')) {
      void shutdown('SIGTERM', 1);
    }
    return;
  }
  console.error(`npm start: PrimeHub Local stopped unexpectedly (${why}); restarting it`);
  const port = new URL(endpoint).port;
  try {
    const again = await startServer(port);
    if (!stopping) {
      console.error(`npm start: PrimeHub Local restarted at ${again} (JupyterLab kept running)`);
    }
  } catch (err) {
    if (!stopping) {
      console.error(`npm start: ${err.message}`);
    }
  }
}

/** Lays the server root out like a PrimeHub notebook's home: `<group>/` is the group volume, `phfs/` PHFS. */
function linkNotebookHome(home, links) {
  for (const [name, target] of Object.entries(links)) {
    const link = join(home, name);
    let present = true;
    try {
      lstatSync(link);
    } catch {
      present = false;
    }
    if (!present) {
      symlinkSync(target, link, 'dir');
    }
  }
}

/**
 * The Lab's own token file, in the SDK's format: a copy of PrimeHub Local's on first start, its
 * endpoint kept current on later ones. Signing out of the Lab removes the token from this copy
 * only (and the Lab stays signed out until signed in again); PrimeHub Local's config.json and the
 * SDK's ~/.primehub/config.json are never written by the Lab.
 */
function labTokenFile(config, endpoint) {
  const file = dirs.jupyterTokenConfig;
  const copy = readSdkConfig(file);
  writeSdkConfig(file, copy && typeof copy === 'object' ? { ...copy, endpoint } : { ...config, endpoint });
  return file;
}

/**
 * MLflow's state as PrimeHub Local reports it, once it has a URL (it picks its port just after the
 * server answers) or is off; undefined when the server does not say within 10 s.
 */
async function mlflowStatus(endpoint) {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const mlflow = await fetch(new URL('/api/health', endpoint))
      .then(res => res.json())
      .then(
        health => health.mlflow,
        () => undefined
      );
    if (mlflow && (mlflow.url || mlflow.state === 'disabled')) {
      return mlflow;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return undefined;
}

/**
 * The group's MLflow variables, as PrimeHub's spawner gives a notebook server: `MLFLOW_TRACKING_URI`
 * and the group's tracking and artifact envs (its MLflow account here), from the `mlflow` query. None
 * when the group has no MLflow (`--no-mlflow`) or the query fails (said on stderr).
 */
async function mlflowEnvironment(config, endpoint) {
  await mlflowStatus(endpoint);
  const query = `query ($g: String!) { mlflow(where: { group: $g }) {
    trackingUri trackingEnvs { name value } artifactEnvs { name value } } }`;
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${config['api-token']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { g: config.group.name } }),
      signal: AbortSignal.timeout(10_000)
    });
    const { data, errors } = await res.json();
    const mlflow = data?.mlflow;
    if (!mlflow?.trackingUri) {
      if (errors?.[0]?.extensions?.code !== 'MLFLOW_SETTING_NOT_FOUND') {
        console.error(`npm start: JupyterLab starts without MLflow settings: ${errors?.[0]?.message ?? 'none'}`);
      }
      return {};
    }
    const envs = [...(mlflow.artifactEnvs ?? []), ...(mlflow.trackingEnvs ?? [])];
    return { ...Object.fromEntries(envs.map(e => [e.name, e.value])), MLFLOW_TRACKING_URI: mlflow.trackingUri };
  } catch (err) {
    console.error(`npm start: JupyterLab starts without MLflow settings: ${err.message}`);
    return {};
  }
}

/** The notebook's SSH state and config block from PrimeHub Local (`GET /api/ssh/notebooks/<user>`); undefined on failure. */
async function notebookSsh(endpoint, config) {
  try {
    const res = await fetch(new URL(`/api/ssh/notebooks/${encodeURIComponent(DEFAULT_USER)}`, endpoint), {
      headers: { authorization: `Bearer ${config['api-token']}` },
      signal: AbortSignal.timeout(10_000)
    });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

/** Starts JupyterLab for the default user; resolves with its URL, or undefined if it did not come up. */
async function startJupyter(config, tokenFile, endpoint) {
  const env = {
    ...process.env,
    ...(await mlflowEnvironment(config, endpoint)),
    ...notebookEnvironment(dirs, DEFAULT_USER, config.group),
    // The JupyterLab extension: signed in with its own copy of the token, and told it is Local.
    PRIMEHUB_CONFIG: tokenFile,
    PRIMEHUB_LOCAL: '1'
  };
  const notebookDir = dirs.notebooks(DEFAULT_USER);
  for (const dir of [notebookDir, env.PRIMEHUB_GROUP_VOLUME_PATH, env.PRIMEHUB_PHFS_PATH]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  linkNotebookHome(notebookDir, { [config.group.name]: env.PRIMEHUB_GROUP_VOLUME_PATH, phfs: env.PRIMEHUB_PHFS_PATH });
  const token = randomBytes(24).toString('hex');
  // The Lab's token goes in its environment (readable by this user only), not on its command line,
  // which every user of the machine can read (`ps`).
  env.JUPYTER_TOKEN = token;
  const jupyterArgs = [
    'lab',
    '--no-browser',
    '--port',
    args['jupyter-port'],
    '--ip',
    '127.0.0.1',
    '--notebook-dir',
    notebookDir
  ];
  if (process.getuid?.() === 0) {
    jupyterArgs.push('--allow-root');
  }
  const logFile = dirs.jupyterLog;
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const jupyter = startChild('jupyterlab', JUPYTER, jupyterArgs, {
    env,
    cwd: notebookDir,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  // JupyterLab takes the next free port when the asked one is busy, so the URL is read from its log.
  const url = await new Promise(resolve => {
    const timer = setTimeout(() => resolve(undefined), 90_000);
    for (const stream of [jupyter.child.stdout, jupyter.child.stderr]) {
      createInterface({ input: stream }).on('line', line => {
        log.write(`${line}\n`);
        const m = /(http:\/\/127\.0\.0\.1:\d+\/lab)\?token=/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(`${m[1]}?token=${token}`);
        }
      });
    }
    void jupyter.exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  void jupyter.exited.then(({ code, signal }) => {
    if (!stopping) {
      console.error(`npm start: JupyterLab exited (${code ?? signal}); PrimeHub Local keeps running. See ${logFile}`);
    }
  });
  return { url, logFile };
}

async function main() {
  let endpoint;
  try {
    endpoint = await startServer(args.port);
  } catch (err) {
    console.error(`npm start: ${err.message}`);
    process.exit(1);
  }
  const configFile = dirs.userConfig;
  const config = readSdkConfig(configFile);
  if (!config) {
    fail(`PrimeHub Local started but ${configFile} is missing or unreadable`);
  }

  let jupyter;
  let tokenFile;
  if (!args['no-jupyter']) {
    if (existsSync(JUPYTER)) {
      console.error('Starting JupyterLab…');
      tokenFile = labTokenFile(config, endpoint);
      jupyter = await startJupyter(config, tokenFile, endpoint);
    } else {
      console.error(`npm start: ${JUPYTER} is missing (the bootstrap creates .venv); starting without JupyterLab`);
    }
  }
  if (stopping) {
    return;
  }

  const out = [
    '',
    'PrimeHub Local is running',
    `  GraphQL endpoint:  ${endpoint}`,
    `  API token:         in ${configFile} (user ${DEFAULT_USER}, group ${config.group.name}; file mode 0600)`,
    `  data directory:    ${dataDir}`
  ];
  // MLflow's URL (its UI and tracking URI) as the server reports it; it may still be starting.
  const mlflow = await mlflowStatus(endpoint);
  const ssh = jupyter ? await notebookSsh(endpoint, config) : undefined;
  const bastion = await fetch(new URL('/api/health', endpoint)).then(
    res => res.json().then(health => health.ssh),
    () => undefined
  );
  if (bastion?.port) {
    out.push(`  SSH bastion:       ${bastion.user}@${bastion.host} port ${bastion.port}`);
  }
  if (mlflow) {
    out.push(`  MLflow:            ${mlflow.url ? `${mlflow.url} (log ${dirs.mlflowLog})` : `off (${mlflow.reason})`}`);
  }
  if (jupyter?.url) {
    out.push(
      `JupyterLab (user ${DEFAULT_USER}, group ${config.group.name}): ${jupyter.url}`,
      `  log: ${jupyter.logFile}`,
      `  its API token:     in ${tokenFile} (its own copy; signing out of the Lab removes only that one)`
    );
  } else if (jupyter) {
    out.push(`JupyterLab did not start; see ${jupyter.logFile}`);
  }
  if (ssh?.enabled && ssh.config) {
    out.push(
      `SSH to the notebook (${ssh.state}): VS Code's "PrimeHub: Connect to Notebook via SSH" sets it all up. By hand:`,
      `  authorize your public key in JupyterLab's PrimeHub panel, SSH tab (it goes to ${dirs.notebooks(DEFAULT_USER)}/.ssh/authorized_keys),`,
      `  then ssh ${ssh.host}   with this in ~/.ssh/config:`,
      ...ssh.config
        .trimEnd()
        .split('\n')
        .map(l => `    ${l}`)
    );
  }
  out.push(
    '',
    'Point the PrimeHub SDK or the VS Code extension at it:',
    `  export PRIMEHUB_API_ENDPOINT=${endpoint}`,
    `  mkdir -p ~/.primehub && cp ${configFile} ~/.primehub/config.json`,
    '  (that replaces an existing ~/.primehub/config.json, e.g. one for a real cluster: back it up first)',
    '',
    `Ctrl+C stops PrimeHub Local${jupyter?.url ? ' and JupyterLab' : ''}.` +
      (jupyter?.url ? ' If PrimeHub Local stops on its own, it is restarted and JupyterLab keeps running.' : '')
  );
  console.log(out.join('\n'));
}

await main();
