import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { MlflowAccounts, mlflowAuthFiles } from '../../packages/local-server/src/mlflow/MlflowAccounts';
import type { MlflowStatus } from '../../packages/local-server/src/mlflow/MlflowServer';
import { groupMembers } from '../../packages/local-server/src/processes';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { waitFor } from '../kit/wait';

/**
 * Two groups in PrimeHub Local's one MLflow: group alpha logs an experiment, a run with a metric and an artifact,
 * and a registered model with the Python client; then group beta attacks them every way we could think of, over
 * raw HTTP (paths sent byte for byte, so `..` reaches MLflow) and with the Python client. Nothing is mocked.
 */

const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
/** A fresh store runs MLflow's migrations (and the auth app's): 10 to 30 s on two busy cores. Ample. */
const START_MS = 180_000;
const TEST_MS = 300_000;
const SECRET_TEXT = 'secret of alpha';

interface Answer {
  status: number;
  text: string;
}

interface Credentials {
  user?: string;
  password?: string;
  workspace?: string;
}

/** One request with the path as given (no URL normalisation), basic auth and the workspace header. */
function http(base: string, method: string, path: string, who: Credentials, body?: unknown): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = {};
  if (who.user !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${who.user}:${who.password ?? ''}`).toString('base64')}`;
  }
  if (who.workspace) {
    headers['x-mlflow-workspace'] = who.workspace;
  }
  let payload: string | undefined;
  if (typeof body === 'string') {
    payload = body;
    headers['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, agent: false, timeout: 60_000 }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', d => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs a Python script with the virtualenv's mlflow client; resolves with its last stdout line, parsed. */
function python(script: string, env: Record<string, string>, args: string[] = []): Promise<any> {
  const home = mkdtempSync(join(tmpdir(), 'phl-mlflow-client-'));
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', script, ...args],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home, PYTHONUNBUFFERED: '1', ...env },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024
      },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        const last = stdout.trim().split('\n').pop() ?? '';
        if (err) {
          reject(new Error(`python failed (${err.message}):\n${stdout}\n${stderr.slice(-4000)}`));
          return;
        }
        try {
          resolve(JSON.parse(last));
        } catch {
          reject(new Error(`python printed no JSON result:\n${stdout}\n${stderr.slice(-4000)}`));
        }
      }
    );
  });
}

/** Group alpha's work, as a training job would log it. */
const LOG_ALPHA = `
import json, mlflow
from mlflow import MlflowClient
mlflow.set_experiment('iris')
with mlflow.start_run(run_name='alpha-run') as run:
    mlflow.log_param('C', 0.5)
    mlflow.log_metric('accuracy', 0.93)
    mlflow.log_text('${SECRET_TEXT}', 'notes/secret.txt')
client = MlflowClient()
client.create_registered_model('iris-model')
version = client.create_model_version('iris-model', f'runs:/{run.info.run_id}/notes', run_id=run.info.run_id)
exp = mlflow.get_experiment_by_name('iris')
print(json.dumps({'run': run.info.run_id, 'exp': exp.experiment_id, 'artifactUri': run.info.artifact_uri,
                  'version': version.version}))
`;

/** A run logged without naming an experiment: it lands in the group's own Default experiment. */
const LOG_DEFAULT = `
import json, mlflow
with mlflow.start_run() as run:
    mlflow.log_metric('m', 1)
print(json.dumps({'exp': run.info.experiment_id, 'name': mlflow.get_experiment(run.info.experiment_id).name}))
`;

