/**
 * The models operations of the client against a real PrimeHub Local and its real MLflow: a job trains an iris
 * classifier twice (MLflow 3 logged models), its runs are listed, their artifacts browsed, the better model is
 * registered twice (versions 1 and 2), and the registry is read back through every operation the SDK has.
 * Bad input is refused with a clear error and changes nothing; MLflow killed mid-use gives "not reachable"
 * quickly, and the models are back after PrimeHub Local restarted it. The official PrimeHub SDK reads and
 * registers through the same fields unchanged.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PrimeHubClient } from '../../shared-client/src';
import { inspectModel, modelHints } from '../../shared-client/src/deployments';
import { FeatureUnavailableError, NotFoundError, PrimeHubError, ValidationError } from '../../shared-client/src/errors';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning, TRAIN_IRIS } from '../kit/mlflow';
import { clientAs, clientFor, collect, freePort } from './support';

/** A run as `mlflowRuns` answers it, as PrimeHub's resolver shapes MLflow's. */
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

/**
 * `ph.models.<method>(*args)` of the official PrimeHub SDK's Python API (what `primehub models
 * <command>` calls; `primehub-python-sdk`, pinned in python/requirements.txt) with PrimeHub Local's
 * own SDK config file; its answer as JSON. Not the CLI's `--json`, which cannot print the datetimes
 * its list commands yield (the SDK's own bug, on a real PrimeHub too).
 */
async function sdk(server: LocalServerProcess, method: string, ...args: string[]): Promise<any> {
  const code = [
    'import inspect, json, sys',
    'from primehub import PrimeHub, PrimeHubConfig',
    'ph = PrimeHub(PrimeHubConfig(config=sys.argv[1]))',
    'out = getattr(ph.models, sys.argv[2])(*sys.argv[3:])',
    'print(json.dumps(list(out) if inspect.isgenerator(out) else out, default=str))'
  ].join('\n');
  const config = join(server.dataDir, 'config.json');
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', code, config, method, ...args], {
    env: { PATH: process.env.PATH, HOME: server.dataDir }
  });
  return JSON.parse(stdout);
}

interface MlflowRunJson {
  info: { runId: string; runName: string; status: string };
  data: { params?: { key: string; value: string }[]; metrics?: { key: string; value: number }[] };
}

const TEST_MS = MLFLOW_START_MS + 240_000;

