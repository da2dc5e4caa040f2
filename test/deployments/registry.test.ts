/**
 * `models:/<name>/<version or stage>` deployments through PrimeHub Local's real MLflow: models a job trains, logs
 * and registers in the group's MLflow, resolved to one version, copied into each replica from MLflow and served;
 * an MLflow sklearn model by the sklearn server, an MLflow pyfunc model by mlflow.pyfunc; a version's
 * `deployedBy` names the deployments serving it.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fetchText, gqlOk, submitJob, waitForJob } from '../kit/http';
import { LocalServerProcess } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning } from '../kit/mlflow';
import { waitFor } from '../kit/wait';
import {
  answerOf,
  classes,
  Deployments,
  IRIS_ROWS,
  keepPredicting,
  MLFLOW_IMAGE,
  MODELS_DIR,
  requirePython
} from './support';

describe('models:/ deployments through the real MLflow', () => {
  let server: LocalServerProcess;
  let deployments: Deployments;

  beforeAll(async () => {
    requirePython();
    server = await LocalServerProcess.start({ mlflow: true });
    deployments = new Deployments(server);
    await mlflowRunning(server);
    // PrimeHub's tutorial: a job trains the models and logs them to the group's MLflow (every job has its
    // tracking variables), registering iris 1 and 2 and echo 1; its scripts from the group volume
    const folder = join(server.dataDir, 'volumes', server.groupName, 'train');
    mkdirSync(folder, { recursive: true });
    for (const file of ['log_models.py', 'echo_model.py']) {
      copyFileSync(join(MODELS_DIR, file), join(folder, file));
    }
    const job = await submitJob(server.endpoint, server.token, {
      displayName: 'train-iris',
      groupId: server.groupId,
      command: `cd /project/${server.groupName}/train && python log_models.py`
    });
    const done = await waitForJob(server.endpoint, server.token, job.id, undefined, 180_000);
    if (done.phase !== 'Succeeded') {
      const { text } = await fetchText(done.logEndpoint, server.token);
      throw new Error(`the training job is ${done.phase}: ${done.message}\n${text}`);
    }
  }, MLFLOW_START_MS + 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  const versionDeployedBy = async (name: string, version: string) =>
    (
      await gqlOk(
        server.endpoint,
        server.token,
        'query ($where: ModelVersionWhereUniqueInput!) { modelVersion(where: $where) { modelURI deployedBy } }',
        { where: { group: server.groupName, name, version } }
      )
    ).modelVersion;

  test('models:/iris/1 (an MLflow sklearn model) is copied from MLflow and served; the version names its deployment', async () => {
    await deployments.createOk({ id: 'iris-v1', name: 'Iris v1', modelURI: 'models:/iris/1' });
    const deployed = await deployments.waitStatus('iris-v1', 'Deployed', 120_000);
    const answer = await answerOf(await deployments.predict('iris-v1', { data: { ndarray: IRIS_ROWS } }));
    expect(answer.status).toBe(200);
    expect(classes((answer.body as any).data.ndarray)).toEqual([0, 1, 2]);
    const log = await fetch(`${deployed.pods[0].logEndpoint}?tailLines=200`, {
      headers: { authorization: `Bearer ${server.token}` }
    });
    expect(await log.text()).toMatch(/downloading models:\/iris\/1 from http:\/\/127\.0\.0\.1:\d+/);
    expect(await versionDeployedBy('iris', '1')).toEqual({
      modelURI: 'models:/iris/1',
      deployedBy: [{ id: 'iris-v1', name: 'Iris v1' }]
    });
  });

  test('an update of models:/iris/1 to models:/iris/2 rolls while requests flow: none fails; deployedBy follows', async () => {
    await deployments.waitStatus('iris-v1', 'Deployed');
    const traffic = keepPredicting(deployments, 'iris-v1');
    let failures: string[] = [];
    try {
      await waitFor('requests to be answered before the update', () => traffic.answered() >= 5);
      expect((await deployments.update('iris-v1', { modelURI: 'models:/iris/2' })).status).toBe('Deploying');
      await deployments.waitStatus('iris-v1', 'Deployed', 120_000);
      const atDeployed = traffic.answered();
      await waitFor('requests to be answered by version 2', () => traffic.answered() >= atDeployed + 5);
    } finally {
      ({ failures } = await traffic.stop());
    }
    expect(failures).toEqual([]);
    expect((await versionDeployedBy('iris', '1')).deployedBy).toEqual([]);
    expect((await versionDeployedBy('iris', '2')).deployedBy).toEqual([{ id: 'iris-v1', name: 'Iris v1' }]);
  });

  test("models:/iris/Production is pinned to the stage's version; an unknown version is Failed with MLflow's error", async () => {
    await deployments.createOk({ id: 'iris-prod', modelURI: 'models:/iris/Production' });
    await deployments.waitStatus('iris-prod', 'Deployed', 120_000);
    const answer = await answerOf(
      await deployments.predict('iris-prod', { data: { tensor: { shape: [1, 4], values: IRIS_ROWS[2] } } })
    );
    expect(answer.status).toBe(200);
    expect(classes([(answer.body as any).data.tensor.values])).toEqual([2]);

    await deployments.createOk({ id: 'iris-nine', modelURI: 'models:/iris/9' });
    const failed = await deployments.waitStatus('iris-nine', 'Failed');
    // MLflow's own words
    expect(failed.message).toBe('model URI models:/iris/9: Model Version (name=iris, version=9) not found');
  });

  test('models:/echo/latest (an MLflow pyfunc model) is served with mlflow.pyfunc', async () => {
    await deployments.createOk({ id: 'echo', modelURI: 'models:/echo/latest', modelImage: MLFLOW_IMAGE });
    await deployments.waitStatus('echo', 'Deployed', 120_000);
    const answer = await answerOf(await deployments.predict('echo', { strData: 'from the registry' }));
    expect(answer).toEqual({
      status: 200,
      body: { strData: 'FROM THE REGISTRY', meta: { requestPath: { model: MLFLOW_IMAGE } } }
    });
  });
});