/** Group beta with the Python client against alpha's things: each attempt's outcome. */
const ATTACK_WITH_CLIENT = `
import json, sys, tempfile, mlflow
from mlflow import MlflowClient
a = json.loads(sys.argv[1])
c = MlflowClient()
out = {}
def attempt(name, fn):
    try:
        out[name] = {'ok': True, 'value': repr(fn())[:300]}
    except Exception as e:
        out[name] = {'ok': False, 'error': str(e)[:300]}
tmp = tempfile.mkdtemp()
attempt('get_experiment', lambda: c.get_experiment(a['exp']))
attempt('get_run', lambda: c.get_run(a['run']))
attempt('search_runs', lambda: c.search_runs([a['exp']]))
attempt('get_metric_history', lambda: c.get_metric_history(a['run'], 'accuracy'))
attempt('log_metric', lambda: c.log_metric(a['run'], 'evil', 1.0))
attempt('set_tag', lambda: c.set_tag(a['run'], 'evil', '1'))
attempt('log_text', lambda: c.log_text(a['run'], 'evil', 'evil.txt'))
attempt('list_artifacts', lambda: c.list_artifacts(a['run']))
attempt('download_artifacts', lambda: mlflow.artifacts.download_artifacts(run_id=a['run'], artifact_path='notes/secret.txt', dst_path=tmp))
attempt('load_text_by_uri', lambda: mlflow.artifacts.load_text(a['artifactUri'] + '/notes/secret.txt'))
attempt('get_registered_model', lambda: c.get_registered_model('iris-model'))
attempt('get_model_version', lambda: c.get_model_version('iris-model', a['version']))
attempt('download_model', lambda: mlflow.artifacts.download_artifacts('models:/iris-model/' + a['version'], dst_path=tmp))
attempt('create_model_version', lambda: c.create_model_version('iris-model', 'runs:/' + a['run'] + '/notes', run_id=a['run']))
attempt('delete_run', lambda: c.delete_run(a['run']))
# Searches answer, with nothing of alpha's.
attempt('get_experiment_by_name', lambda: c.get_experiment_by_name('iris'))
attempt('search_experiments', lambda: [e.name for e in c.search_experiments()])
attempt('search_registered_models', lambda: [m.name for m in c.search_registered_models()])
attempt('search_model_versions', lambda: [m.name for m in c.search_model_versions()])
print(json.dumps(out))
`;

