/**
 * The comparison of runs side by side: rows are runs, columns their parameters and metrics; the
 * best value of each metric, a "differences only" view, sorting, one metric charted against one
 * parameter and the MLflow UI's compare page. Pure: no I/O, no DOM.
 */
import type { FoundRun } from './find';

/** Whether higher or lower values of a metric are better. */
export type Direction = 'max' | 'min';

/** One run of the comparison. */
export interface CompareRow {
  runId: string;
  runName: string;
  experiment: string;
  experimentId?: string;
  status?: string;
  startTime?: number;
  jobId?: string;
  jobName?: string;
  jobPhase?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

/** A parameter or metric column. */
export interface CompareColumn {
  kind: 'param' | 'metric';
  key: string;
  /** Every value given is a number (a numeric chart axis; sorted as numbers). */
  numeric: boolean;
  /** Not all rows have the same value (a missing value counts as one). */
  differs: boolean;
  /** Metrics: which way is better. */
  direction?: Direction;
  /** Metrics: the best value, when the rows' values are not all the same. */
  best?: number;
  /** Metrics: the runs having the best value. */
  bestRunIds?: string[];
}

/** Runs side by side. */
export interface Comparison {
  rows: CompareRow[];
  params: CompareColumn[];
  metrics: CompareColumn[];
}

/** Metrics whose names say lower is better: losses and errors. */
const LOWER_IS_BETTER = /loss|err|rmse|mae|mse|mape|perplexity/i;

/** Which way metric `key` is better by default: lower for losses and errors, else higher. */
export function metricDirection(key: string): Direction {
  return LOWER_IS_BETTER.test(key) ? 'min' : 'max';
}

const isNumber = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));

function column(
  kind: CompareColumn['kind'],
  key: string,
  rows: readonly CompareRow[],
  directions: Readonly<Record<string, Direction>>
): CompareColumn {
  const values = rows.map(r => (kind === 'param' ? r.params[key] : r.metrics[key]));
  const given = values.filter((v): v is string | number => v !== undefined);
  const differs = new Set(values.map(v => (v === undefined ? '\u0000' : String(v)))).size > 1;
  const numeric = given.length > 0 && given.every(v => typeof v === 'number' || isNumber(v));
  if (kind === 'param') {
    return { kind, key, numeric, differs };
  }
  const direction = directions[key] ?? metricDirection(key);
  const numbers = given as number[];
  if (new Set(numbers).size < 2) {
    return { kind, key, numeric, differs, direction, bestRunIds: [] };
  }
  const best = direction === 'max' ? Math.max(...numbers) : Math.min(...numbers);
  const bestRunIds = rows.filter(r => r.metrics[key] === best).map(r => r.runId);
  return { kind, key, numeric, differs, direction, best, bestRunIds };
}

const keysOf = (rows: readonly CompareRow[], of: (r: CompareRow) => object): string[] =>
  [...new Set(rows.flatMap(r => Object.keys(of(r))))].sort((a, b) => a.localeCompare(b));

/** A row of each found run. */
export function toRows(found: readonly FoundRun[]): CompareRow[] {
  return found.map(({ run, experiment, job }) => ({
    runId: run.runId,
    runName: run.name,
    experiment,
    ...(run.experimentId !== undefined ? { experimentId: run.experimentId } : {}),
    ...(run.status !== undefined ? { status: run.status } : {}),
    ...(run.startTime !== undefined ? { startTime: run.startTime } : {}),
    ...(job ? { jobId: job.id, jobName: job.displayName || job.id } : {}),
    ...(job && 'phase' in job && job.phase ? { jobPhase: job.phase } : {}),
    params: Object.fromEntries(run.params),
    metrics: Object.fromEntries(run.metrics)
  }));
}

/**
 * Runs side by side: one column per parameter and per metric any run has, each metric's best
 * value (higher is better unless its name says loss or error, or `directions` says otherwise).
 */
export function compareRuns(
  runs: readonly FoundRun[] | readonly CompareRow[],
  directions: Readonly<Record<string, Direction>> = {}
): Comparison {
  const rows = runs.length > 0 && 'run' in runs[0] ? toRows(runs as FoundRun[]) : [...(runs as CompareRow[])];
  return {
    rows,
    params: keysOf(rows, r => r.params).map(k => column('param', k, rows, directions)),
    metrics: keysOf(rows, r => r.metrics).map(k => column('metric', k, rows, directions))
  };
}

/** The same comparison with metric `key` better the other way. */
export function flipDirection(cmp: Comparison, key: string): Comparison {
  const directions: Record<string, Direction> = {};
  for (const m of cmp.metrics) {
    directions[m.key] = m.key === key ? (m.direction === 'min' ? 'max' : 'min') : (m.direction ?? 'max');
  }
  return compareRuns(cmp.rows, directions);
}

/** The columns shown: all, or with `differencesOnly` those whose values differ between the runs. */
export function shownColumns(cmp: Comparison, differencesOnly: boolean): Pick<Comparison, 'params' | 'metrics'> {
  const keep = (c: CompareColumn): boolean => !differencesOnly || c.differs;
  return { params: cmp.params.filter(keep), metrics: cmp.metrics.filter(keep) };
}

