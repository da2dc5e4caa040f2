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
 *
 * MLflow: when the job has `MLFLOW_TRACKING_URI` (PrimeHub and PrimeHub Local set it, with the
 * group's `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` or `_TOKEN` and `MLFLOW_WORKSPACE`, in jobs of a
 * group with MLflow; `MLFLOW_TRACKING_SERVER_CERT_PATH` and `MLFLOW_TRACKING_INSECURE_TLS` are
 * honoured too, proxies are not used) and the image has the `mlflow` package, the job is an MLflow
 * run: the script creates it (run name: the job's name; params: the notebook parameters; tags:
 * `primehub.job_id`, `primehub.sweep_id`, `primehub.group`, and MLflow's own `mlflow.user` and
 * `mlflow.source.name`, the notebook's path), gives the kernel `MLFLOW_RUN_ID` and
 * `MLFLOW_EXPERIMENT_ID` and a startup file that makes that run the kernel's active run on the
 * notebook's first `import mlflow` (KERNEL_STARTUP_PY), so that the notebook's `mlflow.log_*`
 * calls and autologging land in that run (and runs it starts itself in that experiment), uploads the output notebook to the run's
 * artifacts (served artifacts, `mlflow-artifacts:`; other stores get a note) and ends the run
 * FINISHED, FAILED (papermill failed) or KILLED (SIGTERM/SIGINT: a cancel or a deadline). This is
 * Python of the standard library speaking MLflow's REST API (`import mlflow` alone takes over a
 * second); any MLflow failure is one `MLflow: ...` line in the job's log and the notebook runs as
 * it would without MLflow. Without the variable the script runs exactly as before; without the
 * package, too, after a Python start that finds none.
 *
 * The run's experiment is the one the notebook's own calls would use, since mlflow refuses to
 * resume a run of another experiment after `mlflow.set_experiment`: the first
 * `set_experiment(...)` in the notebook's code when its argument is a string, a number, a
 * parameter of the notebook or a variable assigned a string; else the notebook's file name without
 * `.ipynb`, whatever `MLFLOW_EXPERIMENT_NAME` the job has (PrimeHub Local gives every job `Default`):
 * the kernel gets `MLFLOW_EXPERIMENT_ID` instead, and no name to contradict it. When the notebook names its
 * experiment only as it runs (any other argument) or sends its logging to another tracking server
 * (`set_tracking_uri` with another URL), the job's run still records the job, but the kernel gets
 * no run id: the notebook's own logging makes runs of its own, as it would without this script.
 */
import { utf8ToBase64 } from '../base64';
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

/**
 * Python (standard library only: it must start fast) of a job's MLflow run, see the module comment:
 * `<notebook> <parameters base64> <info base64> <output notebook> <artifact name>`. Started in the
 * background, it checks the image's `mlflow` (without importing it), creates the run and writes
 * `<run id> <experiment id> kernel|job` to its stdout (`-` for no run); then it logs the
 * parameters while the notebook runs and waits for the shell's signal: USR1 (papermill succeeded:
 * FINISHED), USR2 (FAILED) or TERM (cancelled: KILLED; also when the shell is gone). Then it uploads
 * the output notebook and ends the run. Problems are one `MLflow: ...` line on stderr, never an exit
 * code; credentials only go into request headers.
 *
 * How it finds the notebook's own experiment: the first `set_experiment(...)` of its code cells
 * whose argument is a string, a number, a parameter or a variable assigned a string; another
 * argument is "?" (known only as the notebook runs). It is kept short, with no comments: it is in
 * every notebook job's command and in the browser bundle.
 */
