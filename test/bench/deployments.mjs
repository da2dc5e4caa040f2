// Benchmark: deployments. Deploy → Deployed latency of an iris model (model.joblib on the group volume,
// one replica), then predictions with 16 requests in flight through PrimeHub Local's
// /deployment/<id>/api/v1.0/predictions against the same replica's model server called directly
// (goals: p50 <= 1.2x, throughput >= 0.8x) and against the real seldon-core 1.17.1 microservice
// (.venv-seldon-core, its defaults) serving the same model.joblib (goal: faster, p50 and throughput).
// The three targets take turns, a round each at a time, so that the machine's other load falls on all.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { fmt, Gql, Results, section, summarize } from './support/bench.mjs';
import { BenchServer, freePort, REPO_ROOT } from './support/server.mjs';

const DEPLOY_SAMPLES = Number(process.env.BENCH_DEPLOY_SAMPLES ?? 3);
const REQUESTS = Number(process.env.BENCH_DEPLOY_REQUESTS ?? 1000);
const ROUNDS = 3;
const CONCURRENCY = 16;
const MODELS_DIR = join(REPO_ROOT, 'test', 'deployments', 'models');
const BODY = JSON.stringify({ data: { tensor: { shape: [1, 4], values: [5.3, 3.5, 1.4, 0.2] } } });

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return (utime + stime) * 10;
}

/** The environment of the live process whose PHJOB_NAME is `pod` (a replica), read from /proc. */
function replicaEnv(pod) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (env.includes(`PHJOB_NAME=${pod}`) && env.some(e => e.startsWith('MODEL_SERVER_PORT='))) {
        return Object.fromEntries(
          env.filter(Boolean).map(e => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])
        );
      }
    } catch {
      // ended, or not ours to read
    }
  }
  throw new Error(`no process of replica ${pod}`);
}

async function waitDeployed(gql, id) {
  for (;;) {
    const { phDeployment } = await gql.request(
      'query ($id: ID!) { phDeployment(where: { id: $id }) { status message } }',
      {
        id
      }
    );
    if (phDeployment.status === 'Deployed') {
      return;
    }
    if (phDeployment.status === 'Failed') {
      throw new Error(`deployment ${id} failed: ${phDeployment.message}`);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/** `count` predictions, `CONCURRENCY` in flight, over a pool of kept-alive connections: latencies and wall time. */
async function load(pool, path, count) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const s = performance.now();
        const res = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: BODY
        });
        const text = await res.body.text();
        if (res.statusCode !== 200) {
          throw new Error(`${path}: ${res.statusCode} ${text}`);
        }
        latencies.push(performance.now() - s);
      }
    })
  );
  return { latencies, ms: performance.now() - t0 };
}

