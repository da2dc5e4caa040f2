import { FeatureUnavailableError, type Job, type PrimeHubClient } from '@primehub-suite/client';
import { buildNotebookRunScript, type JsonValue } from '@primehub-suite/client/notebook';
import type { ConnectionManager } from '../connection/ConnectionManager';
import { Logger, NULL_SINK } from '../logger/Logger';
import { CompareManager } from './CompareManager';

const SWEEP = 'train-iris-20260101120000-a1b2c3';

/** A notebook job as `client.notebook.runSweep` (or `run`, without a sweep) submits it. */
function notebookJob(
  id: string,
  parameters: Record<string, JsonValue>,
  extra: Partial<Job> & { sweepId?: string; input?: { root: 'volume' | 'phfs'; path: string } } = {}
): Job {
  const { sweepId, input, ...rest } = extra;
  return {
    id,
    displayName: id,
    command: buildNotebookRunScript({
      input: input ?? { root: 'volume', path: 'ml/train-iris.ipynb' },
      workdir: { root: 'volume', path: 'ml' },
      artifactName: `${id}-output.ipynb`,
      volumeFallback: '/project/phusers',
      parameters,
      tracking: { runName: id, notebookPath: 'ml/train-iris.ipynb', ...(sweepId ? { sweepId } : {}) }
    }),
    phase: 'Succeeded',
    schedule: null,
    createTime: '2026-01-01T12:00:00Z',
    startTime: '2026-01-01T12:00:00Z',
    finishTime: '2026-01-01T12:01:00Z',
    ...rest
  } as Job;
}

/** A run as PrimeHub's `mlflowRuns` gives it. */
function run(id: string, jobId: string, c: string, accuracy: number, sweepId?: string) {
  return {
    info: { runId: id, runName: jobId, experimentId: '1', status: 'FINISHED', startTime: 1, lifecycleStage: 'active' },
    data: {
      params: [{ key: 'C', value: c }],
      metrics: [{ key: 'accuracy', value: accuracy, step: 0, timestamp: 1 }],
      tags: [
        { key: 'primehub.job_id', value: jobId },
        ...(sweepId ? [{ key: 'primehub.sweep_id', value: sweepId }] : [])
      ]
    }
  };
}

function setup(known: Job[], listed: Job[] = [], phfs = new Map<string, string>()) {
  const calls: string[] = [];
  let fail: Error | undefined;
  const client = {
    models: {
      mlflowRuns: async (experiment: string) => {
        calls.push(`runs ${experiment}`);
        if (fail) {
          throw fail;
        }
        return experiment === 'train-iris'
          ? [
              run('r1', 'job-1', '0.05', 0.9, SWEEP),
              run('r2', 'job-2', '2', 0.97, SWEEP),
              run('r3', 'daily-1', '1', 0.95),
              run('r4', 'alone', '1', 0.95)
            ]
          : experiment === 'iris-own'
            ? [run('r5', 'uploaded', '1', 0.9)]
            : [];
      },
      mlflow: async () => ({ trackingUri: 'http://m', uiUrl: 'http://m/' })
    },
    files: {
      readText: async (path: string) => {
        calls.push(`read ${path}`);
        const notebook = phfs.get(path);
        if (notebook === undefined) {
          throw new Error(`${path}: not found`);
        }
        return notebook;
      }
    },
    jobs: {
      async *iterate() {
        calls.push('jobs');
        yield* listed;
      }
    }
  } as unknown as PrimeHubClient;
  const connection = {
    state: 'signedIn',
    client,
    call: <T>(fn: (c: PrimeHubClient) => Promise<T>) => fn(client)
  } as unknown as ConnectionManager;
  const manager = new CompareManager(connection, new Logger(NULL_SINK, 'test'), () => known);
  return { manager, calls, setFail: (e?: Error) => (fail = e) };
}

const sweepJobs = [
  notebookJob('job-1', { C: 0.05 }, { sweepId: SWEEP }),
  notebookJob('job-2', { C: 2 }, { sweepId: SWEEP })
];
const daily = notebookJob('daily-1', { C: 1 }, { schedule: 'sched-1' });
const alone = notebookJob('alone', { C: 1 });

