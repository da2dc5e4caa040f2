import { PartialSubmissionError, ValidationError } from '../errors';
import { buildNotebookCommand } from '../notebook/command';
import { buildNotebookRunScript, relativePath, RootedPath } from '../notebook/runScript';
import type { NotebookParameter } from '../notebook/parameters';
import type { JsonValue, LiteralKind } from '../notebook/pythonLiteral';
import { expandSweep, SweepOptions } from '../notebook/sweep';
import { validateParameterValues } from '../notebook/values';
import type { GroupCallOptions, Job } from '../types';
import { toGroupPath, type FilesApi } from './FilesApi';
import type { JobsApi, JobWaitOptions } from './JobsApi';

/** A notebook to run as a papermill job. */
export interface NotebookJobSpec {
  displayName: string;
  instanceType: string;
  image: string;
  activeDeadlineSeconds?: number;
  /** Folder the job starts in (where the notebook lives, on a volume the job mounts). */
  workdir: string;
  /** Notebook to execute (a snapshot copy, so later edits do not change the run). */
  input: string;
  /** Where the executed notebook is written. */
  output: string;
  /** Values for the notebook's parameters. */
  parameters?: Record<string, JsonValue>;
  /**
   * The notebook's declared parameters (from `parseNotebookParameters`): values are validated
   * against them and float parameters keep their type.
   */
  declared?: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
}

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

function notebookName(name: string, what: string): string {
  if (!/\.ipynb$/i.test(name) || name.includes('/') || name.startsWith('.')) {
    throw new ValidationError(`${what} must be a notebook file name ending with .ipynb: ${name}`);
  }
  return name;
}

/** A parameter sweep: N jobs from the cartesian product of the values. */
export interface NotebookSweepSpec extends Omit<NotebookJobSpec, 'output'>, SweepOptions {
  sweep: Record<string, ReadonlyArray<JsonValue>>;
  /** Called as soon as each job exists on the server (before the next is submitted). */
  onSubmitted?: (job: Job, index: number, total: number) => void;
  /** Output path of each job; default: `<output stem>-<job name>.ipynb`. */
  output: string | ((jobName: string, index: number) => string);
}

function typesOf(declared: NotebookJobSpec['declared']): Record<string, LiteralKind> {
  return Object.fromEntries((declared ?? []).map(p => [p.name, p.type]));
}

function check(declared: NotebookJobSpec['declared'], values: Record<string, JsonValue>): void {
  if (!declared) {
    return;
  }
  const issues = validateParameterValues(declared, values);
  if (issues.length > 0) {
    throw new ValidationError(`invalid parameters: ${issues.map(i => `${i.name} ${i.message}`).join('; ')}`);
  }
}

/** Submits notebooks as papermill jobs, with parameters passed safely (base64 `-b`). */
export class NotebookJobsApi {
  constructor(
    private readonly jobs: JobsApi,
    private readonly files: FilesApi,
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
    const parameters = spec.parameters ?? {};
    check(spec.declared, parameters);
    const src = spec.notebook;
    if (!src || typeof src !== 'object') {
      throw new ValidationError('notebook is required: { volumePath } or { content, name }');
    }
    let input: RootedPath;
    let workdir: RootedPath;
    let stem: string;
    let besideDir: string | undefined;
    let snapshot: { phfsPath: string; body: string } | undefined;
    if ('volumePath' in src) {
      const path = relativePath(src.volumePath, 'notebook.volumePath');
      const { dir, base } = splitPath(path);
      stem = notebookName(base, 'notebook.volumePath').replace(/\.ipynb$/i, '');
      input = { root: 'volume', path };
      workdir = { root: 'volume', path: dir };
      besideDir = dir;
    } else {
      const name = notebookName(src.name, 'notebook.name');
      const body = typeof src.content === 'string' ? src.content : JSON.stringify(src.content);
      try {
        JSON.parse(body);
      } catch {
        throw new ValidationError('notebook.content is not notebook JSON');
      }
      stem = name.replace(/\.ipynb$/i, '');
      const folder = `${SNAPSHOT_FOLDER}/${stamp()}-${randomHex(4)}`;
      snapshot = { phfsPath: `${folder}/.${name}`, body };
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
    const group = await this.groupName(opts);
    const command = buildNotebookRunScript({
      input,
      workdir,
      artifactName,
      output: output
        ? 'volumePath' in output
          ? { root: 'volume', path: output.volumePath }
          : { root: 'phfs', path: output.phfsPath }
        : undefined,
      removeOnExit: snapshot ? { root: 'phfs', path: snapshot.phfsPath } : undefined,
      volumeFallback: `/project/${toGroupPath(group)}`,
      parameters,
      types: typesOf(spec.declared)
    });
    const groupOpts = { ...opts, group };
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
          command
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

  /** The shell command the job runs for this spec. */
  command(spec: Pick<NotebookJobSpec, 'workdir' | 'input' | 'output' | 'parameters' | 'declared'>): string {
    const parameters = spec.parameters ?? {};
    check(spec.declared, parameters);
    return buildNotebookCommand(
      { workdir: spec.workdir, input: spec.input, output: spec.output, parameters },
      typesOf(spec.declared)
    );
  }

  /** Submits one notebook job. */
  async submit(spec: NotebookJobSpec, opts: GroupCallOptions = {}): Promise<Job> {
    return this.jobs.submit(
      {
        displayName: spec.displayName,
        instanceType: spec.instanceType,
        image: spec.image,
        activeDeadlineSeconds: spec.activeDeadlineSeconds,
        command: this.command(spec)
      },
      opts
    );
  }

  /**
   * Submits one job per combination of the sweep values (names like `train-lr=0.1-epochs=5`).
   * Everything is validated before the first job is submitted. If a submission fails after
   * others succeeded, a PartialSubmissionError carries the jobs already created (`submitted`)
   * and the failure (`cause`); `onSubmitted` reports each job as soon as it exists.
   */
  async submitSweep(spec: NotebookSweepSpec, opts: GroupCallOptions = {}): Promise<Job[]> {
    const planned = expandSweep(spec.displayName, spec.parameters ?? {}, spec.sweep, spec);
    const outputFor =
      typeof spec.output === 'function'
        ? spec.output
        : (name: string) => `${(spec.output as string).replace(/\.ipynb$/, '')}-${name}.ipynb`;
    const specs = planned.map((p, i) => ({
      ...spec,
      displayName: p.name,
      parameters: p.parameters,
      output: outputFor(p.name, i)
    }));
    const commands = specs.map(s => this.command(s));
    const jobs: Job[] = [];
    for (const [i, s] of specs.entries()) {
      let job: Job;
      try {
        job = await this.jobs.submit(
          {
            displayName: s.displayName,
            instanceType: s.instanceType,
            image: s.image,
            activeDeadlineSeconds: s.activeDeadlineSeconds,
            command: commands[i]
          },
          opts
        );
      } catch (err) {
        if (jobs.length === 0) {
          throw err;
        }
        const reason = err instanceof Error ? err.message : String(err);
        throw new PartialSubmissionError<Job>(
          `the sweep stopped after ${jobs.length} of ${specs.length} jobs (${jobs.map(j => j.id).join(', ')}): ${reason}`,
          jobs,
          specs.length,
          { cause: err }
        );
      }
      jobs.push(job);
      spec.onSubmitted?.(job, i, specs.length);
    }
    return jobs;
  }
}
