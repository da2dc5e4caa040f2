import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../kit/localServer';

export const EXTENSION_DIR = join(REPO_ROOT, 'vscode-extension');
export const VSIX = join(EXTENSION_DIR, 'dist', 'primehub.vsix');
export const INTEGRATION_TESTS = join(EXTENSION_DIR, 'out-test', 'test', 'integration', 'index.js');
export const TEST_HOST = join(REPO_ROOT, 'test', 'vscode', 'vscodeTestHost.mjs');

function newestMtime(...paths: string[]): number {
  let newest = 0;
  const visit = (p: string): void => {
    if (!existsSync(p)) {
      return;
    }
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const n of readdirSync(p)) {
        visit(join(p, n));
      }
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  paths.forEach(visit);
  return newest;
}

function mtime(p: string): number {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

/** One build at a time for this checkout: jest's workers start VS Code suites side by side. */
const BUILD_LOCK = join(
  tmpdir(),
  `primehub-vscode-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}`
);

/** Whether the process that holds the build lock has ended without letting it go. */
function lockAbandoned(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(BUILD_LOCK, 'pid'), 'utf8'));
  } catch {
    // Taken a moment ago (its pid not written yet), or let go meanwhile.
    return existsSync(BUILD_LOCK) && Date.now() - mtime(BUILD_LOCK) > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function withBuildLock(build: () => void): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      writeFileSync(join(BUILD_LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      if (lockAbandoned()) {
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      } else {
        // beforeAll hooks call this synchronously: wait without a timer.
        Atomics.wait(pause, 0, 0, 200);
      }
    }
  }
  try {
    build();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/**
 * Packages the extension (webpack bundle + VSIX) and compiles its extension-host tests when their
 * sources are newer than the outputs, so a test run always exercises the current code. Under a lock:
 * a worker that waited for another's build finds the outputs fresh and builds nothing.
 */
export function ensureExtensionBuilt(): void {
  withBuildLock(() => {
    const sources = newestMtime(
      join(EXTENSION_DIR, 'src'),
      // the webviews' scripts and styles go into the VSIX as they are
      join(EXTENSION_DIR, 'resources'),
      join(EXTENSION_DIR, 'package.json'),
      join(EXTENSION_DIR, 'webpack.config.js'),
      join(REPO_ROOT, 'shared-client', 'dist')
    );
    const npm = (...args: string[]): void => {
      execFileSync('npm', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    };
    if (mtime(VSIX) < sources) {
      npm('run', 'package', '--workspace', 'vscode-extension');
    }
    const tests = newestMtime(join(EXTENSION_DIR, 'test', 'integration'));
    if (mtime(INTEGRATION_TESTS) < Math.max(tests, sources)) {
      npm('run', 'build:tests', '--workspace', 'vscode-extension');
    }
  });
}

/** Packages the extension folder `dir` (a test's own stand-in) as `<dir>.vsix` with vsce; returns its path. */
export function packageVsix(dir: string): string {
  const vsix = `${dir}.vsix`;
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--skip-license',
      '--allow-missing-repository',
      '--out',
      vsix
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return vsix;
}
