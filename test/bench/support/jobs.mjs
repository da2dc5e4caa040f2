// The job operations the job benchmarks time: a page of the job list (numbered or by cursor), and
// a submitted job's way to Running, as the shared client and the official SDK ask for them.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, Gql, meBaseline, summarize } from './bench.mjs';
import { seedJobs } from './data.mjs';
import { BenchServer } from './server.mjs';

// The selection set of the shared client's job list (the official SDK's JOB_FIELDS).
const JOB_FIELDS = `id displayName cancel command groupId groupName schedule image
  instanceType { id name displayName cpuLimit memoryLimit gpuLimit }
  userId userName phase reason message createTime startTime finishTime`;
export const BY_PAGE = `query ($where: PhJobWhereInput, $page: Int) {
  phJobsConnection(where: $where, page: $page) {
    pageInfo { totalPage currentPage }
    edges { cursor node { ${JOB_FIELDS} } } } }`;
export const BY_CURSOR = `query ($where: PhJobWhereInput, $first: Int, $after: String) {
  phJobsConnection(where: $where, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${JOB_FIELDS} } } } }`;

/** Times `samples` requests of one page query (after a warm-up), checking each answer. */
export async function measurePage(gql, query, variablesFor, check, samples, warmup = 10) {
  for (let i = 0; i < warmup; i++) {
    check((await gql.request(query, variablesFor(i))).phJobsConnection);
  }
  const times = [];
  for (let i = 0; i < samples; i++) {
    const { ms, data } = await gql.time(query, variablesFor(i));
    check(data.phJobsConnection);
    times.push(ms);
  }
  return summarize(times);
}

export const tenEdges = conn => {
  if (conn.edges.length !== 10) {
    throw new Error(`expected a page of 10 jobs, got ${conn.edges.length}`);
  }
};

/**
 * The page cases of a list of `total` jobs: numbered pages at the start, middle and end, and cursor
 * pages from the start, walking forward, and from a cursor near the end.
 */
export async function pageCases(gql, total) {
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
  const walk = () => ({ where: {}, first: 10, after: walkCursor });
  const walkCheck = conn => {
    tenEdges(conn);
    walkCursor = conn.pageInfo.endCursor;
  };
  return [
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
}

const SUBMIT = `mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id phase } }`;
const PHASE = `query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase } }`;
const TIMES = `query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase createTime startTime } }`;
const TERMINAL = ['Succeeded', 'Failed', 'Cancelled', 'Unknown'];

/**
 * Submits one `sleep 1` job and polls `phJob` (every `pollGapMs` plus a round trip) until it has
 * left Pending/Preparing; returns the client-side latency, then waits for the job to succeed so the
 * next sample starts on an idle server.
 */
export async function submitToRunning(gql, server, pollGapMs = 2) {
  const t0 = performance.now();
  const { createPhJob: job } = await gql.request(SUBMIT, {
    data: {
      displayName: 'bench-latency',
      groupId: server.groupId,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'sleep 1'
    }
  });
  let polls = 0;
  for (let phase = job.phase; phase === 'Pending' || phase === 'Preparing'; ) {
    await sleep(pollGapMs);
    phase = (await gql.request(PHASE, { where: { id: job.id } })).phJob.phase;
    polls++;
    if (performance.now() - t0 > 30_000) {
      throw new Error(`job ${job.id} still ${phase} after 30 s`);
    }
  }
  const ms = performance.now() - t0;
  let done;
  do {
    await sleep(50);
    done = (await gql.request(TIMES, { where: { id: job.id } })).phJob;
  } while (!TERMINAL.includes(done.phase));
  if (done.phase !== 'Succeeded') {
    throw new Error(`job ${job.id} ended ${done.phase}`);
  }
  return { ms, polls, serverMs: Date.parse(done.startTime) - Date.parse(done.createTime) };
}

/**
 * A bench server with `count` jobs in its database (seeded while it is stopped, after its first
 * start made the database and config.json), a GraphQL caller, and the `{ me { id } }` baseline.
 */
export async function seededServer(count) {
  const server = await BenchServer.start();
  let total;
  try {
    await server.stop();
    const t0 = Date.now();
    total = seedJobs(server.dataDir, count);
    console.log(`  seeded ${total} jobs in ${Date.now() - t0} ms`);
    await server.launch();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  const gql = new Gql(server);
  const base = await meBaseline(gql);
  console.log(`  baseline { me { id } }: p50 ${fmt(base.p50)} ms, p95 ${fmt(base.p95)} ms (${base.n} requests)`);
  return { server, gql, total, base, baseline: `me p50 ${fmt(base.p50)} ms` };
}

/** Times every page case (start, middle, end; numbered and cursor) and records each p50 against a goal. */
export async function recordPages(results, { gql, total, base, baseline }, { samples, warmup, goalMs }) {
  for (const [name, query, vars, check] of await pageCases(gql, total)) {
    const s = await measurePage(gql, query, vars, check, samples, warmup);
    console.log(`  ${name}: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms`);
    results.add({
      metric: `${name} p50`,
      value: s.p50,
      unit: 'ms',
      baseline,
      ratio: s.p50 / base.p50,
      goal: `< ${goalMs} ms`,
      pass: s.p50 < goalMs
    });
  }
}
