import { FeatureUnavailableError } from '@primehub-suite/client';
import { parseMlflowRuns, type FoundRuns } from '@primehub-suite/client/compare';
import { CompareModel } from './CompareModel';

/** Three runs of a sweep over C as `findRuns` gives them (PrimeHub's mlflowRuns shape underneath). */
function sweep(): FoundRuns {
  const raw = [
    ['0.05', 0.84, 0.61],
    ['0.5', 0.96, 0.21],
    ['1.0', 0.9733, 0.12]
  ].map(([c, accuracy, loss], i) => ({
    info: {
      runId: `run${i + 1}`,
      runName: `iris-C=${c}`,
      experimentId: '1',
      status: 'FINISHED',
      startTime: 1000 + i,
      lifecycleStage: 'active'
    },
    data: {
      params: [
        { key: 'C', value: String(c) },
        { key: 'max_iter', value: '500' }
      ],
      metrics: [
        { key: 'accuracy', value: accuracy, step: 0, timestamp: 1 },
        { key: 'training_log_loss', value: loss, step: 0, timestamp: 1 }
      ],
      tags: [{ key: 'primehub.job_id', value: `job-${i + 1}` }]
    }
  }));
  return {
    runs: parseMlflowRuns(raw)
      .reverse()
      .map(run => ({
        run,
        experiment: 'iris',
        job: { id: run.tags['primehub.job_id'], displayName: run.name, command: null, phase: 'Succeeded' as const },
        by: 'tag' as const
      })),
    experiments: ['iris'],
    jobsWithoutRuns: []
  };
}

describe('CompareModel', () => {
  it('starts loading, then shows the runs with the best run on the chart metric', () => {
    const model = new CompareModel('Sweep s');
    const changes: number[] = [];
    model.onDidChange(() => changes.push(1));
    expect(model.view()).toMatchObject({ status: 'loading', rows: [] });
    model.setFound(sweep(), 'http://127.0.0.1:5000');
    const view = model.view();
    expect(view).toMatchObject({
      title: 'Sweep s',
      status: 'ready',
      hasMlflowUi: true,
      metricKeys: ['accuracy', 'training_log_loss'],
      paramKeys: ['C', 'max_iter'],
      best: { runId: 'run3', runName: 'iris-C=1.0', metric: 'accuracy', value: 0.9733 },
      chart: { metric: 'accuracy', param: 'C', axis: 'numeric' }
    });
    expect(view.rows.map(r => r.runId)).toEqual(['run1', 'run2', 'run3']);
    expect(view.metrics.map(m => [m.key, m.bestRunIds])).toEqual([
      ['accuracy', ['run3']],
      ['training_log_loss', ['run3']]
    ]);
    expect(changes).toHaveLength(1);
  });

  it('hides equal columns with "differences only"', () => {
    const model = new CompareModel('x');
    model.setFound(sweep(), null);
    model.setDifferencesOnly(true);
    expect(model.view()).toMatchObject({ differencesOnly: true, hidden: 1, hasMlflowUi: false });
    expect(model.view().params.map(p => p.key)).toEqual(['C']);
    model.setDifferencesOnly(false);
    expect(model.view().params.map(p => p.key)).toEqual(['C', 'max_iter']);
  });

  it('sorts a metric best first, again the other way; other columns ascending', () => {
    const model = new CompareModel('x');
    model.setFound(sweep(), null);
    const ids = (): string[] => model.view().rows.map(r => r.runId);
    model.sortBy({ kind: 'metric', key: 'accuracy' });
    expect(ids()).toEqual(['run3', 'run2', 'run1']);
    model.sortBy({ kind: 'metric', key: 'accuracy' });
    expect(ids()).toEqual(['run1', 'run2', 'run3']);
    model.sortBy({ kind: 'metric', key: 'training_log_loss' });
    expect(model.view().sort).toEqual({ key: { kind: 'metric', key: 'training_log_loss' }, order: 'asc' });
    expect(ids()).toEqual(['run3', 'run2', 'run1']);
    model.sortBy({ kind: 'param', key: 'C' });
    expect(ids()).toEqual(['run1', 'run2', 'run3']);
  });

  it('flips which way a metric is better, and the best run with it; a reload keeps the choice', () => {
    const model = new CompareModel('x');
    model.setFound(sweep(), null);
    model.flipDirection('accuracy');
    expect(model.view().best).toMatchObject({ runId: 'run1', metric: 'accuracy' });
    expect(model.bestRun()?.runId).toBe('run1');
    model.setFound(sweep(), null);
    expect(model.view().metrics[0]).toMatchObject({ key: 'accuracy', direction: 'min' });
  });

  it('charts the metric and parameter chosen; Register Model takes the best on the chart metric', () => {
    const model = new CompareModel('x');
    model.setFound(sweep(), null);
    model.setChart({ metric: 'training_log_loss', param: 'max_iter' });
    expect(model.view().chart).toMatchObject({ metric: 'training_log_loss', param: 'max_iter' });
    expect(model.view().best).toMatchObject({ runId: 'run3', metric: 'training_log_loss', value: 0.12 });
  });

  it('says when no run was found, and which jobs have none', () => {
    const model = new CompareModel('x');
    model.setFound(
      { runs: [], experiments: [], jobsWithoutRuns: [{ id: 'j1', displayName: 'train', command: null }] },
      null
    );
    expect(model.view()).toMatchObject({
      status: 'ready',
      message: expect.stringContaining('no experiment named after their notebooks'),
      jobsWithoutRuns: ['train']
    });
    expect(model.view().chart).toBeUndefined();
  });

  it('says a group without MLflow, and any other failure', () => {
    const model = new CompareModel('x');
    model.setError(new FeatureUnavailableError('no MLflow'));
    expect(model.view()).toMatchObject({ status: 'unavailable', message: expect.stringContaining('no MLflow') });
    model.setError(new Error('MLflow is not reachable at http://127.0.0.1:1'));
    expect(model.view()).toMatchObject({ status: 'error', message: 'MLflow is not reachable at http://127.0.0.1:1' });
  });
});
