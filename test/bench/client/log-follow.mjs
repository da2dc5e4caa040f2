// Client benchmark (c): log follow latency, from a line written by a job to the same line yielded
// by `client.jobs.logs(id, { follow: true })`. The job prints its wall-clock time every 50 ms; a bare
// undici follow of the same log endpoint, attached at the same time, is the baseline.
// Goal: client p50 < 100 ms.
import { Agent, request } from 'undici';
import { fmt, Results, section, summarize } from '../support/bench.mjs';
import { BenchServer } from '../support/server.mjs';
import { clientFor, operation, wallMs } from './lib.mjs';

const LINES = Number(process.env.BENCH_CLIENT_LOG_LINES ?? 200);
const GOAL_P50_MS = 100;

/** Prints `<i> <wall-clock ms>` every 50 ms, after giving both followers time to attach. */
const JOB = `python - <<'EOF'
import time
time.sleep(1.5)
for i in range(${LINES}):
    print(f"{i} {time.time() * 1000:.3f}", flush=True)
    time.sleep(0.05)
EOF`;

/** Latency of one `<i> <ms>` line, or undefined for other lines (e.g. the server's artifact note). */
function latency(line, at) {
  const m = /^(\d+) (\d+\.\d+)$/.exec(line);
  return m ? at - Number(m[2]) : undefined;
}

/** The baseline: GET <logEndpoint>?follow=true over bare undici, split into lines as they arrive. */
async function bareFollow(agent, url, token) {
  const res = await request(`${url}?follow=true`, {
    dispatcher: agent,
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
    bodyTimeout: 0
  });
  if (res.statusCode !== 200) {
    throw new Error(`log follow answered ${res.statusCode}: ${await res.body.text()}`);
  }
  const out = [];
  let pending = '';
  res.body.setEncoding('utf8');
  for await (const chunk of res.body) {
    const at = wallMs();
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const ms = latency(pending.slice(0, nl), at);
      pending = pending.slice(nl + 1);
      if (ms !== undefined) {
        out.push(ms);
      }
    }
  }
  return out;
}

async function clientFollow(client, id) {
  const out = [];
  for await (const line of client.jobs.logs(id, { follow: true })) {
    const ms = latency(line, wallMs());
    if (ms !== undefined) {
      out.push(ms);
    }
  }
  return out;
}

async function main() {
  const results = new Results('client log follow');
  section(`log follow latency: job line written → line yielded (${LINES} lines, one every 50 ms)`);
  const server = await BenchServer.start();
  const client = await clientFor(server);
  const agent = new Agent();
  try {
    const job = await client.jobs.submit({
      displayName: 'bench-log-follow',
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: JOB
    });
    const { logEndpoint } = (await client.graphql(await operation('JobLogEndpoint'), { where: { id: job.id } })).phJob;
    const [viaClient, viaBare] = await Promise.all([
      clientFollow(client, job.id),
      bareFollow(agent, logEndpoint, server.token)
    ]);
    const done = await client.jobs.wait(job.id, { timeoutMs: 60_000 });
    if (done.phase !== 'Succeeded' || viaClient.length !== LINES || viaBare.length !== LINES) {
      throw new Error(`job ${done.phase}; client saw ${viaClient.length}, bare ${viaBare.length} of ${LINES} lines`);
    }
    const c = summarize(viaClient);
    const base = summarize(viaBare);
    console.log(`  bare undici follow: p50 ${fmt(base.p50)} ms, p95 ${fmt(base.p95)} ms, max ${fmt(base.max)} ms`);
    console.log(`  client follow:      p50 ${fmt(c.p50)} ms, p95 ${fmt(c.p95)} ms, max ${fmt(c.max)} ms`);
    results.add({
      metric: 'line latency p50',
      value: c.p50,
      unit: 'ms',
      baseline: `bare undici follow p50 ${fmt(base.p50)} ms`,
      ratio: c.p50 / base.p50,
      goal: `< ${GOAL_P50_MS} ms`,
      pass: c.p50 < GOAL_P50_MS
    });
    results.add({
      metric: 'line latency p95',
      value: c.p95,
      unit: 'ms',
      baseline: `bare undici follow p95 ${fmt(base.p95)} ms`,
      ratio: c.p95 / base.p95
    });
  } finally {
    await agent.close();
    await client.close();
    await server.dispose();
  }
  results.save();
}

await main();