const MLFLOW_PY = String.raw`import signal
SIGNALS = {signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
import base64, json, os, re, sys, time
from urllib.parse import quote, urlencode, urlsplit

E = os.environ
API = "/api/2.0/mlflow/"
STR = "\"[^\"\\n]*\"|'[^'\\n]*'"
told = []


class Failed(Exception):
    pass


def note(msg):
    print("MLflow:", msg, file=sys.stderr, flush=True)


def connect():
    global url, where, conn
    url = urlsplit(E["MLFLOW_TRACKING_URI"].strip())
    where = "%s://%s%s" % (url.scheme, url.netloc.rpartition("@")[2], url.path)
    import http.client
    if url.scheme == "http":
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    elif url.scheme == "https":
        import ssl
        tls = ssl.create_default_context(cafile=E.get("MLFLOW_TRACKING_SERVER_CERT_PATH") or None)
        if E.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
            tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=10, context=tls)
    else:
        raise Failed("MLFLOW_TRACKING_URI is no http(s) URL")


def call(method, path, body=None, size=None):
    h = {"Content-Type": "application/json"}
    user, password = E.get("MLFLOW_TRACKING_USERNAME"), E.get("MLFLOW_TRACKING_PASSWORD")
    if user and password:
        h["Authorization"] = "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
    elif E.get("MLFLOW_TRACKING_TOKEN"):
        h["Authorization"] = "Bearer " + E["MLFLOW_TRACKING_TOKEN"]
    if E.get("MLFLOW_WORKSPACE", "").strip():
        h["X-MLFLOW-WORKSPACE"] = E["MLFLOW_WORKSPACE"].strip()
    if size is None:
        body = body and json.dumps(body).encode()
    else:
        h["Content-Length"] = str(size)
    conn.request(method, url.path.rstrip("/") + path, body, h)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        try:
            err = json.loads(data)
        except ValueError:
            err = {}
        raise Failed("HTTP %d" % r.status, err.get("error_code", ""), str(err.get("message", ""))[:200])
    return json.loads(data or "{}")


def why(e):
    if isinstance(e, OSError):
        return "%s did not answer: %s" % (where, e.strerror or e)
    a = e.args or (type(e).__name__,)
    if a[0] in ("HTTP 401", "HTTP 403"):
        return a[0] + ": check the group's MLflow credentials"
    return " ".join(map(str, a))


def choice(path, params):
    with open(path, encoding="utf-8") as f:
        code = "\n".join("".join(c["source"]) for c in json.load(f)["cells"] if c["cell_type"] == "code")

    def value(v):
        if v[0] in "\"'" or v.isdigit():
            return v.strip("\"'")
        if v in params:
            return str(params[v]) if type(params[v]) in (str, int) else None
        m = re.search(r"^%s *= *(%s)" % (v, STR), code, re.M)
        return m and m[1][1:-1]

    m = re.search(r"set_experiment\( *(?:experiment_(name|id) *= *)?(%s|\w+) *\)" % STR, code)
    kind = m and value(m[2]) and (m[1] or "name", value(m[2])) or "set_experiment(" in code and ("?", "")
    m = re.search(r"set_tracking_uri\( *(%s)" % STR, code)
    return kind or (None, None), m and m[1][1:-1].rstrip("/") != E["MLFLOW_TRACKING_URI"].strip().rstrip("/")


def experiment(name):
    for again in (False, True):
        try:
            return call("GET", API + "experiments/get-by-name?" + urlencode({"experiment_name": name}))[
                "experiment"]["experiment_id"]
        except Failed as e:
            if e.args[1] != "RESOURCE_DOES_NOT_EXIST" or again:
                raise
        try:
            return call("POST", API + "experiments/create", {"name": name})["experiment_id"]
        except Failed as e:
            if e.args[1] != "RESOURCE_ALREADY_EXISTS":
                raise


def start(notebook, params, info):
    params, info = json.loads(base64.b64decode(params)), json.loads(base64.b64decode(info))
    source = info.get("notebookPath") or notebook
    connect()
    try:
        (kind, chosen), other = choice(notebook, params)
    except Exception:
        kind = chosen = other = None
    if kind == "id":
        eid, label = chosen, "id " + chosen
    else:
        label = kind == "name" and chosen or os.path.basename(source).lstrip(".").rsplit(".ipynb", 1)[0] or "notebook"
        eid, label = experiment(label), '"%s"' % label
    user = E.get("PRIMEHUB_USER") or E.get("USER")
    tags = {"mlflow.user": user, "mlflow.source.name": source, "mlflow.source.type": "NOTEBOOK",
            "primehub.job_id": E.get("PHJOB_NAME"), "primehub.sweep_id": info.get("sweepId"),
            "primehub.group": E.get("PRIMEHUB_GROUP")}
    run = call("POST", API + "runs/create", {
        "experiment_id": eid, "start_time": int(time.time() * 1000), "user_id": user,
        "run_name": info.get("runName") or E.get("PHJOB_NAME"),
        "tags": [{"key": k, "value": v} for k, v in tags.items() if v]})["run"]["info"]
    ids = run["run_id"], run["experiment_id"]
    if not re.fullmatch(r"[\w-]+ [\w-]+", " ".join(ids), re.A):
        raise Failed("unexpected ids", ids)
    kernel = not other and kind != "?"
    print(*ids, kernel and "kernel" or "job", flush=True)
    os.dup2(2, 1)
    told.append(1)
    note('run "%s" in experiment %s: %s/#/experiments/%s/runs/%s' % (
        run.get("run_name", ""), label, where.rstrip("/"), ids[1], ids[0]))
    if not kernel:
        note("the notebook sets its experiment or server as it runs: its own logging makes runs of its own")
    items = [{"key": k, "value": str(v)[:6000]} for k, v in params.items()]
    try:
        for i in range(0, len(items), 100):
            call("POST", API + "runs/log-batch", {"run_id": ids[0], "params": items[i:i + 100]})
    except Exception as e:
        note("the parameters were not logged (%s)" % why(e))
    return run


def end(run, status, path, name):
    conn.close()
    art = urlsplit(run.get("artifact_uri", ""))
    try:
        if os.path.isfile(path):
            if art.scheme != "mlflow-artifacts" or art.netloc:
                raise Failed("the job cannot upload to %s:" % art.scheme)
            with open(path, "rb") as f:
                call("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + quote(art.path.strip("/") + "/" + name), f,
                     os.path.getsize(path))
    except Exception as e:
        note("the output notebook is only in the job's artifacts (%s)" % why(e))
    call("POST", API + "runs/update", {"run_id": run["run_id"], "status": status, "end_time": int(time.time() * 1000)})


def main(notebook, params, info, path, name):
    from importlib.machinery import PathFinder
    if not PathFinder.find_spec("mlflow"):
        return
    if E.get("MLFLOW_RUN_ID"):
        return note("not tracked: the job already has MLFLOW_RUN_ID")
    try:
        run = start(notebook, params, info)
    except Exception as e:
        return note("not tracked (%s); the notebook runs as before" % why(e))
    shell, got = os.getppid(), None
    while not got and os.getppid() == shell:
        got = signal.sigtimedwait(SIGNALS, 1)
    try:
        end(run, {signal.SIGUSR1: "FINISHED", signal.SIGUSR2: "FAILED"}.get(got and got.si_signo, "KILLED"), path, name)
    except Exception as e:
        note("the run's end was not recorded (%s)" % why(e))


try:
    main(*sys.argv[1:])
except Exception as e:
    note("not tracked (%s: %s)" % (type(e).__name__, e))
if not told:
    print("-", flush=True)
sys.stderr.flush()
os._exit(0)
`;

