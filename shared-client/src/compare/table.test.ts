import { primehubRun, SWEEP, sweepRuns } from '../testing/compareFixtures';
import { parseMlflowRuns } from './runs';
import type { FoundRun } from './find';
import {
  axisTicks,
  bestRow,
  chartSeries,
  compareRuns,
  defaultChart,
  flipDirection,
  metricDirection,
  mlflowCompareUrl,
  shownColumns,
  sortRows
} from './table';

/** Runs found for a sweep's jobs, as `findRuns` gives them. */
function found(raw: unknown[] = sweepRuns()): FoundRun[] {
  return parseMlflowRuns(raw)
    .reverse()
    .map(run => ({
      run,
      experiment: 'train-iris',
      job: { id: run.tags['primehub.job_id'], displayName: run.name, phase: 'Succeeded' as const, command: null },
      by: 'tag' as const
    }));
}

describe('comparing runs', () => {
  it('has a row per run, with its job, and a column per parameter and per metric', () => {
    const cmp = compareRuns(found());
    expect(cmp.rows.map(r => [r.runName, r.jobId, r.jobPhase, r.status, r.params.C, r.metrics.accuracy])).toEqual([
      ['train-iris-C=0.05', 'job-1', 'Succeeded', 'FINISHED', '0.05', 0.84],
      ['train-iris-C=0.5', 'job-2', 'Succeeded', 'FINISHED', '0.5', 0.96],
      ['train-iris-C=1.0', 'job-3', 'Succeeded', 'FINISHED', '1.0', 0.9733]
    ]);
    expect(cmp.params.map(p => [p.key, p.numeric, p.differs])).toEqual([
      ['C', true, true],
      ['max_iter', true, false],
      ['solver', false, false]
    ]);
    expect(cmp.metrics.map(m => m.key)).toEqual(['accuracy', 'training_accuracy_score', 'training_log_loss']);
  });

  it('marks the best value of each metric: higher is better, lower for losses and errors', () => {
    const cmp = compareRuns(found());
    expect(cmp.metrics.map(m => [m.key, m.direction, m.best, m.bestRunIds])).toEqual([
      ['accuracy', 'max', 0.9733, ['run3']],
      ['training_accuracy_score', 'max', 0.9733, ['run3']],
      ['training_log_loss', 'min', 0.12, ['run3']]
    ]);
    expect(['val_loss', 'error_rate', 'rmse', 'MAE', 'mse', 'f1', 'accuracy', 'r2'].map(metricDirection)).toEqual([
      'min',
      'min',
      'min',
      'min',
      'min',
      'max',
      'max',
      'max'
    ]);
    expect(bestRow(cmp)?.runId).toBe('run3');
    expect(bestRow(cmp, 'training_log_loss')?.runId).toBe('run3');
  });

  it('lets the user flip which way a metric is better', () => {
    const flipped = flipDirection(compareRuns(found()), 'accuracy');
    expect(flipped.metrics.map(m => [m.key, m.direction, m.bestRunIds])).toEqual([
      ['accuracy', 'min', ['run1']],
      ['training_accuracy_score', 'max', ['run3']],
      ['training_log_loss', 'min', ['run3']]
    ]);
    expect(bestRow(flipped, 'accuracy')?.runId).toBe('run1');
    expect(flipDirection(flipped, 'accuracy').metrics[0]).toMatchObject({ direction: 'max', bestRunIds: ['run3'] });
  });

  it('marks no best where all runs are equal, all where they tie', () => {
    const raw = [
      primehubRun('a', 'a', { start: 1, metrics: { acc: 0.9, same: 1 } }),
      primehubRun('b', 'b', { start: 2, metrics: { acc: 0.9, same: 1 } }),
      primehubRun('c', 'c', { start: 3, metrics: { acc: 0.5, same: 1 } })
    ];
    const cmp = compareRuns(found(raw));
    expect(cmp.metrics.map(m => [m.key, m.bestRunIds])).toEqual([
      ['acc', ['a', 'b']],
      ['same', []]
    ]);
  });

  it('shows only what differs when asked: a value missing in one run differs', () => {
    const raw = [
      ...sweepRuns(),
      primehubRun('run4', 'extra', { params: { C: '2', max_iter: '500', solver: 'lbfgs', tol: '0.1' } })
    ];
    const cmp = compareRuns(found(raw));
    expect(shownColumns(cmp, false).params.map(p => p.key)).toEqual(['C', 'max_iter', 'solver', 'tol']);
    expect(shownColumns(cmp, true).params.map(p => p.key)).toEqual(['C', 'tol']);
    expect(shownColumns(cmp, true).metrics.map(m => m.key)).toEqual([
      'accuracy',
      'training_accuracy_score',
      'training_log_loss'
    ]);
  });

  it('sorts by any column: numbers as numbers, names naturally, runs without the value last', () => {
    const raw = [
      ...sweepRuns(),
      primehubRun('run4', 'train-iris-C=10', { start: 9_000, status: 'RUNNING', params: { C: '10' } })
    ];
    const rows = compareRuns(found(raw)).rows;
    const ids = (r: typeof rows): string[] => r.map(x => x.runId);
    expect(ids(sortRows(rows, { kind: 'param', key: 'C' }, 'desc'))).toEqual(['run4', 'run3', 'run2', 'run1']);
    expect(ids(sortRows(rows, { kind: 'metric', key: 'accuracy' }, 'desc'))).toEqual(['run3', 'run2', 'run1', 'run4']);
    expect(ids(sortRows(rows, { kind: 'metric', key: 'accuracy' }, 'asc'))).toEqual(['run1', 'run2', 'run3', 'run4']);
    expect(ids(sortRows(rows, { kind: 'run' }))).toEqual(['run1', 'run2', 'run3', 'run4']);
    expect(ids(sortRows(rows, { kind: 'job' }, 'desc'))[0]).toBe('run4');
    expect(ids(sortRows(rows, { kind: 'status' }))).toEqual(['run1', 'run2', 'run3', 'run4']);
  });

  it('charts a metric against a numeric parameter on a numeric axis', () => {
    const cmp = compareRuns(found());
    expect(defaultChart(cmp)).toEqual({ metric: 'accuracy', param: 'C' });
    const series = chartSeries(cmp, 'accuracy', 'C');
    expect(series).toMatchObject({ axis: 'numeric', xRange: [0.05, 1], yRange: [0.84, 0.9733], missing: 0 });
    expect(series.points.map(p => [p.x, p.y, p.best, p.label])).toEqual([
      [0.05, 0.84, false, 'train-iris-C=0.05'],
      [0.5, 0.96, false, 'train-iris-C=0.5'],
      [1, 0.9733, true, 'train-iris-C=1.0']
    ]);
  });

  it('charts against other parameters as categories, leaving out runs without the values', () => {
    const raw = [
      primehubRun('a', 'a', { params: { solver: 'saga' }, metrics: { acc: 0.9 } }),
      primehubRun('b', 'b', { params: { solver: 'lbfgs' }, metrics: { acc: 0.8 } }),
      primehubRun('c', 'c', { params: {}, metrics: { acc: 0.7 } })
    ];
    const series = chartSeries(compareRuns(found(raw)), 'acc', 'solver');
    expect(series).toMatchObject({ axis: 'categorical', categories: ['lbfgs', 'saga'], missing: 1 });
    expect(series.points.map(p => p.x)).toEqual(['lbfgs', 'saga']);
  });

  it("links the MLflow UI's compare page of the runs", () => {
    const url = mlflowCompareUrl('http://127.0.0.1:5000/', compareRuns(found()).rows);
    expect(url).toBe(
      'http://127.0.0.1:5000/#/compare-runs?runs=' +
        encodeURIComponent('["run1","run2","run3"]') +
        '&experiments=' +
        encodeURIComponent('["1"]')
    );
    const hash = new URL(url).hash;
    const query = new URLSearchParams(hash.slice(hash.indexOf('?')));
    expect(JSON.parse(query.get('runs')!)).toEqual(['run1', 'run2', 'run3']);
    expect(JSON.parse(query.get('experiments')!)).toEqual(['1']);
  });

  it('compares no runs as an empty table', () => {
    expect(compareRuns([])).toEqual({ rows: [], params: [], metrics: [] });
    expect(SWEEP).toMatch(/^train-iris-/);
  });

  it('puts round ticks on a chart axis, within its range', () => {
    expect(axisTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(axisTicks(0.8, 1)).toEqual([0.8, 0.85, 0.9, 0.95, 1]);
    expect(axisTicks(0.94, 0.9733)).toEqual([0.94, 0.95, 0.96, 0.97]);
    expect(axisTicks(3, 3)).toEqual([3]);
  });
});
