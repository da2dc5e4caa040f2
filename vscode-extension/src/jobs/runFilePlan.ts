import { buildNotebookCommand, shellQuote, type JsonValue, type LiteralKind } from '@primehub-suite/client/notebook';

/**
 * PHFS inside a job, as shell text: PrimeHub's run-job.sh exports PRIMEHUB_PHFS_PATH
 * (`$HOME/phfs`, a link to the `/phfs` mount), and PrimeHub Local sets it to its own PHFS link;
 * `/phfs` when it is unset. A fixed literal: no user text is ever part of it.
 */
export const PHFS_ROOT_SHELL = '"${PRIMEHUB_PHFS_PATH:-/phfs}"';

/** The kinds of file "Run current file as job" accepts, by extension. */
export type RunnableKind = 'python' | 'shell' | 'notebook';

export function runnableKind(fileName: string): RunnableKind | undefined {
  const ext = fileName.toLowerCase().split('.').pop();
  return ext === 'py' ? 'python' : ext === 'sh' ? 'shell' : ext === 'ipynb' ? 'notebook' : undefined;
}

/** What one run of a local file uploads and executes. */
export interface RunFilePlan {
  kind: RunnableKind;
  /** The file's name (no folders). */
  fileName: string;
  /**
   * Per-run PHFS folder the file is uploaded into, e.g. `/vscode-runs/20261201-061500-train/`;
   * undefined when the file runs in place on the group volume.
   */
  remoteDir?: string;
  /** The executed notebook (PHFS path) for notebooks. */
  outputPath?: string;
  /** Local name of the output notebook, written next to the original. */
  outputFileName?: string;
  /** The job's display name. */
  displayName: string;
  /** The job's command: paths quoted, parameter values only inside papermill's base64 text. */
  command: string;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A folder-name-safe, display-name-safe form of a file stem. */
function slug(stem: string): string {
  return (
    stem
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'file'
  );
}

/**
 * Plans a run of a local file: a per-run PHFS folder, and a command that runs the file from there
 * (`python`, `bash`, or papermill with the given parameters).
 */
export function planRunFile(input: {
  fileName: string;
  now?: Date;
  parameters?: Record<string, JsonValue>;
  types?: Record<string, LiteralKind | undefined>;
}): RunFilePlan {
  const kind = runnableKind(input.fileName);
  if (!kind) {
    throw new Error(`${input.fileName} is not a .py, .sh or .ipynb file`);
  }
  const stem = input.fileName.replace(/\.[^.]+$/, '');
  const remoteDir = `/vscode-runs/${stamp(input.now ?? new Date())}-${slug(stem)}/`;
  const cdRunDir = `cd ${PHFS_ROOT_SHELL}/${shellQuote(remoteDir.replace(/^\/|\/$/g, ''))}`;
  const displayName = slug(stem);
  if (kind === 'notebook') {
    const outputFileName = `${stem}-output.ipynb`;
    return {
      kind,
      fileName: input.fileName,
      remoteDir,
      outputPath: `${remoteDir}${outputFileName}`,
      outputFileName,
      displayName,
      // papermill runs in the run folder, so the notebook's relative paths work as in Jupyter
      command: `${cdRunDir} && ${buildNotebookCommand(
        { workdir: '.', input: input.fileName, output: outputFileName, parameters: input.parameters ?? {} },
        input.types ?? {}
      )}`
    };
  }
  const runner = kind === 'python' ? 'python' : 'bash';
  return {
    kind,
    fileName: input.fileName,
    remoteDir,
    displayName,
    command: `${cdRunDir} && ${runner} ${shellQuote(input.fileName)}`
  };
}

/**
 * Where a local file sits on the group volume, if it does: relative to `/project/<group>`,
 * `/home/jovyan/<group>` (a PrimeHub notebook, e.g. through Remote-SSH) or a configured folder
 * that is the group volume (e.g. PrimeHub Local's `volumes/<group>`).
 */
export function groupVolumeRelative(
  localPath: string,
  group: string,
  volumeFolders: string[] = []
): string | undefined {
  const roots = [`/project/${group}`, `/home/jovyan/${group}`, ...volumeFolders].map(r => r.replace(/\/+$/, ''));
  for (const root of roots) {
    if (root && localPath.startsWith(`${root}/`)) {
      const rel = localPath.slice(root.length + 1);
      return rel.split('/').some(p => p === '..') ? undefined : rel;
    }
  }
  return undefined;
}

/**
 * Plans a run of a file that is already on the group volume: the job changes into its folder
 * (`$PRIMEHUB_GROUP_VOLUME_PATH`, which PrimeHub and PrimeHub Local set in every job) and runs it
 * there; a notebook's output is written next to it, on the volume.
 */
export function planInPlace(input: {
  relativePath: string;
  parameters?: Record<string, JsonValue>;
  types?: Record<string, LiteralKind | undefined>;
}): RunFilePlan {
  const parts = input.relativePath.split('/');
  const fileName = parts.pop()!;
  const kind = runnableKind(fileName);
  if (!kind) {
    throw new Error(`${fileName} is not a .py, .sh or .ipynb file`);
  }
  const dir = parts.join('/');
  const cd = `cd "$PRIMEHUB_GROUP_VOLUME_PATH"${dir ? `/${shellQuote(dir)}` : ''}`;
  const stem = fileName.replace(/\.[^.]+$/, '');
  const displayName = slug(stem);
  if (kind === 'notebook') {
    const outputFileName = `${stem}-output.ipynb`;
    return {
      kind,
      fileName,
      outputFileName,
      displayName,
      command: `${cd} && ${buildNotebookCommand(
        { workdir: '.', input: fileName, output: outputFileName, parameters: input.parameters ?? {} },
        input.types ?? {}
      )}`
    };
  }
  return {
    kind,
    fileName,
    displayName,
    command: `${cd} && ${kind === 'python' ? 'python' : 'bash'} ${shellQuote(fileName)}`
  };
}
