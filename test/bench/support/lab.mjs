// JupyterLab with the extension for the browser benchmarks, started as `npm start` starts it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, REPO_ROOT } from './server.mjs';

const { DataDir, notebookEnvironment } = createRequire(import.meta.url)(
  join(REPO_ROOT, 'packages', 'local-server', 'dist', 'index.js')
);

export const VENV_BIN = join(REPO_ROOT, '.venv', 'bin');

/**
 * JupyterLab with the extension in headless-test configuration (the app exposed as
 * `window.jupyterapp`), signed in to `server` (the token is in its PrimeHub config file), its root a
 * home folder holding the group volume as `<group name>/`; `pollSeconds` sets the jobs list's poll.
 */
export async function startLab(server, work, { pollSeconds } = {}) {
  const home = join(work, 'home');
  const volume = join(server.dataDir, 'volumes', server.groupName);
  mkdirSync(volume, { recursive: true });
  mkdirSync(home, { recursive: true });
  symlinkSync(volume, join(home, server.groupName), 'dir');
  const { configFile, group } = writeConfig(server, work);
  const settings = join(work, 'settings', '@primehub-suite', 'jupyterlab');
  mkdirSync(settings, { recursive: true });
  writeFileSync(
    join(settings, 'plugin.jupyterlab-settings'),
    JSON.stringify(pollSeconds ? { pollIntervalSeconds: pollSeconds } : {})
  );
  const port = await freePort();
  const args = [
    'lab',
    '--config',
    join(REPO_ROOT, 'jupyterlab-extension', 'ui-tests', 'jupyter_server_test_config.py')
  ];
  const { child: lab } = await spawnJupyter(args, {
    cwd: home,
    env: {
      ...notebookEnvironment(new DataDir(server.dataDir), 'phuser', group),
      // as a PrimeHub notebook sees it: in its home
      PRIMEHUB_GROUP_VOLUME_PATH: join(home, group.name),
      PRIMEHUB_API_ENDPOINT: server.endpoint,
      PRIMEHUB_CONFIG: configFile,
      PRIMEHUB_LOCAL: '1',
      JUPYTERLAB_SETTINGS_DIR: join(work, 'settings'),
      PHJL_UI_PORT: String(port),
      PHJL_UI_ROOT: home
    },
    ready: /Jupyter Server .* is running at/
  });
  return { lab, url: `http://127.0.0.1:${port}/lab` };
}

/** The PrimeHub config file (endpoint, group, token) signing the extension in to `server`, in `work`. */
export function writeConfig(server, work) {
  const configFile = join(work, 'primehub-config.json');
  const group = { id: server.groupId, name: server.groupName };
  writeFileSync(configFile, JSON.stringify({ endpoint: server.endpoint, group, 'api-token': server.token }), {
    mode: 0o600
  });
  return { configFile, group };
}

/**
 * Starts `jupyter <args>` from the project's virtualenv (`--allow-root` added for root) with `env`
 * over this process's, and resolves once a line of its stderr matches `ready`: the child and the
 * match. Rejects when it exits first or prints no such line within two minutes.
 */
export async function spawnJupyter(args, { cwd, env, ready }) {
  if (process.getuid?.() === 0) {
    args = [...args, '--allow-root'];
  }
  const child = spawn(join(VENV_BIN, 'jupyter'), args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}`, ...env }
  });
  let seen = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jupyter ${args[0]} did not start:\n${seen}`)), 120_000);
    createInterface({ input: child.stderr }).on('line', line => {
      seen += `${line}\n`;
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', code => reject(new Error(`jupyter ${args[0]} exited with ${code}:\n${seen}`)));
  });
  child.stderr.resume();
  return { child, match };
}
