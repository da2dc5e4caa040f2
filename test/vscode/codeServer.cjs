// Starts code-server (from test/vscode-host, installed by `scripts/bootstrap.mjs test`) and opens
// it in headless Debian Chromium: what the VS Code tests of the suite run in, since no VS Code
// download works here.
// CommonJS so that both the jest tests and the plain-Node test host can load it.
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { CHROMIUM, CHROMIUM_ARGS, freePort } = require('../../scripts/machine.cjs');

const REPO = join(__dirname, '..', '..');
const CODE_SERVER = join(REPO, 'test', 'vscode-host', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Fails with what is missing and how to get it. */
function checkInstalled() {
  const missing = [];
  if (!existsSync(CODE_SERVER)) {
    missing.push(`code-server (${CODE_SERVER})`);
  }
  if (!existsSync(CHROMIUM)) {
    missing.push(`Debian chromium (${CHROMIUM})`);
  }
  if (missing.length > 0) {
    throw new Error(
      `VS Code tests need ${missing.join(' and ')}: run \`node scripts/bootstrap.mjs test\` (as root for apt)`
    );
  }
}

async function waitForHttp(url, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/** Sends `signal` to every process of the group `pgid`; none left is not an error. */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if (e.code !== 'ESRCH') {
      throw e;
    }
  }
}

/** Whether a process of the group `pgid` still runs (zombies, which write nothing, do not count). */
function groupRunning(pgid) {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) {
      continue;
    }
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // after "(comm)": state, ppid, pgrp
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') {
      return true;
    }
  }
  return false;
}

/**
 * Starts code-server on a free loopback port; resolves once it answers HTTP.
 * @returns {{ url: string, port: number, output: () => string, stop: () => Promise<void> }}
 */
async function startCodeServer({ userDataDir, extensionsDir, folder, env = {} }) {
  checkInstalled();
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) {
    // no welcome walkthrough over the views under test
    writeFileSync(
      settings,
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'remote.autoForwardPorts': false
      })
    );
  }
  const port = await freePort();
  let log = '';
  const child = spawn(
    process.execPath,
    [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--ignore-last-opened',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      ...(folder ? [folder] : [])
    ],
    // no marketplace calls; the extension host inherits this environment. A process group of its
    // own, so that stop() ends and waits for its extension host, pty host and file watcher too.
    { env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  );
  child.stdout.on('data', d => (log += d));
  child.stderr.on('data', d => (log += d));
  const exited = new Promise(resolve => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  // Resolves once no process of code-server's group is left (they write into the user data folder
  // until they exit): SIGTERM, then SIGKILL after 5 s.
  const stop = async () => {
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
    await exited;
    while (groupRunning(child.pid)) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    clearTimeout(timer);
  };
  try {
    await waitForHttp(`${url}/healthz`, child, () => log, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, output: () => log, stop };
}

/** Installs a VSIX into an extensions folder (a bare folder there would be ignored). */
function installExtension(vsix, { userDataDir, extensionsDir }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CODE_SERVER,
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsix,
        '--force'
      ],
      { env: { ...process.env, EXTENSIONS_GALLERY: '{}' }, stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    child.once('exit', code =>
      code === 0 ? resolve(out) : reject(new Error(`installing ${vsix} failed (${code}):\n${out}`))
    );
  });
}

/** Headless Debian Chromium through playwright-core. */
async function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

module.exports = {
  CODE_SERVER,
  CHROMIUM,
  CHROMIUM_ARGS,
  checkInstalled,
  freePort,
  startCodeServer,
  installExtension,
  launchChromium
};
