import { PartialSubmissionError, ValidationError } from '../errors';
import { buildNotebookRunScript, relativePath, type PerRunPath, type RootedPath } from '../notebook/runScript';
import type { NotebookParameter } from '../notebook/parameters';
import type { JsonValue, LiteralKind } from '../notebook/pythonLiteral';
import { expandSweep, SweepOptions } from '../notebook/sweep';
import { validateParameterValues } from '../notebook/values';
import type { GroupCallOptions, Job, Schedule } from '../types';
import { toGroupPath, type FilesApi } from './FilesApi';
import type { JobsApi, JobWaitOptions } from './JobsApi';
import type { RecurrenceSpec, SchedulesApi } from './SchedulesApi';

/**
 * The notebook of a run: a file on the group volume (path relative to the volume's root, i.e.
 * `/home/jovyan/<group>/<volumePath>` in notebooks, `/project/<group>/<volumePath>` in jobs), or
 * its content, uploaded as a snapshot into PHFS so later edits do not change the run.
 */
export type NotebookSource =
  | { volumePath: string }
  | {
      /** The notebook JSON (text or parsed). */
      content: string | object;
      /** File name, e.g. `train.ipynb`. */
      name: string;
      /**
       * The notebook's folder on the group volume, when it has one: the run starts there (so
       * relative data paths work) and the output goes beside it. Without it, the run starts in
       * the snapshot's PHFS folder and the output goes only to the artifacts.
       */
      volumeDir?: string;
    };

/** A notebook to run as a job, end to end (`client.notebook.run`). */
export interface NotebookRunSpec {
  displayName: string;
  instanceType: string;
  image: string;
  activeDeadlineSeconds?: number;
  notebook: NotebookSource;
  /** Values for the notebook's parameters. */
  parameters?: Record<string, JsonValue>;
  /** The notebook's declared parameters (from `parseNotebookParameters`), to validate `parameters`. */
  declared?: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
  /**
   * Where the output notebook goes besides the job's artifacts: `'beside'` the original on the
   * group volume (the default when the notebook has a folder there), a `{ volumePath }` or a
   * `{ phfsPath }`, or `false` for the artifacts only.
   */
  output?: 'beside' | { volumePath: string } | { phfsPath: string } | false;
  /** File name of the output notebook; default `<stem>-<UTC time stamp>-output.ipynb`. */
  outputName?: string;
  /**
   * The notebook as its user knows it, when `notebook` is a copy of it (e.g. the hidden snapshot
   * `.train-<time>.ipynb` an editor makes beside `train.ipynb`): its path on the group volume. The
   * job's MLflow run is in the experiment named after it (`train`, unless the notebook sets one) and
   * tagged with it, and default output names and a sweep's id start with its name. Default: the
   * notebook's own path.
   */
  notebookPath?: string;
}

/** A submitted notebook run. */
export interface NotebookRun {
  job: Job;
  /** Name of the output notebook among the job's artifacts (`jobs.downloadArtifact(job.id, name)`). */
  artifactName: string;
  /** Where else the output notebook is written, if anywhere. */
  output?: { volumePath: string } | { phfsPath: string };
  /** PHFS path of the snapshot (removed by the job when it ends, and by `wait`). */
  snapshotPath?: string;
  /**
   * For the jobs of one `runSweep`: what they share, also their MLflow runs' tag `primehub.sweep_id`
   * (where the group has MLflow), e.g. to list a sweep's runs.
   */
  sweepId?: string;
  /** Waits for the job to end, then makes sure the snapshot is gone; returns the final job. */
  wait(opts?: JobWaitOptions): Promise<Job>;
}

/** PHFS folder holding notebook snapshots of runs. */
export const SNAPSHOT_FOLDER = '/.primehub-suite/snapshots';

function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

function splitPath(p: string): { dir: string; base: string } {
  const i = p.lastIndexOf('/');
  return i < 0 ? { dir: '', base: p } : { dir: p.slice(0, i), base: p.slice(i + 1) };
}

function notebookName(name: string, what: string, hidden = false): string {
  if (!/\.ipynb$/i.test(name) || name.includes('/') || (!hidden && name.startsWith('.'))) {
    throw new ValidationError(`${what} must be a notebook file name ending with .ipynb: ${name}`);
  }
  return name;
}

/** The file name of a notebook path without `.ipynb` and leading dots ('' for none). */
function stemOf(name: string): string {
  return name.replace(/\.ipynb$/i, '').replace(/^\.+/, '');
}

