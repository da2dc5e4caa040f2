import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/**
 * Packages the extension (webpack bundle + VSIX) and compiles its extension-host tests when their
 * sources are newer than the outputs, so a test run always exercises the current code.
 */
export function ensureExtensionBuilt(): void {
  const sources = newestMtime(
    join(EXTENSION_DIR, 'src'),
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
}
