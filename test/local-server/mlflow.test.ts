import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { MlflowAccounts } from '../../packages/local-server/src/mlflow/MlflowAccounts';
import { MLFLOW_MARKER_ENV } from '../../packages/local-server/src/mlflow/MlflowServer';
import { groupMembers, processesWithEnv } from '../../packages/local-server/src/processes';
import { fetchText, submitJob, waitForJob } from '../kit/http';
import { LocalServerProcess } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowHealth, mlflowRunning } from '../kit/mlflow';
import { waitFor } from '../kit/wait';

/** A test that waits for a start (or two: the job's Python imports mlflow and scikit-learn too). */
const TEST_MS = MLFLOW_START_MS + 60_000;

/** Every live process of the data directory's MLflow (the CLI and its uvicorn worker carry the marker). */
const mlflowProcesses = (server: LocalServerProcess): number[] =>
  processesWithEnv(`${MLFLOW_MARKER_ENV}=${new DataDir(server.dataDir).mlflow}`);

/** MLflow's REST API, called directly, signed in as the server's group (its MLflow account and workspace). */
async function mlflowApi(server: LocalServerProcess, url: string, path: string): Promise<any> {
  const envs = new MlflowAccounts(new DataDir(server.dataDir)).trackingEnvs(server.groupName);
  const basic = Buffer.from(`${envs.MLFLOW_TRACKING_USERNAME}:${envs.MLFLOW_TRACKING_PASSWORD}`).toString('base64');
  const res = await fetch(`${url}/api/2.0/mlflow/${path}`, {
    headers: { authorization: `Basic ${basic}`, 'x-mlflow-workspace': envs.MLFLOW_WORKSPACE }
  });
  const body = await res.json();
  if (res.status !== 200) {
    throw new Error(`MLflow ${path}: ${res.status} ${JSON.stringify(body)}`);
  }
  return body;
}

/** A job logging a run with the Python mlflow client of the jobs' virtualenv, as a training notebook would. */
const LOG_RUN = (url: string): string =>
  [
    `export MLFLOW_TRACKING_URI=${url}`,
    "python - <<'EOF'",
    'import mlflow, sklearn',
    "mlflow.set_experiment('iris')",
    "with mlflow.start_run(run_name='from-a-job') as run:",
    "    mlflow.log_param('C', 0.5)",
    "    mlflow.log_metric('accuracy', 0.93)",
    "    mlflow.log_text('hello from a job', 'notes/hello.txt')",
    "print('RUN', run.info.run_id, 'sklearn', sklearn.__version__)",
    'EOF'
  ].join('\n');

/** Files under `dir`, relative to it. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter(f => statSync(join(dir, f)).isFile());

describe('PrimeHub Local supervises a real MLflow', () => {
  let server: LocalServerProcess;
  let dirs: DataDir;
  let url: string;
  let runId: string;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ mlflow: true });
    dirs = new DataDir(server.dataDir);
  });

  afterAll(async () => {
    await server.dispose();
  });

  test(
    'it starts with the server: /api/health reports it running on loopback, its store and log in the data directory',
    async () => {
      ({ url } = await mlflowRunning(server));
      const { pid, port } = JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(`${url}/health`)).text()).toBe('OK');
      // The `mlflow` CLI and one uvicorn worker: no further workers, no job-runner processes.
      expect(groupMembers(pid)).toHaveLength(2);
      expect(statSync(dirs.mlflow).mode & 0o777).toBe(0o700);
      expect(existsSync(dirs.mlflowDatabase)).toBe(true);
      expect(readFileSync(dirs.mlflowLog, 'utf8')).toMatch(/Uvicorn running on http:\/\/127\.0\.0\.1:\d+/);
    },
    TEST_MS
  );

  test(
    'a run a job logs over HTTP with the Python client lands in its store, the artifact under the data directory',
    async () => {
      const job = await submitJob(server.endpoint, server.token, {
        groupId: server.groupId,
        displayName: 'log-a-run',
        command: LOG_RUN(url)
      });
      const done = await waitForJob(server.endpoint, server.token, job.id, undefined, 120_000);
      const log = (await fetchText(`${job.logEndpoint}?follow=false`, server.token)).text;
      expect([done.phase, log]).toEqual(['Succeeded', expect.stringMatching(/^RUN [0-9a-f]{32} sklearn \d/m)]);
      runId = /^RUN ([0-9a-f]{32})/m.exec(log)![1];

      const { run } = await mlflowApi(server, url, `runs/get?run_id=${runId}`);
      expect(run.info).toMatchObject({ run_name: 'from-a-job', status: 'FINISHED' });
      // Proxied artifacts: clients upload to the server, which stores them under the data directory.
      expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
      expect(run.data.params).toEqual([{ key: 'C', value: '0.5' }]);
      expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'accuracy', value: 0.93 })]);
      const artifact = filesUnder(dirs.mlflowArtifacts).find(f =>
        f.endsWith(join(runId, 'artifacts', 'notes', 'hello.txt'))
      );
      expect(artifact && readFileSync(join(dirs.mlflowArtifacts, artifact), 'utf8')).toBe('hello from a job');
    },
    TEST_MS
  );

  test(
    'killed with kill -9, it is started again at the same URL with its runs',
    async () => {
      const { pid } = JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
      process.kill(pid, 'SIGKILL');
      const again = await mlflowRunning(server, 1);
      expect(again.url).toBe(url);
      expect(JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8')).pid).not.toBe(pid);
      // The uvicorn worker the killed CLI left behind was ended: only the new CLI and its worker remain.
      expect(mlflowProcesses(server)).toHaveLength(2);
      expect((await mlflowApi(server, url, `runs/get?run_id=${runId}`)).run.info.run_name).toBe('from-a-job');
    },
    TEST_MS
  );

  test(
    'it ends with PrimeHub Local, also when that is killed with kill -9',
    async () => {
      expect(mlflowProcesses(server)).toHaveLength(2);
      await server.kill9();
      await waitFor('MLflow to end with the killed server', () => mlflowProcesses(server).length === 0, 15_000);

      // Started again on the same data directory, it takes the same URL and keeps the runs.
      await server.launch();
      expect((await mlflowRunning(server)).url).toBe(url);
      expect((await mlflowApi(server, url, `runs/get?run_id=${runId}`)).run.info.status).toBe('FINISHED');
      expect(mlflowProcesses(server)).toHaveLength(2);
      expect(await server.stop()).toBe(0);
      // A graceful stop returns once MLflow has ended.
      expect(mlflowProcesses(server)).toEqual([]);
    },
    TEST_MS
  );
});

describe('PrimeHub Local with --no-mlflow', () => {
  test('runs no MLflow and says so in /api/health', async () => {
    // The flag given by hand (the kit would add it anyway without `mlflow: true`).
    const server = await LocalServerProcess.start({ mlflow: true, args: ['--no-mlflow'] });
    try {
      expect(await mlflowHealth(server)).toEqual({
        state: 'disabled',
        reason: 'turned off (--no-mlflow)',
        restarts: 0
      });
      expect(server.output).toContain('MLflow: off (turned off (--no-mlflow))');
      expect(mlflowProcesses(server)).toEqual([]);
    } finally {
      await server.dispose();
    }
  });
});
