// Benchmark 3: one page of `phJobsConnection` with 10,000 jobs in the database, numbered
// (`page`) and cursor (`first: 10, after`) pagination, at the start, middle and end of the list.
// Baseline: the round trip of `{ me { id } }` on the same server.
import { seedJobs } from './support/data.mjs';
import { fmt, Gql, meBaseline, Results, section } from './support/bench.mjs';
import { measurePage, pageCases } from './support/jobs.mjs';
import { BenchServer } from './support/server.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 100);
const WARMUP = 10;
const GOAL_P50_MS = 20;

async function main() {
  const results = new Results('phJobsConnection page');
  section(`a page of phJobsConnection with ${JOBS} jobs (${SAMPLES} requests per case)`);
  // First start creates the database, the default organisation and config.json; then the
  // jobs are seeded while the server is stopped, and it is started again.
  const server = await BenchServer.start();
  let gql;
  try {
    await server.stop();
    const t0 = Date.now();
    const total = seedJobs(server.dataDir, JOBS);
    console.log(`  seeded ${total} jobs in ${Date.now() - t0} ms`);
    await server.launch();
    gql = new Gql(server);

    const base = await meBaseline(gql);
    console.log(`  baseline { me { id } }: p50 ${fmt(base.p50)} ms, p95 ${fmt(base.p95)} ms (${base.n} requests)`);
    const cases = await pageCases(gql, total);
    const baseline = `me p50 ${fmt(base.p50)} ms`;
    for (const [name, query, vars, check] of cases) {
      const s = await measurePage(gql, query, vars, check, SAMPLES, WARMUP);
      console.log(`  ${name}: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms`);
      results.add({
        metric: `${name} p50`,
        value: s.p50,
        unit: 'ms',
        baseline,
        ratio: s.p50 / base.p50,
        goal: `< ${GOAL_P50_MS} ms`,
        pass: s.p50 < GOAL_P50_MS
      });
    }
  } finally {
    await gql?.close();
    await server.dispose();
  }
  results.save();
}

await main();
