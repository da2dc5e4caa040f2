import type { Job, NotebookRunSpec } from '@primehub-suite/client';
import {
  parseNotebookRunScript,
  type JsonValue,
  type LiteralKind,
  type NotebookParameter
} from '@primehub-suite/client/notebook';

/** Where a run's executed notebook ends up on this machine. */
export type NotebookOutput =
  /** Written by the job beside the notebook on the group volume, which is this local file too. */
  | { kind: 'beside'; localPath: string }
  /** Downloaded from the job's artifacts (`artifactName`) to `localPath` when the job ends. */
  | { kind: 'artifact'; localPath: string };

/** A local notebook to run: where it is, its JSON, and its path on the group volume if it is there. */
export interface LocalNotebook {
  /** Local path of the `.ipynb` file. */
  fsPath: string;
  /** Its JSON as saved. */
  content: string;
  /** Its path relative to the group volume, when the file is on it (then it runs in place). */
  volumePath?: string;
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function dirName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '.' : p.slice(0, i);
}

/** `train.ipynb` → `train-output.ipynb`: the executed notebook's name, beside the original. */
export function outputNameOf(fileName: string): string {
  return `${fileName.replace(/\.ipynb$/i, '')}-output.ipynb`;
}

/** A PrimeHub-safe job name from a file name: its stem in letters, digits, `.`, `_` and `-`. */
export function jobNameOf(fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/, '');
  return (
    stem
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'notebook'
  );
}

/**
 * The `client.notebook.run` spec of "Run Current File as Job" for a notebook, and where its output
 * notebook will be. A notebook on the group volume runs in place (its output written beside it); any
 * other runs from a snapshot of its content in PHFS, and its output comes from the job's artifacts.
 * Both are the format JupyterLab's extension submits, so either editor shows and reruns the other's.
 */
export function planNotebookRun(input: {
  notebook: LocalNotebook;
  instanceType: string;
  image: string;
  parameters: Record<string, JsonValue>;
  declared: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
  displayName?: string;
  activeDeadlineSeconds?: number;
}): { spec: NotebookRunSpec; output: NotebookOutput } {
  const fileName = baseName(input.notebook.fsPath);
  const outputName = outputNameOf(fileName);
  const localPath = `${dirName(input.notebook.fsPath)}/${outputName}`;
  const common = {
    displayName: input.displayName ?? jobNameOf(fileName),
    instanceType: input.instanceType,
    image: input.image,
    activeDeadlineSeconds: input.activeDeadlineSeconds,
    parameters: input.parameters,
    declared: input.declared,
    outputName
  };
  if (input.notebook.volumePath !== undefined) {
    return {
      spec: { ...common, notebook: { volumePath: input.notebook.volumePath }, output: 'beside' },
      output: { kind: 'beside', localPath }
    };
  }
  return {
    spec: { ...common, notebook: { content: input.notebook.content, name: fileName }, output: false },
    output: { kind: 'artifact', localPath }
  };
}

/** What "Rerun with Edited Parameters" needs from a notebook job: its notebook, values and output name. */
export interface NotebookRerunSource {
  /** The notebook on the group volume; undefined when the job ran a snapshot (then its output notebook is rerun). */
  volumePath?: string;
  /** The job's output notebook among its artifacts. */
  artifactName: string;
  parameters: Record<string, JsonValue>;
  /** Where the job wrote its output besides the artifacts (on the volume), if anywhere. */
  outputVolumePath?: string;
}

/**
 * The notebook a snapshot on the group volume was taken of: JupyterLab's extension runs a copy
 * `dir/.nb-<20-digit time>.ipynb` beside `dir/nb.ipynb` and removes it when the job ends.
 */
export function originalOfSnapshot(volumePath: string): string {
  return volumePath.replace(/(^|\/)\.([^/]+)-\d{20}\.ipynb$/, '$1$2.ipynb');
}

/** Reads a notebook job (any editor's `client.notebook.run`) back for a rerun; undefined for other jobs. */
export function rerunSourceOf(job: Pick<Job, 'command'> & { id?: string }): NotebookRerunSource | undefined {
  // with its id: a run of a recurring job names its own output after it
  const run = parseNotebookRunScript(job.command, job.id);
  if (!run) {
    return undefined;
  }
  return {
    ...(run.input.root === 'volume' ? { volumePath: originalOfSnapshot(run.input.path) } : {}),
    artifactName: run.artifactName,
    parameters: run.parameters,
    ...(run.output?.root === 'volume' ? { outputVolumePath: run.output.path } : {})
  };
}

/** The type a parameter value was passed as, for a notebook this editor cannot read. */
export function kindOfValue(value: JsonValue): LiteralKind {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'string') {
    return 'str';
  }
  if (typeof value === 'boolean') {
    return 'bool';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'int' : 'float';
  }
  return Array.isArray(value) ? 'list' : 'dict';
}

/**
 * The spec of a rerun of a notebook job with edited values: the same notebook on the group volume
 * (as it is now), or, for a job that ran a snapshot, the job's output notebook (`content`, papermill
 * replaces its injected parameters), with the same instance type, image, name and output name.
 */
export function planNotebookRerun(input: {
  job: {
    displayName?: string | null;
    instanceType?: { name: string } | null;
    image?: string | null;
    activeDeadlineSeconds?: number | null;
  };
  source: NotebookRerunSource;
  parameters: Record<string, JsonValue>;
  declared: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
  /** The output notebook's JSON, for a job that ran a snapshot. */
  outputContent?: string;
}): NotebookRunSpec {
  const { job, source } = input;
  const common = {
    displayName: job.displayName || 'notebook',
    instanceType: job.instanceType?.name ?? '',
    image: job.image ?? '',
    activeDeadlineSeconds: job.activeDeadlineSeconds ?? undefined,
    parameters: input.parameters,
    declared: input.declared,
    outputName: source.artifactName
  };
  if (source.volumePath !== undefined) {
    return {
      ...common,
      notebook: { volumePath: source.volumePath },
      output: source.outputVolumePath !== undefined ? { volumePath: source.outputVolumePath } : false
    };
  }
  if (input.outputContent === undefined) {
    throw new Error('the job ran a snapshot of its notebook: its output notebook is needed to run it again');
  }
  return {
    ...common,
    notebook: { content: input.outputContent, name: source.artifactName },
    output: false
  };
}
