import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gqlOk } from '../kit/http';
import { REPO_ROOT } from '../kit/localServer';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise(resolve => srv.close(resolve));
  return port;
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
    expect(lab).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+/);

    const token = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'))['api-token'];
    expect(printed).not.toContain(token);
    const me = await gqlOk(endpoint!, token, '{ me { username } }');
    expect(me.me.username).toBe('phuser');
    const status = await fetch(lab!.replace('/lab?', '/api/status?'));
    expect(status.status).toBe(200);
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
