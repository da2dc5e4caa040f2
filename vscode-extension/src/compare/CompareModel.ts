import {
  bestRow,
  chartSeries,
  compareRuns,
  defaultChart,
  flipDirection,
  shownColumns,
  sortRows,
  type ChartSeries,
  type CompareColumn,
  type CompareRow,
  type Comparison,
  type FoundRun,
  type FoundRuns,
  type SortKey,
  type SortOrder
} from '@primehub-suite/client/compare';
import { statusOfError } from '../models/ModelsModel';
import { Emitter } from '../util/Emitter';

/**
 * Where a comparison stands:
 * - `loading`: its runs are being looked for;
 * - `ready`: the runs found (maybe none);
 * - `unavailable`: the group has no MLflow;
 * - `error`: PrimeHub or its MLflow did not answer (`message` says why).
 */
export type CompareStatus = 'loading' | 'ready' | 'unavailable' | 'error';

/** What the Compare view shows, all of it plain data (it goes to the webview as a message). */
export interface CompareViewState {
  title: string;
  status: CompareStatus;
  /** Why there is nothing to compare, or what went wrong. */
  message?: string;
  differencesOnly: boolean;
  sort?: { key: SortKey; order: SortOrder };
  /** The columns shown (all, or those that differ). */
  params: CompareColumn[];
  metrics: CompareColumn[];
  /** How many columns "differences only" hides. */
  hidden: number;
  rows: CompareRow[];
  /** Every metric and parameter, for the chart's choices. */
  metricKeys: string[];
  paramKeys: string[];
  chart?: ChartSeries;
  /** The best run on the chart's metric: Register Model's run. */
  best?: { runId: string; runName: string; metric: string; value: number };
  /** The group's MLflow has a UI: the compare page can be opened. */
  hasMlflowUi: boolean;
  /** Names of the jobs no run was found for. */
  jobsWithoutRuns: string[];
}

/** Runs compared side by side, with how the user looks at them (sort, differences only, chart). State only. */
export class CompareModel {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _status: CompareStatus = 'loading';
  private _message?: string;
  private _comparison: Comparison = { rows: [], params: [], metrics: [] };
  private _uiUrl?: string;
  private _found: FoundRun[] = [];
  private _without: string[] = [];
  private _differencesOnly = false;
  private _sort?: { key: SortKey; order: SortOrder };
  private _chart: { metric?: string; param?: string } = {};

  constructor(private _title: string) {}

  get title(): string {
    return this._title;
  }

  get status(): CompareStatus {
    return this._status;
  }

  get comparison(): Comparison {
    return this._comparison;
  }

  /** The runs found, each with its experiment and job. */
  get found(): readonly FoundRun[] {
    return this._found;
  }

  /** The group's MLflow UI address, when it has one. */
  get uiUrl(): string | undefined {
    return this._uiUrl;
  }

  setLoading(title = this._title): void {
    this._title = title;
    this._status = 'loading';
    this._message = undefined;
    this._onDidChange.fire();
  }

  /** The runs found; the sort, "differences only" and the chart's axes stay as the user set them where they still apply. */
  setFound(found: FoundRuns, uiUrl: string | null | undefined): void {
    const directions = Object.fromEntries(this._comparison.metrics.map(m => [m.key, m.direction ?? 'max']));
    this._found = found.runs;
    this._comparison = compareRuns(found.runs, directions);
    this._uiUrl = uiUrl ?? undefined;
    this._without = found.jobsWithoutRuns.map(j => j.displayName || j.id);
    this._status = 'ready';
    this._message =
      found.runs.length === 0
        ? found.experiments.length === 0
          ? "No MLflow run was found for these jobs: the group's MLflow has no experiment named after their notebooks."
          : 'No MLflow run was found for these jobs.'
        : undefined;
    const keys = (cols: CompareColumn[]) => cols.map(c => c.key);
    const fallback = defaultChart(this._comparison);
    this._chart = {
      metric: keys(this._comparison.metrics).includes(this._chart.metric ?? '') ? this._chart.metric : fallback.metric,
      param: keys(this._comparison.params).includes(this._chart.param ?? '') ? this._chart.param : fallback.param
    };
    this._onDidChange.fire();
  }

  setError(error: unknown): void {
    const status = statusOfError(error);
    this._status = status === 'unavailable' ? 'unavailable' : 'error';
    this._message =
      status === 'unavailable'
        ? 'This group has no MLflow, so its jobs have no runs to compare.'
        : error instanceof Error
          ? error.message
          : String(error);
    this._onDidChange.fire();
  }

  setDifferencesOnly(on: boolean): void {
    this._differencesOnly = on;
    this._onDidChange.fire();
  }

  /** Sorts by `key`; again by the same key reverses. A metric sorts best first, anything else ascending. */
  sortBy(key: SortKey): void {
    const same = this._sort && JSON.stringify(this._sort.key) === JSON.stringify(key);
    let order: SortOrder;
    if (same) {
      order = this._sort!.order === 'asc' ? 'desc' : 'asc';
    } else if (key.kind === 'metric') {
      order = this._comparison.metrics.find(m => m.key === key.key)?.direction === 'min' ? 'asc' : 'desc';
    } else {
      order = 'asc';
    }
    this._sort = { key, order };
    this._onDidChange.fire();
  }

  /** Higher is better for metric `key` now if lower was, and the other way round. */
  flipDirection(key: string): void {
    if (this._comparison.metrics.some(m => m.key === key)) {
      this._comparison = flipDirection(this._comparison, key);
      this._onDidChange.fire();
    }
  }

  /** The chart's metric and parameter (either may stay as it is). */
  setChart(axes: { metric?: string; param?: string }): void {
    this._chart = { ...this._chart, ...axes };
    this._onDidChange.fire();
  }

  /** The run Register Model takes: the best on the chart's metric. */
  bestRun(): CompareRow | undefined {
    return this._chart.metric ? bestRow(this._comparison, this._chart.metric) : bestRow(this._comparison);
  }

  row(runId: string): CompareRow | undefined {
    return this._comparison.rows.find(r => r.runId === runId);
  }

  view(): CompareViewState {
    const cmp = this._comparison;
    const shown = shownColumns(cmp, this._differencesOnly);
    const { metric, param } = this._chart;
    const best = this.bestRun();
    const bestValue = best && metric ? best.metrics[metric] : undefined;
    return {
      title: this._title,
      status: this._status,
      ...(this._message ? { message: this._message } : {}),
      differencesOnly: this._differencesOnly,
      ...(this._sort ? { sort: this._sort } : {}),
      params: shown.params,
      metrics: shown.metrics,
      hidden: cmp.params.length + cmp.metrics.length - shown.params.length - shown.metrics.length,
      rows: this._sort ? sortRows(cmp.rows, this._sort.key, this._sort.order) : cmp.rows,
      metricKeys: cmp.metrics.map(m => m.key),
      paramKeys: cmp.params.map(p => p.key),
      ...(metric && param ? { chart: chartSeries(cmp, metric, param) } : {}),
      ...(best && metric && bestValue !== undefined
        ? { best: { runId: best.runId, runName: best.jobName ?? best.runName, metric, value: bestValue } }
        : {}),
      hasMlflowUi: this._uiUrl !== undefined && cmp.rows.length > 0,
      jobsWithoutRuns: this._without
    };
  }
}