/**
 * Python the kernel runs at its start (IPython's `PYTHONSTARTUP`) in a job that is an MLflow run:
 * on the notebook's first `import mlflow`, the job's run becomes its active run. Resumed only
 * through `MLFLOW_RUN_ID`, the run would be ended by the first autologged `fit` (autologging ends
 * a run it started) and the notebook's later `log_metric` would land in a new run of its own. The
 * variable is then consumed, as MLflow does when it resumes a run from it, so that a nested run is
 * a new one under the job's. When the notebook starts a run itself (not nested), the job's run is
 * taken off the stack first and `MLFLOW_RUN_ID` put back, so `mlflow.start_run()` behaves as MLflow
 * documents it. A startup file the job had is run after. Failures are one `MLflow: ...` line; the
 * notebook runs on. Kept short (it is in every notebook job's command and in the browser bundle):
 * the import hook `F` is a class whose `find_spec` Python calls on the class itself.
 */
const KERNEL_STARTUP_PY = String.raw`def _ph():
 import os,sys,importlib.util as u
 E=os.environ;j,p=E.get("MLFLOW_RUN_ID",""),E.pop("PRIMEHUB_PYTHONSTARTUP","")
 def on(m):
  try:
   from mlflow.tracking import fluent as f
   if E.get("MLFLOW_RUN_ID")!=j or f._active_run_stack.get():return
   a=f.start_run(run_id=j);E.pop("MLFLOW_RUN_ID",None)
  except Exception as e:return print("MLflow: the job's run is not active in the notebook (%s: %s)"%(type(e).__name__,e),file=sys.stderr)
  s=f.start_run
  def r(*x,**k):
   t=f._active_run_stack.get()
   if not k.get("nested",len(x)>3 and x[3]) and len(t)==1 and t[0] is a:t.pop();E["MLFLOW_RUN_ID"]=j
   return s(*x,**k)
  f.start_run=m.start_run=r
 class F:
  def find_spec(n,*_):
   if n!="mlflow":return
   sys.meta_path.remove(F);c=u.find_spec(n);x=getattr(c and c.loader,"exec_module",None)
   if x:
    def y(m):x(m);on(m)
    c.loader.exec_module=y
   return c
 if j:sys.meta_path.insert(0,F)
 return p
_ph=_ph()
if _ph:exec(compile(open(_ph,"rb").read(),_ph,"exec"))
del _ph
`;

