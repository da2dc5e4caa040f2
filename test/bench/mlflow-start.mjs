// Benchmark: what PrimeHub Local's MLflow costs. `mlflow server` is started as PrimeHub Local starts it
// (MlflowServer from the build: the .venv's mlflow, one worker, SQLite store, served artifacts) and timed from
// start() until it answers /health, once on a fresh store (the schema migrations run) and then on the existing
// one; its RSS (the `mlflow` CLI and its uvicorn worker) and the CPU time its processes used are read when ready.
// Baseline in the same run: the same interpreter doing nothing (`python -c pass`: spawn to exit, and its peak RSS),
// and, for the share of imports, `python -c "import mlflow"`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { removeDir, REPO_ROOT, rssBytes, tempDir } from './support/server.mjs';

const require = createRequire(import.meta.url);
const DIST = join(REPO_ROOT, 'packages', 'local-server', 'dist');
const { DataDir } = require(join(DIST, 'DataDir.js'));
const { createLogger } = require(join(DIST, 'logger.js'));
const { MlflowServer } = require(join(DIST, 'mlflow', 'MlflowServer.js'));
const { groupMembers } = require(join(DIST, 'processes.js'));

const VENV = join(REPO_ROOT, '.venv');
const PYTHON = join(VENV, 'bin', 'python');
/** Starts on the existing store, after the fresh one. */
const SAMPLES = Number(process.env.BENCH_MLFLOW_SAMPLES ?? 3);
const PYTHON_SAMPLES = 10;
const MiB = 1024 * 1024;
/** One uvicorn worker and no job runner: the CLI and the worker, about 260 MB each. */
const GOAL_RSS_MIB = 640;
/** Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

/** Milliseconds from spawn to exit of the virtualenv's python running `args`. */
function pythonMs(args) {
  const t0 = performance.now();
  const r = spawnSync(PYTHON, args, { stdio: 'ignore' });
  if (r.status !== 0) {
    throw new Error(`${PYTHON} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
  return performance.now() - t0;
}

/** CPU seconds (user + system) a live process has used. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; the slice starts at field 3
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** One start as PrimeHub Local does it: resolves once ready with its time, RSS and CPU; then stops it. */
async function startOnce(dirs) {
  const server = new MlflowServer(dirs, { enabled: true, pythonEnv: VENV }, createLogger('error'));
  const ready = new Promise((resolve, reject) =>
    server.on('state', s => {
      if (s.state === 'running') {
        resolve();
      } else if (s.state === 'stopped' || s.state === 'disabled') {
        reject(new Error(`MLflow ${s.state}: ${s.reason} (log: ${dirs.mlflowLog})`));
      }
    })
  );
  const t0 = performance.now();
  await server.start();
  try {
    await ready;
    const ms = performance.now() - t0;
    const { pid } = JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
    const pids = groupMembers(pid);
    const rss = pids.reduce((n, p) => n + (rssBytes(p) ?? 0), 0);
    const cpu = pids.reduce((n, p) => n + cpuSeconds(p), 0);
    return { ms, rss, cpu, processes: pids.length };
  } finally {
    await server.stop();
  }
}

async function main() {
  const results = new Results('mlflow-start');
  section(`MLflow start to ready: a fresh store, then ${SAMPLES} starts on it; baseline the bare interpreter`);
  const bare = summarize(Array.from({ length: PYTHON_SAMPLES }, () => pythonMs(['-c', 'pass'])));
  const bareRss =
    Number(
      spawnSync(PYTHON, ['-c', 'import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)'], {
        encoding: 'utf8'
      }).stdout.trim()
    ) * 1024;
  const importMs = pythonMs(['-c', 'import mlflow']);
  console.log(
    `  python -c pass p50 ${fmt(bare.p50)} ms, peak RSS ${fmt(bareRss / MiB, 1)} MiB; import mlflow ${fmt(importMs / 1000)} s`
  );
  const root = tempDir('mlflow');
  try {
    const dirs = new DataDir(root);
    dirs.create();
    const describe = run => `${fmt(run.ms / 1000)} s, ${fmt(run.rss / MiB, 0)} MiB, ${fmt(run.cpu, 1)} CPU-s`;
    const fresh = await startOnce(dirs);
    console.log(`  fresh store: ${describe(fresh)}`);
    const warm = [];
    for (let i = 0; i < SAMPLES; i++) {
      warm.push(await startOnce(dirs));
      console.log(`  existing store: ${describe(warm[i])}`);
    }
    const readyRow = (metric, ms) =>
      results.add({
        metric,
        value: ms / 1000,
        unit: 's',
        baseline: `python -c pass p50 ${fmt(bare.p50)} ms`,
        ratio: ms / bare.p50
      });
    readyRow('ready, fresh store', fresh.ms);
    readyRow('ready, existing store p50', summarize(warm.map(r => r.ms)).p50);
    results.add({
      metric: 'CPU time to ready p50',
      value: summarize(warm.map(r => r.cpu)).p50,
      unit: 'CPU-s',
      baseline: `import mlflow ${fmt(importMs / 1000)} s`
    });
    const rss = Math.max(...warm.map(r => r.rss));
    results.add({
      metric: `RSS when ready (${warm[0].processes} processes)`,
      value: rss / MiB,
      unit: 'MiB',
      baseline: `python -c pass peak RSS ${fmt(bareRss / MiB, 1)} MiB`,
      ratio: rss / bareRss,
      goal: `< ${GOAL_RSS_MIB} MiB`,
      pass: rss / MiB < GOAL_RSS_MIB
    });
  } finally {
    removeDir(root);
  }
  results.save();
}

await main();
