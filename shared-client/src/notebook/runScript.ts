/**
 * The job script of a notebook run (`client.notebook.run`): papermill in the notebook's own
 * folder, the output notebook beside the original and always in the job's artifacts, the PHFS
 * snapshot removed when the job ends (also when papermill fails or the job is cancelled).
 *
 * It works on PrimeHub and PrimeHub Local alike through the variables both set in jobs:
 * `PRIMEHUB_GROUP_VOLUME_PATH` (the group volume, `/project/<group>` on PrimeHub) and
 * `PRIMEHUB_PHFS_PATH` (PHFS, `/phfs`). The notebook finds its artifacts folder as the absolute
 * path in `PRIMEHUB_ARTIFACTS_DIR` (`$HOME/artifacts`): a notebook job runs in the notebook's
 * folder, where a relative `artifacts/` is not the job's artifacts folder.
 *
 * Every path is quoted by `shellQuote`; parameter values only appear inside papermill's base64
 * `-b` text.
 *
 * Where the image has PrimeHub Local's `primehub-papermill` (papermill's own command line, started
 * without import-time work it never uses) as well as `papermill`, the script runs the former;
 * stock images (PrimeHub's) run plain `papermill`, with the same arguments.
 */
import { ValidationError } from '../errors';
import { decodeParameters, encodeParameters, shellQuote } from './command';
import type { JsonValue, LiteralKind } from './pythonLiteral';
import type { Job } from '../types';

/** The variable a notebook job reads its artifacts folder from (an absolute path). */
export const ARTIFACTS_DIR_VARIABLE = 'PRIMEHUB_ARTIFACTS_DIR';

/** The faster papermill entry point of python/primehub-local-kernel, used when the image has it. */
export const FAST_PAPERMILL = 'primehub-papermill';

/**
 * Where a failed run leaves its short failure summary: a container's termination message file,
 * which Kubernetes (and so PrimeHub's job controller) and PrimeHub Local turn into the job's
 * message, `Job failed due to Error: <summary>`.
 */
export const TERMINATION_LOG = '/dev/termination-log';

/**
 * Python that prints the failing cell and its exception from papermill's output notebook (its
 * argument): `cell 3 (x = 1 / 0): ZeroDivisionError: division by zero`. Cells are counted as the
 * user sees them (code cells, without the one papermill injects); long lines are cut. No single
 * quote in it: the script passes it in single quotes.
 */
const FAILURE_SUMMARY_PY = [
  'import json, sys',
  'nb = json.load(open(sys.argv[1], encoding="utf-8"))',
  'n = 0',
  'for c in nb.get("cells", []):',
  '    if c.get("cell_type") != "code" or "injected-parameters" in c.get("metadata", {}).get("tags", []):',
  '        continue',
  '    n += 1',
  '    e = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]',
  '    if e:',
  '        src = c.get("source", "")',
  '        src = ("".join(src) if isinstance(src, list) else src).strip()',
  '        first = src.split("\\n")[0]',
  '        first = first[:59] + "\\u2026" if len(first) > 60 else first',
  '        more = " \\u2026" if "\\n" in src else ""',
  '        why = ": ".join(x for x in (e[0].get("ename"), e[0].get("evalue")) if x) or "an exception"',
  '        why = " ".join(why.split())',
  '        why = why[:799] + "\\u2026" if len(why) > 800 else why',
  '        where = " (%s%s)" % (first, more) if first else ""',
  '        sys.stdout.buffer.write(("cell %d%s: %s" % (n, where, why)).encode("utf-8"))',
  '        break'
].join('\n');

const MISSING_PAPERMILL_SUMMARY =
  "papermill is not installed in the job's image: choose an image that has papermill (an InfuseAI image)";

/** First line of every run script, so a job's command can be recognised as a notebook run. */
export const RUN_SCRIPT_MARKER = '# primehub-suite notebook run';

/** A path inside one of the job's storage roots. */
export interface RootedPath {
  root: 'volume' | 'phfs';
  /** Relative to the root, `/`-separated, without `..`. */
  path: string;
}

