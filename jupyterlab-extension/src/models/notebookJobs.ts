/**
 * What a notebook job's command holds. The first line is the client's papermill command
 * (parameters only inside its base64 `-b` value); the lines after it copy the output notebook
 * into the job's artifacts and keep papermill's exit status.
 */
import {
  parseNotebookCommand,
  shellQuote,
  type JsonValue,
  type NotebookCommand
} from '@primehub-suite/client/notebook';
import type { Job } from '@primehub-suite/client/browser';

/** The full job script for a papermill command line writing `jobOutput`. */
export function withArtifactCopy(papermillLine: string, jobOutput: string): string {
  return [
    papermillLine,
    'status=$?',
    `mkdir -p "$HOME/artifacts" && cp -f -- ${shellQuote(jobOutput)} "$HOME/artifacts/" 2>/dev/null`,
    'exit $status'
  ].join('\n');
}

/** The notebook command of a job, or null when the job is not a notebook job. */
export function notebookCommandOf(command: string | null | undefined): NotebookCommand | null {
  const first = (command ?? '').split('\n')[0];
  try {
    return parseNotebookCommand(first);
  } catch {
    return null;
  }
}

/** The parameters a notebook job ran with (null for other jobs). */
export function jobParameters(job: Pick<Job, 'command'>): Record<string, JsonValue> | null {
  return notebookCommandOf(job.command)?.parameters ?? null;
}

/** A job-side path as a server path, when it lies in the group volume this server shows. */
export function serverPathOf(
  jobPath: string,
  config: { groupVolume: string | null; jobGroupVolume: string | null }
): string | null {
  const { groupVolume, jobGroupVolume } = config;
  if (groupVolume === null || !jobGroupVolume) {
    return null;
  }
  const prefix = jobGroupVolume.replace(/\/+$/, '');
  if (jobPath === prefix) {
    return groupVolume;
  }
  if (!jobPath.startsWith(`${prefix}/`)) {
    return null;
  }
  return [groupVolume, jobPath.slice(prefix.length + 1)].filter(Boolean).join('/');
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
