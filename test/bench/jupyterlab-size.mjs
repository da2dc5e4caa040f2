#!/usr/bin/env node
// The JupyterLab extension's own JavaScript, gzipped: everything its labextension ships
// (remoteEntry + chunks: the panel, dialog, job tab and the bundled @primehub-suite/client),
// without JupyterLab's shared packages, which the extension consumes from JupyterLab at runtime.
// Baseline in the same run: JupyterLab's own static JavaScript, gzipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Results, section } from './support/bench.mjs';
import { REPO_ROOT } from './support/server.mjs';

const GOAL_KB = 300;

function gzippedKb(dir) {
  const files = readdirSync(dir).filter(f => f.endsWith('.js'));
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
  return { kb: bytes / 1024, files: files.length };
}

function main() {
  section('JupyterLab extension size (gzipped JS)');
  const ext = join(REPO_ROOT, 'jupyterlab-extension', 'primehub_suite_jupyterlab', 'labextension', 'static');
  const lab = join(REPO_ROOT, '.venv', 'share', 'jupyter', 'lab', 'static');
  const own = gzippedKb(ext);
  const core = gzippedKb(lab);
  const results = new Results('jupyterlab-size');
  results.add({
    metric: `extension JS (${own.files} files)`,
    value: own.kb,
    unit: 'KB',
    baseline: `JupyterLab's own JS ${core.kb.toFixed(0)} KB`,
    ratio: own.kb / core.kb,
    goal: `<= ${GOAL_KB} KB`,
    pass: own.kb <= GOAL_KB
  });
  results.save();
}

main();
