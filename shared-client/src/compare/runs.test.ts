import { primehubRun, sweepRuns } from '../testing/compareFixtures';
import { JOB_ID_TAG, parseMlflowRun, parseMlflowRuns, runsOfJob, runUiUrl, type MlflowRun } from './runs';

/** A run as MLflow's own `runs/search` answers (what older servers pass through). */
function mlflowRun(id: string, name: string, start: number, tags: Record<string, string> = {}) {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: name,
      experiment_id: '3',
      status: 'FINISHED',
      start_time: start,
      end_time: start + 1000,
      lifecycle_stage: 'active'
    },
    data: {
      params: [
        { key: 'max_iter', value: '500' },
        { key: 'C', value: '1.0' }
      ],
      metrics: [
        { key: 'accuracy', value: 0.5, timestamp: start, step: 0 },
        { key: 'accuracy', value: 0.97333333, timestamp: start + 1, step: 1 }
      ],
      tags: Object.entries({ 'mlflow.runName': name, ...tags }).map(([key, value]) => ({ key, value }))
    }
  };
}

describe('MLflow runs', () => {
  it("reads PrimeHub's mlflowRuns (camelCase info): name, times, params and metrics by key, tags", () => {
    const [, , best] = parseMlflowRuns(sweepRuns()).reverse();
    expect(best).toMatchObject({
      runId: 'run3',
      name: 'train-iris-C=1.0',
      experimentId: '1',
      status: 'FINISHED',
      params: [
        ['C', '1.0'],
        ['max_iter', '500'],
        ['solver', 'lbfgs']
      ],
      metrics: [
        ['accuracy', 0.9733],
        ['training_accuracy_score', 0.9733],
        ['training_log_loss', 0.12]
      ],
      tags: expect.objectContaining({ 'primehub.job_id': 'job-3' })
    });
  });

  it("reads MLflow's own JSON: the latest value of a metric", () => {
    expect(parseMlflowRun(mlflowRun('r1', 'C=1.0', 1_000))).toEqual({
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
    expect(parseMlflowRun({ info: {} })).toBeUndefined();
    expect(parseMlflowRun(null)).toBeUndefined();
  });

  it("a model version's run: numeric strings, no end", () => {
    const run = parseMlflowRun({
      info: { runId: 'r2', experimentId: 1, status: 'RUNNING', startTime: '1700000000000', endTime: null },
      data: { params: [], metrics: [], tags: [{ key: 'mlflow.runName', value: 'C=0.05' }] }
    });
    expect(run).toMatchObject({ runId: 'r2', name: 'C=0.05', experimentId: '1', startTime: 1_700_000_000_000 });
    expect(run?.endTime).toBeUndefined();
  });

  it('lists runs newest first, without deleted ones', () => {
    const runs = parseMlflowRuns([
      primehubRun('old', 'a', { start: 1 }),
      primehubRun('new', 'b', { start: 5 }),
      primehubRun('gone', 'c', { start: 9, deleted: true })
    ]);
    expect(runs.map(r => r.runId)).toEqual(['new', 'old']);
  });

  it("names the MLflow UI's page of a run", () => {
    expect(runUiUrl('http://127.0.0.1:5000/', '3', 'abc')).toBe('http://127.0.0.1:5000/#/experiments/3/runs/abc');
  });
});

describe("a job's runs", () => {
  const start = Date.parse('2025-06-01T10:00:00Z');
  const job = {
    id: 'job-1',
    displayName: 'train',
    startTime: new Date(start).toISOString(),
    finishTime: new Date(start + 60_000).toISOString()
  };
  const runs = (raw: unknown[]): MlflowRun[] => parseMlflowRuns(raw);

  it('are the ones tagged with its id and those nested in them; never those tagged with another job', () => {
    const all = runs([
      mlflowRun('a', 'train', start + 1000),
      mlflowRun('b', 'job-1', start + 2000, { [JOB_ID_TAG]: 'job-1' }),
      mlflowRun('child', 'child', start + 3000, { 'mlflow.parentRunId': 'b' }),
      mlflowRun('other', 'train', start + 4000, { [JOB_ID_TAG]: 'job-2' })
    ]);
    expect(runsOfJob(job, all)).toEqual({
      runs: [expect.objectContaining({ runId: 'child' }), expect.objectContaining({ runId: 'b' })],
      by: 'tag'
    });
  });

  it('else the untagged ones named as the job', () => {
    const all = runs([
      mlflowRun('a', 'train', start - 99_000_000),
      mlflowRun('b', 'other', start + 1000),
      mlflowRun('c', 'train', start, { [JOB_ID_TAG]: 'job-2' })
    ]);
    expect(runsOfJob(job, all)).toEqual({ runs: [expect.objectContaining({ runId: 'a' })], by: 'name' });
  });

  it("else a script's own runs started while it ran; else all, for a user to pick from", () => {
    const all = runs([
      mlflowRun('before', 'x', start - 600_000),
      mlflowRun('during1', 'C=0.05', start + 10_000),
      mlflowRun('during2', 'C=1.0', start + 20_000),
      mlflowRun('after', 'y', start + 600_000)
    ]);
    expect(runsOfJob(job, all)).toEqual({
      runs: [expect.objectContaining({ runId: 'during2' }), expect.objectContaining({ runId: 'during1' })],
      by: 'time'
    });
    const running = { ...job, finishTime: null };
    expect(runsOfJob(running, all, start + 30_000).runs.map(r => r.runId)).toEqual(['during2', 'during1']);
    const never = { ...job, startTime: null, createTime: null };
    expect(runsOfJob(never, all)).toEqual({ runs: all, by: 'none' });
  });
});