describe('CompareManager', () => {
  it('compares a whole sweep from one of its jobs, a recurring job from one of its runs, else the jobs picked', () => {
    const { manager } = setup([]);
    expect(manager.requestFor([sweepJobs[1]])).toEqual({ kind: 'sweep', sweepId: SWEEP });
    expect(manager.requestFor([daily])).toEqual({ kind: 'schedule', scheduleId: 'sched-1', name: 'sched-1' });
    expect(manager.requestFor([alone])).toEqual({ kind: 'jobs', jobs: [alone] });
    expect(manager.requestFor(sweepJobs)).toEqual({ kind: 'jobs', jobs: sweepJobs });
    expect(manager.titleOf({ kind: 'jobs', jobs: sweepJobs })).toBe('2 jobs: job-1, job-2');
    expect(manager.titleOf({ kind: 'sweep', sweepId: SWEEP })).toBe(`Sweep ${SWEEP}`);
  });

  it("loads a sweep's runs with its jobs and the MLflow UI address", async () => {
    const { manager, calls } = setup([...sweepJobs, daily, alone]);
    const model = manager.open({ kind: 'sweep', sweepId: SWEEP });
    await manager.load(model, { kind: 'sweep', sweepId: SWEEP });
    expect(model.view()).toMatchObject({ status: 'ready', hasMlflowUi: true, best: { runId: 'r2' } });
    expect(model.view().rows.map(r => [r.runId, r.jobName, r.params.C])).toEqual([
      ['r1', 'job-1', '0.05'],
      ['r2', 'job-2', '2']
    ]);
    expect(manager.foundRun(model, 'r2')).toMatchObject({ experiment: 'train-iris', run: { runId: 'r2' } });
    expect(calls).toEqual(['runs train-iris']);
  });

  it("reads a recurring job's runs from PrimeHub when the Jobs view lists none of them", async () => {
    const { manager, calls } = setup([alone], [alone, daily]);
    const request = { kind: 'schedule' as const, scheduleId: 'sched-1', name: 'daily' };
    const model = manager.open(request);
    await manager.load(model, request);
    expect(model.title).toBe('Runs of recurring job daily');
    expect(model.view().rows.map(r => r.runId)).toEqual(['r3']);
    expect(calls).toEqual(['jobs', 'runs train-iris']);
  });

  it('says a group without MLflow in the view', async () => {
    const { manager, setFail } = setup([alone]);
    setFail(new FeatureUnavailableError('MLFLOW_SETTING_NOT_FOUND'));
    const model = manager.open({ kind: 'jobs', jobs: [alone] });
    await manager.load(model, { kind: 'jobs', jobs: [alone] });
    expect(model.view()).toMatchObject({ status: 'unavailable' });
  });

  it("reads a notebook in PHFS for its set_experiment (a removed snapshot's original), not one on the group volume", async () => {
    const notebook = JSON.stringify({
      cells: [{ cell_type: 'code', source: 'import mlflow\nmlflow.set_experiment("iris-own")\n', metadata: {} }]
    });
    const uploaded = notebookJob(
      'uploaded',
      { C: 1 },
      { input: { root: 'phfs', path: 'vscode-runs/1/.train-12345678901234567890.ipynb' } }
    );
    const { manager, calls } = setup([uploaded, alone], [], new Map([['vscode-runs/1/train.ipynb', notebook]]));
    const request = { kind: 'jobs' as const, jobs: [uploaded, alone] };
    const model = manager.open(request);
    await manager.load(model, request);
    expect(model.view().rows.map(r => [r.runId, r.jobName])).toEqual([
      ['r5', 'uploaded'],
      ['r4', 'alone']
    ]);
    expect(calls.filter(c => c.startsWith('read '))).toEqual([
      'read vscode-runs/1/.train-12345678901234567890.ipynb',
      'read vscode-runs/1/train.ipynb'
    ]);
  });
});
