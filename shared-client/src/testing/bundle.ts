import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import webpack from 'webpack';
import { repoRoot } from './paths';

/** The browser entry bundled by webpack, as a web app's build would. */
export interface BrowserBundle {
  /** The bundle: a script defining the global `PrimeHub` with every export of the browser entry. */
  code: string;
  bytes: number;
  gzipped: number;
  /** Every module in the bundle (paths relative to the build folder, or `node:…` requests). */
  modules: string[];
  warnings: string[];
}

/**
 * Compiles the ES module build of the current sources into a temporary folder and bundles its
 * browser entry with webpack for the web target (production mode). A Node built-in anywhere in
 * the browser's import graph fails the build. The bundle is a library (every export kept), so its
 * size is that of the whole API.
 */
export async function bundleBrowserEntry(): Promise<BrowserBundle> {
  const root = repoRoot();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phc-bundle-'));
  try {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        path.join(root, 'shared-client', 'tsconfig.esm.json'),
        '--outDir',
        path.join(tmp, 'esm'),
        '--composite',
        'false',
        '--declaration',
        'false',
        '--incremental',
        'false'
      ],
      { stdio: 'pipe' }
    );
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          target: 'web',
          context: tmp,
          entry: './esm/browser.js',
          output: { path: path.join(tmp, 'out'), filename: 'bundle.js', library: { name: 'PrimeHub', type: 'var' } },
          // the client's dependencies, as the app's own node_modules would provide them
          resolve: { modules: [path.join(root, 'node_modules'), 'node_modules'] },
          performance: { hints: false },
          devtool: false
        },
        (err, st) => (err || !st ? reject(err ?? new Error('no stats')) : resolve(st))
      )
    );
    const json = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true });
    if (stats.hasErrors()) {
      throw new Error(`webpack failed:\n${(json.errors ?? []).map(e => e.message).join('\n')}`);
    }
    const flat = (mods: webpack.StatsModule[] = []): string[] =>
      mods.flatMap(m => (m.modules ? flat(m.modules) : [String(m.name ?? m.identifier)]));
    const code = fs.readFileSync(path.join(tmp, 'out', 'bundle.js'));
    return {
      code: code.toString('utf8'),
      bytes: code.length,
      gzipped: gzipSync(code, { level: 9 }).length,
      modules: flat(json.modules),
      warnings: (json.warnings ?? []).map(w => w.message)
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
