import type { Job } from '@primehub-suite/client/browser';
import { LocalServerProcess } from '../../../test/kit/localServer';
import { FakeMlflow } from '../testing/FakeMlflow';
import { TestHub, when } from '../testing/TestHub';
import { JOB_ID_TAG } from './registryApi';
import { RegisterModelModel } from './RegisterModelModel';

// A script's own runs (MLflow's Python client in a plain job) carry no job tag: they are the job's
// by their start while it ran. PrimeHub Local points the group at a fake MLflow holding them.
const TRAIN = ["cat > /dev/null <<'EOF'", 'import mlflow', "mlflow.set_experiment('iris')", 'EOF'].join('\n');

let server: LocalServerProcess;
let hub: TestHub;
let mlflow: FakeMlflow;
let job: Job;
let model: RegisterModelModel;

beforeAll(async () => {
  server = await LocalServerProcess.start();
  hub = new TestHub(server.endpoint, server.token, server.groupName);
  mlflow = await new FakeMlflow().start();
  server.cli('group', 'set-mlflow', server.groupName, '--tracking-uri', mlflow.url);
  const submitted = await hub.client.jobs.submit({
    displayName: 'train-iris',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    command: TRAIN
  });
  job = await hub.client.jobs.wait(submitted.id, { timeoutMs: 90_000 });
  const during = Date.parse(job.startTime!);
  const files = ['model/MLmodel', 'model/model.pkl', 'notes/readme.txt'];
  mlflow.addRun('iris', { runId: 'low', runName: 'C=0.05', startTime: during, params: { C: '0.05' }, files });
  mlflow.addRun('iris', {
    runId: 'high',
    runName: 'C=1.0',
    startTime: during + 1,
    params: { C: '1.0' },
    metrics: { accuracy: 0.9733333 },
    files
  });
  // another job's run of the same experiment, and an older run of no job
  mlflow.addRun('iris', { runId: 'theirs', runName: 'x', startTime: during, tags: { [JOB_ID_TAG]: 'job-9' }, files });
  mlflow.addRun('iris', { runId: 'old', runName: 'old', startTime: during - 3_600_000, files });
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await hub?.client.close();
  await mlflow?.stop();
  await server?.dispose();
});

afterEach(() => model?.dispose());

it("finds the job's runs in the experiment its script names, and preselects the model folder", async () => {
  model = new RegisterModelModel(hub, job);
  await model.start();
  expect(model.searched).toBe('iris');
  expect(model.runs?.map(r => r.runName)).toEqual(['C=1.0', 'C=0.05']);
  expect(model.onlyJobRuns).toBe(true);
  expect(model.note).toBe('');
  await when(model.changed, () => model.folders !== null);
  expect(model.runId).toBe('high');
  expect(model.folders).toEqual([
    { path: 'model', isModel: true },
    { path: 'notes', isModel: false }
  ]);
  expect(model.folder).toBe('model');
  // the experiment's name is suggested, and nothing is called "iris" yet
  await when(model.changed, () => model.target !== null);
  expect(model.name).toBe('iris');
  expect(model.target).toEqual({ name: 'iris', version: 1, exists: false });
  expect(model.canRegister).toBe(true);
});

it("a Compare tab's row: its experiment is looked in first and its run is chosen", async () => {
  model = new RegisterModelModel(hub, job, undefined, { experiment: 'iris', runId: 'low' });
  await model.start();
  expect(model.searched).toBe('iris');
  await when(model.changed, () => model.folders !== null);
  expect(model.runId).toBe('low');
  expect(model.folder).toBe('model');
});

it('checks the name as it is typed; registers a new model, then adds a version to it', async () => {
  model = new RegisterModelModel(hub, job);
  await model.start();
  await when(model.changed, () => model.folders !== null);
  model.setName('my model');
  expect(model.nameProblem).toBe('No spaces: use letters, digits, ".", "_" or "-".');
  expect(model.canRegister).toBe(false);
  model.setName('iris');
  expect(model.nameProblem).toBe('');
  await when(model.changed, () => model.canRegister);
  expect(await model.register()).toEqual({ name: 'iris', version: '1', uri: 'models:/iris/1' });
  expect(model.result?.uri).toBe('models:/iris/1');
  expect(model.canRegister).toBe(false);

  const again = new RegisterModelModel(hub, job);
  model = again;
  await again.start();
  await again.selectRun('low');
  expect(again.folder).toBe('model');
  await when(again.changed, () => again.target !== null);
  expect(again.target).toEqual({ name: 'iris', version: 2, exists: true });
  expect(await again.register()).toMatchObject({ name: 'iris', version: '2' });
  expect(mlflow.registered()).toEqual({
    iris: [
      { version: '1', run_id: 'high', source: 'mlflow-artifacts:/runs/high/artifacts/model' },
      { version: '2', run_id: 'low', source: 'mlflow-artifacts:/runs/low/artifacts/model' }
    ]
  });
});

it("another experiment: none of its runs is the job's, so all are listed; one that does not exist says so", async () => {
  mlflow.addRun('wine', { runId: 'w1', runName: 'w', startTime: 1, files: ['notes/x.txt'] });
  model = new RegisterModelModel(hub, job);
  await model.start();
  model.setExperiment('wine');
  await model.findRuns();
  expect(model.onlyJobRuns).toBe(false);
  expect(model.runs?.map(r => r.runId)).toEqual(['w1']);
  expect(model.note).toMatch(/No run in "wine" is recorded as this job's/);
  await when(model.changed, () => model.folders !== null);
  // a run without a model: nothing to register
  expect(model.folders).toEqual([{ path: 'notes', isModel: false }]);
  expect(model.canRegister).toBe(false);

  model.setExperiment('nope');
  await model.findRuns();
  expect(model.runs).toEqual([]);
  expect(model.note).toBe('The group\'s MLflow has no experiment "nope".');
});

it('a refused registration is said in one sentence and changes nothing', async () => {
  model = new RegisterModelModel(hub, job);
  await model.start();
  await when(model.changed, () => model.folders !== null);
  await mlflow.stop();
  try {
    model.setName('iris2');
    await when(model.changed, () => model.canRegister);
    expect(await model.register()).toBeUndefined();
    expect(model.error).toMatch(/^Registering the model failed: MLflow is not reachable at /);
    expect(model.result).toBeNull();
  } finally {
    await mlflow.start();
  }
});

it('a job of a group without MLflow: says so', async () => {
  server.cli('group', 'add', 'plain');
  server.cli('user', 'add', 'carol', '--group', 'plain', '--allow-unisolated-jobs');
  const carol = new TestHub(server.endpoint, server.cli('token', '--user', 'carol'), 'plain');
  model = new RegisterModelModel(carol, job);
  await model.start();
  expect(model.unavailable).toBe(true);
  expect(model.error).toMatch(/^Looking for the job’s MLflow runs failed: this PrimeHub does not offer it/);
  await carol.client.close();
});
