// Client benchmark (d): `for await (const job of client.jobs.iterate())` over 10,000 jobs (200
// cursor pages of 50, `first`/`after`) against the same pages fetched one after another by bare
// undici requests with the client's body. Rounds alternate which goes first; the ratio is the median of the
// per-round ratios. Goal: the client within 1.2x of the bare requests.
import { fmt, Results, section } from '../support/bench.mjs';
import { BenchServer } from '../support/server.mjs';
import { BareGraphql, clientFor, operation, seedJobs, timed } from './lib.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_CLIENT_ITERATE_ROUNDS ?? 3);
const GOAL_RATIO = 1.2;

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const results = new Results('client jobs.iterate');
  section(`client.jobs.iterate over ${JOBS} jobs vs the same pages by bare undici (${ROUNDS} rounds)`);
  const server = await BenchServer.start();
  let client;
  let bare;
  try {
    // the first start creates the database and config.json; jobs are seeded while it is stopped
    await server.stop();
    const { ms: seedMs, value: total } = await timed(async () => seedJobs(server.dataDir, JOBS));
    console.log(`  seeded ${total} jobs in ${fmt(seedMs, 0)} ms`);
    await server.launch();
    client = await clientFor(server);
    bare = new BareGraphql(server);
    const group = await client.group();
    const op = await operation('JobCursorList');
    const PAGE = 50;

    const viaClient = async () => {
      const ids = [];
      for await (const job of client.jobs.iterate()) {
        ids.push(job.id);
      }
      return ids;
    };
    // what the client sends for each page, walked the way the client walks (after the last cursor, to the end)
    const viaBare = async () => {
      const ids = [];
      let after;
      for (;;) {
        const variables = { where: { groupId_in: [group.id] }, first: PAGE, ...(after ? { after } : {}) };
        const conn = (await bare.request(op, variables)).phJobsConnection;
        for (const e of conn.edges) {
          ids.push(e.node.id);
        }
        if (!conn.pageInfo.hasNextPage || conn.edges.length === 0) {
          return ids;
        }
        after = conn.pageInfo.endCursor;
      }
    };

    // warm-up, and both walks see the same jobs in the same order
    const [a, b] = [await viaClient(), await viaBare()];
    if (a.length !== total || new Set(a).size !== total || a.join() !== b.join()) {
      throw new Error(`client saw ${a.length} jobs (${new Set(a).size} distinct), bare ${b.length}; expected ${total}`);
    }
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['client', 'bare'] : ['bare', 'client'];
      const ms = {};
      for (const who of order) {
        ms[who] = (await timed(who === 'client' ? viaClient : viaBare)).ms;
      }
      rounds.push(ms);
      console.log(`  round ${round + 1}: client ${fmt(ms.client / 1000)} s, bare undici ${fmt(ms.bare / 1000)} s`);
    }
    const clientS = median(rounds.map(r => r.client)) / 1000;
    const bareS = median(rounds.map(r => r.bare)) / 1000;
    const ratio = median(rounds.map(r => r.client / r.bare));
    results.add({
      metric: `iterate ${total} jobs`,
      value: clientS,
      unit: 's',
      baseline: `bare undici ${fmt(bareS)} s for the same ${Math.ceil(total / PAGE)} pages`,
      ratio,
      goal: `<= ${GOAL_RATIO}x bare`,
      pass: ratio <= GOAL_RATIO
    });
    results.add({ metric: 'iterate per page', value: (clientS * 1000 * PAGE) / total, unit: 'ms' });
  } finally {
    await bare?.close();
    await client?.close();
    await server.dispose();
  }
  results.save();
}

await main();
