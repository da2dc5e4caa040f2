// Client benchmark (a): the round trip of `client.jobs.get(id)` against a bare undici request
// with the same body and headers on the same server, interleaved sample by sample.
// Baseline: the bare request's p50 in the same run. Goal: client p50 <= 1.15x the baseline.
import { fmt, Results, section, summarize } from '../support/bench.mjs';
import { BenchServer } from '../support/server.mjs';
import { BareGraphql, clientFor, operation, timed } from './lib.mjs';

const SAMPLES = Number(process.env.BENCH_CLIENT_GET_SAMPLES ?? 2000);
const WARMUP = 200;
const GOAL_RATIO = 1.15;

async function main() {
  const results = new Results('client jobs.get');
  section(`client.jobs.get vs a bare undici request with the same body (${SAMPLES} each, interleaved)`);
  const server = await BenchServer.start();
  const client = await clientFor(server);
  const bare = new BareGraphql(server);
  try {
    const job = await client.jobs.submit({
      displayName: 'bench-get',
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'echo done'
    });
    await client.jobs.wait(job.id, { timeoutMs: 30_000, intervalMs: 50 });
    const op = await operation('JobGet');
    const variables = { where: { id: job.id } };
    const viaClient = () => client.jobs.get(job.id);
    const viaBare = async () => (await bare.request(op, variables)).phJob;

    // same answer both ways
    const [a, b] = [await viaClient(), await viaBare()];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`client and bare request disagree:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    }
    for (let i = 0; i < WARMUP; i++) {
      await viaClient();
      await viaBare();
    }
    const times = { client: [], bare: [] };
    for (let i = 0; i < SAMPLES; i++) {
      // alternate which goes first, so neither always meets a warmer server
      const order = i % 2 === 0 ? ['client', 'bare'] : ['bare', 'client'];
      for (const who of order) {
        const { ms } = await timed(who === 'client' ? viaClient : viaBare);
        times[who].push(ms);
      }
    }
    const c = summarize(times.client);
    const base = summarize(times.bare);
    console.log(`  bare undici: p50 ${fmt(base.p50, 3)} ms, p95 ${fmt(base.p95, 3)} ms`);
    console.log(`  client:      p50 ${fmt(c.p50, 3)} ms, p95 ${fmt(c.p95, 3)} ms`);
    const baseline = `bare undici p50 ${fmt(base.p50, 3)} ms`;
    results.add({
      metric: 'jobs.get p50',
      value: c.p50,
      unit: 'ms',
      baseline,
      ratio: c.p50 / base.p50,
      goal: `<= ${GOAL_RATIO}x bare`,
      pass: c.p50 / base.p50 <= GOAL_RATIO
    });
    results.add({
      metric: 'jobs.get p95',
      value: c.p95,
      unit: 'ms',
      baseline: `bare undici p95 ${fmt(base.p95, 3)} ms`,
      ratio: c.p95 / base.p95
    });
  } finally {
    await bare.close();
    await client.close();
    await server.dispose();
  }
  results.save();
}

await main();
