/**
 * The extension as JupyterLab sees it once the bootstrap installed it into .venv: both halves
 * enabled and OK, and JupyterLab loading in a real (Debian) Chromium with it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requires } from '../../shared-client/src/testing/paths';

const VENV_BIN = join(repoRoot(), '.venv', 'bin');

function jupyter(...args: string[]): { status: number | null; output: string } {
  requires(existsSync(join(VENV_BIN, 'jupyter')), 'the project virtualenv .venv with JupyterLab');
  const res = spawnSync(join(VENV_BIN, 'jupyter'), args, {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}`, NO_COLOR: '1' }
  });
  // The listings colour "enabled"/"OK" with ANSI codes even without a terminal.
  return {
    status: res.status,
    output: `${res.stdout}${res.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
  };
}

describe('packaging', () => {
  it('jupyter labextension list shows the prebuilt extension enabled and OK', () => {
    const { status, output } = jupyter('labextension', 'list');
    expect(status).toBe(0);
    expect(output).toMatch(/@primehub-suite\/jupyterlab v0\.1\.0 enabled OK \(python, primehub-suite-jupyterlab\)/);
  });

  it('jupyter server extension list shows the server extension enabled and OK', () => {
    const { status, output } = jupyter('server', 'extension', 'list');
    expect(status).toBe(0);
    expect(output).toMatch(/primehub_suite_jupyterlab enabled/);
    expect(output).toMatch(/primehub_suite_jupyterlab 0\.1\.0 OK/);
  });

  it('python -m jupyterlab.browser_check passes in headless Chromium', () => {
    requires(existsSync('/usr/bin/chromium'), "Debian's chromium");
    const cwd = mkdtempSync(join(tmpdir(), 'phjl-browser-check-'));
    try {
      const args = ['-m', 'jupyterlab.browser_check'];
      if (process.getuid?.() === 0) {
        args.push('--allow-root');
      }
      const res = spawnSync(join(VENV_BIN, 'python'), args, {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` },
        timeout: 180_000
      });
      const output = `${res.stdout}${res.stderr}`;
      expect({ status: res.status, tail: output.slice(-2000) }).toEqual({ status: 0, tail: expect.any(String) });
      expect(output).toMatch(/Browser test complete/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 200_000);
});
