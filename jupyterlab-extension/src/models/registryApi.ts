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
import { parseNotebookRunScript, type JsonValue } from '@primehub-suite/client/notebook';
import { originalOfSnapshot } from './notebookJobs';

/**
 * The tag a notebook job's MLflow run carries the job's id in (the client's notebook run script
 * creates that run; shared-client/src/notebook/runScript.ts).
 */
export const JOB_ID_TAG = 'primehub.job_id';

/** MLflow's tag naming a nested run's parent run. */
const PARENT_RUN_TAG = 'mlflow.parentRunId';

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

/** A folder of a run's artifacts, and whether it is an MLflow model (holds `MLmodel`). */
export interface IArtifactFolder {
  path: string;
  isModel: boolean;
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

const SET_EXPERIMENT = /set_experiment\(\s*(?:experiment_name\s*=\s*)?(?:(['"])([^'"\n]+)\1|([A-Za-z_]\w*)\s*\))/g;

/** The experiments `code` names with `set_experiment(...)`: string literals, or parameters holding a string. */
function experimentsSetIn(code: string, parameters: Record<string, JsonValue>): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(SET_EXPERIMENT)) {
    const value = m[2] ?? parameters[m[3]];
    if (typeof value === 'string' && value) {
      found.push(value);
    }
  }
  return found;
}

/** The code cells of a notebook's JSON as one text ('' when it is no notebook). */
function notebookCode(notebook: string): string {
  try {
    const nb = JSON.parse(notebook) as { cells?: Array<{ cell_type?: string; source?: string | string[] }> };
    return (nb.cells ?? [])
      .filter(c => c.cell_type === 'code')
      .map(c => (Array.isArray(c.source) ? c.source.join('') : (c.source ?? '')))
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * The experiments a job's MLflow runs are likely in, most likely first: those its notebook or
 * command names (`set_experiment`, `MLFLOW_EXPERIMENT_NAME`), then a notebook job's own: the
 * notebook's file name without `.ipynb` (what the run script picks when the notebook names none).
 *
 * @param notebook - the notebook's JSON, when it could be read (a notebook job's `set_experiment`).
 */
export function experimentCandidates(job: Pick<Job, 'command'>, notebook?: string | null): string[] {
  const run = parseNotebookRunScript(job.command);
  const parameters = run?.parameters ?? {};
  const names: string[] = [];
  if (notebook) {
    names.push(...experimentsSetIn(notebookCode(notebook), parameters));
  }
  // a notebook job's command is the client's run script, whose own Python mentions set_experiment
  const command = run ? '' : (job.command ?? '');
  names.push(...experimentsSetIn(command, parameters));
  for (const m of command.matchAll(/MLFLOW_EXPERIMENT_NAME=(['"]?)([^\s'"]+)\1/g)) {
    names.push(m[2]);
  }
  if (run) {
    const file = (p: string): string => p.split('/').pop() ?? p;
    // the original notebook's name, and the snapshot's (dots stripped) in case the job was given that
    names.push(file(originalOfSnapshot(run.input.path)).replace(/\.ipynb$/, ''));
    names.push(
      file(run.input.path)
        .replace(/^\.+/, '')
        .replace(/\.ipynb$/, '')
    );
  }
  return [...new Set(names.filter(Boolean))];
}

/** Slack around a job's start and end when matching runs by time (the job's and MLflow's clocks). */
const TIME_SLACK_MS = 5_000;

/**
 * The runs of an experiment that belong to `job`: those tagged with its id (a notebook job's run)
 * and the runs nested in them; else those named as the job is; else those that started while the
 * job ran (a script's own runs, which carry no job tag). Runs tagged for another job are never
 * taken. Newest first.
 */
export function runsOfJob(
  runs: ReadonlyArray<IMlflowRun>,
  job: Pick<Job, 'id' | 'displayName' | 'startTime' | 'finishTime'>,
  now = Date.now()
): IMlflowRun[] {
  const newest = (list: IMlflowRun[]): IMlflowRun[] => list.sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
  const tagged = runs.filter(r => r.tags[JOB_ID_TAG] === job.id);
  if (tagged.length) {
    // and the runs the notebook started inside its job's run (nested: they carry no job tag)
    const ids = new Set(tagged.map(r => r.runId));
    return newest([...tagged, ...runs.filter(r => !ids.has(r.runId) && ids.has(r.tags[PARENT_RUN_TAG]))]);
  }
  const untagged = runs.filter(r => !r.tags[JOB_ID_TAG]);
  const named = untagged.filter(r => r.runName !== '' && (r.runName === job.displayName || r.runName === job.id));
  if (named.length) {
    return newest(named);
  }
  const start = job.startTime ? Date.parse(job.startTime) : NaN;
  if (Number.isNaN(start)) {
    return [];
  }
  const end = job.finishTime ? Date.parse(job.finishTime) : now;
  return newest(
    untagged.filter(
      r => r.startTime !== null && r.startTime >= start - TIME_SLACK_MS && r.startTime <= end + TIME_SLACK_MS
    )
  );
}

/** At most this many artifact listings when looking for a run's model folders (each asks MLflow). */
const MAX_LISTINGS = 20;

/**
 * The folders of a run's artifacts (two levels deep), each with whether it holds an `MLmodel`:
 * MLflow 3 logged models are listed as folders named after them (`model/` with `model/MLmodel`).
 * Models first, then by path.
 */
export async function artifactFolders(client: PrimeHubClient, runId: string): Promise<IArtifactFolder[]> {
  let listings = 0;
  const list = (path?: string) => (listings++, client.models.mlflowArtifact(runId, path));
  const folders: IArtifactFolder[] = [];
  const visit = async (dirs: string[], depth: number): Promise<void> => {
    for (const path of dirs) {
      if (listings >= MAX_LISTINGS) {
        return;
      }
      const files = await list(path);
      const isModel = files.some(f => !f.is_dir && f.path === `${path}/MLmodel`);
      folders.push({ path, isModel });
      if (!isModel && depth < 2) {
        await visit(
          files.filter(f => f.is_dir).map(f => f.path),
          depth + 1
        );
      }
    }
  };
  const root = await list();
  await visit(
    root.filter(f => f.is_dir).map(f => f.path.replace(/^\/+|\/+$/g, '')),
    1
  );
  return folders.sort((a, b) => Number(b.isModel) - Number(a.isModel) || a.path.localeCompare(b.path));
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
