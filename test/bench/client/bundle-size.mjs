// Client benchmark (e): size of the browser build as a web app bundles it: webpack (production,
// web target) over the ES module build's browser entry, as a library that keeps every export.
// Baseline: none (an absolute budget). Goal: < 30 KB gzipped; a Node built-in in the graph fails.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import webpack from 'webpack';
import { fmt, Results, section } from '../support/bench.mjs';
import { REPO_ROOT } from '../support/server.mjs';

const ENTRY = join(REPO_ROOT, 'shared-client', 'dist', 'esm', 'browser.js');
const GOAL_KB = 30;

async function main() {
  const results = new Results('client browser bundle');
  section('browser build bundled by webpack (production, web target, whole API)');
  if (!existsSync(ENTRY)) {
    throw new Error(`the ES module build is missing (${ENTRY}): run \`node node_modules/typescript/bin/tsc -b\` first`);
  }
  const out = mkdtempSync(join(tmpdir(), 'phc-bench-bundle-'));
  try {
    const stats = await new Promise((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          target: 'web',
          entry: ENTRY,
          output: { path: out, filename: 'bundle.js', library: { name: 'PrimeHub', type: 'var' } },
          performance: { hints: false },
          devtool: false
        },
        (err, st) => (err ? reject(err) : resolve(st))
      )
    );
    if (stats.hasErrors()) {
      throw new Error(stats.toString({ all: false, errors: true }));
    }
    const code = readFileSync(join(out, 'bundle.js'));
    const gz = gzipSync(code, { level: 9 }).length / 1024;
    results.add({ metric: 'bundle, minified', value: code.length / 1024, unit: 'KB' });
    results.add({
      metric: 'bundle, gzipped',
      value: gz,
      unit: 'KB',
      baseline: `${fmt(code.length / 1024, 1)} KB minified`,
      goal: `< ${GOAL_KB} KB`,
      pass: gz < GOAL_KB
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  results.save();
}

await main();
