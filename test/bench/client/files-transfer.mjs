// Client benchmark (b): upload and download of a 1 GiB file through `client.files.uploadFile` /
// `downloadFile` (streamed from and to disk) against curl on the same server, over N rounds,
// with this process's RSS sampled during the client's transfers. Bare undici (1 MiB buffers, the
// best plain Node does) is measured too, as information: it shows how much is the client's own.
// Baseline: curl's throughput in the same round (the ratio is the median over rounds of the per-round
// ratios, which cancels the drift of a VM's disk). Goals: >= 0.9x curl each way; client RSS growth < 64 MiB;
// the client's own overhead over bare undici <= 1.1x each way: the CPU time this process spends per
// transfer (client / undici, paired per round; a shared disk makes throughput too noisy to isolate
// the client's own cost), with the throughput ratio reported beside it.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { fmt, Results, section } from '../support/bench.mjs';
import { BenchServer, removeDir, tempDir } from '../support/server.mjs';
import { clientFor, makePayload, runCurl, sameSamples, sampledRss, timed } from './lib.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_CLIENT_FILES_MB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_CLIENT_FILES_ROUNDS ?? 5);
const GOAL_RATIO = 0.9;
const GOAL_RSS_MB = 64;
const GOAL_OVERHEAD = 1.1;
const OBJECT = 'bench/payload.bin';

async function main() {
  const label = SIZE >= 1024 * MiB ? `${SIZE / 1024 / MiB} GiB` : `${SIZE / MiB} MiB`;
  const results = new Results(`client files ${label}`);
  section(`client.files upload/download of ${label} vs curl, ${ROUNDS} rounds`);
  const work = tempDir('client-files');
  const server = await BenchServer.start();
  const client = await clientFor(server);
  const agent = new Agent({ connections: 1 });
  try {
    const payload = join(work, 'payload.bin');
    const received = join(work, 'received.bin');
    let { ms } = await timed(async () => makePayload(payload, SIZE));
    console.log(`  payload written in ${fmt(ms / 1000, 1)} s`);

    const group = await client.group();
    const url = await client.files.url(`/${OBJECT}`);
    const stored = join(
      server.dataDir,
      'phfs',
      'groups',
      group.name.replace(/_/g, '-').toLowerCase(),
      ...OBJECT.split('/')
    );
    const auth = `authorization: Bearer ${server.token}`;
    const transfers = {
      'curl upload': () =>
        runCurl([
          '-sS',
          '--fail',
          '-o',
          '/dev/null',
          '-X',
          'POST',
          '-T',
          payload,
          '-H',
          auth,
          '-H',
          'content-type: application/octet-stream',
          '-H',
          'expect:',
          url
        ]),
      'client upload': () => client.files.uploadFile(payload, `/${OBJECT}`),
      'curl download': () => runCurl(['-sS', '--fail', '-o', received, '-H', auth, url]),
      'client download': () => client.files.downloadFile(`/${OBJECT}`, received),
      'undici upload': async () => {
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}`, 'content-length': String(SIZE) },
          body: createReadStream(payload, { highWaterMark: MiB })
        });
        await res.body.text();
      },
      'undici download': async () => {
        const res = await request(url, {
          dispatcher: agent,
          headers: { authorization: `Bearer ${server.token}` },
          highWaterMark: MiB
        });
        await pipeline(res.body, createWriteStream(received, { highWaterMark: MiB }));
      }
    };
    const verify = name => {
      const ok = name.endsWith('upload') ? sameSamples(payload, stored) : sameSamples(payload, received);
      rmSync(received, { force: true });
      if (!ok) {
        throw new Error(`${name}: the transferred file differs from the payload`);
      }
    };

    // Warm-up: each client once each way, so the RSS baseline includes first-use allocations.
    for (const name of Object.keys(transfers)) {
      await transfers[name]();
      verify(name);
    }
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const rounds = [];
    const cpuRounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      // rotate who goes first, so no one always meets the same disk state
      const order = ['curl', 'client', 'undici'].map((_, i, a) => a[(i + round) % a.length]);
      const mbpsOf = {};
      rounds.push(mbpsOf);
      const cpuOf = {};
      cpuRounds.push(cpuOf);
      for (const direction of ['upload', 'download']) {
        for (const who of order) {
          const name = `${who} ${direction}`;
          // every transfer starts with no dirty pages left by the previous one to write back
          spawnSync('sync');
          const cpu0 = process.cpuUsage();
          const { value, peak: p } = await sampledRss(() => timed(transfers[name]));
          const cpu = process.cpuUsage(cpu0);
          cpuOf[name] = (cpu.user + cpu.system) / 1000;
          verify(name);
          if (who === 'client') {
            peak = Math.max(peak, p);
          }
          const mbps = SIZE / 1e6 / (value.ms / 1000);
          console.log(`  round ${round + 1} ${name}: ${fmt(mbps, 0)} MB/s (${fmt(value.ms / 1000)} s)`);
          mbpsOf[name] = mbps;
        }
      }
    }
    const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const med = name => median(rounds.map(r => r[name]));
    const pairedRatio = (a, b) => median(rounds.map(r => r[a] / r[b]));
    for (const direction of ['upload', 'download']) {
      const ratio = pairedRatio(`client ${direction}`, `curl ${direction}`);
      results.add({
        metric: `client ${direction}`,
        value: med(`client ${direction}`),
        unit: 'MB/s',
        baseline: `curl median ${fmt(med(`curl ${direction}`), 0)} MB/s`,
        ratio,
        goal: `>= ${GOAL_RATIO}x curl`,
        pass: ratio >= GOAL_RATIO
      });
    }
    for (const direction of ['upload', 'download']) {
      results.add({
        metric: `bare undici ${direction}`,
        value: med(`undici ${direction}`),
        unit: 'MB/s',
        baseline: `curl median ${fmt(med(`curl ${direction}`), 0)} MB/s; client/undici ${fmt(pairedRatio(`client ${direction}`, `undici ${direction}`))}x`,
        ratio: pairedRatio(`undici ${direction}`, `curl ${direction}`)
      });
    }
    for (const direction of ['upload', 'download']) {
      const cpuRatio = median(cpuRounds.map(r => r[`client ${direction}`] / r[`undici ${direction}`]));
      const cpuMed = who => median(cpuRounds.map(r => r[`${who} ${direction}`]));
      results.add({
        metric: `client ${direction} CPU overhead over bare undici`,
        value: cpuRatio,
        unit: 'x',
        baseline: `CPU per transfer: undici ${fmt(cpuMed('undici'), 0)} ms, client ${fmt(cpuMed('client'), 0)} ms; throughput undici/client ${fmt(pairedRatio(`undici ${direction}`, `client ${direction}`))}x`,
        goal: `<= ${GOAL_OVERHEAD}x`,
        pass: cpuRatio <= GOAL_OVERHEAD
      });
    }
    results.addRssGrowth('client', rss0, peak, GOAL_RSS_MB);
  } finally {
    await agent.close();
    await client.close();
    await server.dispose();
    removeDir(work);
  }
  results.save();
}

await main();
