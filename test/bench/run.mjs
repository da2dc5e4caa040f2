#!/usr/bin/env node
// `npm run bench`: runs each benchmark in its own Node process (its own PrimeHub Local, no
// shared state, a crash stays contained), then prints one summary table. Benchmarks report and
// tests assert: a missed goal still exits 0; a benchmark that crashes makes the run exit 1.
//
//   node test/bench/run.mjs [submit] [phfs] [pagination] [scale] [sandbox] [client-get] [client-files] [client-logs] [client-iterate] [client-bundle] [vscode] [jupyterlab-size] [jupyterlab-list] [jupyterlab-proxy] [jupyterlab-submit] [notebook] [mlflow] [notebook-mlflow] [models] [ssh] [deployments]
//   (default: all)
//   env: BENCH_SUBMIT_SAMPLES, BENCH_PHFS_MB, BENCH_PHFS_ROUNDS, BENCH_JOBS, BENCH_SCALE_JOBS, BENCH_PAGE_SAMPLES,
//   BENCH_JOB_START_SAMPLES, BENCH_CLIENT_GET_SAMPLES,
//   BENCH_CLIENT_FILES_MB, BENCH_CLIENT_FILES_ROUNDS, BENCH_CLIENT_LOG_LINES, BENCH_CLIENT_ITERATE_ROUNDS,
//   BENCH_NOTEBOOK_SAMPLES, BENCH_JL_SUBMIT_SAMPLES, BENCH_JL_JOBS, BENCH_JL_UPDATES, BENCH_JL_HIDDEN_MS, BENCH_JL_PROXY_MB,
//   BENCH_MLFLOW_SAMPLES, BENCH_NOTEBOOK_MLFLOW_ROUNDS, BENCH_SSH_SAMPLES, BENCH_SSH_MB, BENCH_DEPLOY_SAMPLES, BENCH_DEPLOY_REQUESTS
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmt } from './support/bench.mjs';
import { removeDir, REPO_ROOT, tempDir } from './support/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = [
  { name: 'submit', file: 'submit-latency.mjs' },
  { name: 'phfs', file: 'phfs-throughput.mjs' },
  { name: 'pagination', file: 'jobs-pagination.mjs' },
  { name: 'scale', file: 'jobs-100k.mjs' },
  { name: 'sandbox', file: 'job-start.mjs' },
  { name: 'client-get', file: 'client/jobs-get.mjs' },
  { name: 'client-files', file: 'client/files-transfer.mjs' },
  { name: 'client-logs', file: 'client/log-follow.mjs' },
  { name: 'client-iterate', file: 'client/jobs-iterate.mjs' },
  { name: 'client-bundle', file: 'client/bundle-size.mjs' },
  { name: 'vscode', file: 'vscode-extension.mjs' },
  { name: 'jupyterlab-size', file: 'jupyterlab-size.mjs' },
  { name: 'jupyterlab-list', file: 'jupyterlab-jobs-list.mjs' },
  { name: 'jupyterlab-proxy', file: 'jupyterlab-proxy.mjs' },
  { name: 'jupyterlab-submit', file: 'jupyterlab-submit.mjs' },
  { name: 'notebook', file: 'notebook-latency.mjs' },
  { name: 'mlflow', file: 'mlflow-start.mjs' },
  { name: 'notebook-mlflow', file: 'notebook-mlflow.mjs' },
  { name: 'models', file: 'models.mjs' },
  { name: 'ssh', file: 'ssh.mjs' },
  { name: 'deployments', file: 'deployments.mjs' }
];
/** A benchmark still running after this is stuck: it is killed and counted as crashed. */
const TIMEOUT_MS = 10 * 60_000;

function runOne(bench, resultFile) {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [join(HERE, bench.file), '--result', resultFile], { stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(`\n${bench.name}: no result after ${TIMEOUT_MS / 60_000} min, killing it`);
      child.kill('SIGTERM');
    }, TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => String(r[i]).length)));
  const line = r =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map(w => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter(w => !BENCHMARKS.some(b => b.name === w));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map(b => b.name).join(', ')}`);
    return 2;
  }
  const selected = wanted.length ? BENCHMARKS.filter(b => wanted.includes(b.name)) : BENCHMARKS;
  const scratch = tempDir('results');
  const rows = [];
  const crashed = [];
  const started = performance.now();
  try {
    for (const bench of selected) {
      const resultFile = join(scratch, `${bench.name}.json`);
      const t0 = performance.now();
      const code = await runOne(bench, resultFile);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0 || !existsSync(resultFile)) {
        crashed.push({ name: bench.name, code, seconds });
        continue;
      }
      rows.push(...JSON.parse(readFileSync(resultFile, 'utf8')).map(r => ({ ...r, seconds })));
    }
  } finally {
    removeDir(scratch);
  }
  const total = (performance.now() - started) / 1000;

  console.log(`\n=== Summary (${fmt(total, 0)} s) ===`);
  const header = ['benchmark', 'metric', 'value', 'baseline', 'ratio', 'goal', 'result'];
  const body = rows.map(r => [
    r.benchmark,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ?? '',
    r.ratio === undefined ? '' : `${fmt(r.ratio)}x`,
    r.goal ?? '',
    r.goal === undefined ? 'info' : r.pass ? 'PASS' : 'MISS'
  ]);
  for (const c of crashed) {
    body.push([c.name, '', '', '', '', '', `CRASHED (${c.code})`]);
  }
  if (body.length) {
    console.log(table([header, ...body]));
  }
  const goals = rows.filter(r => r.goal !== undefined);
  console.log(
    `\n${goals.filter(r => r.pass).length}/${goals.length} goals met${crashed.length ? `, ${crashed.length} benchmark(s) crashed` : ''}`
  );

  // The last run's numbers, for comparing runs (.bench/ is not committed).
  const out = join(REPO_ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify({ date: new Date().toISOString(), seconds: total, rows, crashed }, null, 2) + '\n'
  );
  return crashed.length ? 1 : 0;
}

process.exitCode = await main();