/**
 * Where a recurring job's output notebook goes: `path` with the id of each run's job put in at
 * `runIdAt` when the job starts (PrimeHub gives every job its id as `PHJOB_NAME`), so each run
 * keeps its own output. `path` must be in the form `relativePath` returns.
 */
export interface PerRunPath extends RootedPath {
  runIdAt: number;
}

/** The variable PrimeHub and PrimeHub Local give a job its id in. */
export const JOB_ID_VARIABLE = 'PHJOB_NAME';

/** What the script does. */
export interface NotebookRunPlan {
  /** The notebook papermill executes. */
  input: RootedPath;
  /** The folder papermill runs the notebook in. */
  workdir: RootedPath;
  /** File name of the output notebook in the job's artifacts folder. */
  artifactName: string;
  /**
   * Where else the output notebook goes (e.g. beside the original on the group volume); a
   * {@link PerRunPath} names each run's own (recurring jobs).
   */
  output?: RootedPath | PerRunPath;
  /** Removed when the job ends (the PHFS snapshot of the notebook). */
  removeOnExit?: RootedPath;
  /** Fallback of `PRIMEHUB_GROUP_VOLUME_PATH` (PrimeHub: `/project/<group path>`). */
  volumeFallback: string;
  parameters: Record<string, JsonValue>;
  types?: Record<string, LiteralKind | undefined>;
}

/** Checks a relative path in a root; returns it without leading or trailing slashes. */
export function relativePath(p: string, what: string): string {
  if (typeof p !== 'string') {
    throw new ValidationError(`${what} must be a string`);
  }
  if (/[\0\r\n]/.test(p)) {
    throw new ValidationError(`${what} must not contain NUL bytes or line breaks`);
  }
  const segments = p.split('/').filter(s => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new ValidationError(`${what} must not contain ".." segments: ${p}`);
  }
  return segments.join('/');
}

function rooted(p: RootedPath | PerRunPath, what: string): string {
  const rel = relativePath(p.path, what);
  const root = p.root === 'volume' ? '"$vol"' : '"$phfs"';
  if ('runIdAt' in p && typeof p.runIdAt === 'number') {
    if (rel !== p.path || !Number.isInteger(p.runIdAt) || p.runIdAt <= 0 || p.runIdAt > rel.length) {
      throw new ValidationError(`${what}: the run id must go into a normalized path's file name`);
    }
    const [head, tail] = [rel.slice(0, p.runIdAt), rel.slice(p.runIdAt)];
    return `${root}/${shellQuote(head)}"$run"${tail ? shellQuote(tail) : ''}`;
  }
  return rel === '' ? root : `${root}/${shellQuote(rel)}`;
}

