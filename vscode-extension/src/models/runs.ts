import type { Job, MLflowArtifactFile } from '@primehub-suite/client';
import { parseNotebookRunScript } from '@primehub-suite/client/notebook';

/**
 * An MLflow run as the Models view and Register Model show it, from either shape a PrimeHub
 * gives: PrimeHub's (`info.runId`, `info.startTime`: `mlflowRuns` and `modelVersion.run`) or
 * MLflow's own JSON (`info.run_id`, `info.start_time`), which older servers pass through.
 */
export interface RunSummary {
  runId: string;
  /** `mlflow.runName` (MLflow names every run), else the run id. */
  name: string;
  experimentId?: string;
  status?: string;
  /** ms since the epoch */
  startTime?: number;
  endTime?: number;
  params: Array<[string, string]>;
  metrics: Array<[string, number]>;
  tags: Record<string, string>;
}

/** The MLflow tag a notebook job's run holds the job's id in (`runScript.ts` of the client). */
export const JOB_ID_TAG = 'primehub.job_id';

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

/** A run from MLflow's or PrimeHub's JSON; undefined when it has no run id. */
export function toRunSummary(raw: unknown): RunSummary | undefined {
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
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    metrics: [...metrics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    tags
  };
}

/** Runs of `mlflowRuns`, newest first, without the ones MLflow has deleted. */
export function toRunSummaries(raw: readonly unknown[]): RunSummary[] {
  const stage = (r: unknown) => {
    const info = (r as { info?: { lifecycle_stage?: unknown; lifecycleStage?: unknown } })?.info;
    return info?.lifecycleStage ?? info?.lifecycle_stage;
  };
  return raw
    .filter(r => stage(r) !== 'deleted')
    .map(toRunSummary)
    .filter((r): r is RunSummary => r !== undefined)
    .sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
}

/** A metric as a list shows it: four significant digits, integers whole. */
export function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** One line of a run's parameters and metrics: `C=1.0 · accuracy=0.9733`. */
export function runValuesText(run: RunSummary): string {
  return [...run.params.map(([k, v]) => `${k}=${v}`), ...run.metrics.map(([k, v]) => `${k}=${formatMetric(v)}`)].join(
    ' · '
  );
}

/**
 * The experiment a notebook job's MLflow run is in unless the notebook sets its own: the
 * notebook's file name without `.ipynb` (a hidden snapshot's leading dots dropped), as the job's
 * script picks it. Undefined for other jobs.
 */
export function notebookExperiment(job: Pick<Job, 'id' | 'command'>): string | undefined {
  const run = parseNotebookRunScript(job);
  if (!run) {
    return undefined;
  }
  const base = run.input.path.split('/').pop() ?? '';
  const name = base.replace(/^\.+/, '');
  const cut = name.lastIndexOf('.ipynb');
  return (cut >= 0 ? name.slice(0, cut) : name) || 'notebook';
}

/** An experiment name offered by Register Model, with where it comes from. */
export interface ExperimentSuggestion {
  name: string;
  /** e.g. `notebook job train-iris` */
  source: string;
}

/** The experiments of the group's notebook jobs, newest job first, each once. */
export function notebookExperiments(jobs: readonly Job[]): ExperimentSuggestion[] {
  const seen = new Map<string, ExperimentSuggestion>();
  for (const job of jobs) {
    const name = notebookExperiment(job);
    if (name && !seen.has(name)) {
      seen.set(name, { name, source: `notebook job ${job.displayName ?? job.id}` });
    }
  }
  return [...seen.values()];
}

/** How a job's runs were told apart from the experiment's other runs. */
export type RunMatch = 'tag' | 'name' | 'time' | 'none';

/** Slack around a job's start and end: the job's clock and MLflow's are the same machine's or close. */
const TIME_SLACK_MS = 5_000;

/**
 * The runs of an experiment a job made: the ones tagged with its id (notebook jobs), else the
 * ones named as the job, else the ones started while the job ran (a script that logs its own
 * runs). `none` when nothing fits: then every run is returned for the user to pick from.
 */
export function runsOfJob(
  job: Pick<Job, 'id' | 'displayName' | 'createTime' | 'startTime' | 'finishTime'>,
  runs: readonly RunSummary[],
  now = Date.now()
): { runs: RunSummary[]; by: RunMatch } {
  const tagged = runs.filter(r => r.tags[JOB_ID_TAG] === job.id);
  if (tagged.length > 0) {
    return { runs: tagged, by: 'tag' };
  }
  const named = runs.filter(r => job.displayName && r.name === job.displayName);
  if (named.length > 0) {
    return { runs: named, by: 'name' };
  }
  const from = Date.parse(job.startTime ?? job.createTime ?? '');
  const to = job.finishTime ? Date.parse(job.finishTime) : now;
  if (Number.isFinite(from) && Number.isFinite(to)) {
    const during = runs.filter(
      r => r.startTime !== undefined && r.startTime >= from - TIME_SLACK_MS && r.startTime <= to + TIME_SLACK_MS
    );
    if (during.length > 0) {
      return { runs: during, by: 'time' };
    }
  }
  return { runs: [...runs], by: 'none' };
}

/** The MLflow UI's page of a run: the group's `uiUrl` and `#/experiments/<id>/runs/<runId>`. */
export function runUiUrl(uiUrl: string, experimentId: string, runId: string): string {
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
}

/**
 * The MLflow UI's base address as this window reaches it, given what `vscode.env.asExternalUri`
 * made of it: the same address locally; a forwarded port (remote VS Code), which keeps the path;
 * or code-server's port proxy (`/proxy/<port>/`), which keeps nothing of the original path, so the
 * path is put back after the proxy's.
 */
export function externalUiBase(uiUrl: string, external: string): string {
  let original: URL;
  let resolved: URL;
  try {
    original = new URL(uiUrl);
    resolved = new URL(external);
  } catch {
    return uiUrl;
  }
  if (original.origin === resolved.origin && original.pathname === resolved.pathname) {
    return uiUrl;
  }
  const path = original.pathname.replace(/^\/+|\/+$/g, '');
  const base = `${resolved.origin}${resolved.pathname.replace(/\/+$/, '')}`;
  return path && !base.endsWith(`/${path}`) ? `${base}/${path}` : base;
}

/** A folder of a run's artifacts that Register Model offers. */
export interface ArtifactFolder {
  path: string;
  /** It holds an `MLmodel` file: an MLflow model that can be registered. */
  isModel: boolean;
}

/**
 * The folders of a run's artifacts root (`mlflowArtifact(runId)`), each with whether its listing
 * (`inside.get(path)`) holds `<path>/MLmodel`; models first, then by name.
 */
export function artifactFolders(
  root: readonly MLflowArtifactFile[],
  inside: ReadonlyMap<string, readonly MLflowArtifactFile[]>
): ArtifactFolder[] {
  return root
    .filter(f => f.is_dir)
    .map(f => {
      const path = f.path.replace(/\/+$/, '');
      const files = inside.get(path) ?? [];
      return { path, isModel: files.some(x => !x.is_dir && x.path.replace(/\/+$/, '') === `${path}/MLmodel`) };
    })
    .sort((a, b) => Number(b.isModel) - Number(a.isModel) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