/** The MLflow Python as the script holds it: without blank lines, indented by one space a level. */
const MLFLOW_SCRIPT_PY = MLFLOW_PY.split('\n')
  .filter(l => l.trim() !== '')
  .map(l => l.replace(/^(?: {4})+/, m => ' '.repeat(m.length / 4)))
  .join('\n');

/** What names and tags a job's MLflow run (see the module comment); all optional. */
export interface NotebookRunTracking {
  /** The run's name: the job's name (default: the job's id, `PHJOB_NAME`). */
  runName?: string;
  /** The notebook as its user knows it, e.g. its path on the group volume (default: the path the job reads). */
  notebookPath?: string;
  /** What identifies the sweep the job is one combination of (tag `primehub.sweep_id`). */
  sweepId?: string;
}

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
  /** Names and tags of the job's MLflow run, where the job is one (see the module comment). */
  tracking?: NotebookRunTracking;
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
  const input = rooted(plan.input, 'input');
  // what a TERM or INT did before the MLflow run's traps, for a job that is no run after all
  const traps = plan.removeOnExit ? "trap 'exit 143' TERM; trap 'exit 130' INT" : 'trap - TERM INT';
  lines.push(
    // a shell function, so the papermill line below stays the same on every image
    `pm=papermill; if command -v papermill >/dev/null 2>&1 && command -v ${FAST_PAPERMILL} >/dev/null 2>&1; then papermill() { ${FAST_PAPERMILL} "$@"; }; pm=${FAST_PAPERMILL}; fi`,
    `cd -- ${rooted(plan.workdir, 'workdir')} || exit 1`,
    // the job's MLflow run (see the module comment): its helper process, and the line it started the run with
    'mlflow_pid=; mlflow_out=; nb=; mlflow_startup=',
    // the kernel's own new runs go to the run's experiment: an MLFLOW_EXPERIMENT_NAME left beside would contradict it
    'mlflow_kernel() { if [ "$3" = kernel ]; then unset MLFLOW_EXPERIMENT_NAME; export MLFLOW_RUN_ID="$1" MLFLOW_EXPERIMENT_ID="$2"; mlflow_active; fi; }',
    // the kernel's startup file that keeps the job's run active in the notebook (KERNEL_STARTUP_PY)
    `mlflow_active() { if mlflow_startup="$(mktemp 2>/dev/null)" && printf '%s\\n' ${shellQuote(KERNEL_STARTUP_PY)} > "$mlflow_startup"; then export PRIMEHUB_PYTHONSTARTUP="\${PYTHONSTARTUP:-}" PYTHONSTARTUP="$mlflow_startup"; fi; }`,
    // forgotten first: a TERM during the end must not end the run twice
    'mlflow_end() { set -- "$mlflow_pid" "$1"; mlflow_pid=; if [ -n "$1" ] && kill "-$2" "$1" 2>/dev/null; then wait "$1"; fi; [ -z "$mlflow_startup" ] || rm -f -- "$mlflow_startup"; }',
    `mlflow_stop() { trap '' TERM INT; if [ -n "$nb" ]; then kill -TERM "$nb" 2>/dev/null; wait "$nb"; fi; mlflow_end TERM; exit "$1"; }`,
    'if [ -n "${MLFLOW_TRACKING_URI:-}" ] && mlflow_py="$(command -v python3 || command -v python)"; then',
    // a file, not a FIFO: PrimeHub Local's sandbox allows no mknod
    '  if mlflow_file="$(mktemp 2>/dev/null)"; then',
    `    mlflow_code=${shellQuote(MLFLOW_SCRIPT_PY)}`,
    "    trap 'mlflow_stop 143' TERM; trap 'mlflow_stop 130' INT",
    `    "$mlflow_py" -c "$mlflow_code" ${input} ${shellQuote(b64)} ${shellQuote(trackingInfo(plan.tracking))} ${target} ${shellQuote(artifact)} > "$mlflow_file" &`,
    '    mlflow_pid=$!',
    // the helper writes one line, also for no run (`-`); a shell has no lighter wait for it than this
    '    while [ ! -s "$mlflow_file" ] && kill -0 "$mlflow_pid" 2>/dev/null; do sleep 0.01 2>/dev/null || sleep 1; done',
    '    read -r mlflow_out < "$mlflow_file"',
    '    rm -f -- "$mlflow_file"',
    // the helper's words are ids it checked, never user text
    `    if [ -n "$mlflow_out" ] && [ "$mlflow_out" != - ]; then mlflow_kernel $mlflow_out; else mlflow_pid=; ${traps}; fi`,
    `  else echo 'MLflow: not tracked (no mktemp in the image); the notebook runs as before' >&2; fi`,
    'fi',
    'run_notebook() {',
    `papermill ${input} ${target} -b ${shellQuote(b64)} --log-output`,
    '}',
    // A run's papermill goes to the background, as the `exec`ed process `nb` that a cancel stops:
    // a trapped TERM would wait for a foreground command to end.
    `if [ -z "$mlflow_pid" ]; then run_notebook; rc=$?; else { papermill() { exec "$pm" "$@"; }; run_notebook; } & nb=$!; wait "$nb"; rc=$?; nb=; fi`
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
    'if [ "$rc" -eq 0 ]; then mlflow_end USR1; else mlflow_end USR2; fi',
    'exit $rc'
  );
  return lines.join('\n');
}

/** The run's names and tags for the MLflow start step: base64 JSON, never shell text. */
function trackingInfo(tracking: NotebookRunTracking = {}): string {
  const info: Record<string, string> = {};
  for (const key of ['runName', 'notebookPath', 'sweepId'] as const) {
    const value = tracking[key];
    if (value !== undefined) {
      if (typeof value !== 'string') {
        throw new ValidationError(`tracking.${key} must be a string`);
      }
      info[key] = value;
    }
  }
  return utf8ToBase64(JSON.stringify(info));
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
