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
import { originalOfSnapshot } from '@primehub-suite/client/compare';

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

/** Whether a server path is the folder or inside it ('' is the server root: everything is in it). */
export function inFolder(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/** The server path of a path of the group volume, when this server shows the volume. */
export function serverPathOf(p: RootedPath | undefined, groupVolume: string | null): string | null {
  if (!p || p.root !== 'volume' || groupVolume === null) {
    return null;
  }
  return [groupVolume, p.path].filter(Boolean).join('/');
}

/**
 * Where a notebook job's notebook and output notebook are on this server (null when it cannot see
 * them). Give the job itself for its output: each run of a recurring job has its own, named after
 * the run's job id; a command alone gives no output for those.
 */
export function notebookPathsOf(
  job: string | Pick<Job, 'id' | 'command'> | null | undefined,
  groupVolume: string | null
): { input: string | null; output: string | null; parameters: Record<string, JsonValue> } | null {
  const run = parseNotebookRunScript(job);
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

/**
 * A parameter value as the user typed it in the form: strings verbatim (no quotes, no escapes),
 * `True`/`False`/`None`, numbers and lists/dicts as literals.
 */
export function displayValue(value: JsonValue): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Parameters as one short line for the jobs list: `lr=0.1, name=a b` (a line break shows as ⏎). */
export function formatParameters(params: Record<string, JsonValue> | null, max = 80): string {
  if (!params) {
    return '';
  }
  const text = Object.entries(params)
    .map(([k, v]) => `${k}=${displayValue(v).replace(/\r?\n/g, '⏎')}`)
    .join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Where a job's output notebook is in its artifacts (null for jobs that are not notebook runs). */
export function outputArtifactOf(command: string | null | undefined): string | null {
  return parseNotebookRunScript(command)?.artifactName ?? null;
}

interface INotebookCell {
  cell_type?: string;
  source?: string | string[];
  metadata?: { tags?: string[] };
  outputs?: Array<{ output_type?: string; ename?: string; evalue?: string }>;
}

/**
 * The failing cell and its exception, from papermill's output notebook: "cell 3 (`raise
 * ValueError('boom')`): ValueError: boom". Cells are counted as the user sees them (code cells,
 * without the one papermill injects); null when no cell failed.
 */
export function notebookFailure(notebook: string | object): string | null {
  let nb: { cells?: INotebookCell[] };
  try {
    nb = (typeof notebook === 'string' ? JSON.parse(notebook) : notebook) as { cells?: INotebookCell[] };
  } catch {
    return null;
  }
  let n = 0;
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== 'code' || cell.metadata?.tags?.includes('injected-parameters')) {
      continue;
    }
    n++;
    const error = cell.outputs?.find(o => o.output_type === 'error');
    if (error) {
      const source = (Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '')).trim();
      const firstLine = source.split('\n')[0];
      const shown = firstLine.length > 60 ? `${firstLine.slice(0, 59)}…` : firstLine;
      const why = [error.ename, error.evalue].filter(Boolean).join(': ');
      return `cell ${n}${shown ? ` (${shown}${source.includes('\n') ? ' …' : ''})` : ''}: ${why || 'an exception'}`;
    }
  }
  return null;
}

/** The notebook a PHFS snapshot was made of (the client's Compare module reads it). */
export { originalOfSnapshot };

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
