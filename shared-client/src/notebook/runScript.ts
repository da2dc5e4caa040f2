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
 */
import { ValidationError } from '../errors';
import { decodeParameters, encodeParameters, shellQuote } from './command';
import type { JsonValue, LiteralKind } from './pythonLiteral';

/** The variable a notebook job reads its artifacts folder from (an absolute path). */
export const ARTIFACTS_DIR_VARIABLE = 'PRIMEHUB_ARTIFACTS_DIR';

/** First line of every run script, so a job's command can be recognised as a notebook run. */
export const RUN_SCRIPT_MARKER = '# primehub-suite notebook run';

/** A path inside one of the job's storage roots. */
export interface RootedPath {
  root: 'volume' | 'phfs';
  /** Relative to the root, `/`-separated, without `..`. */
  path: string;
}

/** What the script does. */
export interface NotebookRunPlan {
  /** The notebook papermill executes. */
  input: RootedPath;
  /** The folder papermill runs the notebook in. */
  workdir: RootedPath;
  /** File name of the output notebook in the job's artifacts folder. */
  artifactName: string;
  /** Where else the output notebook goes (e.g. beside the original on the group volume). */
  output?: RootedPath;
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

function rooted(p: RootedPath, what: string): string {
  const rel = relativePath(p.path, what);
  const root = p.root === 'volume' ? '"$vol"' : '"$phfs"';
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
    `cd -- ${rooted(plan.workdir, 'workdir')} || exit 1`,
    `papermill ${rooted(plan.input, 'input')} ${target} -b ${shellQuote(b64)} --log-output`,
    'rc=$?'
  );
  if (plan.output) {
    // papermill writes the output notebook also when a cell fails: keep it in the artifacts too
    lines.push(`if [ -f ${target} ]; then cp -- ${target} ${artifactPath}; fi`);
  }
  lines.push('exit $rc');
  return lines.join('\n');
}

/** True if a job command was made by {@link buildNotebookRunScript}. */
export function isNotebookRunScript(command: string | null | undefined): boolean {
  return typeof command === 'string' && command.startsWith(`${RUN_SCRIPT_MARKER}\n`);
}

/** The parameters a notebook run script passes to papermill (undefined for other commands). */
export function notebookRunParameters(command: string): Record<string, JsonValue> | undefined {
  if (!isNotebookRunScript(command)) {
    return undefined;
  }
  const m = /^papermill .* -b '([A-Za-z0-9+/=]*)' --log-output$/m.exec(command);
  return m ? decodeParameters(m[1]) : undefined;
}
