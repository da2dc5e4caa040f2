/**
 * Runs the galata UI tests (ui-tests/): a real JupyterLab with the extension against a real
 * PrimeHub Local in headless Debian Chromium. They save the README's screenshots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot, requires } from '../../shared-client/src/testing/paths';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Playwright refuses to run when it sees Jest's worker variables. */
function playwrightEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_')));
}

it('galata: sign-in, submit, sweep, cancel, failure, rerun, recurring, expired token', async () => {
  const root = repoRoot();
  requires(existsSync('/usr/bin/chromium'), "Debian's chromium");
  requires(existsSync(join(root, '.venv', 'bin', 'jupyter')), 'the project virtualenv .venv with JupyterLab');
  const cli = join(root, 'node_modules', 'playwright', 'cli.js');
  requires(existsSync(cli), '@playwright/test (npm install)');
  const res = spawnSync(
    process.execPath,
    [cli, 'test', '-c', join(root, 'jupyterlab-extension', 'ui-tests', 'playwright.config.ts')],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...playwrightEnv(), PHJL_UI_PORT: String(await freePort()), FORCE_COLOR: '0', CI: '1' },
      timeout: 540_000
    }
  );
  const output = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) {
    throw new Error(`galata tests failed (${res.status ?? res.signal}):\n${output.slice(-8000)}`);
  }
  expect(output).toMatch(/\d+ passed/);
  expect(output).not.toMatch(/\d+ (failed|skipped)/);
  const flaky = /\d+ flaky/.exec(output);
  if (flaky) {
    // Passed on its retry: say so, with the first attempt's failure.
    console.warn(`galata: ${flaky[0]} (passed on retry):\n${output.slice(-4000)}`);
  }
}, 560_000);
