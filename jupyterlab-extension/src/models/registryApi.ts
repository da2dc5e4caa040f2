/**
 * The extension's one way to a group's model registry: PrimeHub's models fields over the group's
 * MLflow, through `client.models`. MLflow's raw JSON (runs, artifact listings, registered
 * versions) is read here into the typed shapes the models and views use, so nothing else parses it.
 */
import {
  NotFoundError,
  type Job,
  type MLflowSetting,
  type Model,
  type ModelVersion,
  type PrimeHubClient
} from '@primehub-suite/client/browser';
import {
  experimentCandidates,
  JOB_ID_TAG,
  runsOfJob as clientRunsOfJob,
  type MlflowRun
} from '@primehub-suite/client/compare';

/** The tag a notebook job's MLflow run carries the job's id in. */
export { JOB_ID_TAG };

/** Model names the server takes: one segment of `models:/<name>/<version>` and of a URL. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

/** A metric or parameter of a run. */
export interface IRunValue {
  key: string;
  value: string;
}

/** An MLflow run as the views show it. */
export interface IMlflowRun {
  runId: string;
  runName: string;
  experimentId: string;
  /** RUNNING, FINISHED, FAILED, KILLED. */
  status: string;
  /** Milliseconds since the epoch (null when MLflow did not say). */
  startTime: number | null;
  endTime: number | null;
  params: IRunValue[];
  metrics: IRunValue[];
  tags: Record<string, string>;
}

/** One registered version with its source run, as the version view shows it. */
export interface IVersionDetail {
  name: string;
  version: string;
  /** `models:/<name>/<version>`. */
  uri: string;
  created: number | null;
  updated: number | null;
  source: string;
  /** The deployments serving this version (none on PrimeHub Local yet). */
  deployedBy: string[];
  run: IMlflowRun | null;
  /** The run in MLflow's UI, when the group's MLflow has a UI URL. */
  runUrl: string | null;
}

/** What the registry answers for a name: the next version it would get, or that the model is new. */
export interface IRegistrationTarget {
  name: string;
  /** The version registering would create (1 for a new model). */
  version: number;
  exists: boolean;
}

/** A registered version: what `register` answered. */
export interface IRegistered {
  name: string;
  version: string;
  uri: string;
}

/** Milliseconds since the epoch from MLflow's number or numeric string; null for anything else. */
export function timestampOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function pairs(list: unknown): IRunValue[] {
  if (!Array.isArray(list)) {
    return [];
  }
  return list
    .filter((p): p is { key: unknown; value: unknown } => typeof p === 'object' && p !== null && 'key' in p)
    .map(p => ({ key: String(p.key), value: String(p.value ?? '') }));
}

/** A run as PrimeHub's `mlflowRuns` and a version's `run` give it (camelCase `info`); null when it is none. */
export function parseRun(raw: unknown): IMlflowRun | null {
  const r = raw as { info?: Record<string, unknown>; data?: Record<string, unknown> } | null;
  const info = r?.info;
  if (!info || typeof info.runId !== 'string') {
    return null;
  }
  const tags: Record<string, string> = {};
  for (const t of pairs(r.data?.tags)) {
    tags[t.key] = t.value;
  }
  return {
    runId: info.runId,
    runName: typeof info.runName === 'string' ? info.runName : '',
    experimentId: String(info.experimentId ?? ''),
    status: String(info.status ?? ''),
    startTime: timestampOf(info.startTime),
    endTime: timestampOf(info.endTime),
    params: pairs(r.data?.params),
    metrics: pairs(r.data?.metrics),
    tags
  };
}

/**
 * Why a model name would be refused, as the user types it ('' when it is fine). The server's rule
 * is MODEL_NAME; each message names the part to change.
 */
export function modelNameProblem(name: string): string {
  if (name === '') {
    return 'Enter a model name.';
  }
  if (/\s/.test(name)) {
    return 'No spaces: use letters, digits, ".", "_" or "-".';
  }
  if (name.includes('/') || name.includes('\\')) {
    return 'No slashes: a model name is one part of models:/<name>/<version>.';
  }
  const odd = [...name].find(c => !/[A-Za-z0-9._-]/.test(c));
  if (odd) {
    return `"${odd}" is not allowed: use ASCII letters, digits, ".", "_" or "-".`;
  }
  if (!/^[A-Za-z0-9]/.test(name)) {
    return 'Start with a letter or a digit.';
  }
  if (name.length > 256) {
    return `At most 256 characters (this one has ${name.length}).`;
  }
  return '';
}

