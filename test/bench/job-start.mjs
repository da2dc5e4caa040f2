// Benchmark: what the job sandbox adds to starting a job. A trivial job is started as PrimeHub Local
// starts every job (home prepared, then `bash -lc` — in bubblewrap, or as a plain process group),
// and timed from spawn until its command runs (the command's first statement prints the wall clock,
// after the login profile) and until it has exited and its sandbox is gone. Sandboxed and
// unsandboxed starts alternate in the same run, so both see the same machine. Baseline: the
// unsandboxed start.
import { mkdtempSync, readFileSync } from 'node:fs';
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
const { detectLimits, removeJobCgroups } = require(join(DIST, 'cgroupLimits.js'));

const SAMPLES = Number(process.env.BENCH_JOB_START_SAMPLES ?? 60);
const WARMUP = 5;
const GOAL_RATIO = 1.5;
const GOAL_ADDED_MS = 20;

async function startOnce(root, n, sandbox, limits) {
  const launch = {
    jobId: `bench-start-${process.pid}-${n}`,
    command: 'echo "$EPOCHREALTIME"',
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
  const wall0 = performance.timeOrigin + t0;
  const proc = JobProcess.start(launch);
  const code = await new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', resolve);
  });
  const exitMs = performance.now() - t0;
  await removeJobCgroups(limits, launch.jobId);
  if (code !== 0) {
    throw new Error(`job start exited with ${code}`);
  }
  const ran = Number(readFileSync(launch.log, 'utf8').trim()) * 1000;
  return { startMs: ran - wall0, exitMs };
}

async function main() {
  const results = new Results('job start');
  section(`job start, sandboxed vs not, ${SAMPLES} alternating starts each`);
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
    const report = (what, key, goals) => {
      const p = summarize(plain.map(r => r[key]));
      const s = summarize(jailed.map(r => r[key]));
      console.log(
        `  ${what}: unsandboxed p50 ${fmt(p.p50)} ms (p95 ${fmt(p.p95)}), sandboxed p50 ${fmt(s.p50)} ms (p95 ${fmt(s.p95)})`
      );
      const baseline = `unsandboxed p50 ${fmt(p.p50)} ms`;
      const ratio = s.p50 / p.p50;
      const added = s.p50 - p.p50;
      results.add({
        metric: `sandboxed ${what} p50`,
        value: s.p50,
        unit: 'ms',
        baseline,
        ratio,
        ...(goals ? { goal: `<= ${GOAL_RATIO}x`, pass: ratio <= GOAL_RATIO } : {})
      });
      results.add({
        metric: `sandbox adds to ${what} p50`,
        value: added,
        unit: 'ms',
        baseline,
        ...(goals ? { goal: `< ${GOAL_ADDED_MS} ms`, pass: added < GOAL_ADDED_MS } : {})
      });
    };
    report('spawn → command runs', 'startMs', true);
    report('spawn → exited', 'exitMs', false);
  } finally {
    removeDir(root);
  }
  results.save();
}

await main();
