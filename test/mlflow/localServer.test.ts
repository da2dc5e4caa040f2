/**
 * Notebook jobs as MLflow runs end to end: `client.notebook.run` and `runSweep` on a real PrimeHub Local with
 * its MLflow (basic auth, one workspace per group), whose jobs get the group's MLFLOW_TRACKING_URI and tracking
 * envs. Each job is a run named after the job, with the notebook parameters, the notebook's own metric and the
 * output notebook, and the runs the notebook starts itself go to the same experiment (despite the
 * `MLFLOW_EXPERIMENT_NAME=Default` PrimeHub Local gives jobs); a sweep's runs share its id. Read back as the
 * editors read runs: `client.models`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrimeHubClient } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning } from '../kit/mlflow';
import { notebookJson } from '../kit/notebook';
import { clientFor, collect, unique } from '../client/support';

interface MlflowRunJson {
  info: { runId: string; runName: string; status: string };
  data: {
    params?: { key: string; value: string }[];
    metrics?: { key: string; value: number }[];
    tags?: { key: string; value: string }[];
  };
}

const tagsOf = (run: MlflowRunJson) => Object.fromEntries((run.data.tags ?? []).map(t => [t.key, t.value]));

describe('notebook jobs as MLflow runs through PrimeHub Local', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let dir: string;
  let experiment: string;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ mlflow: true });
    client = await clientFor(server);
    await mlflowRunning(server);
    // the experiment is the notebook's name: one of this test's own
    experiment = unique('train');
    dir = unique('mlflow-nb');
    mkdirSync(join(server.dataDir, 'volumes', server.groupName, dir), { recursive: true });
    writeFileSync(
      join(server.dataDir, 'volumes', server.groupName, dir, `${experiment}.ipynb`),
      JSON.stringify(
        notebookJson([
          { source: 'alpha = 0.5\n', tags: ['parameters'] },
          { source: 'import mlflow\nmlflow.log_metric("double", alpha * 2)\nprint("double", alpha * 2)' },
          // a run the notebook starts itself goes to the job run's experiment, under it
          { source: 'with mlflow.start_run(nested=True, run_name="child"):\n    mlflow.log_metric("child", 1)' }
        ])
      )
    );
  }, MLFLOW_START_MS + 60_000);

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  const runsNamed = async (prefix: string): Promise<MlflowRunJson[]> =>
    ((await client.models.mlflowRuns(experiment)) as MlflowRunJson[]).filter(r => r.info.runName.startsWith(prefix));

  test("client.notebook.run: the job is an MLflow run with the job's name, parameters, metric and notebook", async () => {
    const run = await client.notebook.run({
      displayName: 'e2e notebook run',
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/${experiment}.ipynb` },
      parameters: { alpha: 2 }
    });
    const job = await run.wait({ timeoutMs: 240_000 });
    const log = (await collect(client.jobs.logs(job.id))).join('\n');
    expect({ phase: job.phase, log }).toMatchObject({ phase: 'Succeeded', log: expect.stringContaining('double 4') });
    expect(log).toMatch(new RegExp(`^MLflow: run "e2e notebook run" in experiment "${experiment}": `, 'm'));

    const [mlflowRun, ...more] = await runsNamed('e2e notebook run');
    expect(more).toEqual([]);
    expect(mlflowRun.info.status).toBe('FINISHED');
    expect(mlflowRun.data.params).toEqual([{ key: 'alpha', value: '2' }]);
    expect(mlflowRun.data.metrics).toEqual([expect.objectContaining({ key: 'double', value: 4 })]);
    expect(tagsOf(mlflowRun)).toMatchObject({
      'primehub.job_id': job.id,
      'mlflow.source.name': `${dir}/${experiment}.ipynb`,
      'primehub.group': server.groupName
    });
    const children = (await runsNamed('child')).filter(r => tagsOf(r)['mlflow.parentRunId'] === mlflowRun.info.runId);
    expect(children.map(c => [c.info.status, c.data.metrics?.[0]?.key])).toEqual([['FINISHED', 'child']]);
    const files = await client.models.mlflowArtifact(mlflowRun.info.runId);
    expect(files.map(f => f.path)).toEqual([run.artifactName]);
    // and in the job's artifacts, as before
    expect(await client.jobs.artifacts(job.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: run.artifactName })])
    );
  }, 300_000);

  test("client.notebook.runSweep: one run per job, all tagged with the sweep's id", async () => {
    const runs = await client.notebook.runSweep({
      displayName: 'e2e-sweep',
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/${experiment}.ipynb` },
      sweep: { alpha: [1, 3] }
    });
    const sweepId = runs[0].sweepId;
    expect(sweepId).toMatch(new RegExp(`^${experiment}-\\d{14}-[0-9a-f]{6}$`));
    expect(runs.map(r => r.sweepId)).toEqual([sweepId, sweepId]);
    const jobs = await Promise.all(runs.map(r => r.wait({ timeoutMs: 240_000 })));
    expect(jobs.map(j => j.phase)).toEqual(['Succeeded', 'Succeeded']);
    const swept = (await runsNamed('e2e-sweep')).sort((a, b) => a.info.runName.localeCompare(b.info.runName));
    expect(swept.map(r => [r.info.runName, r.info.status, tagsOf(r)['primehub.sweep_id']])).toEqual([
      ['e2e-sweep-alpha=1', 'FINISHED', sweepId],
      ['e2e-sweep-alpha=3', 'FINISHED', sweepId]
    ]);
    expect(swept.map(r => r.data.metrics?.[0]?.value)).toEqual([2, 6]);
  }, 300_000);
});