/**
 * The experiments a job's MLflow runs are likely in, most likely first (the client's Compare
 * module reads them from the job and, when given, its notebook's `set_experiment`).
 */
export { experimentCandidates };

/** A run in the client's shape, for its `runsOfJob`. */
function asClientRun(run: IMlflowRun): MlflowRun {
  return {
    runId: run.runId,
    name: run.runName || run.runId,
    experimentId: run.experimentId,
    status: run.status,
    startTime: run.startTime ?? undefined,
    endTime: run.endTime ?? undefined,
    params: [],
    metrics: [],
    tags: run.tags
  };
}

/**
 * The runs of an experiment that belong to `job` (the client's `runsOfJob`: its tagged runs and
 * those nested in them, else those named as the job, else those started while it ran), newest
 * first; none when no run is told to be the job's.
 */
export function runsOfJob(
  runs: ReadonlyArray<IMlflowRun>,
  job: Pick<Job, 'id' | 'displayName' | 'startTime' | 'finishTime'>,
  now = Date.now()
): IMlflowRun[] {
  const byId = new Map(runs.map(r => [r.runId, r]));
  const mine = clientRunsOfJob(job, runs.map(asClientRun), now);
  return mine.by === 'none' ? [] : mine.runs.map(r => byId.get(r.runId)!);
}

/** The runs of an experiment; null when the group's MLflow has no experiment of that name. */
export async function experimentRuns(client: PrimeHubClient, experiment: string): Promise<IMlflowRun[] | null> {
  try {
    const raw = await client.models.mlflowRuns(experiment);
    return raw.map(parseRun).filter((r): r is IMlflowRun => r !== null);
  } catch (err) {
    if (err instanceof NotFoundError) {
      return null;
    }
    throw err;
  }
}

/** The registered models of the current group, by name. */
export async function listModels(client: PrimeHubClient): Promise<Model[]> {
  const models = await client.models.list();
  return [...models].sort((a, b) => a.name.localeCompare(b.name));
}

/** A model's versions, newest first (with each one's source). */
export async function listVersions(client: PrimeHubClient, name: string): Promise<ModelVersion[]> {
  const versions = await client.models.versions(name);
  return [...versions].sort((a, b) => Number(b.version) - Number(a.version));
}

/** The run's page in MLflow's UI. */
function runUrlOf(mlflow: MLflowSetting | null, run: IMlflowRun | null): string | null {
  const ui = mlflow?.uiUrl?.replace(/\/+$/, '');
  return ui && run ? `${ui}/#/experiments/${encodeURIComponent(run.experimentId)}/runs/${run.runId}` : null;
}

function deploymentName(d: unknown): string {
  if (typeof d === 'object' && d !== null) {
    const o = d as { name?: unknown; id?: unknown };
    return String(o.name ?? o.id ?? JSON.stringify(d));
  }
  return String(d);
}

/** One version with its source run (params, metrics) and who deploys it. */
export async function versionDetail(client: PrimeHubClient, name: string, version: string): Promise<IVersionDetail> {
  const v = await client.models.version(name, version);
  const run = parseRun(v.run);
  // PrimeHub's JSON: deployment ids, or objects naming them
  const deployedBy = Array.isArray(v.deployedBy) ? v.deployedBy.map(deploymentName) : [];
  return {
    name: v.name,
    version: v.version,
    uri: client.models.modelUri(v.name, v.version),
    created: timestampOf(v.creationTimestamp),
    updated: timestampOf(v.lastUpdatedTimestamp),
    source: v.source ?? '',
    deployedBy,
    run,
    runUrl: runUrlOf(v.mlflow, run)
  };
}

/** What registering under `name` would do: add the next version to an existing model, or create it. */
export async function registrationTarget(
  client: PrimeHubClient,
  name: string,
  existing: ReadonlyArray<string>
): Promise<IRegistrationTarget> {
  if (!existing.includes(name)) {
    return { name, version: 1, exists: false };
  }
  const versions = await client.models.versions(name);
  const last = versions.reduce((n, v) => Math.max(n, Number(v.version) || 0), 0);
  return { name, version: last + 1, exists: true };
}

/** Registers the run's artifact folder as a new version of model `name`. */
export async function registerModel(
  client: PrimeHubClient,
  spec: { name: string; runId: string; path: string }
): Promise<IRegistered> {
  const answer = (await client.models.register(spec)) ?? {};
  const version = String(answer.version ?? '');
  const name = typeof answer.name === 'string' ? answer.name : spec.name;
  return { name, version, uri: client.models.modelUri(name, version) };
}
