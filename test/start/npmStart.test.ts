import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gqlOk } from '../kit/http';
import { freePort } from '../../scripts/machine.cjs';
import { REPO_ROOT } from '../kit/localServer';

/** The command lines of all processes on the machine (any user can read them, e.g. with `ps`). */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // The process ended meanwhile.
    }
  }
  return lines;
}

/** The environment of the Lab process serving `dataDir`'s notebooks (this user may read its own processes'). */
function labEnvironment(dataDir: string): Record<string, string> {
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // the Lab itself, not start.mjs (whose --jupyter-port names it too)
      if (/jupyter/.test(line) && !line.includes('start.mjs') && line.includes(dataDir)) {
        const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
        return Object.fromEntries(entries.map(e => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error(`no JupyterLab process for ${dataDir}`);
}

/** `npm start`'s script as a new user meets it: PrimeHub Local and JupyterLab up, told where, Ctrl+C stops both. */
test('npm start runs PrimeHub Local and JupyterLab, prints where they are, and stops on Ctrl+C', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'scripts', 'start.mjs'),
      '--port',
      '0',
      '--jupyter-port',
      String(await freePort()),
      '--data-dir',
      dataDir
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let output = '';
  child.stderr!.on('data', d => (output += d));
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  try {
    const lines = createInterface({ input: child.stdout! });
    const printed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no summary:\n${output}`)), 90_000);
      lines.on('line', line => {
        output += `${line}\n`;
        if (line.startsWith('Ctrl+C stops')) {
          clearTimeout(timer);
          resolve(output);
        }
      });
      child.once('exit', code => reject(new Error(`start.mjs exited with ${code}:\n${output}`)));
    });
    const endpoint = /GraphQL endpoint:\s+(\S+)/.exec(printed)?.[1];
    const lab = /JupyterLab \(user phuser, group phusers\): (\S+)/.exec(printed)?.[1];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/graphql$/);
    expect(printed).toContain(`API token:         in ${join(dataDir, 'config.json')}`);
    expect(printed).toContain(`export PRIMEHUB_API_ENDPOINT=${endpoint}`);
    expect(printed).toContain(`MLflow:            http://127.0.0.1:`);
    expect(printed).toContain(`(log ${join(dataDir, 'mlflow', 'mlflow.log')})`);
    expect(lab).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+/);

    const token = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'))['api-token'];
    expect(printed).not.toContain(token);
    const me = await gqlOk(endpoint!, token, '{ me { username } }');
    expect(me.me.username).toBe('phuser');
    const status = await fetch(lab!.replace('/lab?', '/api/status?'));
    expect(status.status).toBe(200);
    // The Lab's token is not on any command line while the Lab runs (its own included).
    const labToken = new URL(lab!).searchParams.get('token')!;
    const running = commandLines();
    expect(running.some(line => line.includes('jupyter') && line.includes(dataDir))).toBe(true);
    expect(running.filter(line => line.includes(labToken))).toEqual([]);
    // The Lab and its kernels get the group's MLflow, as PrimeHub's spawner injects it.
    expect(labEnvironment(dataDir)).toMatchObject({
      MLFLOW_TRACKING_URI: /MLflow:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1],
      MLFLOW_TRACKING_USERNAME: expect.any(String),
      MLFLOW_TRACKING_PASSWORD: expect.any(String),
      MLFLOW_WORKSPACE: 'phusers'
    });
    // No "get notified about official news?" prompt and no update check for a new user.
    const notification = await fetch(
      lab!.replace('/lab?', '/lab/api/settings/@jupyterlab/apputils-extension:notification?')
    );
    // The suite's overrides become the schema defaults Lab serves (the composite is built in the browser).
    const settings = (await notification.json()) as {
      schema: { properties: Record<string, { default?: unknown }> };
    };
    expect(settings.schema.properties.fetchNews.default).toBe('false');
    expect(settings.schema.properties.checkForUpdates.default).toBe(false);
    // The PrimeHub extension is signed in already and finds the group volume at <group>/ and PHFS at phfs/.
    const ext = await fetch(lab!.replace('/lab?', '/primehub-suite/config?'));
    const config = (await ext.json()) as Record<string, unknown>;
    expect(config).toMatchObject({ tokenSet: true, groupVolume: 'phusers', phfs: 'phfs', isLocal: true });
    expect(config.group).toMatchObject({ name: 'phusers' });
    expect(JSON.stringify(config)).not.toContain(token);
    const proxied = await fetch(lab!.replace('/lab?', '/primehub-suite/proxy/api/graphql?'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { username } }' })
    });
    expect(((await proxied.json()) as { data: { me: { username: string } } }).data.me.username).toBe('phuser');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(endpoint!, { method: 'POST' })).rejects.toThrow();
    await expect(fetch(lab!)).rejects.toThrow();
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
