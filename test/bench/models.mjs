// Benchmark: the models fields of PrimeHub Local against MLflow's REST API called directly. A real
// PrimeHub Local with its MLflow; its group holds 30 registered models and one with 30 versions (runs
// made over MLflow's REST API with the group's own account). `models` is timed against
// `registered-models/search` and `modelVersions` against `model-versions/search`, the calls PrimeHub
// Local makes for them, each direct call signed in as the group (basic auth and its workspace) on a
// kept-alive connection, as PrimeHub Local's own are; samples interleaved; goal <= 1.2x.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { BenchServer } from './support/server.mjs';

const SAMPLES = Number(process.env.BENCH_MODELS_SAMPLES ?? 100);
const MODELS = 30;
const VERSIONS = 30;
const GOAL_RATIO = 1.2;
/** PrimeHub Local's MLflow answers /health within this on two busy cores (its start is 6 to 25 s). */
const MLFLOW_START_MS = 180_000;

async function mlflowUrl(server) {
  const until = Date.now() + MLFLOW_START_MS;
  for (;;) {
    const { mlflow } = await (await fetch(`${server.baseUrl}/api/health`)).json();
    if (mlflow.state === 'running' && mlflow.url) {
      return mlflow.url;
    }
    if (mlflow.state === 'disabled' || Date.now() > until) {
      throw new Error(`PrimeHub Local's MLflow is not running: ${JSON.stringify(mlflow)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

async function main() {
  const results = new Results('models');
  section(`Models through PrimeHub Local vs MLflow's REST API directly (${SAMPLES} samples each)`);
  const server = await BenchServer.start({ mlflow: true });
  const agent = new Agent({ connections: 2 });
  try {
    await mlflowUrl(server);
    const gql = async (query, variables = {}) => {
      const res = await request(server.endpoint, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables })
      });
      const body = await res.body.json();
      if (body.errors) {
        throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
      }
      return body.data;
    };
    // the group's own MLflow account, as its jobs get it
    const { mlflow } = await gql(
      'query ($g: String!) { mlflow(where: { group: $g }) { trackingUri trackingEnvs { name value } } }',
      { g: server.groupName }
    );
    const envs = Object.fromEntries(mlflow.trackingEnvs.map(e => [e.name, e.value]));
    const headers = {
      authorization: `Basic ${Buffer.from(`${envs.MLFLOW_TRACKING_USERNAME}:${envs.MLFLOW_TRACKING_PASSWORD}`).toString('base64')}`,
      ...(envs.MLFLOW_WORKSPACE ? { 'x-mlflow-workspace': envs.MLFLOW_WORKSPACE } : {}),
      'content-type': 'application/json'
    };
    const mlflowApi = async (method, path, body) => {
      const res = await request(`${mlflow.trackingUri}/api/2.0/mlflow/${path}`, {
        method,
        dispatcher: agent,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(`MLflow ${path}: ${res.statusCode} ${text}`);
      }
      return JSON.parse(text);
    };

    // the registry: 30 models, and 30 versions of `iris`, each from a run of its own
    for (let i = 0; i < MODELS; i++) {
      await mlflowApi('POST', 'registered-models/create', { name: `model-${i}` });
    }
    await mlflowApi('POST', 'registered-models/create', { name: 'iris' });
    const { experiment_id } = await mlflowApi('POST', 'experiments/create', { name: 'bench-models' });
    for (let i = 0; i < VERSIONS; i++) {
      const { run } = await mlflowApi('POST', 'runs/create', { experiment_id, run_name: `run-${i}` });
      await mlflowApi('POST', 'model-versions/create', {
        name: 'iris',
        run_id: run.info.run_id,
        source: `${run.info.artifact_uri}/model`
      });
    }

    const pairs = [
      {
        metric: `models (${MODELS + 1} registered models)`,
        local: async () => {
          const { models } = await gql(
            'query ($g: String!) { models(where: { group: $g }) { name latestVersions { version } } }',
            {
              g: server.groupName
            }
          );
          return models.length;
        },
        direct: async () =>
          (await mlflowApi('GET', 'registered-models/search?max_results=1000')).registered_models.length,
        baseline: 'GET registered-models/search'
      },
      {
        metric: `modelVersions (${VERSIONS} versions)`,
        local: async () => {
          const { modelVersions } = await gql(
            'query ($g: String!) { modelVersions(where: { group: $g, name: "iris" }) { version source } }',
            { g: server.groupName }
          );
          return modelVersions.length;
        },
        direct: async () =>
          (
            await mlflowApi(
              'GET',
              `model-versions/search?filter=${encodeURIComponent("name='iris'")}&max_results=10000`
            )
          ).model_versions.length,
        baseline: 'GET model-versions/search'
      }
    ];
    for (const pair of pairs) {
      const local = [];
      const direct = [];
      // warm both paths (connections, MLflow's login cache), and check they agree
      const [a, b] = [await pair.local(), await pair.direct()];
      if (a !== b) {
        throw new Error(`${pair.metric}: PrimeHub Local lists ${a}, MLflow ${b}`);
      }
      for (let i = 0; i < SAMPLES; i++) {
        for (const [fn, into] of i % 2 === 0
          ? [
              [pair.local, local],
              [pair.direct, direct]
            ]
          : [
              [pair.direct, direct],
              [pair.local, local]
            ]) {
          const t0 = performance.now();
          await fn();
          into.push(performance.now() - t0);
        }
      }
      const l = summarize(local);
      const d = summarize(direct);
      results.add({
        metric: `${pair.metric} through PrimeHub Local (p50)`,
        value: l.p50,
        unit: 'ms',
        baseline: `${pair.baseline} ${fmt(d.p50)} ms`,
        ratio: l.p50 / d.p50,
        goal: `<= ${GOAL_RATIO}x`,
        pass: l.p50 / d.p50 <= GOAL_RATIO
      });
    }
  } finally {
    await agent.close();
    await server.dispose();
  }
  results.save();
}

await main();
