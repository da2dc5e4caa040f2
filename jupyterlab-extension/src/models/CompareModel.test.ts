import type { Job } from '@primehub-suite/client/browser';
import { JOB_ID_TAG, SWEEP_ID_TAG } from '@primehub-suite/client/compare';
import { LocalServerProcess } from '../../../test/kit/localServer';
import { FakeMlflow } from '../testing/FakeMlflow';
import { TestHub, when } from '../testing/TestHub';
import { CompareModel } from './CompareModel';

// PrimeHub Local's jobs (real, trivial) and a fake MLflow holding their runs, as a sweep's
// notebook jobs log them: tagged with their job's id and the sweep's id, in experiment "iris".
const SWEEP = 'iris-20260101000000-abcdef';
const C = ['0.05', '0.5', '1.0'];
const ACCURACY = [0.86, 0.95, 0.97];

let server: LocalServerProcess;
let hub: TestHub;
let mlflow: FakeMlflow;
let jobs: Job[];
let model: CompareModel | undefined;

beforeAll(async () => {
  server = await LocalServerProcess.start();
  hub = new TestHub(server.endpoint, server.token, server.groupName);
  mlflow = await new FakeMlflow().start();
  server.cli('group', 'set-mlflow', server.groupName, '--tracking-uri', mlflow.url, '--ui-url', 'http://mlflow.ui/');
  jobs = [];
  for (const c of C) {
    const job = await hub.client.jobs.submit({
      displayName: `iris-C=${c}`,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      // a script's experiment, as the Register dialog reads it
      command: 'MLFLOW_EXPERIMENT_NAME=iris true'
    });
    jobs.push(await hub.client.jobs.wait(job.id, { timeoutMs: 90_000 }));
  }
  jobs.forEach((job, i) =>
    mlflow.addRun('iris', {
      runId: `run-${i}`,
      runName: job.displayName!,
      startTime: Date.parse(job.startTime!),
      params: { C: C[i], max_iter: '500' },
      metrics: { accuracy: ACCURACY[i], training_loss: 1 - ACCURACY[i] },
      tags: { [JOB_ID_TAG]: job.id, [SWEEP_ID_TAG]: SWEEP },
      files: ['model/MLmodel']
    })
  );
  // another job's run in the same experiment is no run of these jobs
  mlflow.addRun('iris', { runId: 'other', runName: 'other', startTime: 1, tags: { [JOB_ID_TAG]: 'job-x' } });
}, 180_000);

afterAll(async () => {
  model?.dispose();
  await hub?.client.close();
  await mlflow?.stop();
  await server?.dispose();
});

afterEach(() => model?.dispose());

async function started(m: CompareModel): Promise<CompareModel> {
  model = m;
  m.active = true;
  m.start();
  await when(m.changed, () => !m.loading);
  return m;
}

it("jobs picked: their runs side by side, the best per metric, differences only, sort, chart, MLflow's compare page", async () => {
  const m = await started(new CompareModel(hub, { jobIds: jobs.map(j => j.id) }));
  expect(m.error).toBe('');
  expect(m.title).toBe('3 jobs');
  expect(m.rows.map(r => [r.jobId, r.runName, r.params.C, r.metrics.accuracy])).toEqual(
    jobs.map((j, i) => [j.id, j.displayName, C[i], ACCURACY[i]])
  );
  expect(m.experiments).toEqual(['iris']);
  const accuracy = m.columns.metrics.find(c => c.key === 'accuracy')!;
  expect(accuracy).toMatchObject({ direction: 'max', bestRunIds: ['run-2'] });
  // a loss is better lower
  expect(m.columns.metrics.find(c => c.key === 'training_loss')).toMatchObject({
    direction: 'min',
    bestRunIds: ['run-2']
  });
  expect(m.best?.runId).toBe('run-2');

  // max_iter is 500 in every run
  expect(m.columns.params.map(c => c.key)).toEqual(['C', 'max_iter']);
  m.setDifferencesOnly(true);
  expect(m.columns.params.map(c => c.key)).toEqual(['C']);
  expect(m.hiddenColumns).toBe(1);

  // a metric sorts best first, then the other way
  m.sortBy({ kind: 'metric', key: 'accuracy' });
  expect(m.rows.map(r => r.runId)).toEqual(['run-2', 'run-1', 'run-0']);
  m.sortBy({ kind: 'metric', key: 'accuracy' });
  expect(m.rows.map(r => r.runId)).toEqual(['run-0', 'run-1', 'run-2']);
  m.sortBy({ kind: 'param', key: 'C' });
  expect(m.sort).toEqual({ by: { kind: 'param', key: 'C' }, order: 'asc' });

  // the chart: a metric that differs against the parameter that differs, the best point marked
  expect(m.chart).toMatchObject({ metric: 'accuracy', param: 'C', axis: 'numeric' });
  expect(m.chart!.points.map(p => [p.x, p.y, p.best])).toEqual([
    [0.05, 0.86, false],
    [0.5, 0.95, false],
    [1, 0.97, true]
  ]);
  m.setChart('training_loss', 'max_iter');
  expect(m.chart).toMatchObject({ metric: 'training_loss', param: 'max_iter' });

  expect(m.mlflowUrl).toBe(
    `http://mlflow.ui/#/compare-runs?runs=${encodeURIComponent('["run-0","run-1","run-2"]')}&experiments=${encodeURIComponent('["1"]')}`
  );

  // "better the other way" is the user's to say, and stays across polls
  m.flipMetric('accuracy');
  expect(m.columns.metrics.find(c => c.key === 'accuracy')).toMatchObject({ direction: 'min', bestRunIds: ['run-0'] });
  await m.refresh();
  expect(m.columns.metrics.find(c => c.key === 'accuracy')).toMatchObject({ direction: 'min' });
});

