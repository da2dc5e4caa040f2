// Benchmark 3: one page of `phJobsConnection` with 10,000 jobs in the database, numbered
// (`page`) and cursor (`first: 10, after`) pagination, at the start, middle and end of the list.
// Baseline: the round trip of `{ me { id } }` on the same server.
import { Results, section } from './support/bench.mjs';
import { recordPages, seededServer } from './support/jobs.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 100);
const WARMUP = 10;
const GOAL_P50_MS = 20;

async function main() {
  const results = new Results('phJobsConnection page');
  section(`a page of phJobsConnection with ${JOBS} jobs (${SAMPLES} requests per case)`);
  const seeded = await seededServer(JOBS);
  try {
    await recordPages(results, seeded, { samples: SAMPLES, warmup: WARMUP, goalMs: GOAL_P50_MS });
  } finally {
    await seeded.gql.close();
    await seeded.server.dispose();
  }
  results.save();
}

await main();
