import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, gqlOk } from '../kit/http';
import { LocalServerProcess } from '../kit/localServer';
import { processesWithEnv } from '../../packages/local-server/src/processes';
import { waitFor } from '../kit/wait';
import { requirePython, trainModels } from './support';

const FIELDS = 'id name status message stop replicas availableReplicas endpoint modelURI endpointAccessType';

/** Known iris rows: a setosa, a versicolor and a virginica. */
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.7, 3.0, 5.2, 2.3]
];

/** The class with the highest probability in each row of a Seldon `t:0…t:2` answer. */
const classes = (rows: number[][]) => rows.map(r => r.indexOf(Math.max(...r)));

/** Deployments as a user meets them: real model servers behind PrimeHub's prediction endpoint. */
describe('PrimeHub Local deployments', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    requirePython();
    server = await LocalServerProcess.start();
    const volume = join(server.dataDir, 'volumes', server.groupName);
    mkdirSync(join(volume, 'broken'), { recursive: true });
    writeFileSync(join(volume, 'broken', 'model.joblib'), 'this is not a pickle');
    const phfs = join(server.dataDir, 'phfs', 'groups', server.groupName);
    mkdirSync(phfs, { recursive: true });
    trainModels({ iris: join(volume, 'iris'), irisMlflow: join(phfs, 'iris-mlflow') });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  const create = (data: Record<string, unknown>) =>
    gql(
      server.endpoint,
      server.token,
      `mutation ($data: PhDeploymentCreateInput!) { createPhDeployment(data: $data) { ${FIELDS} } }`,
      {
        data: {
          name: data.id,
          groupId: server.groupId,
          instanceType: 'cpu-1',
          modelImage: 'infuseai/sklearn-prepackaged:v0.1.0',
          ...data
        }
      }
    );
  const get = async (id: string) =>
    (
      await gqlOk(
        server.endpoint,
        server.token,
        `query ($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) { ${FIELDS} pods { name phase logEndpoint } history { time deployment { stop updateMessage } } endpointClients { name } } }`,
        { where: { id } }
      )
    ).phDeployment;
  const mutate = async (name: string, id: string) =>
    (
      await gqlOk(
        server.endpoint,
        server.token,
        `mutation ($where: PhDeploymentWhereUniqueInput!) { ${name}(where: $where) { ${FIELDS} } }`,
        { where: { id } }
      )
    )[name];
  const waitStatus = (id: string, status: string, timeoutMs = 60_000) =>
    waitFor(
      `deployment ${id} to be ${status}`,
      async () => {
        const d = await get(id);
        if (d.status === 'Failed' && status !== 'Failed') {
          throw new Error(`deployment ${id} failed: ${d.message}`);
        }
        return d.status === status && d;
      },
      timeoutMs,
      100
    );
  const predict = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}/deployment/${id}/api/v1.0/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    });

  test('a model.joblib on the group volume is Deployed and predicts iris rows in ndarray and tensor forms', async () => {
    const avail = await gqlOk(
      server.endpoint,
      server.token,
      '{ a: phDeploymentAvail(where: { id: "iris" }) b: phDeploymentAvail(where: { id: "Bad_Id" }) }'
    );
    expect(avail).toEqual({ a: true, b: false });
    const created = await create({ id: 'iris', modelURI: `/project/${server.groupName}/iris`, replicas: 2 });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data!.createPhDeployment).toMatchObject({
      id: 'iris',
      status: 'Deploying',
      endpoint: `${server.baseUrl}/deployment/iris/api/v1.0/predictions`
    });
    const deployed = await waitStatus('iris', 'Deployed');
    expect(deployed.availableReplicas).toBe(2);
    expect(deployed.pods).toHaveLength(2);

    const ndarray = await predict('iris', { data: { ndarray: ROWS }, meta: { puid: 'p-1' } });
    expect(ndarray.status).toBe(200);
    const nd = (await ndarray.json()) as any;
    expect(nd.data.names).toEqual(['t:0', 't:1', 't:2']);
    expect(classes(nd.data.ndarray)).toEqual([0, 1, 2]);
    expect(nd.meta).toEqual({ puid: 'p-1', requestPath: { model: 'infuseai/sklearn-prepackaged:v0.1.0' } });

    // a tensor in gives a tensor out; both replicas answer (round robin)
    for (let i = 0; i < 4; i++) {
      const tensor = await predict('iris', { data: { tensor: { shape: [1, 4], values: ROWS[2] } } });
      const t = (await tensor.json()) as any;
      expect(t.data.tensor.shape).toEqual([1, 3]);
      expect(classes([t.data.tensor.values])).toEqual([2]);
    }

    // a replica killed is skipped (every request answered by the other) and restarted
    const [victim] = processesWithEnv(`PHJOB_NAME=${deployed.pods[1].name}`);
    expect(victim).toBeDefined();
    process.kill(victim, 'SIGKILL');
    await waitFor('the killed replica to be skipped', async () => (await get('iris')).availableReplicas === 1);
    for (let i = 0; i < 4; i++) {
      expect((await predict('iris', { data: { ndarray: [ROWS[0]] } })).status).toBe(200);
    }
    await waitFor(
      'the killed replica to be back',
      async () => (await get('iris')).availableReplicas === 2,
      60_000,
      100
    );
    expect((await get('iris')).status).toBe('Deployed');

    // the pod log, through the pod's logEndpoint, has the model server's access log
    const log = await fetch(`${deployed.pods[0].logEndpoint}?tailLines=50`, {
      headers: { authorization: `Bearer ${server.token}` }
    });
    expect(log.status).toBe(200);
    expect(await log.text()).toMatch(/serving Seldon v1 REST/);
  });

  test('bad input gets Seldon error bodies; an unknown deployment is 404', async () => {
    await waitStatus('iris', 'Deployed');
    const malformed = await predict('iris', '{"data": {"ndarray": [[1, 2');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      status: { status: 1, info: "Can't find JSON in data", code: -1, reason: 'MICROSERVICE_BAD_DATA' }
    });
    // SKLEARN_SERVER swallows the model's error: seldon-core answers its "Unknown data type" 400
    const shape = await predict('iris', { data: { ndarray: [[1, 2, 3]] } });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as any).status).toMatchObject({
      info: 'Unknown data type returned as payload (must be list or np array):None',
      reason: 'MICROSERVICE_BAD_DATA'
    });
    const tensor = await predict('iris', { data: { tensor: { shape: [1, 4], values: [1, 2] } } });
    expect(tensor.status).toBe(500);
    expect(((await tensor.json()) as any).status.reason).toBe('MICROSERVICE_INTERNAL_ERROR');
    const unknown = await predict('no-such-deployment', { data: { ndarray: ROWS } });
    expect(unknown.status).toBe(404);
    const taken = await create({ id: 'iris', modelURI: `/project/${server.groupName}/iris` });
    expect(taken.body.errors?.[0].extensions.code).toBe('RESOURCE_CONFLICT');
  });

  test('stop → Stopped and 503 saying so; start → Deployed again, with both changes in the history', async () => {
    const stopping = await mutate('stopPhDeployment', 'iris');
    expect(stopping).toMatchObject({ stop: true, status: 'Stopping' });
    const stopped = await waitStatus('iris', 'Stopped');
    expect(stopped.pods).toEqual([]);
    const refused = await predict('iris', { data: { ndarray: ROWS } });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as any).status.info).toBe('deployment iris is Stopped');

    expect((await mutate('deployPhDeployment', 'iris')).status).toBe('Deploying');
    const again = await waitStatus('iris', 'Deployed');
    expect(again.history.map((h: any) => h.deployment.updateMessage)).toEqual([
      'Deployment Started',
      'Deployment Stopped',
      null
    ]);
    const ok = await predict('iris', { data: { ndarray: [ROWS[0]] } });
    expect(ok.status).toBe(200);
  });

  test('a private endpoint of an MLflow model in PHFS refuses requests without a client token and answers with one', async () => {
    const created = await create({
      id: 'iris-private',
      modelURI: 'phfs:///iris-mlflow',
      endpointAccessType: 'private'
    });
    expect(created.body.errors).toBeUndefined();
    const client = (
      await gqlOk(
        server.endpoint,
        server.token,
        'mutation ($data: PhDeploymentClientCreateInput!) { createPhDeploymentClient(data: $data) { name plainTextToken } }',
        { data: { deploymentId: 'iris-private', name: 'tester' } }
      )
    ).createPhDeploymentClient;
    expect(client.plainTextToken).toMatch(/^[a-z0-9]{32}$/);
    await waitStatus('iris-private', 'Deployed');
    const body = { data: { ndarray: ROWS } };
    expect((await predict('iris-private', body)).status).toBe(401);
    const wrong = Buffer.from(`tester:${client.plainTextToken}x`).toString('base64');
    expect((await predict('iris-private', body, { authorization: `Basic ${wrong}` })).status).toBe(401);
    const basic = Buffer.from(`tester:${client.plainTextToken}`).toString('base64');
    const ok = await predict('iris-private', body, { authorization: `Basic ${basic}` });
    expect(ok.status).toBe(200);
    expect(classes(((await ok.json()) as any).data.ndarray)).toEqual([0, 1, 2]);
    expect((await get('iris-private')).endpointClients).toEqual([{ name: 'tester' }]);
    await mutate('deletePhDeployment', 'iris-private');
    expect((await predict('iris-private', body, { authorization: `Basic ${basic}` })).status).toBe(404);
  });

  test("a broken model is Failed with the model server's own error; gs:// is not reachable", async () => {
    await create({ id: 'broken', modelURI: `/project/${server.groupName}/broken` });
    const failed = await waitStatus('broken', 'Failed');
    // joblib's own words for a file that is not a pickle
    expect(failed.message).toMatch(/exited with code 1: IndexError: pop from empty list \(see the pod's log\)$/);
    const log = await fetch(failed.pods[0].logEndpoint, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await log.text()).toMatch(/Traceback/);
    const refused = await predict('broken', { data: { ndarray: ROWS } });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as any).status.info).toMatch(/^deployment broken is Failed: /);

    await create({ id: 'on-gcs', modelURI: 'gs://seldon-models/sklearn/iris' });
    const gcs = await waitStatus('on-gcs', 'Failed');
    expect(gcs.message).toMatch(/not reachable from PrimeHub Local/);
  });
});