/** The original notebook's path (`notebookPath`), checked; undefined when the spec names none. */
function originalPath(spec: Pick<NotebookRunSpec, 'notebookPath'>): string | undefined {
  if (spec.notebookPath === undefined) {
    return undefined;
  }
  const path = relativePath(spec.notebookPath, 'notebookPath');
  notebookName(splitPath(path).base, 'notebookPath');
  return path;
}

/** The name outputs and a sweep's id start with: the original notebook's, else the source's. */
function runStem(spec: Pick<NotebookRunSpec, 'notebook' | 'notebookPath'>): string {
  const original = originalPath(spec);
  const stem = sourceStem(spec.notebook);
  return original === undefined ? stem : stemOf(splitPath(original).base) || stem;
}

/** The notebook's file name without `.ipynb`, checked. */
function sourceStem(src: NotebookSource): string {
  if (!src || typeof src !== 'object') {
    throw new ValidationError('notebook is required: { volumePath } or { content, name }');
  }
  // a hidden input (a snapshot beside the original) still names its outputs visibly
  const name =
    'volumePath' in src
      ? notebookName(splitPath(relativePath(src.volumePath, 'notebook.volumePath')).base, 'notebook.volumePath', true)
      : notebookName(src.name, 'notebook.name');
  return stemOf(name) || 'notebook';
}

/** A parameter sweep of a notebook run: one job per combination of the values (`client.notebook.runSweep`). */
export interface NotebookRunSweepSpec extends Omit<NotebookRunSpec, 'output' | 'outputName'>, SweepOptions {
  /** Each job's output notebook goes `'beside'` the original (the default on the volume) or only to its artifacts. */
  output?: 'beside' | false;
  /** Values per swept parameter; `parameters` holds the fixed ones. */
  sweep: Record<string, ReadonlyArray<JsonValue>>;
  /** Called as soon as each job exists on the server (before the next is submitted). */
  onSubmitted?: (run: NotebookRun, index: number, total: number) => void;
  /** File name of each job's output notebook; default `<stem>-<UTC time stamp>-<combination>-output.ipynb`. */
  outputName?: (jobName: string, index: number) => string;
}

/** A recurring notebook job (`client.notebook.schedule`): every run executes the notebook on the volume as it is then. */
export interface NotebookScheduleSpec extends NotebookRunSpec {
  notebook: { volumePath: string };
  recurrence: RecurrenceSpec;
}

/** A created recurring notebook job. */
export interface NotebookSchedule {
  schedule: Schedule;
  /** Name of the output notebook among each run's artifacts (each job has artifacts of its own). */
  artifactName: string;
  /**
   * Where the run of job `jobId` writes its output notebook besides its artifacts: each run keeps
   * its own, named after its job (`report-<job id>-output.ipynb` beside `report.ipynb`); undefined
   * when runs write only to their artifacts. `parseNotebookRunScript(job)` tells the same from a job.
   */
  outputOf(jobId: string): { volumePath: string } | { phfsPath: string } | undefined;
}

/** A run ready to submit: its job script and what it uploads first. */
interface PlannedRun {
  spec: NotebookRunSpec;
  command: string;
  artifactName: string;
  /** For a recurring job's runs, with the job's id put in at `runIdAt`. */
  output?: NotebookRun['output'];
  runIdAt?: number;
  snapshot?: { phfsPath: string; body: string };
  sweepId?: string;
}

/**
 * Where a recurring job's runs put the job's id into an output path: before `-output.ipynb` (or
 * `.ipynb`) of the file name, with a `-` before it: `dir/report-output.ipynb` → `dir/report-` + id
 * + `-output.ipynb`. Returns the path without the id and the index the id goes at.
 */
function perRunName(path: string): { path: string; runIdAt: number } {
  const m = /(-output)?\.ipynb$/i.exec(path);
  const at = m ? m.index : path.length;
  return { path: `${path.slice(0, at)}-${path.slice(at)}`, runIdAt: at + 1 };
}

function typesOf(declared: NotebookRunSpec['declared']): Record<string, LiteralKind> {
  return Object.fromEntries((declared ?? []).map(p => [p.name, p.type]));
}

function check(declared: NotebookRunSpec['declared'], values: Record<string, JsonValue>): void {
  if (!declared) {
    return;
  }
  const issues = validateParameterValues(declared, values);
  if (issues.length > 0) {
    throw new ValidationError(`invalid parameters: ${issues.map(i => `${i.name} ${i.message}`).join('; ')}`);
  }
}

/** Notebooks as papermill jobs, with parameters passed safely (base64 `-b`). */
export class NotebookJobsApi {
  constructor(
    private readonly jobs: JobsApi,
    private readonly files: FilesApi,
    private readonly schedules: SchedulesApi,
    private readonly groupName: (opts: GroupCallOptions) => Promise<string>
  ) {}

