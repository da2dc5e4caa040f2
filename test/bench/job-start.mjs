// Benchmark: what the job sandbox adds to starting a job. One trivial job (`true`) is started as
// PrimeHub Local starts every job (home prepared, then `bash -lc` — in bubblewrap, or as a plain
// process group) and timed from spawn to exit; sandboxed and unsandboxed starts alternate in the
// same run, so both see the same machine. Baseline: the unsandboxed start.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { removeDir, REPO_ROOT } from './support/server.mjs';

const require = createRequire(import.meta.url);
const DIST = join(REPO_ROOT, 'packages', 'local-server', 'dist', 'jobs');
const { JobProcess } = require(join(DIST, 'JobProcess.js'));
const { detectSandbox } = require(join(DIST, 'jobSandbox.js'));
const { detectLimits } = require(join(DIST, 'cgroupLimits.js'));

const SAMPLES = Number(process.env.BENCH_JOB_START_SAMPLES ?? 60);
const WARMUP = 5;
const GOAL_RATIO = 1.5;
const GOAL_ADDED_MS = 20;

async function startOnce(root, n, sandbox, limits) {
  const launch = {
    jobId: `bench-start-${process.pid}-${n}`,
    command: 'true',
    user: 'phuser',
    group: 'phusers',
    cpu: 1,
    memoryGb: 1,
    home: join(root, 'jobs', String(n), 'home'),
    volume: join(root, 'volumes', 'phusers'),
    phfs: join(root, 'phfs', 'phusers'),
    log: join(root, 'jobs', String(n), 'job.log'),
    pythonEnv: join(REPO_ROOT, '.venv'),
    sandbox,
    limits
  };
  await JobProcess.prepare(launch);
  const t0 = performance.now();
  const proc = JobProcess.start(launch);
  const code = await new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', resolve);
  });
  const ms = performance.now() - t0;
  if (code !== 0) {
    throw new Error(`job start exited with ${code}`);
  }
  return ms;
}

async function main() {
  const results = new Results('job start');
  section(`job start (\`true\`, spawn → exit), sandboxed vs not, ${SAMPLES} alternating starts each`);
  const sandbox = detectSandbox('sandbox');
  if (!sandbox.available) {
    throw new Error(`the job sandbox cannot run here: ${sandbox.reason}`);
  }
  const none = { available: false, reason: 'baseline' };
  const limits = detectLimits();
  const root = mkdtempSync(join(tmpdir(), 'phl-bench-start-'));
  try {
    let n = 0;
    for (let i = 0; i < WARMUP; i++) {
      await startOnce(root, n++, none, limits);
      await startOnce(root, n++, sandbox, limits);
    }
    const plain = [];
    const jailed = [];
    for (let i = 0; i < SAMPLES; i++) {
      plain.push(await startOnce(root, n++, none, limits));
      jailed.push(await startOnce(root, n++, sandbox, limits));
    }
    const p = summarize(plain);
    const s = summarize(jailed);
    console.log(`  unsandboxed: p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms`);
    console.log(`  sandboxed:   p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms`);
    const baseline = `unsandboxed p50 ${fmt(p.p50)} ms`;
    results.add({
      metric: 'sandboxed start p50',
      value: s.p50,
      unit: 'ms',
      baseline,
      ratio: s.p50 / p.p50,
      goal: `<= ${GOAL_RATIO}x`,
      pass: s.p50 / p.p50 <= GOAL_RATIO
    });
    results.add({
      metric: 'sandbox added p50',
      value: s.p50 - p.p50,
      unit: 'ms',
      baseline,
      goal: `< ${GOAL_ADDED_MS} ms`,
      pass: s.p50 - p.p50 < GOAL_ADDED_MS
    });
  } finally {
    removeDir(root);
  }
  results.save();
}

await main();
