import { caretDownIcon, caretUpIcon, HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import type { CompareColumn, CompareRow, SortKey } from '@primehub-suite/client/compare';
import * as React from 'react';
import { sameKey, type CompareModel } from '../models/CompareModel';
import type { IPrimeHub } from '../tokens';
import { CompareChart, formatNumber } from './CompareChart';
import { MlflowUnavailable } from './ModelsSection';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** What the tab's links and buttons do. */
export interface ICompareActions {
  openJob(id: string): void;
  /** "Register as model" of a row's run (its job, experiment and run). */
  register(row: CompareRow): void;
}

/** A header that sorts by its column: the arrow shows the order while it is the one sorted by. */
function SortHeader(props: {
  model: CompareModel;
  by: SortKey;
  label: string;
  title?: string;
  className?: string;
  children?: React.ReactNode;
}): React.ReactElement {
  const { model, by } = props;
  const sort = model.sort;
  const active = sort !== null && sameKey(sort.by, by);
  const Icon = active && sort.order === 'desc' ? caretDownIcon : caretUpIcon;
  return (
    <th
      className={props.className}
      aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}
      data-column={'key' in by ? `${by.kind}:${by.key}` : by.kind}
    >
      <button
        className="jp-primehub-SortButton"
        title={props.title ?? `Sort by ${props.label}`}
        onClick={() => model.sortBy(by)}
      >
        <span>{props.label}</span>
        <Icon.react
          tag="span"
          className={active ? 'jp-primehub-SortIcon jp-mod-active' : 'jp-primehub-SortIcon'}
          elementSize="small"
        />
      </button>
      {props.children}
    </th>
  );
}

/** A metric's value: the best one marked. */
function MetricCell(props: { row: CompareRow; column: CompareColumn }): React.ReactElement {
  const { row, column } = props;
  const value = row.metrics[column.key];
  const best = column.bestRunIds?.includes(row.runId) ?? false;
  return (
    <td
      className={best ? 'jp-primehub-Num jp-primehub-Best' : 'jp-primehub-Num'}
      data-key={column.key}
      data-best={best || undefined}
      title={best ? `Best ${column.key} (${column.direction === 'min' ? 'lowest' : 'highest'})` : undefined}
    >
      {value === undefined ? '' : formatNumber(value)}
      {best && (
        <span className="jp-primehub-BestMark" aria-label="best">
          ★
        </span>
      )}
    </td>
  );
}

