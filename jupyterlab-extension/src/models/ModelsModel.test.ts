import { LocalServerProcess } from '../../../test/kit/localServer';
import { FakeMlflow } from '../testing/FakeMlflow';
import { TestHub, when } from '../testing/TestHub';
import { ModelsModel } from './ModelsModel';
import { JOB_ID_TAG } from './registryApi';

// PrimeHub Local without its own MLflow: the group has none until it is pointed at the fake one.
let server: LocalServerProcess;
let hub: TestHub;
let mlflow: FakeMlflow;
let model: ModelsModel;

beforeAll(async () => {
  server = await LocalServerProcess.start();
  hub = new TestHub(server.endpoint, server.token, server.groupName);
  mlflow = await new FakeMlflow().start();
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await hub?.client.close();
  await mlflow?.stop();
  await server?.dispose();
});

// Each test's model stops polling when it ends: a live Poll's timer would keep jest from exiting.
afterEach(() => model?.dispose());

function startModel(): ModelsModel {
  model = new ModelsModel(hub);
  model.active = true;
  model.start();
  return model;
}

it('a group without MLflow is a state, not an error, and shows its models once it has one', async () => {
  startModel();
  await when(model.changed, () => model.unavailable);
  expect(model.error).toBe('');
  expect(model.models).toBeNull();

  mlflow.addRun('iris', {
    runId: 'run1',
    runName: 'C=1.0',
    startTime: Date.now(),
    params: { C: '1.0' },
    metrics: { accuracy: 0.97 },
    tags: { [JOB_ID_TAG]: 'job-1' },
    files: ['model/MLmodel']
  });
  server.cli('group', 'set-mlflow', server.groupName, '--tracking-uri', mlflow.url, '--ui-url', mlflow.url);
  // nothing is registered yet: an empty list, by the poll alone
  await when(model.changed, () => !model.unavailable && model.models !== null);
  expect(model.models).toEqual([]);
});

it("models, then a model's versions newest first, then a version with its source run", async () => {
  await hub.client.models.register({ name: 'iris', runId: 'run1', path: 'model' });
  await hub.client.models.register({ name: 'iris', runId: 'run1', path: 'model' });
  startModel();
  await when(model.changed, () => (model.models?.length ?? 0) > 0);
  expect(model.models?.map(m => m.name)).toEqual(['iris']);

  model.open('iris');
  expect(model.versions).toBeNull();
  await when(model.changed, () => model.versions !== null);
  expect(model.versions?.map(v => v.version)).toEqual(['2', '1']);

  model.open('iris', '1');
  await when(model.changed, () => model.detail !== null);
  expect(model.detail).toMatchObject({
    name: 'iris',
    version: '1',
    uri: 'models:/iris/1',
    deployedBy: [],
    source: 'mlflow-artifacts:/runs/run1/artifacts/model',
    run: {
      runId: 'run1',
      runName: 'C=1.0',
      params: [{ key: 'C', value: '1.0' }],
      metrics: [{ key: 'accuracy', value: '0.97' }]
    },
    runUrl: `${mlflow.url}/#/experiments/1/runs/run1`
  });
  expect(model.location).toEqual({ model: 'iris', version: '1' });
  model.open(null);
  expect(model.location).toEqual({ model: null, version: null });
  expect(model.models?.map(m => m.name)).toEqual(['iris']);
});

it('MLflow down: "MLflow is not reachable" in a sentence, and the models are back by themselves', async () => {
  startModel();
  await when(model.changed, () => (model.models?.length ?? 0) > 0);
  await mlflow.stop();
  await when(model.changed, () => model.error !== '', 30_000);
  expect(model.error).toMatch(/^Listing models failed: MLflow is not reachable at http:\/\/127\.0\.0\.1:\d+/);
  // the list shown before stays while MLflow is away
  expect(model.models?.map(m => m.name)).toEqual(['iris']);
  await mlflow.start();
  // no refresh asked for: the poll's backoff (at most a minute) brings it back
  await when(model.changed, () => model.error === '', 90_000);
  expect(model.models?.map(m => m.name)).toEqual(['iris']);
}, 120_000);

it("another group's registry starts from its list", async () => {
  server.cli('group', 'add', 'team_b');
  server.cli('user', 'add', 'bob', '--group', server.groupName, '--group', 'team_b', '--allow-unisolated-jobs');
  const bob = new TestHub(server.endpoint, server.cli('token', '--user', 'bob'), server.groupName);
  model = new ModelsModel(bob);
  model.active = true;
  model.start();
  model.open('iris', '1');
  await when(model.changed, () => model.detail !== null);
  bob.setGroup('team_b');
  expect(model.location).toEqual({ model: null, version: null });
  expect(model.detail).toBeNull();
  // team_b has no MLflow of its own, and PrimeHub Local runs none
  await when(model.changed, () => model.unavailable);
  model.dispose();
  await bob.client.close();
});
