import type { Job } from '@primehub-suite/client';
import { buildNotebookRunScript } from '@primehub-suite/client/notebook';
import {
  artifactFolders,
  externalUiBase,
  formatMetric,
  JOB_ID_TAG,
  notebookExperiment,
  notebookExperiments,
  runsOfJob,
  runUiUrl,
  runValuesText,
  toRunSummaries,
  toRunSummary,
  type RunSummary
} from './runs';

function job(id: string, phase: Job['phase'], extra: Partial<Job> = {}): Job {
  return {
    id,
    displayName: id,
    cancel: null,
    command: 'echo hi',
    groupId: 'g1',
    groupName: 'phusers',
    schedule: null,
    image: 'base-notebook',
    instanceType: null,
    userId: 'u1',
    userName: 'phuser',
    phase,
    reason: null,
    message: null,
    createTime: null,
    startTime: null,
    finishTime: null,
    activeDeadlineSeconds: null,
    logEndpoint: null,
    ...extra
  };
}

/** A run as MLflow's `runs/search` answers (what `mlflowRuns` passes through). */
function mlflowRun(
  id: string,
  name: string,
  start: number,
  extra: { tags?: Record<string, string>; deleted?: boolean } = {}
) {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: name,
      experiment_id: '3',
      status: 'FINISHED',
      start_time: start,
      end_time: start + 1000,
      lifecycle_stage: extra.deleted ? 'deleted' : 'active'
    },
    data: {
      params: [
        { key: 'max_iter', value: '500' },
        { key: 'C', value: '1.0' }
      ],
      metrics: [{ key: 'accuracy', value: 0.97333333, timestamp: start, step: 0 }],
      tags: Object.entries({ 'mlflow.runName': name, ...extra.tags }).map(([key, value]) => ({ key, value }))
    }
  };
}

function notebookJob(id: string, path: string, root: 'volume' | 'phfs' = 'volume'): Job {
  const command = buildNotebookRunScript({
    input: { root, path },
    workdir: { root: 'volume', path: '' },
    artifactName: 'out.ipynb',
    volumeFallback: '/project/g',
    parameters: {}
  });
  return job(id, 'Succeeded', { command, displayName: id });
}

