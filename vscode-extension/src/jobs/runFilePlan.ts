import { shellQuote } from '@primehub-suite/client/notebook';

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

/**
 * What one run of a local script (`.py`, `.sh`) uploads and executes. Notebooks are not planned
 * here: they run through the client's `notebook.run` (see notebookRun.ts), the format both editors share.
 */
export interface RunFilePlan {
  kind: 'python' | 'shell';
  /** The file's name (no folders). */
  fileName: string;
  /**
   * Per-run PHFS folder the file is uploaded into, e.g. `/vscode-runs/20261201-061500-train/`;
   * undefined when the file runs in place on the group volume.
   */
  remoteDir?: string;
  /** The job's display name. */
  displayName: string;
  /** The job's command: paths quoted, no user text unquoted. */
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

function scriptKind(fileName: string): 'python' | 'shell' {
  const kind = runnableKind(fileName);
  if (kind !== 'python' && kind !== 'shell') {
    throw new Error(`${fileName} is not a .py or .sh file`);
  }
  return kind;
}

/** Plans a run of a local script: a per-run PHFS folder, and a command that runs the file from there. */
export function planRunFile(input: { fileName: string; now?: Date }): RunFilePlan {
  const kind = scriptKind(input.fileName);
  const stem = input.fileName.replace(/\.[^.]+$/, '');
  const remoteDir = `/vscode-runs/${stamp(input.now ?? new Date())}-${slug(stem)}/`;
  const cdRunDir = `cd ${PHFS_ROOT_SHELL}/${shellQuote(remoteDir.replace(/^\/|\/$/g, ''))}`;
  const displayName = slug(stem);
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
 * Plans a run of a script that is already on the group volume: the job changes into its folder
 * (`$PRIMEHUB_GROUP_VOLUME_PATH`, which PrimeHub and PrimeHub Local set in every job) and runs it there.
 */
export function planInPlace(input: { relativePath: string }): RunFilePlan {
  const parts = input.relativePath.split('/');
  const fileName = parts.pop()!;
  const kind = scriptKind(fileName);
  const dir = parts.join('/');
  const cd = `cd "$PRIMEHUB_GROUP_VOLUME_PATH"${dir ? `/${shellQuote(dir)}` : ''}`;
  const stem = fileName.replace(/\.[^.]+$/, '');
  const displayName = slug(stem);
  return {
    kind,
    fileName,
    displayName,
    command: `${cd} && ${kind === 'python' ? 'python' : 'bash'} ${shellQuote(fileName)}`
  };
}