/** Builds the job script; see the module comment. */
export function buildNotebookRunScript(plan: NotebookRunPlan): string {
  for (const name of Object.keys(plan.parameters)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ValidationError(`parameter name "${name}" is not a Python identifier`);
    }
  }
  const artifact = relativePath(plan.artifactName, 'artifactName');
  if (artifact === '' || artifact.includes('/')) {
    throw new ValidationError('artifactName must be a file name');
  }
  const b64 = encodeParameters(plan.parameters, plan.types);
  const artifactPath = `"$${ARTIFACTS_DIR_VARIABLE}"/${shellQuote(artifact)}`;
  const target = plan.output ? rooted(plan.output, 'output') : artifactPath;
  const lines = [
    RUN_SCRIPT_MARKER,
    // PrimeHub's job script sets both variables; PHFS is mounted at /phfs whether or not $HOME/phfs exists
    `vol="\${PRIMEHUB_GROUP_VOLUME_PATH:-}"; [ -n "$vol" ] && [ -d "$vol" ] || vol=${shellQuote(plan.volumeFallback)}`,
    'phfs="${PRIMEHUB_PHFS_PATH:-/phfs}"; [ -d "$phfs" ] || phfs=/phfs',
    `export ${ARTIFACTS_DIR_VARIABLE}="$HOME/artifacts"`,
    `mkdir -p "$${ARTIFACTS_DIR_VARIABLE}"`
  ];
  if (plan.output && 'runIdAt' in plan.output) {
    // the job's id names this run's output; a time stamp where a job has none (or an odd one)
    lines.push(
      `run="\${${JOB_ID_VARIABLE}:-}"; case "$run" in ''|*[!A-Za-z0-9._-]*) run="$(date -u +%Y%m%d%H%M%S)";; esac`
    );
  }
  if (plan.removeOnExit) {
    // EXIT runs on success, failure and (through the TERM/INT traps) on cancel
    lines.push(
      `snapshot=${rooted(plan.removeOnExit, 'snapshot')}`,
      `trap 'rm -f -- "$snapshot"; rmdir -- "$(dirname -- "$snapshot")" 2>/dev/null' EXIT`,
      "trap 'exit 143' TERM",
      "trap 'exit 130' INT"
    );
  }
  if (plan.output) {
    lines.push(`mkdir -p -- "$(dirname -- ${target})"`);
  }
  lines.push(
    // a shell function, so the papermill line below stays the same on every image
    `if command -v papermill >/dev/null 2>&1 && command -v ${FAST_PAPERMILL} >/dev/null 2>&1; then papermill() { ${FAST_PAPERMILL} "$@"; }; fi`,
    `cd -- ${rooted(plan.workdir, 'workdir')} || exit 1`,
    `papermill ${rooted(plan.input, 'input')} ${target} -b ${shellQuote(b64)} --log-output`,
    'rc=$?'
  );
  if (plan.output) {
    // papermill writes the output notebook also when a cell fails: keep it in the artifacts too
    lines.push(`if [ -f ${target} ]; then cp -- ${target} ${artifactPath}; fi`);
  }
  // a failure's short summary goes where the job's message comes from, on PrimeHub as on PrimeHub
  // Local (a container's termination message); where there is no such file nothing is written
  lines.push(
    `if [ "$rc" -ne 0 ] && [ -f ${TERMINATION_LOG} ] && [ -w ${TERMINATION_LOG} ]; then`,
    `  if ! command -v papermill >/dev/null 2>&1; then printf '%s' ${shellQuote(MISSING_PAPERMILL_SUMMARY)} > ${TERMINATION_LOG}`,
    `  elif [ -f ${target} ] && py="$(command -v python3 || command -v python)"; then "$py" -c ${shellQuote(FAILURE_SUMMARY_PY)} ${target} > ${TERMINATION_LOG} 2>/dev/null; fi`,
    'fi',
    'exit $rc'
  );
  return lines.join('\n');
}

/** True if a job command was made by {@link buildNotebookRunScript}. */
export function isNotebookRunScript(command: string | null | undefined): boolean {
  return typeof command === 'string' && command.startsWith(`${RUN_SCRIPT_MARKER}\n`);
}

/** A path of a run script read back: a storage root, or the job's artifacts folder. */
export interface ScriptPath {
  root: RootedPath['root'] | 'artifacts';
  path: string;
  /** Where the job's id goes into `path` (a per-run output). */
  runIdAt?: number;
}

/** What a notebook run script does, read back from a job's command (`parseNotebookRunScript`). */
export interface NotebookRunInfo {
  input: RootedPath;
  workdir: RootedPath;
  /**
   * Where this job's output notebook went besides its artifacts, if anywhere. For a run of a
   * recurring job (`outputPerRun`) the path holds the job's id, so it is known only when the job's
   * id is given to `parseNotebookRunScript`.
   */
  output?: RootedPath;
  /** True when each job of this command writes an output of its own (a recurring notebook job). */
  outputPerRun?: boolean;
  /** File name of the output notebook in the job's artifacts. */
  artifactName: string;
  parameters: Record<string, JsonValue>;
}

// One path word as `rooted` and the artifacts path write it: "$vol", "$phfs"/'a b', "$PRIMEHUB_ARTIFACTS_DIR"/'x',
// "$vol"/'dir/report-'"$run"'-output.ipynb' (a per-run output).
const QUOTED = String.raw`'(?:[^']|'\\'')*'`;
const WORD = String.raw`"\$(vol|phfs|${ARTIFACTS_DIR_VARIABLE})"(?:/((?:${QUOTED}|"\$run")+))?`;
const WORD_PART = new RegExp(String.raw`'((?:[^']|'\\'')*)'|"\$run"`, 'g');
const CD_LINE = new RegExp(String.raw`^cd -- ${WORD} \|\| exit 1$`, 'm');
const PAPERMILL_LINE = new RegExp(String.raw`^papermill ${WORD} ${WORD} -b '([A-Za-z0-9+/=]*)' --log-output$`, 'm');
const COPY_LINE = new RegExp(String.raw`^if \[ -f .+ \]; then cp -- .+ ${WORD}; fi$`, 'm');

