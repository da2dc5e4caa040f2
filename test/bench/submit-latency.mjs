// Benchmark 1: how long a trivial job takes from `createPhJob` to phase Running, seen by a
// client polling `phJob`. Baseline: the round trip of `{ me { id } }` on the same server.
import { fmt, Gql, meBaseline, Results, section, summarize } from './support/bench.mjs';
import { submitToRunning } from './support/jobs.mjs';
import { BenchServer } from './support/server.mjs';

const SAMPLES = Number(process.env.BENCH_SUBMIT_SAMPLES ?? 30);
const WARMUP = 3;
/** Pause between polls; the observed time is accurate to one poll round trip plus this. */
const POLL_GAP_MS = 2;
const GOAL_P50_MS = 150;

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
      await submitToRunning(gql, server, POLL_GAP_MS);
    }
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(await submitToRunning(gql, server, POLL_GAP_MS));
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
