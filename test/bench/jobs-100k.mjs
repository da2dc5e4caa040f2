// Benchmark: the job list and job submission with 100,000 jobs in the database — a page of
// `phJobsConnection` (numbered and cursor pages at the start, middle and end) and submit → Running
// (client-observed, polling `phJob`). Baseline: the round trip of `{ me { id } }` on the same server.
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { recordPages, seededServer, submitToRunning } from './support/jobs.mjs';

const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 100_000);
const PAGE_SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 100);
const SUBMIT_SAMPLES = Number(process.env.BENCH_SUBMIT_SAMPLES ?? 30);
const GOAL_PAGE_P50_MS = 5;
const GOAL_SUBMIT_P95_MS = 25;

async function main() {
  const results = new Results(`${JOBS} jobs`);
  section(`phJobsConnection pages and submit → Running with ${JOBS} jobs in the database`);
  const seeded = await seededServer(JOBS);
  const { server, gql, base, baseline } = seeded;
  try {
    await recordPages(results, seeded, { samples: PAGE_SAMPLES, warmup: 10, goalMs: GOAL_PAGE_P50_MS });

    for (let i = 0; i < 3; i++) {
      await submitToRunning(gql, server);
    }
    const samples = [];
    for (let i = 0; i < SUBMIT_SAMPLES; i++) {
      samples.push(await submitToRunning(gql, server));
    }
    const client = summarize(samples.map(s => s.ms));
    console.log(
      `  submit → Running (${SUBMIT_SAMPLES} jobs): p50 ${fmt(client.p50)} ms, p95 ${fmt(client.p95)} ms, max ${fmt(client.max)} ms`
    );
    results.add({
      metric: 'submit→Running p50',
      value: client.p50,
      unit: 'ms',
      baseline,
      ratio: client.p50 / base.p50
    });
    results.add({
      metric: 'submit→Running p95',
      value: client.p95,
      unit: 'ms',
      baseline,
      ratio: client.p95 / base.p50,
      goal: `< ${GOAL_SUBMIT_P95_MS} ms`,
      pass: client.p95 < GOAL_SUBMIT_P95_MS
    });
  } finally {
    await gql.close();
    await server.dispose();
  }
  results.save();
}

await main();