function scriptPath(variable: string, quoted: string | undefined): ScriptPath {
  const root = variable === 'vol' ? 'volume' : variable === 'phfs' ? 'phfs' : 'artifacts';
  let path = '';
  let runIdAt: number | undefined;
  for (const part of (quoted ?? '').matchAll(WORD_PART)) {
    if (part[1] === undefined) {
      runIdAt = path.length;
    } else {
      path += part[1].replace(/'\\''/g, "'");
    }
  }
  return runIdAt === undefined ? { root, path } : { root, path, runIdAt };
}

function asRooted(p: ScriptPath): RootedPath | undefined {
  return p.root === 'artifacts' || p.runIdAt !== undefined ? undefined : { root: p.root, path: p.path };
}

/**
 * Reads a run script made by {@link buildNotebookRunScript} back into what it runs (e.g. to rerun a
 * job's notebook or open its output); undefined for any other command.
 *
 * Pass the job (or its id) to get the output notebook of that very job: the runs of a recurring
 * notebook job share one command, and each writes an output named after its job's id. Without
 * the id such a run's `output` is left out (`outputPerRun` says so).
 */
export function parseNotebookRunScript(
  job: string | Pick<Job, 'id' | 'command'> | null | undefined,
  jobId?: string
): NotebookRunInfo | undefined {
  const command = typeof job === 'object' && job !== null ? job.command : job;
  const id = jobId ?? (typeof job === 'object' && job !== null ? job.id : undefined);
  if (!isNotebookRunScript(command)) {
    return undefined;
  }
  const cd = CD_LINE.exec(command!);
  const pm = PAPERMILL_LINE.exec(command!);
  if (!cd || !pm) {
    return undefined;
  }
  const workdir = asRooted(scriptPath(cd[1], cd[2]));
  const input = asRooted(scriptPath(pm[1], pm[2]));
  const target = scriptPath(pm[3], pm[4]);
  if (!workdir || !input) {
    return undefined;
  }
  let parameters: Record<string, JsonValue>;
  try {
    parameters = decodeParameters(pm[5]);
  } catch {
    return undefined;
  }
  if (target.root === 'artifacts') {
    return target.runIdAt === undefined ? { input, workdir, artifactName: target.path, parameters } : undefined;
  }
  const copy = COPY_LINE.exec(command!);
  const artifact = copy ? scriptPath(copy[1], copy[2]) : undefined;
  if (!artifact || artifact.root !== 'artifacts' || artifact.runIdAt !== undefined) {
    return undefined;
  }
  const info: NotebookRunInfo = { input, workdir, artifactName: artifact.path, parameters };
  if (target.runIdAt === undefined) {
    return { ...info, output: { root: target.root as RootedPath['root'], path: target.path } };
  }
  // the script's own fallback (a time stamp) is not knowable afterwards: only a job id that the
  // script would have used names the output
  const known = id && /^[A-Za-z0-9._-]+$/.test(id);
  const output: RootedPath | undefined = known
    ? {
        root: target.root as RootedPath['root'],
        path: target.path.slice(0, target.runIdAt) + id + target.path.slice(target.runIdAt)
      }
    : undefined;
  return { ...info, ...(output ? { output } : {}), outputPerRun: true };
}

/** The parameters a notebook run script passes to papermill (undefined for other commands). */
export function notebookRunParameters(command: string): Record<string, JsonValue> | undefined {
  return parseNotebookRunScript(command)?.parameters;
}

/** Where a job of a notebook run script wrote its output notebook besides its artifacts (undefined if nowhere). */
export function notebookRunOutput(job: Pick<Job, 'id' | 'command'>): RootedPath | undefined {
  return parseNotebookRunScript(job)?.output;
}