describe('runs', () => {
  it("reads MLflow's run JSON: name, times, params sorted, latest metrics, tags", () => {
    const run = toRunSummary(mlflowRun('r1', 'C=1.0', 1_000));
    expect(run).toEqual({
      runId: 'r1',
      name: 'C=1.0',
      experimentId: '3',
      status: 'FINISHED',
      startTime: 1_000,
      endTime: 2_000,
      params: [
        ['C', '1.0'],
        ['max_iter', '500']
      ],
      metrics: [['accuracy', 0.97333333]],
      tags: { 'mlflow.runName': 'C=1.0' }
    });
    expect(runValuesText(run!)).toBe('C=1.0 · max_iter=500 · accuracy=0.9733');
  });

  it("reads PrimeHub's run of a model version (camelCase info, the name in the tags)", () => {
    const run = toRunSummary({
      info: { runId: 'r2', experimentId: 1, status: 'FINISHED', startTime: '1700000000000', endTime: null },
      data: { params: [{ key: 'C', value: '0.05' }], metrics: [], tags: [{ key: 'mlflow.runName', value: 'C=0.05' }] }
    });
    expect(run).toMatchObject({ runId: 'r2', name: 'C=0.05', experimentId: '1', startTime: 1_700_000_000_000 });
    expect(run?.endTime).toBeUndefined();
    expect(toRunSummary({ info: {} })).toBeUndefined();
    expect(toRunSummary(null)).toBeUndefined();
  });

  it("reads PrimeHub's mlflowRuns (camelCase info with the run's name)", () => {
    const run = toRunSummaries([
      {
        info: { runId: 'r3', runName: 'C=2', experimentId: '1', startTime: 5, lifecycleStage: 'active' },
        data: { params: [], metrics: [], tags: [] }
      },
      { info: { runId: 'r4', runName: 'gone', lifecycleStage: 'deleted' }, data: {} }
    ]);
    expect(run).toEqual([expect.objectContaining({ runId: 'r3', name: 'C=2', experimentId: '1', startTime: 5 })]);
  });

  it('lists runs newest first, without deleted ones', () => {
    const runs = toRunSummaries([
      mlflowRun('old', 'a', 1),
      mlflowRun('new', 'b', 5),
      mlflowRun('gone', 'c', 9, { deleted: true })
    ]);
    expect(runs.map(r => r.runId)).toEqual(['new', 'old']);
  });

  it('formats metrics to four significant digits', () => {
    expect([0.97333333, 12, 1234.5678, 0.000123456].map(formatMetric)).toEqual(['0.9733', '12', '1235', '0.0001235']);
  });

  it("reaches the MLflow UI as the window can: as it is, through a forwarded port, or code-server's proxy", () => {
    expect(externalUiBase('http://127.0.0.1:5000', 'http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000');
    expect(externalUiBase('http://127.0.0.1:5000/mlflow', 'http://localhost:41234/mlflow')).toBe(
      'http://localhost:41234/mlflow'
    );
    expect(externalUiBase('http://127.0.0.1:5000/', 'http://cs.example:8080/proxy/5000/')).toBe(
      'http://cs.example:8080/proxy/5000'
    );
    expect(externalUiBase('http://127.0.0.1:5000/mlflow/', 'http://cs.example:8080/proxy/5000/')).toBe(
      'http://cs.example:8080/proxy/5000/mlflow'
    );
    expect(externalUiBase('not a url', 'x')).toBe('not a url');
  });

  it("names the MLflow UI's page of a run", () => {
    expect(runUiUrl('http://127.0.0.1:5000/', '3', 'abc')).toBe('http://127.0.0.1:5000/#/experiments/3/runs/abc');
    expect(runUiUrl('https://hub.example/mlflow', '3', 'abc')).toBe(
      'https://hub.example/mlflow/#/experiments/3/runs/abc'
    );
  });
});

describe("a job's runs", () => {
  const start = Date.parse('2025-06-01T10:00:00Z');
  const theJob = job('job-1', 'Succeeded', {
    displayName: 'train',
    startTime: new Date(start).toISOString(),
    finishTime: new Date(start + 60_000).toISOString()
  });
  const summaries = (raw: unknown[]): RunSummary[] => toRunSummaries(raw);

  it('are the ones tagged with its id (notebook jobs) first', () => {
    const runs = summaries([
      mlflowRun('a', 'train', start + 1000),
      mlflowRun('b', 'job-1', start + 2000, { tags: { [JOB_ID_TAG]: 'job-1' } })
    ]);
    expect(runsOfJob(theJob, runs)).toEqual({ runs: [expect.objectContaining({ runId: 'b' })], by: 'tag' });
  });

  it('else the ones named as the job', () => {
    const runs = summaries([mlflowRun('a', 'train', start - 99_000_000), mlflowRun('b', 'other', start + 1000)]);
    expect(runsOfJob(theJob, runs)).toEqual({ runs: [expect.objectContaining({ runId: 'a' })], by: 'name' });
  });

  it('else the ones started while it ran; else all of them', () => {
    const runs = summaries([
      mlflowRun('before', 'x', start - 600_000),
      mlflowRun('during1', 'C=0.05', start + 10_000),
      mlflowRun('during2', 'C=1.0', start + 20_000),
      mlflowRun('after', 'y', start + 600_000)
    ]);
    expect(runsOfJob(theJob, runs)).toEqual({
      runs: [expect.objectContaining({ runId: 'during2' }), expect.objectContaining({ runId: 'during1' })],
      by: 'time'
    });
    const running = { ...theJob, finishTime: null };
    expect(runsOfJob(running, runs, start + 30_000).runs.map(r => r.runId)).toEqual(['during2', 'during1']);
    const never = { ...theJob, startTime: null, createTime: null };
    expect(runsOfJob(never, runs)).toEqual({ runs, by: 'none' });
  });
});

describe('experiments of notebook jobs', () => {
  it("are the notebooks' file names without .ipynb (a snapshot's leading dot dropped), each once", () => {
    const jobs = [
      notebookJob('j3', 'work/iris.ipynb'),
      notebookJob('j2', '.primehub-suite/snapshots/abc/.wine.ipynb', 'phfs'),
      notebookJob('j1', 'iris.ipynb'),
      job('j0', 'Succeeded', { command: 'python train.py' })
    ];
    expect(notebookExperiment(jobs[1])).toBe('wine');
    expect(notebookExperiment(jobs[3])).toBeUndefined();
    expect(notebookExperiments(jobs)).toEqual([
      { name: 'iris', source: 'notebook job j3' },
      { name: 'wine', source: 'notebook job j2' }
    ]);
  });
});

describe('artifact folders', () => {
  it('marks the folders holding MLmodel, models first', () => {
    const root = [
      { path: 'notes', is_dir: true },
      { path: 'model', is_dir: true },
      { path: 'readme.txt', is_dir: false, file_size: 3 }
    ];
    const inside = new Map([
      [
        'model',
        [
          { path: 'model/MLmodel', is_dir: false },
          { path: 'model/requirements.txt', is_dir: false }
        ]
      ],
      ['notes', [{ path: 'notes/MLmodel.txt', is_dir: false }]]
    ]);
    expect(artifactFolders(root, inside)).toEqual([
      { path: 'model', isModel: true },
      { path: 'notes', isModel: false }
    ]);
  });
});
