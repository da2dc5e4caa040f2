/**
 * What a notebook job holds, read through the client: a job made by `client.notebook.run` carries
 * its notebook, output and parameters in its run script (paths relative to the group volume).
 */
import {
  notebookRunParameters,
  parseNotebookRunScript,
  type JsonValue,
  type RootedPath
} from '@primehub-suite/client/notebook';
import type { Job } from '@primehub-suite/client/browser';

/** The parameters a notebook job ran with (null for other jobs). */
export function jobParameters(job: Pick<Job, 'command'>): Record<string, JsonValue> | null {
  return job.command ? (notebookRunParameters(job.command) ?? null) : null;
}

/** A server path in the group volume (`<groupVolume>/…`) as a path relative to the volume; null outside it. */
export function volumePathOf(serverPath: string, groupVolume: string | null): string | null {
  if (groupVolume === null) {
    return null;
  }
  const path = serverPath.replace(/^\/+/, '');
  if (groupVolume === '') {
    return path;
  }
  return path.startsWith(`${groupVolume}/`) ? path.slice(groupVolume.length + 1) : null;
}

/** The server path of a path of the group volume, when this server shows the volume. */
export function serverPathOf(p: RootedPath | undefined, groupVolume: string | null): string | null {
  if (!p || p.root !== 'volume' || groupVolume === null) {
    return null;
  }
  return [groupVolume, p.path].filter(Boolean).join('/');
}

/** Where a notebook job's notebook and output notebook are on this server (null when it cannot see them). */
export function notebookPathsOf(
  command: string | null | undefined,
  groupVolume: string | null
): { input: string | null; output: string | null; parameters: Record<string, JsonValue> } | null {
  const run = parseNotebookRunScript(command);
  if (!run) {
    return null;
  }
  return {
    input: serverPathOf(run.input, groupVolume),
    output: serverPathOf(run.output, groupVolume),
    parameters: run.parameters
  };
}

/** "1h 02m", "3m 05s", "12s": how long a job ran (or runs, until `now`). */
export function formatDuration(job: Pick<Job, 'startTime' | 'finishTime'>, now = Date.now()): string {
  if (!job.startTime) {
    return '–';
  }
  const end = job.finishTime ? Date.parse(job.finishTime) : now;
  const s = Math.max(0, Math.round((end - Date.parse(job.startTime)) / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  }
  if (s >= 60) {
    return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  }
  return `${s}s`;
}

/** Parameters as one short line for the jobs list: `lr=0.1, name="a b"`. */
export function formatParameters(params: Record<string, JsonValue> | null, max = 80): string {
  if (!params) {
    return '';
  }
  const text = Object.entries(params)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `dir/nb.ipynb` for a snapshot `dir/.nb-<20-digit timestamp>.ipynb`; other paths unchanged. */
export function originalOfSnapshot(path: string): string {
  return path.replace(/(^|\/)\.([^/]+)-\d{20}\.ipynb$/, '$1$2.ipynb');
}

const MISSING_PAPERMILL = /papermill: (command )?not found/;

/**
 * What the failure notification adds for a failed notebook job, from the end of its log: a
 * missing papermill is the image's problem (PrimeHub's), not the notebook's, so it is named.
 */
export function failureHint(logLines: ReadonlyArray<string>): string {
  return logLines.some(l => MISSING_PAPERMILL.test(l))
    ? ': papermill is missing in the image; choose an image that has it (an InfuseAI image)'
    : '';
}