function Table(props: { model: CompareModel; actions: ICompareActions }): React.ReactElement {
  const { model, actions } = props;
  const { metrics } = model.columns;
  // the parameters that tell the runs apart first, then the metrics, then those every run has alike
  const varied = model.columns.params.filter(c => c.differs);
  const alike = model.columns.params.filter(c => !c.differs);
  const rows = model.rows;
  const best = model.best;
  return (
    <div className="jp-primehub-CompareScroll">
      <table className="jp-primehub-CompareTable" data-testid="compare-table">
        <thead>
          <tr className="jp-primehub-CompareGroups">
            <th colSpan={3} />
            {varied.length > 0 && (
              <th colSpan={varied.length} className="jp-primehub-GroupParams">
                Parameters
              </th>
            )}
            {metrics.length > 0 && (
              <th colSpan={metrics.length} className="jp-primehub-GroupMetrics">
                Metrics
              </th>
            )}
            {alike.length > 0 && (
              <th colSpan={alike.length} className="jp-primehub-GroupParams">
                Parameters alike in every run
              </th>
            )}
            <th />
          </tr>
          <tr>
            <SortHeader model={model} by={{ kind: 'run' }} label="Run" />
            <SortHeader model={model} by={{ kind: 'job' }} label="Job" />
            <SortHeader model={model} by={{ kind: 'status' }} label="Status" />
            {varied.map(c => (
              <SortHeader key={`p-${c.key}`} model={model} by={{ kind: 'param', key: c.key }} label={c.key} />
            ))}
            {metrics.map(c => (
              <SortHeader
                key={`m-${c.key}`}
                model={model}
                by={{ kind: 'metric', key: c.key }}
                label={c.key}
                className="jp-primehub-Num"
              >
                <button
                  className="jp-primehub-Direction"
                  title={`${c.direction === 'min' ? 'Lower' : 'Higher'} is better: click for ${
                    c.direction === 'min' ? 'higher' : 'lower'
                  }`}
                  onClick={() => model.flipMetric(c.key)}
                >
                  {c.direction === 'min' ? 'min' : 'max'}
                </button>
              </SortHeader>
            ))}
            {alike.map(c => (
              <SortHeader key={`p-${c.key}`} model={model} by={{ kind: 'param', key: c.key }} label={c.key} />
            ))}
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rows.map(r => (
            <tr
              key={r.runId}
              data-run-id={r.runId}
              data-job-id={r.jobId}
              className={best?.runId === r.runId ? 'jp-primehub-BestRow' : undefined}
            >
              <td className="jp-primehub-RunName" title={r.runId}>
                {r.runName}
              </td>
              <td>
                {r.jobId ? (
                  <button
                    className="jp-primehub-Link"
                    title={`Open job ${r.jobId}`}
                    onClick={() => actions.openJob(r.jobId!)}
                  >
                    {r.jobName ?? r.jobId}
                  </button>
                ) : (
                  <span className="jp-primehub-JobMeta">—</span>
                )}
              </td>
              <td data-key="status">{(r.status ?? '').toLowerCase()}</td>
              {varied.map(c => (
                <td key={c.key} data-key={c.key} className={c.numeric ? 'jp-primehub-Num' : undefined}>
                  {r.params[c.key] ?? ''}
                </td>
              ))}
              {metrics.map(c => (
                <MetricCell key={c.key} row={r} column={c} />
              ))}
              {alike.map(c => (
                <td key={c.key} data-key={c.key} className={c.numeric ? 'jp-primehub-Num' : undefined}>
                  {r.params[c.key] ?? ''}
                </td>
              ))}
              <td>
                {r.jobId && (
                  <button
                    className={`jp-Button jp-mod-styled${best?.runId === r.runId ? ' jp-mod-accept' : ''}`}
                    title="Register the model this run logged in the group's model registry"
                    onClick={() => actions.register(r)}
                  >
                    Register as model…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChartSection(props: { model: CompareModel }): React.ReactElement | null {
  const { model } = props;
  const cmp = model.comparison;
  const chart = model.chart;
  if (!cmp || !chart) {
    return null;
  }
  return (
    <section className="jp-primehub-CompareChartSection" aria-label="Chart">
      <div className="jp-primehub-ChartControls">
        <label>
          Metric{' '}
          <HTMLSelect
            aria-label="Chart metric"
            value={chart.metric}
            onChange={e => model.setChart(e.currentTarget.value, chart.param)}
          >
            {cmp.metrics.map(m => (
              <option key={m.key} value={m.key}>
                {m.key}
              </option>
            ))}
          </HTMLSelect>
        </label>
        <label>
          against parameter{' '}
          <HTMLSelect
            aria-label="Chart parameter"
            value={chart.param}
            onChange={e => model.setChart(chart.metric, e.currentTarget.value)}
          >
            {cmp.params.map(p => (
              <option key={p.key} value={p.key}>
                {p.key}
              </option>
            ))}
          </HTMLSelect>
        </label>
        {chart.missing > 0 && (
          <span className="jp-primehub-Help">
            {chart.missing} run{chart.missing === 1 ? '' : 's'} without both left out
          </span>
        )}
      </div>
      <CompareChart chart={chart} />
    </section>
  );
}

function Summary(props: { model: CompareModel }): React.ReactElement {
  const { model } = props;
  const n = model.comparison?.rows.length ?? 0;
  const experiments = model.experiments;
  const hidden = model.hiddenColumns;
  return (
    <div className="jp-primehub-CompareSummary" data-testid="compare-summary">
      <h2 className="jp-primehub-Title">{model.title}</h2>
      <span className="jp-primehub-Help">
        {n} run{n === 1 ? '' : 's'}
        {experiments.length > 0 &&
          ` in experiment${experiments.length === 1 ? '' : 's'} ${experiments.map(e => `"${e}"`).join(', ')}`}
        {model.differencesOnly &&
          hidden > 0 &&
          ` · ${hidden} column${hidden === 1 ? '' : 's'} with equal values hidden`}
      </span>
    </div>
  );
}

/** The Compare tab's body: summary, table, chart; it renders its CompareModel. */
function Compare(props: { hub: IPrimeHub; model: CompareModel; actions: ICompareActions }): React.ReactElement {
  const { model } = props;
  useSignal(model.changed);
  const cmp = model.comparison;
  const without = model.jobsWithoutRuns;
  return (
    <div className="jp-primehub-Compare">
      <Summary model={model} />
      <ErrorText text={model.error} alert />
      {model.unavailable && <MlflowUnavailable hub={props.hub} group={props.hub.group} />}
      {model.loading && !model.error && (
        <div className="jp-primehub-Empty">Looking for the jobs&apos; MLflow runs…</div>
      )}
      {without.length > 0 && (
        <div className="jp-primehub-Help" data-testid="compare-without-runs">
          No MLflow run (yet) for{' '}
          {without.map((j, i) => (
            <React.Fragment key={j.id}>
              {i > 0 && ', '}
              <button className="jp-primehub-Link" onClick={() => props.actions.openJob(j.id)}>
                {j.displayName || j.id}
              </button>
              {j.phase && !['Succeeded', 'Failed', 'Cancelled'].includes(j.phase) ? ` (${j.phase.toLowerCase()})` : ''}
            </React.Fragment>
          ))}
          .
        </div>
      )}
      {cmp && cmp.rows.length === 0 && !model.loading && (
        <div className="jp-primehub-Empty" data-testid="compare-empty">
          No MLflow runs found for these jobs. A notebook job is a run when its group has MLflow and its image has the
          mlflow package; a script logs its own runs with mlflow.start_run.
        </div>
      )}
      {cmp && cmp.rows.length > 0 && (
        <>
          <Table model={model} actions={props.actions} />
          <ChartSection model={model} />
        </>
      )}
    </div>
  );
}

/** The main-area Compare tab's content; polls only while it is visible. */
export class CompareView extends ReactWidget {
  constructor(
    private readonly hub: IPrimeHub,
    readonly model: CompareModel,
    private readonly actions: ICompareActions
  ) {
    super();
    this.addClass('jp-primehub-CompareView');
    model.active = false;
    model.start();
  }

  override dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }

  render(): React.ReactElement {
    return <Compare hub={this.hub} model={this.model} actions={this.actions} />;
  }
}