it('jobs that all ended are not polled again until Refresh', async () => {
  const m = await started(new CompareModel(hub, { jobIds: [jobs[0].id] }));
  const asked = hub.requests.length;
  // two poll intervals (1 s each, times 2): no request
  await new Promise(r => setTimeout(r, 4500));
  expect(hub.requests.length).toBe(asked);
  await m.refresh();
  expect(hub.requests.length).toBeGreaterThan(asked);
  expect(m.rows).toHaveLength(1);
});

it('a sweep: the runs tagged with its id, each with its job; MLflow down is one sentence, then it is back', async () => {
  const m = await started(new CompareModel(hub, { sweepId: SWEEP, label: 'iris' }));
  expect(m.title).toBe('Sweep "iris"');
  expect(m.rows.map(r => [r.runName, r.jobId])).toEqual(jobs.map(j => [j.displayName, j.id]));

  await mlflow.stop();
  try {
    await m.refresh().catch(() => undefined);
    await when(m.changed, () => m.error !== '');
    expect(m.error).toMatch(/^Comparing the runs of Sweep "iris" failed: MLflow is not reachable at /);
    // what was shown stays
    expect(m.rows).toHaveLength(3);
  } finally {
    await mlflow.start();
  }
  await m.refresh();
  expect(m.error).toBe('');
});

it('a recurring job: the runs of the jobs it started', async () => {
  const schedule = await hub.client.schedules.create({
    displayName: 'nightly-iris',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    command: 'MLFLOW_EXPERIMENT_NAME=iris true',
    recurrence: { type: 'inactive' }
  });
  const { jobId } = await hub.client.schedules.run(schedule.id);
  const job = await hub.client.jobs.wait(jobId!, { timeoutMs: 90_000 });
  mlflow.addRun('iris', {
    runId: 'nightly-1',
    runName: 'nightly-iris',
    startTime: Date.parse(job.startTime!),
    params: { C: '1.0' },
    metrics: { accuracy: 0.96 },
    tags: { [JOB_ID_TAG]: job.id }
  });
  const m = await started(new CompareModel(hub, { scheduleId: schedule.id }));
  expect(m.title).toBe('Recurring job "nightly-iris"');
  expect(m.rows.map(r => [r.runId, r.jobId])).toEqual([['nightly-1', job.id]]);
});

it('a group without MLflow: says so', async () => {
  server.cli('group', 'add', 'plain');
  server.cli('user', 'add', 'dora', '--group', 'plain', '--allow-unisolated-jobs');
  const dora = new TestHub(server.endpoint, server.cli('token', '--user', 'dora'), 'plain');
  const m = await started(new CompareModel(dora, { sweepId: SWEEP }));
  expect(m.unavailable).toBe(true);
  expect(m.error).toBe('');
  expect(m.comparison).toBeNull();
  m.dispose();
  await dora.client.close();
});