  /**
   * Runs a notebook as a job, end to end: uploads the snapshot (content sources), submits
   * papermill in the notebook's folder with the parameters, writes the output notebook beside the
   * original (or where `output` says) and always into the job's artifacts, and removes the
   * snapshot when the job ends, also on failure. In the notebook, the job's artifacts folder is
   * `os.environ["PRIMEHUB_ARTIFACTS_DIR"]` (an absolute path).
   */
  async run(spec: NotebookRunSpec, opts: GroupCallOptions = {}): Promise<NotebookRun> {
    const group = await this.groupName(opts);
    return this.submitPlanned(this.plan(spec, group), { ...opts, group });
  }

  /**
   * Runs a notebook once per combination of the sweep values (jobs named like
   * `train-lr=0.1-epochs=5`), each like `run`. Everything is validated before the first job is
   * submitted. If a submission fails after others succeeded, a PartialSubmissionError carries the
   * runs already created (`submitted`) and the failure (`cause`); `onSubmitted` reports each run
   * as soon as its job exists.
   */
  async runSweep(spec: NotebookRunSweepSpec, opts: GroupCallOptions = {}): Promise<NotebookRun[]> {
    const combinations = expandSweep(spec.displayName, spec.parameters ?? {}, spec.sweep, spec);
    const group = await this.groupName(opts);
    const at = stamp();
    const stem = runStem(spec);
    const sweepId = `${stem}-${at}-${randomHex(3)}`;
    const plans = combinations.map((c, i) =>
      this.plan(
        {
          ...spec,
          displayName: c.name,
          parameters: c.parameters,
          outputName: spec.outputName
            ? spec.outputName(c.name, i)
            : `${stem}-${at}-${c.name.slice(spec.displayName.length + 1) || String(i + 1)}-output.ipynb`
        },
        group,
        { sweepId }
      )
    );
    const runs: NotebookRun[] = [];
    for (const [i, plan] of plans.entries()) {
      let run: NotebookRun;
      try {
        run = await this.submitPlanned(plan, { ...opts, group });
      } catch (err) {
        if (runs.length === 0) {
          throw err;
        }
        const reason = err instanceof Error ? err.message : String(err);
        throw new PartialSubmissionError<NotebookRun>(
          `the sweep stopped after ${runs.length} of ${plans.length} jobs (${runs.map(r => r.job.id).join(', ')}): ${reason}`,
          runs,
          plans.length,
          { cause: err }
        );
      }
      runs.push(run);
      spec.onSubmitted?.(run, i, plans.length);
    }
    return runs;
  }

  /**
   * Creates a recurring job that runs a notebook of the group volume, like `run`: each run executes
   * the file as it is when the run starts, writes its output notebook into its artifacts and
   * (by default) beside the notebook.
   */
  async schedule(spec: NotebookScheduleSpec, opts: GroupCallOptions = {}): Promise<NotebookSchedule> {
    if (!spec.notebook || typeof spec.notebook !== 'object' || !('volumePath' in spec.notebook)) {
      throw new ValidationError(
        'a recurring notebook job runs a notebook on the group volume: notebook { volumePath }'
      );
    }
    const group = await this.groupName(opts);
    const plan = this.plan({ ...spec, outputName: spec.outputName ?? `${runStem(spec)}-output.ipynb` }, group, {
      perRun: true
    });
    const schedule = await this.schedules.create(
      {
        displayName: spec.displayName,
        instanceType: spec.instanceType,
        image: spec.image,
        activeDeadlineSeconds: spec.activeDeadlineSeconds,
        command: plan.command,
        recurrence: spec.recurrence
      },
      { ...opts, group }
    );
    const { output, runIdAt } = plan;
    return {
      schedule,
      artifactName: plan.artifactName,
      outputOf: (jobId: string) => {
        if (!output || runIdAt === undefined) {
          return undefined;
        }
        const withId = (p: string) => p.slice(0, runIdAt) + jobId + p.slice(runIdAt);
        return 'volumePath' in output
          ? { volumePath: withId(output.volumePath) }
          : { phfsPath: withId(output.phfsPath) };
      }
    };
  }

