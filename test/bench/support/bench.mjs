// Shared pieces of the benchmarks: a keep-alive GraphQL client, percentiles, and the result
// file each benchmark hands to run.mjs.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** A GraphQL client over one keep-alive connection, so a round trip measures the server, not connection setup. */
export class Gql {
  constructor(server) {
    this.server = server;
    this.pool = new Pool(server.baseUrl, { connections: 1, pipelining: 1 });
    this.path = new URL(server.endpoint).pathname;
  }

  /** Runs one operation; throws on any GraphQL error. */
  async request(query, variables) {
    const res = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.server.token}` },
      body: JSON.stringify({ query, variables })
    });
    const body = await res.body.json();
    if (res.statusCode !== 200 || body.errors) {
      throw new Error(`GraphQL failed (${res.statusCode}): ${JSON.stringify(body.errors)}`);
    }
    return body.data;
  }

  /** Milliseconds one operation takes, end to end. */
  async time(query, variables) {
    const t0 = performance.now();
    const data = await this.request(query, variables);
    return { ms: performance.now() - t0, data };
  }

  close() {
    return this.pool.close();
  }
}

export const ME = '{ me { id } }';

/**
 * The baseline of the latency benchmarks: the round trip of a trivial authenticated query,
 * which costs HTTP, auth and GraphQL parse/validate/execute and nothing else.
 */
export async function meBaseline(gql, samples = 200) {
  for (let i = 0; i < 20; i++) {
    await gql.request(ME);
  }
  const times = [];
  for (let i = 0; i < samples; i++) {
    times.push((await gql.time(ME)).ms);
  }
  return summarize(times);
}

/** p50/p90/p95/min/max/mean of a list of samples. */
export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const pct = p => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return {
    n: s.length,
    p50: pct(50),
    p90: pct(90),
    p95: pct(95),
    min: s[0],
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length
  };
}

export const fmt = (n, digits = 2) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

export function section(title) {
  console.log(`\n=== ${title} ===`);
}

/**
 * Collects the rows a benchmark reports. Each row is one measured value with its goal and,
 * when it has one, the baseline measured in the same run and the ratio to it.
 */
export class Results {
  constructor(benchmark) {
    this.benchmark = benchmark;
    this.rows = [];
  }

  /**
   * @param {object} row
   * @param {string} row.metric what was measured
   * @param {number} row.value
   * @param {string} row.unit
   * @param {string} [row.baseline] what the ratio compares against, e.g. "me p50 0.61 ms"
   * @param {number} [row.ratio]
   * @param {string} [row.goal] e.g. "p50 < 150 ms"; rows without one are informative
   * @param {boolean} [row.pass]
   */
  add(row) {
    this.rows.push({ benchmark: this.benchmark, ...row });
    const ratio =
      row.ratio !== undefined
        ? `  ratio ${fmt(row.ratio)}x (${row.baseline})`
        : row.baseline
          ? `  (${row.baseline})`
          : '';
    const goal = row.goal === undefined ? '' : `  goal ${row.goal}: ${row.pass ? 'PASS' : 'MISS'}`;
    console.log(`  ${row.metric}: ${fmt(row.value)} ${row.unit}${ratio}${goal}`);
  }

  /** Adds the memory-growth row: RSS from `before` to `peak` (bytes) against a goal in MiB. */
  addRssGrowth(who, before, peak, goalMiB) {
    const MiB = 1024 * 1024;
    const growth = (peak - before) / MiB;
    this.add({
      metric: `${who} RSS growth`,
      value: growth,
      unit: 'MiB',
      baseline: `RSS before ${fmt(before / MiB, 1)} MiB, peak ${fmt(peak / MiB, 1)} MiB`,
      goal: `< ${goalMiB} MiB`,
      pass: growth < goalMiB
    });
  }

  /** Hands the rows to run.mjs through the file named by --result, when there is one. */
  save() {
    const i = process.argv.indexOf('--result');
    if (i > 0 && process.argv[i + 1]) {
      writeFileSync(process.argv[i + 1], JSON.stringify(this.rows));
    }
  }
}