/** Raw requests of group beta against alpha's things; `answers`: may answer 200 (with nothing of alpha's). */
function attacks(a: Alpha): Array<{ method: string; path: string; body?: unknown; answers?: boolean }> {
  const now = Date.now();
  const { run, exp } = a;
  const art = `workspaces/alpha/${exp}/${run}/artifacts`;
  return [
    { method: 'GET', path: `/api/2.0/mlflow/experiments/get?experiment_id=${exp}` },
    { method: 'GET', path: '/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris', answers: false },
    { method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: { max_results: 100 }, answers: true },
    { method: 'POST', path: '/api/2.0/mlflow/experiments/update', body: { experiment_id: exp, new_name: 'pwned' } },
    { method: 'POST', path: '/api/2.0/mlflow/experiments/delete', body: { experiment_id: exp } },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/experiments/set-experiment-tag',
      body: { experiment_id: exp, key: 'k', value: 'v' }
    },
    { method: 'GET', path: `/api/2.0/mlflow/runs/get?run_id=${run}` },
    { method: 'POST', path: '/api/2.0/mlflow/runs/search', body: { experiment_ids: [exp] }, answers: true },
    { method: 'POST', path: '/api/2.0/mlflow/runs/search', body: { experiment_ids: [] }, answers: true },
    { method: 'POST', path: '/api/2.0/mlflow/runs/create', body: { experiment_id: exp } },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/runs/log-metric',
      body: { run_id: run, key: 'evil', value: 1, timestamp: now }
    },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/runs/log-batch',
      body: { run_id: run, metrics: [{ key: 'evil', value: 1, timestamp: now, step: 0 }] }
    },
    { method: 'POST', path: '/api/2.0/mlflow/runs/set-tag', body: { run_id: run, key: 'evil', value: '1' } },
    { method: 'POST', path: '/api/2.0/mlflow/runs/update', body: { run_id: run, status: 'FAILED' } },
    { method: 'POST', path: '/api/2.0/mlflow/runs/delete', body: { run_id: run } },
    { method: 'GET', path: `/api/2.0/mlflow/metrics/get-history?run_id=${run}&metric_key=accuracy` },
    { method: 'GET', path: `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${run}&metric_key=accuracy` },
    {
      method: 'GET',
      path: `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${run}&metric_key=accuracy`
    },
    { method: 'GET', path: `/api/2.0/mlflow/artifacts/list?run_id=${run}` },
    { method: 'GET', path: `/ajax-api/2.0/mlflow/artifacts/list?run_id=${run}&path=notes` },
    { method: 'GET', path: `/get-artifact?run_id=${run}&path=notes/secret.txt` },
    { method: 'GET', path: `/get-artifact?run_uuid=${run}&path=notes%2Fsecret.txt` },
    { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts/${art}/notes/secret.txt` },
    { method: 'GET', path: `/ajax-api/2.0/mlflow-artifacts/artifacts/${art}/notes/secret.txt` },
    { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts?path=${art}` },
    { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts?path=${art}/notes` },
    { method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts?path=workspaces/alpha' },
    { method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts?path=workspaces', answers: true },
    { method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts', answers: true },
    { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/notes/secret.txt` },
    {
      method: 'GET',
      path: `/api/2.0/mlflow-artifacts/artifacts/workspaces/beta/../alpha/${exp}/${run}/artifacts/notes/secret.txt`
    },
    {
      method: 'GET',
      path: `/api/2.0/mlflow-artifacts/artifacts/workspaces/beta/%2e%2e/alpha/${exp}/${run}/artifacts/notes/secret.txt`
    },
    {
      method: 'GET',
      path: `/api/2.0/mlflow-artifacts/artifacts/workspaces%2falpha/${exp}/${run}/artifacts/notes/secret.txt`
    },
    { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts?path=workspaces/beta/../alpha/${exp}` },
    { method: 'PUT', path: `/api/2.0/mlflow-artifacts/artifacts/${art}/evil.txt`, body: 'EVIL' },
    { method: 'PUT', path: `/api/2.0/mlflow-artifacts/artifacts/${art}/notes/secret.txt`, body: 'EVIL' },
    { method: 'DELETE', path: `/api/2.0/mlflow-artifacts/artifacts/${art}/notes/secret.txt` },
    { method: 'POST', path: `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run}&path=evil.txt`, body: 'EVIL' },
    { method: 'GET', path: '/api/2.0/mlflow/registered-models/get?name=iris-model' },
    { method: 'GET', path: '/api/2.0/mlflow/registered-models/search', answers: true },
    { method: 'GET', path: "/api/2.0/mlflow/registered-models/search?filter=name%3D'iris-model'", answers: true },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/registered-models/rename',
      body: { name: 'iris-model', new_name: 'pwned' }
    },
    {
      method: 'PATCH',
      path: '/api/2.0/mlflow/registered-models/update',
      body: { name: 'iris-model', description: 'pwned' }
    },
    { method: 'DELETE', path: '/api/2.0/mlflow/registered-models/delete', body: { name: 'iris-model' } },
    { method: 'GET', path: `/api/2.0/mlflow/model-versions/get?name=iris-model&version=${a.version}` },
    { method: 'GET', path: "/api/2.0/mlflow/model-versions/search?filter=name%3D'iris-model'", answers: true },
    { method: 'GET', path: '/api/2.0/mlflow/model-versions/search', answers: true },
    { method: 'GET', path: `/api/2.0/mlflow/model-versions/get-download-uri?name=iris-model&version=${a.version}` },
    { method: 'GET', path: `/model-versions/get-artifact?name=iris-model&version=${a.version}&path=secret.txt` },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/model-versions/create',
      body: { name: 'iris-model', source: `runs:/${run}/notes`, run_id: run }
    },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/registered-models/alias',
      body: { name: 'iris-model', alias: 'x', version: a.version }
    },
    { method: 'POST', path: '/api/2.0/mlflow/logged-models/search', body: { experiment_ids: [exp] }, answers: true },
    {
      method: 'POST',
      path: '/graphql',
      body: { query: `query { mlflowGetRun(input: {runId: "${run}"}) { run { info { runName } } } }` },
      answers: true
    },
    {
      method: 'POST',
      path: '/graphql',
      body: { query: `query { mlflowSearchRuns(input: {experimentIds: ["${exp}"]}) { runs { info { runId } } } }` },
      answers: true
    },
    { method: 'GET', path: '/api/3.0/mlflow/workspaces', answers: true },
    { method: 'GET', path: '/api/3.0/mlflow/workspaces/alpha' },
    { method: 'GET', path: '/api/3.0/mlflow/users/roles/list?username=group-alpha' },
    {
      method: 'PATCH',
      path: '/api/2.0/mlflow/users/update-password',
      body: { username: 'group-alpha', password: 'taken-over-password' }
    },
    {
      method: 'POST',
      path: '/api/2.0/mlflow/users/create',
      body: { username: 'intruder', password: 'intruder-password' }
    },
    { method: 'POST', path: '/api/3.0/mlflow/roles/create', body: { workspace: 'alpha', name: 'intruders' } },
    { method: 'POST', path: '/api/3.0/mlflow/roles/assign', body: { username: 'group-beta', role_id: 1 } },
    {
      method: 'POST',
      path: '/api/3.0/mlflow/users/permissions/grant',
      body: { username: 'group-beta', resource_type: 'experiment', resource_id: exp, permission: 'READ' }
    },
    { method: 'POST', path: '/api/3.0/mlflow/workspaces', body: { name: 'beta-too' } }
  ];
}

interface Alpha {
  run: string;
  exp: string;
  artifactUri: string;
  version: string;
  /** Every experiment id of alpha's (its `iris` and its Default). */
  exps: string[];
}

/**
 * Whether an answer holds anything of alpha's. A refusal is only searched for alpha's content: MLflow's error
 * messages echo what was asked for (e.g. "Run with id=… not found").
 */
function leaks(a: Alpha, text: string, status = 200): boolean {
  if (status >= 400) {
    return text.includes(SECRET_TEXT);
  }
  const ids = a.exps.map(id => new RegExp(`"experiment_?[iI]d":\\s*"${id}"`));
  return (
    [a.run, 'iris-model', SECRET_TEXT, 'workspaces/alpha', '"alpha"'].some(marker => text.includes(marker)) ||
    ids.some(re => re.test(text))
  );
}

describe('MLflow keeps the groups of PrimeHub Local apart', () => {
  let server: LocalServerProcess;
  let dirs: DataDir;
  let url: string;
  let A: Record<string, string>;
  let B: Record<string, string>;
  let alpha: Alpha;

  const as = (envs: Record<string, string>, workspace = envs.MLFLOW_WORKSPACE): Credentials => ({
    user: envs.MLFLOW_TRACKING_USERNAME,
    password: envs.MLFLOW_TRACKING_PASSWORD,
    workspace
  });
  const clientEnv = (envs: Record<string, string>, extra: Record<string, string> = {}) => ({
    ...envs,
    MLFLOW_TRACKING_URI: url,
    ...extra
  });

  async function health(): Promise<MlflowStatus> {
    return ((await (await fetch(`${server.baseUrl}/api/health`)).json()) as { mlflow: MlflowStatus }).mlflow;
  }

  /** Waits for `running` after `restarts` restarts; fails at once, with the reason, when MLflow is off. */
  async function running(restarts = 0): Promise<string> {
    const until = Date.now() + START_MS;
    for (;;) {
      const m = await health();
      if (m.state === 'running' && m.restarts === restarts && m.url) {
        return m.url;
      }
      if (m.state === 'disabled' || (m.state === 'stopped' && /not restarted/.test(m.reason ?? ''))) {
        throw new Error(`MLflow is ${m.state}: ${m.reason}\n${server.output}`);
      }
      if (Date.now() > until) {
        const tail = existsSync(dirs.mlflowLog) ? readFileSync(dirs.mlflowLog, 'utf8').slice(-3000) : '(no log)';
        throw new Error(`MLflow not running after ${START_MS} ms: ${JSON.stringify(m)}\n${server.output}\n${tail}`);
      }
      await new Promise(r => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'phl-mlflow-iso-'));
    server = new LocalServerProcess(dataDir, { mlflow: true });
    // The groups exist before the server starts: provisioned when MLflow first becomes ready.
    server.cli('group', 'add', 'alpha');
    server.cli('group', 'add', 'beta');
    await server.launch();
    dirs = new DataDir(dataDir);
    const accounts = new MlflowAccounts(dirs);
    A = accounts.trackingEnvs('alpha');
    B = accounts.trackingEnvs('beta');
  }, 60_000);

  afterAll(async () => {
    await server?.dispose();
  });

  test(
    "once running, every group's account works; the secrets are 0600 and the admin password is nowhere else",
    async () => {
      url = await running();
      for (const envs of [A, B, new MlflowAccounts(dirs).trackingEnvs('phusers')]) {
        const me = await http(url, 'GET', '/api/2.0/mlflow/users/current', as(envs));
        expect([envs.MLFLOW_TRACKING_USERNAME, me.status]).toEqual([envs.MLFLOW_TRACKING_USERNAME, 200]);
      }
      const files = mlflowAuthFiles(dirs);
      // The user store is in MLflow's folder, which only this user can enter.
      expect(existsSync(files.database)).toBe(true);
      expect(statSync(dirs.mlflow).mode & 0o777).toBe(0o700);
      for (const f of [files.secret, files.config]) {
        expect([f, statSync(f).mode & 0o777]).toEqual([f, 0o600]);
      }
      const admin = /^admin_password = (\S+)$/m.exec(readFileSync(files.config, 'utf8'))![1];
      const { pid } = JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
      const cmdlines = groupMembers(pid).map(p => readFileSync(`/proc/${p}/cmdline`, 'utf8'));
      expect(cmdlines.join(' ')).toContain('basic-auth');
      const seen = [
        ...cmdlines,
        readFileSync(dirs.mlflowLog, 'utf8'),
        server.output,
        JSON.stringify(await (await fetch(`${server.baseUrl}/api/health`)).json())
      ].join('\n');
      for (const secret of [admin, A.MLFLOW_TRACKING_PASSWORD, B.MLFLOW_TRACKING_PASSWORD]) {
        expect(seen).not.toContain(secret);
      }
    },
    TEST_MS
  );

  test(
    'group alpha logs an experiment, a run with a metric and an artifact, and a registered model',
    async () => {
      const logged = await python(LOG_ALPHA, clientEnv(A));
      const byDefault = await python(LOG_DEFAULT, clientEnv(A));
      expect(byDefault.name).toBe('Default');
      alpha = { ...logged, exps: [logged.exp, byDefault.exp] };
      expect(alpha.artifactUri).toBe(`mlflow-artifacts:/workspaces/alpha/${alpha.exp}/${alpha.run}/artifacts`);
      // Stored under the data directory, in alpha's workspace folder.
      const stored = join(dirs.mlflowArtifacts, 'workspaces', 'alpha', alpha.exp, alpha.run, 'artifacts', 'notes');
      expect(readFileSync(join(stored, 'secret.txt'), 'utf8')).toBe(SECRET_TEXT);
      // Alpha reads all of it back, also by every route beta will try.
      const art = `workspaces/alpha/${alpha.exp}/${alpha.run}/artifacts/notes/secret.txt`;
      for (const path of [
        `/get-artifact?run_id=${alpha.run}&path=notes/secret.txt`,
        `/api/2.0/mlflow-artifacts/artifacts/${art}`
      ]) {
        expect(await http(url, 'GET', path, as(A))).toEqual({ status: 200, text: SECRET_TEXT });
      }
      const got = await http(url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${alpha.run}`, as(A));
      expect(got.status).toBe(200);
      expect(JSON.parse(got.text).run.data.metrics).toEqual([
        expect.objectContaining({ key: 'accuracy', value: 0.93 })
      ]);
      const model = await http(url, 'GET', '/api/2.0/mlflow/registered-models/get?name=iris-model', as(A));
      expect(model.status).toBe(200);
    },
    TEST_MS
  );

  test(
    "group beta can neither read, change nor list alpha's experiments, runs, artifacts and models (raw HTTP)",
    async () => {
      const failures: string[] = [];
      const variants: Array<[string, Credentials]> = [
        ["beta in beta's workspace", as(B)],
        ["beta sending alpha's workspace", as(B, 'alpha')],
        ['beta without a workspace', as(B, '')],
        ["beta in MLflow's default workspace", as(B, 'default')]
      ];
      for (const [who, creds] of variants) {
        for (const attack of attacks(alpha)) {
          const res = await http(url, attack.method, attack.path, creds, attack.body);
          const failed = res.status >= 400;
          if ((!failed && !attack.answers) || leaks(alpha, res.text, res.status)) {
            failures.push(`${who}: ${attack.method} ${attack.path} -> ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
    TEST_MS
  );

  test(
    "no credentials, a wrong password or another group's user with this password: refused",
    async () => {
      const failures: string[] = [];
      const variants: Array<[string, Credentials]> = [
        ['no credentials', { workspace: 'alpha' }],
        ['alpha with a wrong password', { ...as(A), password: `${A.MLFLOW_TRACKING_PASSWORD}x` }],
        ["alpha's user with beta's password", { ...as(A), password: B.MLFLOW_TRACKING_PASSWORD }],
        ['the admin with a guessed password', { user: 'primehub-admin', password: 'admin', workspace: 'alpha' }]
      ];
      // Reads and writes of each kind (a wrong password costs MLflow a full password hash each time).
      const sample = attacks(alpha).filter(a =>
        /experiments\/get\?|runs\/get|runs\/log-metric|get-artifact\?run_id|mlflow-artifacts\/artifacts\/workspaces\/alpha|registered-models\/get|runs\/search|experiments\/search|model-versions\/create/.test(
          a.path
        )
      );
      expect(sample.length).toBeGreaterThanOrEqual(9);
      for (const [who, creds] of variants) {
        for (const attack of sample) {
          const res = await http(url, attack.method, attack.path, creds, attack.body);
          if (res.status !== 401 || leaks(alpha, res.text, res.status)) {
            failures.push(`${who}: ${attack.method} ${attack.path} -> ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
    TEST_MS
  );

  test(
    "group beta's Python client gets nothing of alpha's, in its own workspace or in alpha's",
    async () => {
      for (const workspace of ['beta', 'alpha']) {
        const out = await python(ATTACK_WITH_CLIENT, clientEnv(B, { MLFLOW_WORKSPACE: workspace }), [
          JSON.stringify(alpha)
        ]);
        const results = out as Record<string, { ok: boolean; value?: string; error?: string }>;
        expect(Object.keys(results)).toHaveLength(19);
        // Only the searches and the lookup by name answer, with nothing of alpha's.
        const answers = new Set([
          'get_experiment_by_name',
          'search_experiments',
          'search_runs',
          'search_registered_models',
          'search_model_versions'
        ]);
        const failures = Object.entries(results)
          .filter(
            ([name, r]) =>
              r.ok &&
              (!answers.has(name) ||
                leaks(alpha, r.value ?? '') ||
                (name === 'get_experiment_by_name' && r.value !== 'None'))
          )
          .map(([name, r]) => `MLFLOW_WORKSPACE=${workspace}: ${name} -> ${r.value}`);
        expect(failures).toEqual([]);
        if (workspace === 'beta') {
          // Beta's own workspace works for beta.
          expect(results.search_experiments).toEqual({ ok: true, value: "['Default']" });
        }
      }
    },
    TEST_MS
  );

  test(
    "alpha's things are as alpha left them",
    async () => {
      const run = JSON.parse((await http(url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${alpha.run}`, as(A))).text).run;
      expect(run.info).toMatchObject({ status: 'FINISHED', lifecycle_stage: 'active', run_name: 'alpha-run' });
      expect(run.data.metrics.map((m: { key: string }) => m.key)).toEqual(['accuracy']);
      expect((run.data.tags ?? []).map((t: { key: string }) => t.key)).not.toContain('evil');
      const exp = JSON.parse(
        (await http(url, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${alpha.exp}`, as(A))).text
      ).experiment;
      expect(exp).toMatchObject({ name: 'iris', lifecycle_stage: 'active' });
      expect((exp.tags ?? []).map((t: { key: string }) => t.key)).not.toContain('k');
      const files = readdirSync(join(dirs.mlflowArtifacts, 'workspaces', 'alpha', alpha.exp, alpha.run, 'artifacts'), {
        recursive: true
      }).map(String);
      expect(files.sort()).toEqual(['notes', join('notes', 'secret.txt')]);
      const model = JSON.parse(
        (await http(url, 'GET', '/api/2.0/mlflow/registered-models/get?name=iris-model', as(A))).text
      ).registered_model;
      expect(model.description ?? '').toBe('');
      expect(model.aliases ?? []).toEqual([]);
      const versions = JSON.parse(
        (await http(url, 'GET', "/api/2.0/mlflow/model-versions/search?filter=name%3D'iris-model'", as(A))).text
      ).model_versions;
      expect(versions.map((v: { version: string }) => v.version)).toEqual([alpha.version]);
      // Alpha's own password still works; no user was added.
      expect((await http(url, 'GET', '/api/2.0/mlflow/users/current', as(A))).status).toBe(200);
    },
    TEST_MS
  );

  test(
    'both groups can have an experiment and a registered model of the same name',
    async () => {
      const script = `
import json, mlflow
from mlflow import MlflowClient
mlflow.set_experiment('iris')
with mlflow.start_run() as run:
    mlflow.log_metric('accuracy', 0.5)
MlflowClient().create_registered_model('iris-model')
print(json.dumps({'exp': run.info.experiment_id, 'run': run.info.run_id,
                  'names': [e.name for e in MlflowClient().search_experiments()]}))
`;
      const beta = await python(script, clientEnv(B));
      expect(beta.exp).not.toBe(alpha.exp);
      expect(beta.names.sort()).toEqual(['Default', 'iris']);
      // Each sees its own.
      const mine = async (envs: Record<string, string>) =>
        JSON.parse(
          (await http(url, 'GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris', as(envs))).text
        ).experiment.experiment_id;
      expect([await mine(A), await mine(B)]).toEqual([alpha.exp, beta.exp]);
      // And still nothing of the other's.
      const runs = await http(url, 'POST', '/api/2.0/mlflow/runs/search', as(B), {
        experiment_ids: [alpha.exp, beta.exp]
      });
      expect([runs.status, runs.text.includes(alpha.run)]).toEqual([200, false]);
    },
    TEST_MS
  );

  test(
    'a group added while it runs gets its account within seconds, and nothing of the others',
    async () => {
      server.cli('group', 'add', 'gamma');
      const G = new MlflowAccounts(dirs).trackingEnvs('gamma');
      const started = Date.now();
      // Its account is complete once its Default experiment is there (the last step of provisioning).
      await waitFor(
        "gamma's MLflow account",
        async () => {
          const exps = await http(url, 'POST', '/api/2.0/mlflow/experiments/search', as(G), { max_results: 100 });
          return exps.status === 200 && exps.text.includes('"Default"');
        },
        60_000,
        250
      );
      expect(Date.now() - started).toBeLessThan(30_000);
      const res = await http(url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${alpha.run}`, as(G));
      expect(res.status).toBe(403);
      const exps = await http(url, 'POST', '/api/2.0/mlflow/experiments/search', as(G), { max_results: 100 });
      expect(JSON.parse(exps.text).experiments.map((e: { name: string }) => e.name)).toEqual(['Default']);
    },
    TEST_MS
  );

  test(
    "a password a group's job changed is put back when MLflow starts again",
    async () => {
      const changed = await http(url, 'PATCH', '/api/2.0/mlflow/users/update-password', as(B), {
        username: B.MLFLOW_TRACKING_USERNAME,
        password: 'changed-by-a-job',
        current_password: B.MLFLOW_TRACKING_PASSWORD
      });
      expect(changed.status).toBe(200);
      expect((await http(url, 'GET', '/api/2.0/mlflow/users/current', as(B))).status).toBe(401);
      const { pid } = JSON.parse(readFileSync(dirs.mlflowProcess, 'utf8'));
      process.kill(pid, 'SIGKILL');
      expect(await running(1)).toBe(url);
      expect((await http(url, 'GET', '/api/2.0/mlflow/users/current', as(B))).status).toBe(200);
      // The store survived: alpha's run is there, and still alpha's alone.
      expect((await http(url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${alpha.run}`, as(A))).status).toBe(200);
      expect((await http(url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${alpha.run}`, as(B))).status).toBe(403);
    },
    TEST_MS
  );
});
