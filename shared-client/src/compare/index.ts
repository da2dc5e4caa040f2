/**
 * Compare: the MLflow runs of jobs (a sweep, a recurring job's runs, jobs a user picks) found
 * through PrimeHub's `mlflowRuns`, and the comparison of them side by side. Browser-safe (no Node
 * APIs); the runs are asked for through a `client.models`.
 */
export {
  JOB_ID_TAG,
  PARENT_RUN_TAG,
  parseMlflowRun,
  parseMlflowRuns,
  runsOfJob,
  runUiUrl,
  SOURCE_TAG,
  SWEEP_ID_TAG
} from './runs';
export type { JobOfRuns, MlflowRun, RunMatch } from './runs';
export { experimentCandidates, notebookRunTags, originalOfSnapshot, sweepExperiment, sweepIdOf } from './experiments';
export type { NotebookRunTags } from './experiments';
export { findRuns, jobsOfSchedule, jobsOfSweep } from './find';
export type { CompareJob, CompareSource, FindRunsOptions, FoundRun, FoundRuns, RunsSource } from './find';
export {
  axisTicks,
  bestRow,
  chartSeries,
  compareRuns,
  defaultChart,
  flipDirection,
  metricDirection,
  mlflowCompareUrl,
  shownColumns,
  sortRows,
  toRows
} from './table';
export type {
  ChartPoint,
  ChartSeries,
  CompareColumn,
  CompareRow,
  Comparison,
  Direction,
  SortKey,
  SortOrder
} from './table';
