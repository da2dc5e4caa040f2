/**
 * MLflow runs as PrimeHub gives them (`client.models.mlflowRuns`, a model version's `run`), read
 * into one typed shape, and which of them a job made. Pure: no I/O.
 */
import type { Job } from '../types';

/** The tag a notebook job's MLflow run holds the job's id in (the client's run script sets it). */
export const JOB_ID_TAG = 'primehub.job_id';
/** The tag the runs of one `client.notebook.runSweep` share. */
export const SWEEP_ID_TAG = 'primehub.sweep_id';
/** MLflow's tag naming a run's source: a notebook job's notebook path. */
export const SOURCE_TAG = 'mlflow.source.name';
/** MLflow's tag naming a nested run's parent run. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/**
 * An MLflow run, from either shape a PrimeHub gives: PrimeHub's (`info.runId`, `info.startTime`:
 * `mlflowRuns` and `modelVersion.run`) or MLflow's own JSON (`info.run_id`, `info.start_time`),
 * which older servers pass through.
 */
export interface MlflowRun {
  runId: string;
  /** `mlflow.runName` (MLflow names every run), else the run id. */
  name: string;
  experimentId?: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED, KILLED */
  status?: string;
  /** ms since the epoch */
  startTime?: number;
  endTime?: number;
  /** By key. */
  params: Array<[string, string]>;
  /** The latest value of each metric, by key. */
  metrics: Array<[string, number]>;
  tags: Record<string, string>;
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : typeof x === 'number' ? String(x) : undefined;
}

function num(x: unknown): number | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function entries(x: unknown): Array<{ key: string; value: unknown }> {
  return Array.isArray(x)
    ? x.filter((e): e is { key: string; value: unknown } => typeof (e as { key?: unknown })?.key === 'string')
    : [];
}

const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

/** A run from MLflow's or PrimeHub's JSON; undefined when it has no run id. */
export function parseMlflowRun(raw: unknown): MlflowRun | undefined {
  const r = (raw ?? {}) as { info?: Record<string, unknown>; data?: Record<string, unknown> };
  const info = r.info ?? {};
  const runId = str(info.run_id) ?? str(info.runId) ?? str(info.run_uuid);
  if (!runId) {
    return undefined;
  }
  const tags: Record<string, string> = {};
  for (const t of entries(r.data?.tags)) {
    tags[t.key] = String(t.value);
  }
  // MLflow keeps a metric's history in `metrics/get-history`; the run holds its latest value per key
  const metrics = new Map<string, number>();
  for (const m of entries(r.data?.metrics)) {
    const v = num(m.value);
    if (v !== undefined) {
      metrics.set(m.key, v);
    }
  }
  return {
    runId,
    name: tags['mlflow.runName'] ?? str(info.runName) ?? str(info.run_name) ?? runId,
    experimentId: str(info.experiment_id) ?? str(info.experimentId),
    status: str(info.status),
    startTime: num(info.start_time) ?? num(info.startTime),
    endTime: num(info.end_time) ?? num(info.endTime),
    params: entries(r.data?.params)
      .map((p): [string, string] => [p.key, String(p.value)])
      .sort(byKey),
    metrics: [...metrics].sort(byKey),
    tags
  };
}

/** Runs of `mlflowRuns`, newest first, without the ones MLflow has deleted. */
export function parseMlflowRuns(raw: readonly unknown[]): MlflowRun[] {
  const stage = (r: unknown) => {
    const info = (r as { info?: { lifecycle_stage?: unknown; lifecycleStage?: unknown } })?.info;
    return info?.lifecycleStage ?? info?.lifecycle_stage;
  };
  return raw
    .filter(r => stage(r) !== 'deleted')
    .map(parseMlflowRun)
    .filter((r): r is MlflowRun => r !== undefined)
    .sort(newestFirst);
}

function newestFirst(a: MlflowRun, b: MlflowRun): number {
  return (b.startTime ?? 0) - (a.startTime ?? 0);
}

/** How a job's runs were told apart from the experiment's other runs. */
export type RunMatch = 'tag' | 'name' | 'time' | 'none';

/** Slack around a job's start and end: the job's clock and MLflow's are the same machine's or close. */
const TIME_SLACK_MS = 5_000;

/** What of a job tells its runs apart. */
export type JobOfRuns = Pick<Job, 'id' | 'displayName'> & Partial<Pick<Job, 'createTime' | 'startTime' | 'finishTime'>>;

/**
 * The runs of an experiment a job made, newest first: the ones tagged with its id (a notebook
 * job's run) and the runs nested in them; else the untagged ones named as the job; else the
 * untagged ones started while the job ran (a script that logs its own runs). Runs tagged for
 * another job are never taken. `none` when nothing fits: then every run is returned, for a user
 * to pick from.
 */
export function runsOfJob(
  job: JobOfRuns,
  runs: readonly MlflowRun[],
  now = Date.now()
): { runs: MlflowRun[]; by: RunMatch } {
  const tagged = runs.filter(r => r.tags[JOB_ID_TAG] === job.id);
  if (tagged.length > 0) {
    // and the runs the notebook started inside its job's run (nested: they carry no job tag)
    const ids = new Set(tagged.map(r => r.runId));
    const nested = runs.filter(r => !ids.has(r.runId) && ids.has(r.tags[PARENT_RUN_TAG]));
    return { runs: [...tagged, ...nested].sort(newestFirst), by: 'tag' };
  }
  const untagged = runs.filter(r => !r.tags[JOB_ID_TAG]);
  const named = untagged.filter(r => r.name === job.displayName || r.name === job.id);
  if (named.length > 0) {
    return { runs: named.sort(newestFirst), by: 'name' };
  }
  const from = Date.parse(job.startTime ?? job.createTime ?? '');
  const to = job.finishTime ? Date.parse(job.finishTime) : now;
  if (Number.isFinite(from) && Number.isFinite(to)) {
    const during = untagged.filter(
      r => r.startTime !== undefined && r.startTime >= from - TIME_SLACK_MS && r.startTime <= to + TIME_SLACK_MS
    );
    if (during.length > 0) {
      return { runs: during.sort(newestFirst), by: 'time' };
    }
  }
  return { runs: [...runs], by: 'none' };
}

/** The MLflow UI's page of a run: the group's `uiUrl` and `#/experiments/<id>/runs/<runId>`. */
export function runUiUrl(uiUrl: string, experimentId: string, runId: string): string {
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
}
