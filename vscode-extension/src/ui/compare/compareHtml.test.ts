import type { ChartSeries } from '@primehub-suite/client/compare';
import type { CompareViewState } from '../../compare/CompareModel';
import { chartSvg, compareBody } from './compareHtml';
import { parseCompareMessage } from './compareMessages';

const view: CompareViewState = {
  title: 'Sweep <s>',
  status: 'ready',
  differencesOnly: true,
  sort: { key: { kind: 'metric', key: 'accuracy' }, order: 'desc' },
  params: [{ kind: 'param', key: 'C', numeric: true, differs: true }],
  metrics: [
    { kind: 'metric', key: 'accuracy', numeric: true, differs: true, direction: 'max', best: 0.97, bestRunIds: ['r2'] }
  ],
  hidden: 2,
  rows: [
    {
      runId: 'r2',
      runName: 'C=1',
      experiment: 'iris',
      experimentId: '1',
      status: 'FINISHED',
      jobId: 'j2',
      jobName: 'iris-C=1',
      params: { C: '1' },
      metrics: { accuracy: 0.97 }
    },
    {
      runId: 'r1',
      runName: 'C="0.1"',
      experiment: 'iris',
      experimentId: '1',
      status: 'FAILED',
      params: { C: '0.1' },
      metrics: {}
    }
  ],
  metricKeys: ['accuracy'],
  paramKeys: ['C', 'max_iter'],
  best: { runId: 'r2', runName: 'iris-C=1', metric: 'accuracy', value: 0.97 },
  hasMlflowUi: true,
  jobsWithoutRuns: ['pending-job']
};

describe('the Compare view', () => {
  it('escapes every text', () => {
    const html = compareBody(view);
    expect(html).toContain('<h1>Sweep &lt;s&gt;</h1>');
    expect(html).toContain('C=&quot;0.1&quot;');
    expect(html).not.toContain('<s>');
  });

  it('marks the best value, the sorted column and which way a metric is better', () => {
    const html = compareBody(view);
    expect(html).toMatch(
      /<td class="num best"[^>]*><span class="codicon codicon-star-full" role="img" aria-label="best"><\/span> 0\.97<\/td>/
    );
    expect(html).toContain('aria-sort="descending"');
    expect(html).toContain('codicon-triangle-down');
    expect(html).toContain(
      'data-action="flip" data-metric="accuracy" title="Higher is better for accuracy: click to flip"'
    );
    expect(html).toContain('<td class="missing num">–</td>');
  });

  it('has the differences-only switch, the links, Register Model on the best run and the runless jobs', () => {
    const html = compareBody(view);
    expect(html).toContain('<input type="checkbox" data-action="differencesOnly" checked> Differences only');
    expect(html).toContain('2 equal columns hidden');
    expect(html).toContain('data-action="openJob" data-job="j2"');
    expect(html).toContain('data-action="openRun" data-run="r1"');
    expect(html).toContain('data-action="openMlflow"');
    expect(html).toContain('data-action="register" data-run="r2"');
    expect(html).toContain('No MLflow run (yet) for: pending-job');
    expect(compareBody({ ...view, best: undefined, hasMlflowUi: false })).not.toMatch(/openMlflow|register/);
  });

  it('puts the parameters that differ first, then the metrics, then what every run shares', () => {
    const html = compareBody({
      ...view,
      params: [...view.params, { kind: 'param', key: 'max_iter', numeric: true, differs: false }]
    });
    const labels = [...html.matchAll(/<span class="label">([^<]*)<\/span>/g)].map(m => m[1]);
    expect(labels).toEqual(['Job', 'Run', 'Status', 'C', 'accuracy', 'max_iter']);
    expect([...html.matchAll(/class="group">([^<]*)</g)].map(m => m[1])).toEqual([
      'Parameters',
      'Metrics',
      'Same in every run'
    ]);
  });

  it('says loading and failures without a table', () => {
    expect(compareBody({ ...view, status: 'loading' })).toContain('Looking for the MLflow runs');
    const failed = compareBody({ ...view, status: 'error', message: 'MLflow is not reachable' });
    expect(failed).toContain('MLflow is not reachable');
    expect(failed).toContain('data-action="refresh"');
    expect(failed).not.toContain('<table');
  });

  it('charts numeric parameters on a numeric axis, others as categories', () => {
    const numeric: ChartSeries = {
      metric: 'accuracy',
      param: 'C',
      axis: 'numeric',
      categories: [],
      points: [
        { runId: 'a', label: 'a', x: 0.05, y: 0.84, best: false },
        { runId: 'b', label: 'b', x: 1, y: 0.97, best: true }
      ],
      xRange: [0.05, 1],
      yRange: [0.84, 0.97],
      missing: 0
    };
    const svg = chartSvg(numeric);
    expect(svg).toContain('aria-label="accuracy against C"');
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('class="point best"');
    expect(svg).toContain('<polyline');
    const cats = chartSvg({
      ...numeric,
      axis: 'categorical',
      categories: ['lbfgs', 'saga'],
      xRange: undefined,
      points: numeric.points.map((p, i) => ({ ...p, x: ['lbfgs', 'saga'][i] }))
    });
    expect(cats).toContain('>lbfgs</text>');
    expect(cats).not.toContain('<polyline');
    expect(chartSvg({ ...numeric, points: [] })).toContain('No run has both C and accuracy');
  });
});

describe("the webview's messages", () => {
  it('are taken only in their known shapes', () => {
    expect(parseCompareMessage({ type: 'sort', key: '{"kind":"metric","key":"accuracy"}' })).toEqual({
      type: 'sort',
      key: { kind: 'metric', key: 'accuracy' }
    });
    expect(parseCompareMessage({ type: 'sort', key: '{"kind":"job"}' })).toEqual({
      type: 'sort',
      key: { kind: 'job' }
    });
    expect(parseCompareMessage({ type: 'sort', key: '{"kind":"eval"}' })).toBeUndefined();
    expect(parseCompareMessage({ type: 'sort', key: 'not json' })).toBeUndefined();
    expect(parseCompareMessage({ type: 'differencesOnly', on: true })).toEqual({ type: 'differencesOnly', on: true });
    expect(parseCompareMessage({ type: 'differencesOnly', on: 'yes' })).toBeUndefined();
    expect(parseCompareMessage({ type: 'chart', axis: 'param', value: 'C' })).toEqual({
      type: 'chart',
      axis: 'param',
      value: 'C'
    });
    expect(parseCompareMessage({ type: 'chart', axis: 'x', value: 'C' })).toBeUndefined();
    expect(parseCompareMessage({ type: 'register', run: 'r1' })).toEqual({ type: 'register', run: 'r1' });
    expect(parseCompareMessage({ type: 'openJob' })).toBeUndefined();
    expect(parseCompareMessage({ type: 'runCommand', command: 'x' })).toBeUndefined();
    expect(parseCompareMessage(null)).toBeUndefined();
  });
});