  /**
   * Validates a run and builds its job script (no I/O); `perRun`: each run's output named after its
   * job; `sweepId`: the sweep the run is one job of.
   */
  private plan(spec: NotebookRunSpec, group: string, { perRun = false, sweepId = '' } = {}): PlannedRun {
    const parameters = spec.parameters ?? {};
    check(spec.declared, parameters);
    const src = spec.notebook;
    // checks the source's shape and file name first
    const stem = runStem(spec);
    let input: RootedPath;
    let workdir: RootedPath;
    let besideDir: string | undefined;
    let snapshot: PlannedRun['snapshot'];
    if ('volumePath' in src) {
      const path = relativePath(src.volumePath, 'notebook.volumePath');
      const { dir } = splitPath(path);
      input = { root: 'volume', path };
      workdir = { root: 'volume', path: dir };
      besideDir = dir;
    } else {
      const body = typeof src.content === 'string' ? src.content : JSON.stringify(src.content);
      try {
        JSON.parse(body);
      } catch {
        throw new ValidationError('notebook.content is not notebook JSON');
      }
      const folder = `${SNAPSHOT_FOLDER}/${stamp()}-${randomHex(4)}`;
      snapshot = { phfsPath: `${folder}/.${src.name}`, body };
      input = { root: 'phfs', path: snapshot.phfsPath };
      if (src.volumeDir !== undefined) {
        besideDir = relativePath(src.volumeDir, 'notebook.volumeDir');
        workdir = { root: 'volume', path: besideDir };
      } else {
        workdir = { root: 'phfs', path: folder };
      }
    }
    const artifactName = spec.outputName ?? `${stem}-${stamp()}-output.ipynb`;
    notebookName(artifactName, 'outputName');
    const wanted = spec.output ?? (besideDir !== undefined ? 'beside' : false);
    let output: NotebookRun['output'];
    if (wanted === 'beside') {
      if (besideDir === undefined) {
        throw new ValidationError('output "beside" needs a notebook on the group volume (volumePath or volumeDir)');
      }
      output = { volumePath: besideDir ? `${besideDir}/${artifactName}` : artifactName };
    } else if (wanted && 'volumePath' in wanted) {
      output = { volumePath: relativePath(wanted.volumePath, 'output.volumePath') };
    } else if (wanted && 'phfsPath' in wanted) {
      output = { phfsPath: relativePath(wanted.phfsPath, 'output.phfsPath') };
    }
    let target: RootedPath | PerRunPath | undefined = output
      ? 'volumePath' in output
        ? { root: 'volume', path: output.volumePath }
        : { root: 'phfs', path: output.phfsPath }
      : undefined;
    let runIdAt: number | undefined;
    if (target && perRun) {
      const named = perRunName(target.path);
      runIdAt = named.runIdAt;
      target = { ...target, ...named };
      output = 'volumePath' in output! ? { volumePath: named.path } : { phfsPath: named.path };
    }
    // the notebook as its user knows it, for its MLflow run: the original of a copy, on the volume, or just its name
    const notebookPath =
      originalPath(spec) ?? ('volumePath' in src ? input.path : besideDir ? `${besideDir}/${src.name}` : src.name);
    const command = buildNotebookRunScript({
      input,
      workdir,
      artifactName,
      output: target,
      removeOnExit: snapshot ? { root: 'phfs', path: snapshot.phfsPath } : undefined,
      volumeFallback: `/project/${toGroupPath(group)}`,
      parameters,
      types: typesOf(spec.declared),
      tracking: { runName: spec.displayName, notebookPath, ...(sweepId ? { sweepId } : {}) }
    });
    return { spec, command, artifactName, output, runIdAt, snapshot, ...(sweepId ? { sweepId } : {}) };
  }

  /** Uploads a planned run's snapshot, submits its job and returns the run. */
  private async submitPlanned(plan: PlannedRun, groupOpts: GroupCallOptions & { group: string }): Promise<NotebookRun> {
    const { spec, snapshot, output, artifactName, sweepId } = plan;
    if (snapshot) {
      await this.files.upload(snapshot.phfsPath, snapshot.body, groupOpts);
    }
    let job: Job;
    try {
      job = await this.jobs.submit(
        {
          displayName: spec.displayName,
          instanceType: spec.instanceType,
          image: spec.image,
          activeDeadlineSeconds: spec.activeDeadlineSeconds,
          command: plan.command
        },
        groupOpts
      );
    } catch (err) {
      // no job will ever remove it
      if (snapshot) {
        await this.files.delete(snapshot.phfsPath, groupOpts).catch(() => undefined);
      }
      throw err;
    }
    const snapshotPath = snapshot?.phfsPath;
    return {
      job,
      artifactName,
      ...(output ? { output } : {}),
      ...(snapshotPath ? { snapshotPath } : {}),
      ...(sweepId ? { sweepId } : {}),
      wait: async (waitOpts: JobWaitOptions = {}) => {
        const done = await this.jobs.wait(job.id, waitOpts);
        if (snapshotPath) {
          const folder = snapshotPath.slice(0, snapshotPath.lastIndexOf('/'));
          await this.files.delete(folder, { ...groupOpts, recursive: true, signal: waitOpts.signal });
        }
        return done;
      }
    };
  }
}
