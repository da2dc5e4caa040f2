/**
 * A notebook job's run script (`buildNotebookRunScript`) against a real `mlflow server` (the .venv's mlflow
 * 3, SQLite store, served artifacts): run under `bash -c` as a job runs it, with the .venv first on PATH, it
 * makes the job an MLflow run that the notebook's own `log_metric` and sklearn autologging land in, with the
 * job's name, the notebook parameters, its tags and the output notebook, ended FINISHED, FAILED or KILLED.
 * Without MLflow, or with an MLflow that is down or refuses the job, the notebook runs as before. A second
 * server with MLflow's basic-auth app checks the credentials variables.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNotebookRunScript, type NotebookRunPlan } from '../../shared-client/src/notebook/runScript';
import { requires, venvPython } from '../../shared-client/src/testing/paths';
import { freePort } from '../client/support';
import { notebookJson, type TestCell } from '../kit/notebook';

const BIN = join(venvPython(), '..');
const START_MS = 180_000;

interface Run {
  info: { run_id: string; run_name: string; experiment_id: string; status: string; artifact_uri: string };
  data: {
    params?: { key: string; value: string }[];
    metrics?: { key: string; value: number }[];
    tags?: { key: string; value: string }[];
  };
}

/** `mlflow server` as PrimeHub Local runs it (one worker, SQLite, served artifacts); resolves once /health answers. */
async function startMlflow(dir: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    join(BIN, 'mlflow'),
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'm.db')}`,
      '--artifacts-destination',
      join(dir, 'art'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
      ...args
    ],
    { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, ...env } }
  );
  const url = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + START_MS; ; await new Promise(r => setTimeout(r, 250))) {
    if (child.exitCode !== null) {
      throw new Error(`mlflow server exited with ${child.exitCode}`);
    }
    if (
      await fetch(`${url}/health`).then(
        r => r.ok,
        () => false
      )
    ) {
      return { url, child };
    }
    if (Date.now() > until) {
      throw new Error(`mlflow server did not answer /health within ${START_MS} ms`);
    }
  }
}

/** Processes (of this user) whose environment names a job: the job's kernel runs in a session of its own. */
function processesOf(jobId: string): number[] {
  return readdirSync('/proc')
    .filter(p => /^\d+$/.test(p))
    .filter(p => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`PHJOB_NAME=${jobId}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function stopGroup(child: ChildProcess | undefined): void {
  try {
    process.kill(-child!.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('notebook jobs as MLflow runs, against a real MLflow', () => {
  let dir: string;
  let mlflow: { url: string; child: ChildProcess };
  let jobs = 0;

  beforeAll(async () => {
    requires(
      existsSync(join(BIN, 'mlflow')) && existsSync(join(BIN, 'papermill')),
      'the .venv with mlflow and papermill'
    );
    dir = mkdtempSync(join(tmpdir(), 'phc-mlflow-nb-'));
    for (const d of ['home', 'volume/nbs']) {
      mkdirSync(join(dir, d), { recursive: true });
    }
    mlflow = await startMlflow(join(dir, 'mlflow'));
  }, START_MS + 10_000);

  afterAll(() => {
    stopGroup(mlflow?.child);
    rmSync(dir, { recursive: true, force: true });
  });

  /** MLflow's REST API, as a test reads it back. */
  async function rest<T>(
    path: string,
    body?: object,
    headers: Record<string, string> = {},
    url = mlflow.url
  ): Promise<T> {
    const res = await fetch(`${url}/api/2.0/mlflow/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', ...headers },
      body: body ? JSON.stringify(body) : undefined
    });
    if (!res.ok) {
      throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
  }

  /** The runs tagged with a job's id, in any experiment. */
  async function runsOf(jobId: string, url = mlflow.url, headers: Record<string, string> = {}): Promise<Run[]> {
    const { experiments } = await rest<{ experiments: { experiment_id: string }[] }>(
      'experiments/search',
      { max_results: 1000 },
      headers,
      url
    );
    const { runs } = await rest<{ runs?: Run[] }>(
      'runs/search',
      { experiment_ids: experiments.map(e => e.experiment_id), filter: `tags."primehub.job_id" = '${jobId}'` },
      headers,
      url
    );
    return runs ?? [];
  }

  interface JobResult {
    id: string;
    status: number | null;
    log: string;
    output: string;
  }

  /**
   * Writes a notebook under nbs/ and runs its job script as a job would (detached, so a test can signal the
   * script alone); `whileRunning` gets the script's pid once the log shows `ready`.
   */
  async function runJob(
    name: string,
    cells: TestCell[],
    opts: {
      parameters?: NotebookRunPlan['parameters'];
      env?: Record<string, string>;
      ready?: string;
      whileRunning?: (pid: number) => void | Promise<void>;
    } = {}
  ): Promise<JobResult> {
    const id = `job-nb-${++jobs}-${name}`;
    writeFileSync(join(dir, 'volume', 'nbs', `${name}.ipynb`), JSON.stringify(notebookJson(cells)));
    const script = buildNotebookRunScript({
      input: { root: 'volume', path: `nbs/${name}.ipynb` },
      workdir: { root: 'volume', path: 'nbs' },
      output: { root: 'volume', path: `nbs/${name}-${id}-output.ipynb` },
      artifactName: `${name}-output.ipynb`,
      volumeFallback: join(dir, 'volume'),
      parameters: opts.parameters ?? {},
      tracking: { runName: `${name} job`, notebookPath: `nbs/${name}.ipynb`, sweepId: 'sweep-7' }
    });
    const child = spawn('bash', ['-c', script], {
      detached: true,
      env: {
        PATH: `${BIN}:/usr/local/bin:/usr/bin:/bin`,
        HOME: join(dir, 'home'),
        LANG: 'C.UTF-8',
        PYTHONUNBUFFERED: '1',
        PRIMEHUB_USER: 'alice',
        PRIMEHUB_GROUP: 'phusers',
        PRIMEHUB_GROUP_VOLUME_PATH: join(dir, 'volume'),
        PHJOB_NAME: id,
        MLFLOW_TRACKING_URI: mlflow.url,
        ...opts.env
      }
    });
    let log = '';
    child.stdout!.on('data', d => (log += d));
    child.stderr!.on('data', d => (log += d));
    const status = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id} did not end:\n${log}`)), 240_000);
      child.on('close', code => {
        clearTimeout(timer);
        resolve(code);
      });
      if (opts.ready) {
        const poll = setInterval(() => {
          if (log.includes(opts.ready!)) {
            clearInterval(poll);
            void opts.whileRunning?.(child.pid!);
          }
        }, 50);
        child.on('close', () => clearInterval(poll));
      }
    });
    // every process of the job ends with it (a killed orphan once init reaps it; its kernel within a
    // few seconds, as it sees papermill gone)
    const inGroup = () => spawnSync('pgrep', ['-g', String(child.pid)]).status !== 1;
    for (const until = Date.now() + 10_000; inGroup() && Date.now() < until; ) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(inGroup()).toBe(false);
    for (const until = Date.now() + 10_000; processesOf(id).length > 0 && Date.now() < until; ) {
      await new Promise(r => setTimeout(r, 200));
    }
    expect(processesOf(id)).toEqual([]);
    const outputFile = join(dir, 'home', 'artifacts', `${name}-output.ipynb`);
    return { id, status, log, output: existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '' };
  }

  const mlflowLines = (log: string) => log.split('\n').filter(l => l.startsWith('MLflow:'));

  async function artifactText(run: Run, file: string): Promise<string> {
    const path = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    const res = await fetch(`${mlflow.url}/api/2.0/mlflow-artifacts/artifacts/${path}/${file}`);
    expect(res.status).toBe(200);
    return res.text();
  }

  test("the notebook's log_metric lands in the job's run: its name, parameters, tags, output notebook, FINISHED", async () => {
    const job = await runJob(
      'metrics',
      [
        { source: 'a = 1\nnote = "x"\n', tags: ['parameters'] },
        { source: 'import mlflow\nmlflow.log_metric("double", a * 2)\nprint("logged", a * 2)' }
      ],
      { parameters: { a: 21, note: "it's $(id)" } }
    );
    expect({ status: job.status, log: job.log }).toMatchObject({ status: 0 });
    expect(job.output).toContain('logged 42');
    const [run, ...more] = await runsOf(job.id);
    expect(more).toEqual([]);
    expect(run.info).toMatchObject({ run_name: 'metrics job', status: 'FINISHED' });
    const { experiment } = await rest<{ experiment: { name: string } }>(
      `experiments/get?experiment_id=${run.info.experiment_id}`
    );
    expect(experiment.name).toBe('metrics');
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'a', value: '21' },
        { key: 'note', value: "it's $(id)" }
      ])
    );
    expect(run.data.params).toHaveLength(2);
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'double', value: 42 })]);
    expect(Object.fromEntries(run.data.tags!.map(t => [t.key, t.value]))).toMatchObject({
      'primehub.job_id': job.id,
      'primehub.sweep_id': 'sweep-7',
      'mlflow.source.name': 'nbs/metrics.ipynb',
      'mlflow.user': 'alice',
      'mlflow.runName': 'metrics job'
    });
    expect(JSON.parse(await artifactText(run, 'metrics-output.ipynb'))).toEqual(JSON.parse(job.output));
    expect(mlflowLines(job.log)).toEqual([
      `MLflow: run "metrics job" in experiment "metrics": ${mlflow.url}/#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}`
    ]);
  });

  test('sklearn autologging on iris, in the experiment the notebook sets, lands in the same run', async () => {
    const job = await runJob(
      'iris',
      [
        { source: 'max_iter = 100\n', tags: ['parameters'] },
        {
          source: [
            'import mlflow, mlflow.sklearn',
            'from sklearn.datasets import load_iris',
            'from sklearn.linear_model import LogisticRegression',
            'mlflow.set_experiment("iris-autolog")',
            'mlflow.sklearn.autolog(log_models=False)',
            'X, y = load_iris(return_X_y=True)',
            'clf = LogisticRegression(max_iter=max_iter).fit(X, y)',
            // after autologging's fit, as in the tutorial: still the job's run
            'mlflow.log_metric("accuracy", clf.score(X, y))'
          ].join('\n')
        }
      ],
      { parameters: { max_iter: 300 } }
    );
    expect({ status: job.status, log: job.log }).toMatchObject({ status: 0 });
    const [run, ...more] = await runsOf(job.id);
    expect(more).toEqual([]);
    expect(run.info).toMatchObject({ run_name: 'iris job', status: 'FINISHED' });
    const { experiment } = await rest<{ experiment: { name: string } }>(
      `experiments/get?experiment_id=${run.info.experiment_id}`
    );
    expect(experiment.name).toBe('iris-autolog');
    const params = Object.fromEntries(run.data.params!.map(p => [p.key, p.value]));
    // the notebook parameter and the estimator's, from autologging
    expect(params).toMatchObject({ max_iter: '300', C: '1.0' });
    expect(run.data.metrics!.map(m => m.key)).toEqual(expect.arrayContaining(['training_accuracy_score', 'accuracy']));
    expect(JSON.parse(await artifactText(run, 'iris-output.ipynb'))).toHaveProperty('cells');
  });

  test("runs the notebook starts itself: the first is the job's, as MLFLOW_RUN_ID makes it, the next its own", async () => {
    const job = await runJob('own-runs', [
      { source: 'n = 2\n', tags: ['parameters'] },
      {
        source: [
          'import mlflow',
          'mlflow.log_metric("before", 1)',
          'ids = []',
          'for i in range(n):',
          '    with mlflow.start_run() as run:',
          '        mlflow.log_param("i", i)',
          '        ids.append(run.info.run_id)',
          'assert len(set(ids)) == 2, ids'
        ].join('\n')
      }
    ]);
    expect({ status: job.status, log: job.log }).toMatchObject({ status: 0 });
    const [run, ...more] = await runsOf(job.id);
    expect(more).toEqual([]);
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.params).toEqual(expect.arrayContaining([{ key: 'i', value: '0' }]));
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'before', value: 1 })]);
  });

  test('a notebook that raises is a FAILED run with its output notebook, the job failing as before', async () => {
    const job = await runJob('fails', [
      { source: 'a = 1\n', tags: ['parameters'] },
      { source: 'import mlflow\nmlflow.log_metric("before", 1)\nraise ValueError("boom")' }
    ]);
    expect(job.status).toBe(1);
    expect(job.log).toMatch(/ValueError: boom/);
    const [run] = await runsOf(job.id);
    expect(run.info.status).toBe('FAILED');
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'before', value: 1 })]);
    expect(await artifactText(run, 'fails-output.ipynb')).toContain('boom');
  });

  test('a cancelled job (SIGTERM to its script) is a KILLED run, its notebook stopped', async () => {
    const job = await runJob(
      'cancelled',
      [
        { source: 'a = 1\n', tags: ['parameters'] },
        {
          source: 'import mlflow, time\nmlflow.log_metric("started", 1)\nprint("sleeping", flush=True)\ntime.sleep(300)'
        }
      ],
      { ready: 'sleeping', whileRunning: pid => void process.kill(pid, 'SIGTERM') }
    );
    expect(job.status).toBe(143);
    const [run] = await runsOf(job.id);
    expect(run.info.status).toBe('KILLED');
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'started' })]);
    // nothing ends it otherwise afterwards (the kernel left without mlflow's atexit end_run)
    await new Promise(r => setTimeout(r, 3000));
    expect((await runsOf(job.id))[0].info.status).toBe('KILLED');
  });

  test('without MLFLOW_TRACKING_URI the job runs exactly as before: no run, no MLflow line', async () => {
    const job = await runJob('plain', [{ source: 'a = 1\n', tags: ['parameters'] }, { source: 'print("a is", a)' }], {
      parameters: { a: 5 },
      env: { MLFLOW_TRACKING_URI: '' }
    });
    expect(job.status).toBe(0);
    expect(job.output).toContain('a is 5');
    expect(mlflowLines(job.log)).toEqual([]);
    expect(await runsOf(job.id)).toEqual([]);
  });

  test('an MLflow that does not answer is one line in the log; the job succeeds', async () => {
    const closed = await freePort();
    const job = await runJob('down', [{ source: 'a = 1\n', tags: ['parameters'] }, { source: 'print("a is", a)' }], {
      env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${closed}` }
    });
    expect(job.status).toBe(0);
    expect(job.output).toContain('a is 1');
    expect(mlflowLines(job.log)).toEqual([
      `MLflow: not tracked (http://127.0.0.1:${closed} did not answer: Connection refused); the notebook runs as before`
    ]);
  });

  describe("MLflow's basic-auth app", () => {
    let secured: { url: string; child: ChildProcess };
    const admin = { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: 'a-Secret-pw-1' };
    const auth = { authorization: `Basic ${Buffer.from('admin:a-Secret-pw-1').toString('base64')}` };

    beforeAll(async () => {
      const home = join(dir, 'mlflow-auth');
      mkdirSync(home);
      writeFileSync(
        join(home, 'auth.ini'),
        [
          '[mlflow]',
          'default_permission = READ',
          `database_uri = sqlite:///${join(home, 'auth.db')}`,
          'admin_username = admin',
          `admin_password = ${admin.MLFLOW_TRACKING_PASSWORD}`,
          'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
          ''
        ].join('\n')
      );
      secured = await startMlflow(
        home,
        { MLFLOW_AUTH_CONFIG_PATH: join(home, 'auth.ini'), MLFLOW_FLASK_SERVER_SECRET_KEY: 'test-secret-key' },
        ['--app-name', 'basic-auth']
      );
    }, START_MS + 10_000);

    afterAll(() => stopGroup(secured?.child));

    test('with the credentials the job is a run; with a wrong password a note, and the notebook runs', async () => {
      const cells = [
        { source: 'a = 1\n', tags: ['parameters'] },
        { source: 'import os\nprint("a is", a, "run", os.environ.get("MLFLOW_RUN_ID"))' }
      ];
      const ok = await runJob('secured', cells, { env: { MLFLOW_TRACKING_URI: secured.url, ...admin } });
      expect({ status: ok.status, log: ok.log }).toMatchObject({ status: 0 });
      const [run] = await runsOf(ok.id, secured.url, auth);
      expect(run.info).toMatchObject({ run_name: 'secured job', status: 'FINISHED' });
      expect(ok.output).toContain(`run ${run.info.run_id}`);
      expect(ok.log).not.toContain(admin.MLFLOW_TRACKING_PASSWORD);

      const refused = await runJob('refused', cells, {
        env: { MLFLOW_TRACKING_URI: secured.url, ...admin, MLFLOW_TRACKING_PASSWORD: 'wrong' }
      });
      expect(refused.status).toBe(0);
      expect(refused.output).toContain('a is 1 run None');
      expect(mlflowLines(refused.log)).toEqual([
        "MLflow: not tracked (HTTP 401: check the group's MLflow credentials); the notebook runs as before"
      ]);
    });
  });
});