/** The real seldon-core 1.17.1 microservice serving `modelDir` with PrimeHub's SKLearn server class, on free ports. */
async function startSeldon(modelDir) {
  const bin = join(REPO_ROOT, '.venv-seldon-core', 'bin', 'seldon-core-microservice');
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    bin,
    [
      'SKLearnServer',
      '--service-type',
      'MODEL',
      '--http-port',
      String(http),
      '--grpc-port',
      String(grpc),
      '--metrics-port',
      String(metrics)
    ],
    {
      cwd: MODELS_DIR,
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        PYTHONDONTWRITEBYTECODE: '1',
        PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([{ name: 'model_uri', value: modelDir, type: 'STRING' }]),
        PREDICTIVE_UNIT_ID: 'model',
        PREDICTIVE_UNIT_IMAGE: 'infuseai/sklearn-prepackaged:v0.1.0'
      }
    }
  );
  const exited = new Promise(resolve => child.once('exit', resolve));
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `seldon-core-microservice exited with ${child.exitCode} (is .venv-seldon-core there? run npm test's bootstrap)`
      );
    }
    try {
      if ((await fetch(`http://127.0.0.1:${http}/health/ping`)).status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      throw new Error('seldon-core-microservice did not answer within 120 s');
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${http}`,
    async stop() {
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  };
}

async function main() {
  const results = new Results('deployments');
  section(
    `Deployments: deploy latency (${DEPLOY_SAMPLES} samples), predictions (${ROUNDS} x ${REQUESTS}, ${CONCURRENCY} in flight)`
  );
  const server = await BenchServer.start();
  const gql = new Gql(server);
  let seldon;
  const pools = [];
  try {
    const modelDir = join(server.dataDir, 'volumes', server.groupName, 'iris');
    mkdirSync(modelDir, { recursive: true });
    // train.py writes iris/model.joblib (and the MLflow models, unused here) under the folder it is given
    const trained = spawnSync(
      join(REPO_ROOT, '.venv', 'bin', 'python'),
      [join(MODELS_DIR, 'train.py'), dirname(modelDir)],
      {
        cwd: MODELS_DIR,
        encoding: 'utf8'
      }
    );
    if (trained.status !== 0) {
      throw new Error(`training failed: ${trained.stderr}`);
    }
    const create = id =>
      gql.request('mutation ($data: PhDeploymentCreateInput!) { createPhDeployment(data: $data) { id } }', {
        data: {
          id,
          name: id,
          groupId: server.groupId,
          instanceType: 'cpu-1',
          modelImage: 'infuseai/sklearn-prepackaged:v0.1.0',
          modelURI: `/project/${server.groupName}/iris`,
          replicas: 1
        }
      });

    const deployMs = [];
    for (let i = 0; i < DEPLOY_SAMPLES; i++) {
      const t0 = performance.now();
      await create(`latency-${i}`);
      await waitDeployed(gql, `latency-${i}`);
      deployMs.push(performance.now() - t0);
      await gql.request('mutation ($id: ID!) { deletePhDeployment(where: { id: $id }) { id } }', {
        id: `latency-${i}`
      });
    }
    const deploy = summarize(deployMs);
    results.add({
      metric: 'create → Deployed (1 replica, sklearn, p50)',
      value: deploy.p50,
      unit: 'ms',
      baseline: `max ${fmt(deploy.max)} ms`
    });

    await create('iris');
    await waitDeployed(gql, 'iris');
    const { phDeployment } = await gql.request('{ phDeployment(where: { id: "iris" }) { pods { name } } }');
    const port = replicaEnv(phDeployment.pods[0].name).MODEL_SERVER_PORT;
    seldon = await startSeldon(modelDir);
    const targets = [
      { name: 'PrimeHub Local route', origin: server.baseUrl, path: '/deployment/iris/api/v1.0/predictions' },
      { name: 'model server directly', origin: `http://127.0.0.1:${port}`, path: '/api/v1.0/predictions' },
      { name: 'seldon-core 1.17.1', origin: seldon.url, path: '/api/v1.0/predictions' }
    ].map(t => ({
      ...t,
      pool: new Pool(t.origin, { connections: CONCURRENCY }),
      latencies: [],
      ms: 0,
      count: 0,
      cpu: 0
    }));
    pools.push(...targets.map(t => t.pool));
    for (const t of targets) {
      await load(t.pool, t.path, 50);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const cpu0 = cpuMs(server.pid);
        const { latencies, ms } = await load(t.pool, t.path, REQUESTS);
        t.cpu += cpuMs(server.pid) - cpu0;
        t.latencies.push(...latencies);
        t.ms += ms;
        t.count += latencies.length;
      }
    }
    const [route, direct, real] = targets.map(t => ({
      ...summarize(t.latencies),
      p99: pct99(t.latencies),
      rps: (t.count / t.ms) * 1000
    }));
    for (const [t, s] of targets.map((t, i) => [t, [route, direct, real][i]])) {
      console.log(`  ${t.name}: p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, ${fmt(s.rps, 0)} requests/s`);
    }
    // what the hop costs whatever else the machine runs: PrimeHub Local's own CPU time per proxied request
    results.add({
      metric: 'PrimeHub Local CPU per proxied prediction',
      value: targets[0].cpu / targets[0].count,
      unit: 'ms',
      baseline: `${fmt(targets[1].cpu / targets[1].count, 3)} ms while the model server is called directly`
    });
    results.add({
      metric: 'prediction through PrimeHub Local (p50)',
      value: route.p50,
      unit: 'ms',
      baseline: `model server directly ${fmt(direct.p50)} ms`,
      ratio: route.p50 / direct.p50,
      goal: '<= 1.2x',
      pass: route.p50 / direct.p50 <= 1.2
    });
    results.add({
      metric: 'prediction through PrimeHub Local (p99)',
      value: route.p99,
      unit: 'ms',
      baseline: `directly ${fmt(direct.p99)} ms`
    });
    results.add({
      metric: `throughput through PrimeHub Local (${CONCURRENCY} in flight)`,
      value: route.rps,
      unit: 'req/s',
      baseline: `model server directly ${fmt(direct.rps, 0)} req/s`,
      ratio: route.rps / direct.rps,
      goal: '>= 0.8x',
      pass: route.rps / direct.rps >= 0.8
    });
    results.add({
      metric: 'prediction through PrimeHub Local vs seldon-core 1.17.1 (p50)',
      value: route.p50,
      unit: 'ms',
      baseline: `seldon-core ${fmt(real.p50)} ms`,
      ratio: route.p50 / real.p50,
      goal: '< 1x',
      pass: route.p50 < real.p50
    });
    results.add({
      metric: 'throughput through PrimeHub Local vs seldon-core 1.17.1',
      value: route.rps,
      unit: 'req/s',
      baseline: `seldon-core ${fmt(real.rps, 0)} req/s`,
      ratio: route.rps / real.rps,
      goal: '> 1x',
      pass: route.rps > real.rps
    });
  } finally {
    await Promise.all(pools.map(p => p.close()));
    await seldon?.stop();
    await gql.close();
    await server.dispose();
  }
  results.save();
}

/** The 99th percentile (summarize stops at p95). */
function pct99(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
}

await main();