describe('models through PrimeHub Local and a real MLflow', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let url: string;
  let runs: MlflowRunJson[];
  let best: MlflowRunJson;
  let other: MlflowRunJson;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ mlflow: true });
    client = await clientFor(server);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  test(
    "the group's MLflow settings name PrimeHub Local's MLflow, and a job gets them",
    async () => {
      ({ url } = await mlflowRunning(server));
      const setting = await client.models.mlflow();
      // the UI through PrimeHub Local's signed-in proxy, never MLflow's own address (its Basic prompt)
      expect(setting).toMatchObject({ trackingUri: url, uiUrl: `${server.baseUrl}/mlflow-ui/${server.groupName}/` });
      const job = await client.jobs.submit({
        displayName: 'train-iris',
        instanceType: 'cpu-1',
        image: 'base-notebook',
        command: `echo "tracking at $MLFLOW_TRACKING_URI"\n${TRAIN_IRIS}`
      });
      const done = await client.jobs.wait(job.id, { timeoutMs: 240_000 });
      const log = (await collect(client.jobs.logs(job.id))).join('\n');
      expect({ phase: done.phase, log }).toMatchObject({
        phase: 'Succeeded',
        log: expect.stringContaining(`tracking at ${url}`)
      });
    },
    TEST_MS
  );

  test('mlflowRuns lists the runs of an experiment with their params and metrics', async () => {
    runs = (await client.models.mlflowRuns('iris')) as MlflowRunJson[];
    expect(runs.map(r => r.info.runName).sort()).toEqual(['C=0.05', 'C=1.0']);
    for (const r of runs) {
      expect(r.info.status).toBe('FINISHED');
      expect(r.data.params).toEqual([{ key: 'C', value: r.info.runName.slice(2) }]);
      expect(r.data.metrics).toEqual([expect.objectContaining({ key: 'accuracy', value: expect.any(Number) })]);
    }
    const accuracy = (r: MlflowRunJson) => r.data.metrics!.find(m => m.key === 'accuracy')!.value;
    [best, other] = [...runs].sort((a, b) => accuracy(b) - accuracy(a));
    expect(best.info.runName).toBe('C=1.0');
    await expect(client.models.mlflowRuns('no-such-experiment')).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a run's artifacts: its files and its logged model as a folder holding MLmodel", async () => {
    const root = await client.models.mlflowArtifact(best.info.runId);
    expect(root.map(f => [f.path, f.is_dir]).sort()).toEqual([
      ['model', true],
      ['notes', true]
    ]);
    const model = await client.models.mlflowArtifact(best.info.runId, 'model');
    expect(model.map(f => f.path)).toEqual(expect.arrayContaining(['model/MLmodel', 'model/requirements.txt']));
    const notes = await client.models.mlflowArtifact(best.info.runId, 'notes');
    expect(notes).toEqual([expect.objectContaining({ path: 'notes/readme.txt', is_dir: false })]);
  });

  test('registering the best run gives iris version 1, another run version 2', async () => {
    const first = await client.models.register({ name: 'iris', runId: best.info.runId, path: 'model' });
    expect(first).toMatchObject({ name: 'iris', version: '1', run_id: best.info.runId });
    const second = await client.models.register({ name: 'iris', runId: other.info.runId, path: 'model' });
    expect(second).toMatchObject({ name: 'iris', version: '2', run_id: other.info.runId });
    expect(client.models.modelUri('iris', '1')).toBe('models:/iris/1');
  });

  test('the registry read back: list, get, versions and one version with its run', async () => {
    const models = await client.models.list();
    expect(models).toEqual([
      expect.objectContaining({ name: 'iris', latestVersions: [expect.objectContaining({ version: '2' })] })
    ]);
    const detail = await client.models.get('iris');
    expect(detail.versions.map(v => v.version)).toEqual(['2', '1']);
    const versions = await client.models.versions('iris');
    expect(versions.map(v => [v.version, v.source])).toEqual([
      ['2', expect.stringMatching(/^models:\/m-/)],
      ['1', expect.stringMatching(/^models:\/m-/)]
    ]);
    const v1 = await client.models.version('iris', '1');
    expect(v1).toMatchObject({ version: '1', deployedBy: [] });
    expect(v1.run).toMatchObject({
      info: { runId: best.info.runId, status: 'FINISHED' },
      data: { params: [{ key: 'C', value: '1.0' }] }
    });
    await expect(client.models.get('no-such-model')).rejects.toThrow(
      /registered model "no-such-model" does not exist in this group's MLflow/
    );
    await expect(client.models.get('no-such-model')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.models.version('iris', '9')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('what a model URI holds, for the deploy forms and the endpoint testers: a registered version, a PHFS folder', async () => {
    const registered = await inspectModel(client, 'models:/iris/1');
    // MLflow 3 records no log-model history on the run: the folder's files tell the server
    expect(registered).toMatchObject({ where: 'version 1 of iris' });
    expect(registered!.files).toEqual(expect.arrayContaining(['MLmodel', 'requirements.txt']));
    expect(modelHints(registered)).toMatchObject({ server: { label: expect.stringMatching(/MLflow/) } });

    // an MLflow model a job left in PHFS: its MLmodel read for the flavours, the signature and the input example
    const mlmodel = [
      'flavors:',
      '  python_function:',
      '    loader_module: mlflow.sklearn',
      '  sklearn:',
      '    pickled_model: model.pkl',
      'saved_input_example_info:',
      '  artifact_path: input_example.json',
      '  type: ndarray',
      'signature:',
      '  inputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]\'',
      ''
    ].join('\n');
    await client.files.upload('/served/iris/MLmodel', mlmodel);
    await client.files.upload('/served/iris/input_example.json', '[[5.1, 3.5, 1.4, 0.2]]');
    await client.files.upload('/served/iris/model.pkl', 'pickled');
    const inPhfs = await inspectModel(client, 'phfs:///served/iris/');
    expect(inPhfs).toEqual({
      files: ['MLmodel', 'input_example.json', 'model.pkl'],
      flavors: ['python_function', 'sklearn'],
      signatureInputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]',
      inputExample: [[5.1, 3.5, 1.4, 0.2]],
      where: 'the PHFS folder /served/iris'
    });
    expect(modelHints(inPhfs).example).toEqual({ ndarray: [[5.1, 3.5, 1.4, 0.2]] });
    // URIs PrimeHub's API cannot look into, and ones that name nothing
    expect(await inspectModel(client, `/project/${server.groupName}/iris`)).toBeUndefined();
    await expect(inspectModel(client, 'models:/iris/9')).rejects.toBeInstanceOf(NotFoundError);
  });

  test.each([
    ['a name with a space', { name: 'my model', path: 'model' }, /invalid model name "my model"/],
    ['a name with unicode', { name: 'modèle', path: 'model' }, /invalid model name "modèle"/],
    ['a name with a slash', { name: 'team/iris', path: 'model' }, /invalid model name "team\/iris"/],
    ['a path with ..', { name: 'iris', path: '../model' }, /"\.\." is not allowed/],
    ['a folder that is not a model', { name: 'iris', path: 'notes' }, /"notes" of run \w+ is not an MLflow model/],
    ['a path with nothing there', { name: 'iris', path: 'nothing' }, /has no artifacts at "nothing"/]
  ])('registering %s is refused with a clear error and changes nothing', async (_what, spec, message) => {
    const err = await client.models.register({ ...spec, runId: best.info.runId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(message);
    expect((await client.models.versions('iris')).length).toBe(2);
    expect((await client.models.list()).map(m => m.name)).toEqual(['iris']);
  });

  test('registering from a run that does not exist passes MLflow\'s "does not exist" through', async () => {
    const err = await client.models
      .register({ name: 'ghost', runId: '0123456789abcdef0123456789abcdef', path: 'model' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as PrimeHubError).serverCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await client.models.list()).map(m => m.name)).toEqual(['iris']);
  });

  test("another group's models: not among the user's groups in the client, NOT_AUTH from the server", async () => {
    server.cli('group', 'add', 'team_b');
    server.cli('user', 'add', 'bob', '--group', 'team_b', '--allow-unisolated-jobs');
    const token = server.cli('token', '--user', 'bob').trim();
    const bob = clientAs(server, 'bob', 'team_b');
    try {
      await expect(bob.models.list({ group: 'phusers' })).rejects.toBeInstanceOf(NotFoundError);
      for (const query of [
        '{ models(where: { group: "phusers" }) { name } }',
        '{ mlflow(where: { group: "phusers" }) { trackingUri trackingEnvs { name value } } }',
        '{ mlflowRuns(where: { group: "phusers", experimentName: "iris" }) }'
      ]) {
        const res = await fetch(server.endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query })
        });
        const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
        expect({ query, code: body.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'NOT_AUTH' });
      }
    } finally {
      await bob.close();
    }
  });

  test('a group pointed at an MLflow that is down: "not reachable" at once; bad settings are refused', async () => {
    const closed = await freePort();
    server.cli('group', 'set-mlflow', 'phusers', '--tracking-uri', `http://127.0.0.1:${closed}`);
    try {
      const t0 = Date.now();
      const err = await client.models.list().catch((e: unknown) => e);
      expect((err as Error).message).toContain(`MLflow is not reachable at http://127.0.0.1:${closed}: ECONNREFUSED`);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      server.cli('group', 'set-mlflow', 'phusers', '--local');
    }
    expect((await client.models.list()).map(m => m.name)).toEqual(['iris']);
    expect(() => server.cli('group', 'set-mlflow', 'phusers', '--tracking-uri', 'ftp://x')).toThrow(
      /must be an http or https URL/
    );
    expect(() =>
      server.cli('group', 'set-mlflow', 'phusers', '--tracking-uri', 'http://u:secret@mlflow.example')
    ).toThrow(/must not hold credentials/);
    expect(() =>
      server.cli('group', 'set-mlflow', 'phusers', '--tracking-uri', 'http://x', '--tracking-env', '1BAD=x')
    ).toThrow(/not a valid variable name/);
  });

  test(
    'MLflow killed mid-use: a clear "not reachable" error within seconds, then the registry is back after its restart',
    async () => {
      const { pid } = JSON.parse(readFileSync(new DataDir(server.dataDir).mlflowProcess, 'utf8')) as { pid: number };
      process.kill(-pid, 'SIGKILL');
      const t0 = Date.now();
      const err = await client.models.list().catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/MLflow is not reachable at http:\/\/127\.0\.0\.1:\d+/);
      expect(Date.now() - t0).toBeLessThan(15_000);
      await mlflowRunning(server, 1);
      expect((await client.models.versions('iris')).map(v => v.version)).toEqual(['2', '1']);
    },
    TEST_MS
  );

  test("the official PrimeHub SDK's models operations (all but deploy) answer unchanged", async () => {
    const runs = (await sdk(server, 'list_runs', 'iris')) as { runId: string; status: string; startTime: string }[];
    expect(runs.map(r => r.runId).sort()).toEqual([best.info.runId, other.info.runId].sort());
    expect(runs[0]).toMatchObject({ status: 'FINISHED', startTime: expect.stringMatching(/^\d{4}-\d\d-\d\d/) });
    const artifacts = (await sdk(server, 'list_artifacts', best.info.runId)) as { path: string; is_dir: boolean }[];
    expect(artifacts).toEqual(expect.arrayContaining([{ path: 'model', is_dir: true }]));
    const inModel = (await sdk(server, 'list_artifacts', best.info.runId, 'model')) as { path: string }[];
    expect(inModel.map(f => f.path)).toContain('model/MLmodel');
    expect(await sdk(server, 'register', 'iris', best.info.runId, 'model')).toMatchObject({
      name: 'iris',
      version: '3',
      run_id: best.info.runId
    });
    expect(((await sdk(server, 'list')) as { name: string }[]).map(m => m.name)).toEqual(['iris']);
    expect(await sdk(server, 'get', 'iris')).toMatchObject({
      model: { name: 'iris' },
      modelVersions: [
        expect.objectContaining({ version: '3' }),
        expect.objectContaining({ version: '2' }),
        expect.objectContaining({ version: '1' })
      ]
    });
    const versions = (await sdk(server, 'list_versions', 'iris')) as { version: string; source: string }[];
    expect(versions.map(v => v.version)).toEqual(['3', '2', '1']);
    expect(await sdk(server, 'get_version', 'iris', '1')).toMatchObject({
      name: 'iris',
      version: '1',
      run: { info: { runId: best.info.runId, status: 'FINISHED' } }
    });
  });

  test('a group without any MLflow: feature unavailable', async () => {
    const plain = await LocalServerProcess.start();
    const c = await clientFor(plain);
    try {
      await expect(c.models.list()).rejects.toBeInstanceOf(FeatureUnavailableError);
      expect(await c.models.mlflow().catch((e: unknown) => e)).toBeInstanceOf(FeatureUnavailableError);
    } finally {
      await c.close();
      await plain.dispose();
    }
  }, 120_000);
});
