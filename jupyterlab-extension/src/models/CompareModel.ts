import { FeatureUnavailableError, isTerminalPhase, type Job, type Schedule } from '@primehub-suite/client/browser';
import {
  bestRow,
  chartSeries,
  compareRuns,
  defaultChart,
  findRuns,
  flipDirection,
  jobsOfSchedule,
  mlflowCompareUrl,
  shownColumns,
  sortRows,
  type ChartSeries,
  type CompareColumn,
  type CompareJob,
  type CompareRow,
  type Comparison,
  type CompareSource,
  type SortKey,
  type SortOrder
} from '@primehub-suite/client/compare';
import type { ICompareRequest, IPrimeHub } from '../tokens';
import { notebookPathsOf, originalOfSnapshot } from './notebookJobs';
import { PolledModel } from './PolledModel';
import type { NotebookReader } from './RegisterModelModel';

/** How many of a recurring job's latest jobs are compared at most. */
export const MAX_SCHEDULE_JOBS = 50;

/** The rows' order: a column and which way. */
export interface ICompareSort {
  by: SortKey;
  order: SortOrder;
}

/** Whether a sort key is a column's. */
export function sameKey(a: SortKey, b: SortKey): boolean {
  return a.kind === b.kind && ('key' in a ? a.key : '') === ('key' in b ? b.key : '');
}

/**
 * A Compare tab's state: the MLflow runs of a sweep, of a recurring job's runs or of jobs picked
 * (found by the client's `findRuns` through `mlflowRuns`), side by side as the client's comparison
 * makes them, with the view's choices: the sort, "differences only" and the chart's metric and
 * parameter. Polled while the tab shows and any of its jobs still runs (a recurring job's, always);
 * Refresh asks again at once.
 */
export class CompareModel extends PolledModel {
  private _comparison: Comparison | null = null;
  private _jobs: CompareJob[] = [];
  private _without: CompareJob[] = [];
  private _experiments: string[] = [];
  private _uiUrl: string | null = null;
  private _unavailable = false;
  private _loading = true;
  private _sort: ICompareSort | null = null;
  private _differencesOnly = false;
  private _metric: string | undefined;
  private _param: string | undefined;
  private _label: string;
  /** Every job ended (and was looked at since): no need to poll. */
  private _settled = false;
  private _schedule: Schedule | null = null;

  constructor(
    hub: IPrimeHub,
    readonly request: ICompareRequest,
    private readonly readNotebook?: NotebookReader
  ) {
    // runs change as jobs end: less often than the jobs list
    super(hub, 'compare', 2);
    this._label = request.label ?? '';
  }

  /** What the tab compares, in words: `Sweep "train"`, `Recurring job "nightly"`, `3 jobs`. */
  get title(): string {
    const { sweepId, scheduleId, jobIds } = this.request;
    const label = this._label;
    if (sweepId) {
      return `Sweep "${label || sweepId}"`;
    }
    if (scheduleId) {
      return `Recurring job "${label || scheduleId}"`;
    }
    const n = jobIds?.length ?? 0;
    return label || `${n} job${n === 1 ? '' : 's'}`;
  }

  /** True before the first answer. */
  get loading(): boolean {
    return this._loading;
  }

  /** True when the group has no MLflow (so no runs). */
  get unavailable(): boolean {
    return this._unavailable;
  }

  /** The runs side by side (null before the first answer). */
  get comparison(): Comparison | null {
    return this._comparison;
  }

  /** The experiments the runs were looked for in that the group's MLflow has. */
  get experiments(): ReadonlyArray<string> {
    return this._experiments;
  }

  /** The jobs compared. */
  get jobs(): ReadonlyArray<CompareJob> {
    return this._jobs;
  }

  /** Jobs of which no run was found (not started yet, not a run, logging elsewhere). */
  get jobsWithoutRuns(): ReadonlyArray<CompareJob> {
    return this._without;
  }

  /** The rows in the order chosen (as found until a column is chosen). */
  get rows(): CompareRow[] {
    const rows = this._comparison?.rows ?? [];
    return this._sort ? sortRows(rows, this._sort.by, this._sort.order) : rows;
  }

  /** The parameter and metric columns shown ("differences only" leaves out the equal ones). */
  get columns(): { params: CompareColumn[]; metrics: CompareColumn[] } {
    return this._comparison ? shownColumns(this._comparison, this._differencesOnly) : { params: [], metrics: [] };
  }

  /** How many columns "differences only" hides. */
  get hiddenColumns(): number {
    const all = this._comparison;
    if (!all) {
      return 0;
    }
    const shown = this.columns;
    return all.params.length + all.metrics.length - shown.params.length - shown.metrics.length;
  }

  get sort(): ICompareSort | null {
    return this._sort;
  }

  get differencesOnly(): boolean {
    return this._differencesOnly;
  }

  /** The chart's metric and parameter, and its points (null when the runs have no metric or no parameter). */
  get chart(): ChartSeries | null {
    const cmp = this._comparison;
    if (!cmp || !this._metric || !this._param) {
      return null;
    }
    return chartSeries(cmp, this._metric, this._param);
  }

  /** The best run on the chart's metric (else the first metric with a best). */
  get best(): CompareRow | undefined {
    return this._comparison ? bestRow(this._comparison, this._metric) : undefined;
  }

  /** The runs on the MLflow UI's compare page (null when the group's MLflow has no UI URL or no run is found). */
  get mlflowUrl(): string | null {
    const rows = this._comparison?.rows ?? [];
    return this._uiUrl && rows.length ? mlflowCompareUrl(this._uiUrl, rows) : null;
  }

