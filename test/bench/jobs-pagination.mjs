// Benchmark 3: one page of `phJobsConnection` with 10,000 jobs in the database, numbered
// (`page`) and cursor (`first: 10, after`) pagination, at the start, middle and end of the list.
// Baseline: the round trip of `{ me { id } }` on the same server.
import { seedJobs } from './support/data.mjs';
import { fmt, Gql, meBaseline, Results, section, summarize } from './support/bench.mjs';
import { BenchServer } from './support/server.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 100);
const WARMUP = 10;
const GOAL_P50_MS = 20;

// The selection set of the shared client's job list (the official SDK's JOB_FIELDS).
const JOB_FIELDS = `id displayName cancel command groupId groupName schedule image
  instanceType { id name displayName cpuLimit memoryLimit gpuLimit }
  userId userName phase reason message createTime startTime finishTime`;
const BY_PAGE = `query ($where: PhJobWhereInput, $page: Int) {
  phJobsConnection(where: $where, page: $page) {
    pageInfo { totalPage currentPage }
    edges { cursor node { ${JOB_FIELDS} } } } }`;
const BY_CURSOR = `query ($where: PhJobWhereInput, $first: Int, $after: String) {
  phJobsConnection(where: $where, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${JOB_FIELDS} } } } }`;

async function measure(gql, query, variablesFor, check) {
  for (let i = 0; i < WARMUP; i++) {
    check((await gql.request(query, variablesFor(i))).phJobsConnection);
  }
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, data } = await gql.time(query, variablesFor(i));
    check(data.phJobsConnection);
    times.push(ms);
  }
  return summarize(times);
}

const tenEdges = conn => {
  if (conn.edges.length !== 10) {
    throw new Error(`expected a page of 10 jobs, got ${conn.edges.length}`);
  }
};

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
    const first = (await gql.request(BY_PAGE, { where: {}, page: 1 })).phJobsConnection;
    const lastPage = first.pageInfo.totalPage;
    if (lastPage !== Math.ceil(total / 10)) {
      throw new Error(`totalPage ${lastPage}, expected ${Math.ceil(total / 10)}`);
    }
    const middle = Math.ceil(lastPage / 2);
    // A cursor near the end: the last job of the second-to-last page.
    const deep = (await gql.request(BY_PAGE, { where: {}, page: lastPage - 1 })).phJobsConnection;
    const deepCursor = deep.edges[deep.edges.length - 1].cursor;

    // Walks forward page by page, as a client iterating the whole list does.
    let walkCursor = null;
    const walk = () => {
      const v = { where: {}, first: 10, after: walkCursor };
      return v;
    };
    const walkCheck = conn => {
      tenEdges(conn);
      walkCursor = conn.pageInfo.endCursor;
    };

    const cases = [
      ['page 1', BY_PAGE, () => ({ where: {}, page: 1 }), tenEdges],
      [`page ${middle}`, BY_PAGE, () => ({ where: {}, page: middle }), tenEdges],
      [
        `page ${lastPage} (last)`,
        BY_PAGE,
        () => ({ where: {}, page: lastPage }),
        conn => conn.edges.length > 0 || tenEdges(conn)
      ],
      ['first 10 (no cursor)', BY_CURSOR, () => ({ where: {}, first: 10 }), tenEdges],
      ['first 10 after (walking forward)', BY_CURSOR, walk, walkCheck],
      [
        `first 10 after a cursor at job ${total - 10}`,
        BY_CURSOR,
        () => ({ where: {}, first: 10, after: deepCursor }),
        tenEdges
      ]
    ];
    const baseline = `me p50 ${fmt(base.p50)} ms`;
    for (const [name, query, vars, check] of cases) {
      const s = await measure(gql, query, vars, check);
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
