/**
 * Runs the server extension's pytest suite (config, token store, streaming proxy and snapshots
 * against a real PrimeHub Local), so `npm test` covers the Python half too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requires, venvPython } from '../../shared-client/src/testing/paths';

it('pytest: the server extension against PrimeHub Local', () => {
  requires(existsSync(venvPython()), 'the project virtualenv .venv (with pytest)');
  const cli = join(repoRoot(), 'packages', 'local-server', 'dist', 'cli.js');
  requires(existsSync(cli), 'the built PrimeHub Local (packages/local-server/dist)');
  const res = spawnSync(venvPython(), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'no:logging'], {
    cwd: join(repoRoot(), 'jupyterlab-extension'),
    encoding: 'utf8',
    timeout: 300_000
  });
  const output = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) {
    throw new Error(`pytest failed (${res.status ?? res.signal}):\n${output.slice(-6000)}`);
  }
  expect(output).toMatch(/\d+ passed/);
  expect(output).not.toMatch(/skipped|failed|error/i);
}, 320_000);
