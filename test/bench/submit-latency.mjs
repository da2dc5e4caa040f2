// Benchmark 1: how long a trivial job takes from `createPhJob` to phase Running, seen by a
// client polling `phJob`. Baseline: the round trip of `{ me { id } }` on the same server.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, Gql, meBaseline, Results, section, summarize } from './support/bench.mjs';
import { BenchServer } from './support/server.mjs';

const SAMPLES = Number(process.env.BENCH_SUBMIT_SAMPLES ?? 30);
const WARMUP = 3;
/** Pause between polls; the observed time is accurate to one poll round trip plus this. */
const POLL_GAP_MS = 2;
const GOAL_P50_MS = 150;

const SUBMIT = `mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id phase } }`;
const PHASE = `query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase } }`;
const TIMES = `query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase createTime startTime } }`;
const TERMINAL = ['Succeeded', 'Failed', 'Cancelled', 'Unknown'];

/** Submits one job and polls until it has left Pending/Preparing; returns the client-side latency. */
async function submitToRunning(gql, server) {
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
    await sleep(POLL_GAP_MS);
    phase = (await gql.request(PHASE, { where: { id: job.id } })).phJob.phase;
    polls++;
    if (performance.now() - t0 > 30_000) {
      throw new Error(`job ${job.id} still ${phase} after 30 s`);
    }
  }
  const ms = performance.now() - t0;
  // Let the job finish before the next sample, so every sample starts on an idle server.
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

async function main() {
  const results = new Results('submit → Running');
  section(
    `submit → Running latency of \`sleep 1\` (${SAMPLES} jobs, polling phJob every ${POLL_GAP_MS} ms + round trip)`
  );
  const server = await BenchServer.start();
  const gql = new Gql(server);
  try {
    const base = await meBaseline(gql);
    console.log(`  baseline { me { id } }: p50 ${fmt(base.p50)} ms, p95 ${fmt(base.p95)} ms (${base.n} requests)`);
    for (let i = 0; i < WARMUP; i++) {
      await submitToRunning(gql, server);
    }
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(await submitToRunning(gql, server));
    }
    const client = summarize(samples.map(s => s.ms));
    const serverSide = summarize(samples.map(s => s.serverMs));
    const polls = summarize(samples.map(s => s.polls));
    console.log(
      `  client-observed: p50 ${fmt(client.p50)} ms, p95 ${fmt(client.p95)} ms, min ${fmt(client.min)}, max ${fmt(client.max)} (median ${polls.p50} polls)`
    );
    console.log(
      `  server-recorded createTime → startTime: p50 ${fmt(serverSide.p50, 0)} ms, p95 ${fmt(serverSide.p95, 0)} ms`
    );
    const baseline = `me p50 ${fmt(base.p50)} ms`;
    results.add({
      metric: 'submit→Running p50',
      value: client.p50,
      unit: 'ms',
      baseline,
      ratio: client.p50 / base.p50,
      goal: `< ${GOAL_P50_MS} ms`,
      pass: client.p50 < GOAL_P50_MS
    });
    results.add({
      metric: 'submit→Running p95',
      value: client.p95,
      unit: 'ms',
      baseline,
      ratio: client.p95 / base.p50
    });
  } finally {
    await gql.close();
    await server.dispose();
  }
  results.save();
}

await main();