  /** Sorts by a column: ascending first (descending first for a metric whose higher values are better), then the other way. */
  sortBy(by: SortKey): void {
    const current = this._sort;
    let order: SortOrder;
    if (current && sameKey(current.by, by)) {
      order = current.order === 'asc' ? 'desc' : 'asc';
    } else {
      const metric = by.kind === 'metric' ? this._comparison?.metrics.find(m => m.key === by.key) : undefined;
      order = metric?.direction === 'max' ? 'desc' : 'asc';
    }
    this._sort = { by, order };
    this.emitChanged();
  }

  setDifferencesOnly(value: boolean): void {
    if (value !== this._differencesOnly) {
      this._differencesOnly = value;
      this.emitChanged();
    }
  }

  setChart(metric: string, param: string): void {
    this._metric = metric;
    this._param = param;
    this.emitChanged();
  }

  /** Metric `key` is better the other way (lower instead of higher, or back). */
  flipMetric(key: string): void {
    if (this._comparison) {
      this._comparison = flipDirection(this._comparison, key);
      this.emitChanged();
    }
  }

  /** Looks again now (also after every job ended). */
  override async refresh(): Promise<void> {
    this._settled = false;
    await super.refresh();
  }

  protected what(): string {
    return `Comparing the runs of ${this.title}`;
  }

  protected override standby(): boolean {
    return super.standby() || this._settled;
  }

  protected async fetch(): Promise<void> {
    const client = this.hub.client;
    try {
      const [jobs, mlflow] = await Promise.all([this.findJobs(), this._uiUrl ? null : client.models.mlflow()]);
      if (mlflow?.uiUrl) {
        this._uiUrl = mlflow.uiUrl;
      }
      const source: CompareSource = this.request.sweepId ? { sweepId: this.request.sweepId, jobs } : { jobs };
      const found = await findRuns(client.models, source, { notebookOf: job => this.notebookOf(job) });
      const previous = this._comparison;
      let comparison = compareRuns(found.runs);
      // the user's "better the other way" choices stay
      for (const m of previous?.metrics ?? []) {
        const now = comparison.metrics.find(c => c.key === m.key);
        if (now && now.direction !== m.direction) {
          comparison = flipDirection(comparison, m.key);
        }
      }
      this._comparison = comparison;
      this._jobs = jobs;
      this._without = found.jobsWithoutRuns;
      this._experiments = found.experiments;
      this._unavailable = false;
      this.keepChart(comparison);
      this._settled = this.complete() && jobs.length > 0 && jobs.every(j => isTerminalPhase(j.phase ?? null));
    } catch (err) {
      if (!(err instanceof FeatureUnavailableError)) {
        throw err;
      }
      this._unavailable = true;
      this._comparison = null;
    } finally {
      this._loading = false;
    }
    this.emitChanged();
  }

  /**
   * Whether the jobs known are all there will be: jobs picked, or all of a sweep's (as its
   * notification knows them). A recurring job runs again, and a sweep opened from one of its jobs
   * may have jobs still to start: those are polled while the tab shows.
   */
  private complete(): boolean {
    const { sweepId, scheduleId, jobIds = [] } = this.request;
    return !scheduleId && (!sweepId || jobIds.length > 1);
  }

  /** The chart keeps its metric and parameter while the runs have them; else the client's default. */
  private keepChart(cmp: Comparison): void {
    const fallback = defaultChart(cmp);
    if (!this._metric || !cmp.metrics.some(m => m.key === this._metric)) {
      this._metric = fallback.metric;
    }
    if (!this._param || !cmp.params.some(p => p.key === this._param)) {
      this._param = fallback.param;
    }
  }

  /** The jobs to compare: those picked (or a sweep's), or a recurring job's latest. */
  private async findJobs(): Promise<CompareJob[]> {
    const client = this.hub.client;
    const { scheduleId, jobIds = [] } = this.request;
    if (scheduleId) {
      const schedule = (this._schedule ??= await client.schedules.get(scheduleId));
      this._label ||= schedule.displayName ?? '';
      // PrimeHub names a recurring job's jobs after it and marks those its cron started (`schedule`);
      // a run triggered by hand is a plain job with the same name and command
      const ofSchedule = (jobs: Job[]): Job[] => [
        ...new Set([
          ...jobsOfSchedule(jobs, scheduleId),
          ...jobs.filter(j => j.displayName === schedule.displayName && j.command === schedule.command)
        ])
      ];
      const jobs: Job[] = [];
      for await (const job of client.jobs.iterate({ displayNameContains: schedule.displayName || undefined })) {
        jobs.push(job);
        if (jobs.length >= MAX_SCHEDULE_JOBS * 4 || ofSchedule(jobs).length >= MAX_SCHEDULE_JOBS) {
          break;
        }
      }
      return ofSchedule(jobs).sort((a, b) => (a.createTime ?? '').localeCompare(b.createTime ?? ''));
    }
    // ended jobs do not change: asked for once
    const known = new Map(this._jobs.map(j => [j.id, j]));
    return Promise.all(
      jobIds.map(async id => {
        const job = known.get(id);
        return job && isTerminalPhase(job.phase ?? null) ? job : client.jobs.get(id);
      })
    );
  }

  /** A notebook job's notebook as it is now (its `set_experiment`), for a job this Lab can see. */
  private async notebookOf(job: CompareJob): Promise<string | null> {
    const input = notebookPathsOf(job, this.hub.config?.groupVolume ?? null)?.input;
    if (!input || !this.readNotebook) {
      return null;
    }
    // the snapshot is removed once the job ended; the original is what the user edits
    return (await this.readNotebook(input)) ?? (await this.readNotebook(originalOfSnapshot(input)));
  }
}
