/**
 * Which MLflow experiment a job's runs are in, read from the job: a notebook job (the client's
 * run script) is a run in its notebook's `set_experiment` experiment, else in the one named after
 * its notebook file; what its run is named and tagged with is in the script too. Pure: no I/O.
 */
import { base64ToUtf8 } from '../base64';
import type { JsonValue } from '../notebook/pythonLiteral';
import { parseNotebookRunScript } from '../notebook/runScript';
import type { Job } from '../types';

/** What a notebook job's run script names and tags its MLflow run with (`NotebookRunTracking`). */
export interface NotebookRunTags {
  runName?: string;
  /** The notebook as its user knows it (its path on the group volume). */
  notebookPath?: string;
  /** The sweep the job is one combination of (`client.notebook.runSweep`). */
  sweepId?: string;
}

// the script's MLflow start: `"$mlflow_py" -c "$mlflow_code" <notebook> '<parameters>' '<tracking>' …`
const PATH_WORD = String.raw`"\$(?:vol|phfs)"(?:/(?:'(?:[^']|'\\'')*')+)?`;
const MLFLOW_LINE = new RegExp(
  String.raw`^ *"\$mlflow_py" -c "\$mlflow_code" ${PATH_WORD} '[A-Za-z0-9+/=]*' '([A-Za-z0-9+/=]*)' `,
  'm'
);

/** The run name, notebook path and sweep id a notebook job's run script gives its MLflow run; undefined for other jobs. */
export function notebookRunTags(job: Pick<Job, 'command'> | string | null | undefined): NotebookRunTags | undefined {
  const command = typeof job === 'object' && job !== null ? job.command : job;
  const m = parseNotebookRunScript(command) && command ? MLFLOW_LINE.exec(command) : null;
  if (!m) {
    return undefined;
  }
  try {
    const info = JSON.parse(base64ToUtf8(m[1])) as Record<string, unknown>;
    const tags: NotebookRunTags = {};
    for (const key of ['runName', 'notebookPath', 'sweepId'] as const) {
      if (typeof info[key] === 'string' && info[key] !== '') {
        tags[key] = info[key];
      }
    }
    return tags;
  } catch {
    return undefined;
  }
}

/** The sweep a notebook job is one job of (its runs' tag `primehub.sweep_id`). */
export function sweepIdOf(job: Pick<Job, 'command'>): string | undefined {
  return notebookRunTags(job)?.sweepId;
}

/**
 * The notebook a PHFS snapshot was made of: `dir/.name-<20 digits>.ipynb` → `dir/name.ipynb`
 * (`client.notebook.run` with a notebook's content); other paths as they are.
 */
export function originalOfSnapshot(path: string): string {
  return path.replace(/(^|\/)\.([^/]+)-\d{20}\.ipynb$/, '$1$2.ipynb');
}

/** The experiment a sweep's id names: the id is `<notebook>-<UTC time stamp>-<6 hex digits>`. */
export function sweepExperiment(sweepId: string): string | undefined {
  const m = /^(.+)-\d{14}-[0-9a-f]{6}$/.exec(sweepId);
  return m?.[1];
}

const SET_EXPERIMENT = /set_experiment\(\s*(?:experiment_name\s*=\s*)?(?:(['"])([^'"\n]+)\1|([A-Za-z_]\w*))\s*\)/g;

/** The experiments `code` names with `set_experiment(...)`: string literals, parameters or variables holding a string. */
function experimentsSetIn(code: string, parameters: Record<string, JsonValue>): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(SET_EXPERIMENT)) {
    let value: JsonValue | undefined = m[2];
    if (value === undefined) {
      const name = m[3];
      value =
        name in parameters
          ? parameters[name]
          : new RegExp(String.raw`^${name}\s*=\s*(['"])([^'"\n]+)\1`, 'm').exec(code)?.[2];
    }
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

const stem = (path: string): string => (path.split('/').pop() ?? path).replace(/^\.+/, '').replace(/\.ipynb$/, '');

/**
 * The experiments a job's MLflow runs are likely in, most likely first: those its notebook or
 * command names (`set_experiment`, `MLFLOW_EXPERIMENT_NAME`), then a notebook job's own: its
 * notebook's file name without `.ipynb` (what the run script picks when the notebook names none;
 * the original's name for a snapshot).
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
    const tagged = notebookRunTags(job.command)?.notebookPath;
    if (tagged) {
      names.push(stem(tagged));
    }
    names.push(stem(originalOfSnapshot(run.input.path)), stem(run.input.path));
  }
  return [...new Set(names.filter(Boolean))];
}