/** What rows can be sorted by: the run's name, its job, its status, a parameter or a metric. */
export type SortKey = { kind: 'run' | 'job' | 'status' } | { kind: 'param' | 'metric'; key: string };
export type SortOrder = 'asc' | 'desc';

function sortValue(row: CompareRow, by: SortKey): string | number | undefined {
  switch (by.kind) {
    case 'run':
      return row.runName;
    case 'job':
      return row.jobName;
    case 'status':
      return row.status;
    case 'param': {
      const v = row.params[by.key];
      return v !== undefined && isNumber(v) ? Number(v) : v;
    }
    case 'metric':
      return row.metrics[by.key];
  }
}

/** The rows sorted by `by` (numbers as numbers, text naturally); rows without a value last either way. */
export function sortRows(rows: readonly CompareRow[], by: SortKey, order: SortOrder = 'asc'): CompareRow[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, by);
    const y = sortValue(b, by);
    if (x === undefined || y === undefined) {
      return x === y ? 0 : x === undefined ? 1 : -1;
    }
    if (typeof x === 'number' && typeof y === 'number') {
      return sign * (x - y);
    }
    return sign * String(x).localeCompare(String(y), undefined, { numeric: true });
  });
}

/** The best run on metric `key` (the first metric when none is given); undefined when none stands out. */
export function bestRow(cmp: Comparison, key?: string): CompareRow | undefined {
  const metric = key === undefined ? cmp.metrics.find(m => m.bestRunIds?.length) : cmp.metrics.find(m => m.key === key);
  const id = metric?.bestRunIds?.[0];
  return id === undefined ? undefined : cmp.rows.find(r => r.runId === id);
}

/** One point of a chart: a run's parameter value (x) and metric value (y). */
export interface ChartPoint {
  runId: string;
  label: string;
  /** The parameter's value: a number on a numeric axis, else its text. */
  x: number | string;
  y: number;
  best: boolean;
}

/** A metric against a parameter. */
export interface ChartSeries {
  metric: string;
  param: string;
  /** Numeric parameters on a numeric axis; others as categories. */
  axis: 'numeric' | 'categorical';
  /** The categories in order (categorical axis). */
  categories: string[];
  points: ChartPoint[];
  /** The range of x (numeric axis) and of y. */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Runs left out: without the parameter or the metric. */
  missing: number;
}

/** The points of metric `metric` against parameter `param`, one a run having both. */
export function chartSeries(cmp: Comparison, metric: string, param: string): ChartSeries {
  const col = cmp.params.find(p => p.key === param);
  const best = new Set(cmp.metrics.find(m => m.key === metric)?.bestRunIds ?? []);
  const numeric = col?.numeric ?? false;
  const points: ChartPoint[] = [];
  for (const row of cmp.rows) {
    const x = row.params[param];
    const y = row.metrics[metric];
    if (x !== undefined && y !== undefined) {
      points.push({
        runId: row.runId,
        label: row.jobName ?? row.runName,
        x: numeric ? Number(x) : x,
        y,
        best: best.has(row.runId)
      });
    }
  }
  const range = (ns: number[]): [number, number] | undefined =>
    ns.length > 0 ? [Math.min(...ns), Math.max(...ns)] : undefined;
  const categories = numeric
    ? []
    : [...new Set(points.map(p => String(p.x)))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  points.sort((a, b) =>
    numeric ? (a.x as number) - (b.x as number) : categories.indexOf(String(a.x)) - categories.indexOf(String(b.x))
  );
  return {
    metric,
    param,
    axis: numeric ? 'numeric' : 'categorical',
    categories,
    points,
    xRange: numeric ? range(points.map(p => p.x as number)) : undefined,
    yRange: range(points.map(p => p.y)),
    missing: cmp.rows.length - points.length
  };
}

/** Round numbers for a chart's axis: about `count` ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ) within [lo, hi]. */
export function axisTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    return [lo];
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(s => s * mag).find(s => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

/** The chart's first axes: the first metric, against the first parameter that differs (else the first one). */
export function defaultChart(cmp: Comparison): { metric?: string; param?: string } {
  return {
    metric: cmp.metrics.find(m => m.differs)?.key ?? cmp.metrics[0]?.key,
    param: cmp.params.find(p => p.differs)?.key ?? cmp.params[0]?.key
  };
}

/**
 * The MLflow UI's page comparing the runs: the group's `uiUrl` and
 * `#/compare-runs?runs=[…]&experiments=[…]` (JSON lists, as MLflow's UI links them).
 */
export function mlflowCompareUrl(
  uiUrl: string,
  rows: ReadonlyArray<Pick<CompareRow, 'runId' | 'experimentId'>>
): string {
  const base = uiUrl.replace(/\/+$/, '');
  const runs = JSON.stringify(rows.map(r => r.runId));
  const experiments = JSON.stringify([
    ...new Set(rows.map(r => r.experimentId).filter((e): e is string => e !== undefined))
  ]);
  return `${base}/#/compare-runs?runs=${encodeURIComponent(runs)}&experiments=${encodeURIComponent(experiments)}`;
}
