#!/usr/bin/env node
// The JupyterLab server extension's PrimeHub API proxy moving a 300 MiB PHFS file: upload and
// download through a real Jupyter server (the repository's extension) in front of a real PrimeHub
// Local, with the Jupyter server's RSS sampled every 20 ms. The proxy streams both ways, so the
// Jupyter server must not grow by anything like the file's size. Baseline in the same run: the
// same transfer straight to PrimeHub Local (throughput ratio proxy/direct).
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { Agent, request, stream } from 'undici';
import { fmt, Results, section } from './support/bench.mjs';
import { makePayload, sameSamples } from './support/data.mjs';
import { spawnJupyter, VENV_BIN, writeConfig } from './support/lab.mjs';
import { BenchServer, freePort, removeDir, REPO_ROOT, rssBytes, tempDir } from './support/server.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_JL_PROXY_MB ?? 300) * MiB;
const GOAL_RSS_MB = 64;
const OBJECT = 'bench/proxied.bin';

/** `jupyter server` with the extension from this checkout, signed in to PrimeHub through its config file. */
async function startJupyter(server, work) {
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  const { configFile, group } = writeConfig(server, work);
  const port = await freePort();
  const token = `bench-${process.pid}-${Date.now()}`;
  const args = ['server', '--no-browser', '--ip=127.0.0.1', `--port=${port}`];
  // The port it serves on, from the URL it prints (it moves on to the next one when the port is taken).
  const { child: jupyter, match } = await spawnJupyter(args, {
    cwd: home,
    env: {
      // The checkout's extension, not the copy installed in the virtualenv at bootstrap time.
      PYTHONPATH: join(REPO_ROOT, 'jupyterlab-extension'),
      HOME: home,
      JUPYTER_CONFIG_DIR: join(work, 'jupyter-config'),
      JUPYTER_RUNTIME_DIR: join(work, 'jupyter-runtime'),
      GROUP_ID: group.id,
      GROUP_NAME: group.name,
      PRIMEHUB_API_ENDPOINT: server.endpoint,
      PRIMEHUB_CONFIG: configFile,
      // In its environment, not on its command line (which `ps` shows to every user).
      JUPYTER_TOKEN: token
    },
    ready: /http:\/\/127\.0\.0\.1:(\d+)\//
  });
  return { jupyter, base: `http://127.0.0.1:${match[1]}`, token };
}

/** Runs one transfer while sampling the Jupyter server's RSS; returns its duration and peak RSS. */
async function watched(pid, fn) {
  let peak = rssBytes(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid) ?? 0)), 20);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { seconds: (performance.now() - t0) / 1000, peak: Math.max(peak, rssBytes(pid) ?? 0) };
}

async function main() {
  if (!statSync(join(VENV_BIN, 'jupyter'), { throwIfNoEntry: false })) {
    throw new Error("needs the project's .venv with Jupyter (node scripts/bootstrap.mjs)");
  }
  const results = new Results('jupyterlab-proxy');
  section(`JupyterLab API proxy: ${SIZE / MiB} MiB PHFS upload and download through Jupyter vs straight to PrimeHub`);
  const work = tempDir('jl-proxy');
  const server = await BenchServer.start();
  const agent = new Agent({ connections: 1 });
  let jupyter;
  try {
    const payload = join(work, 'payload.bin');
    makePayload(payload, SIZE);
    const started = await startJupyter(server, work);
    jupyter = started.jupyter;
    const groupPath = server.groupName.replace(/_/g, '-').toLowerCase();
    const stored = join(server.dataDir, 'phfs', 'groups', groupPath, ...OBJECT.split('/'));
    const routes = {
      direct: {
        url: `${server.baseUrl}/api/files/groups/${groupPath}/${OBJECT}`,
        authorization: `Bearer ${server.token}`
      },
      proxy: {
        url: `${started.base}/primehub-suite/proxy/api/files/groups/${groupPath}/${OBJECT}`,
        authorization: `token ${started.token}`
      }
    };
    const upload = async (route, size = SIZE) => {
      const res = await request(route.url, {
        dispatcher: agent,
        method: 'POST',
        headers: {
          authorization: route.authorization,
          'content-type': 'application/octet-stream',
          'content-length': String(size)
        },
        body: createReadStream(payload, { highWaterMark: MiB, end: size - 1 })
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(`upload answered ${res.statusCode}: ${text}`);
      }
    };
    const download = async (route, sink) => {
      let out;
      await stream(
        route.url,
        { dispatcher: agent, headers: { authorization: route.authorization } },
        ({ statusCode }) => {
          if (statusCode !== 200) {
            throw new Error(`download answered ${statusCode}`);
          }
          out = createWriteStream(sink, { highWaterMark: MiB });
          return out;
        }
      );
      if (out.bytesWritten !== SIZE) {
        throw new Error(`download got ${out.bytesWritten} of ${SIZE} bytes`);
      }
    };

    // Warm-up: a small transfer through the proxy, so the baseline RSS includes first-use allocations.
    await upload(routes.proxy, MiB);
    const rss0 = rssBytes(jupyter.pid);
    console.log(`  Jupyter server RSS before the transfers: ${fmt(rss0 / MiB, 1)} MiB`);

    const measured = {};
    for (const direction of ['upload', 'download']) {
      for (const name of ['direct', 'proxy']) {
        const received = join(work, 'received.bin');
        const w = await watched(jupyter.pid, () =>
          direction === 'upload' ? upload(routes[name]) : download(routes[name], received)
        );
        const file = direction === 'upload' ? stored : received;
        if (!sameSamples(payload, file)) {
          throw new Error(`${name} ${direction}: the transferred file differs from the payload`);
        }
        measured[`${name} ${direction}`] = { mbps: SIZE / 1e6 / w.seconds, peak: w.peak };
        console.log(
          `  ${name} ${direction}: ${fmt(SIZE / 1e6 / w.seconds, 0)} MB/s (${fmt(w.seconds)} s); ` +
            `Jupyter RSS peak ${fmt(w.peak / MiB, 1)} MiB`
        );
      }
    }
    for (const direction of ['upload', 'download']) {
      const proxy = measured[`proxy ${direction}`];
      const direct = measured[`direct ${direction}`];
      results.add({
        metric: `proxy ${direction}`,
        value: proxy.mbps,
        unit: 'MB/s',
        baseline: `straight to PrimeHub ${fmt(direct.mbps, 0)} MB/s`,
        ratio: proxy.mbps / direct.mbps
      });
      results.addRssGrowth(`Jupyter server (proxy ${direction} of ${SIZE / MiB} MiB)`, rss0, proxy.peak, GOAL_RSS_MB);
    }
  } finally {
    jupyter?.kill('SIGTERM');
    await agent.close();
    await server.dispose();
    removeDir(work);
  }
  results.save();
}

await main();
