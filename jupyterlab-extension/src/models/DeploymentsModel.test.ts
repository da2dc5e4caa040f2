import { toGroupPath } from '@primehub-suite/client/browser';
import { pythonRequestsCode } from '@primehub-suite/client/deployments';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IRIS_ROWS, PYTHON, requirePython, trainModels } from '../../../test/deployments/support';
import { LocalServerProcess } from '../../../test/kit/localServer';
import { TestHub, when } from '../testing/TestHub';
import { DeploymentModel } from './DeploymentModel';
import { DeploymentsModel } from './DeploymentsModel';
import { DeployModel } from './DeployModel';
import { TesterModel } from './TesterModel';

// A real PrimeHub Local serving real sklearn model servers; the iris model trained into its PHFS.
let server: LocalServerProcess;
let hub: TestHub;
let list: DeploymentsModel;
const disposables: Array<{ dispose(): void }> = [];

/** An MLflow model folder's MLmodel with a col-spec signature, as MLflow writes it. */
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.2
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.2
mlflow_version: 2.16.0
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
  pandas_orient: split
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}]'
  outputs: null
`;

beforeAll(async () => {
  requirePython();
  server = await LocalServerProcess.start();
  const phfs = join(server.dataDir, 'phfs', 'groups', toGroupPath(server.groupName));
  mkdirSync(join(phfs, 'models', 'iris'), { recursive: true });
  trainModels({ iris: join(phfs, 'models', 'iris') });
  mkdirSync(join(phfs, 'models', 'signed'), { recursive: true });
  writeFileSync(join(phfs, 'models', 'signed', 'MLmodel'), MLMODEL);
  writeFileSync(
    join(phfs, 'models', 'signed', 'input_example.json'),
    JSON.stringify({ columns: ['sepal length (cm)', 'sepal width (cm)'], data: [[5.1, 3.5]] })
  );
  hub = new TestHub(server.endpoint, server.token, server.groupName);
  list = new DeploymentsModel(hub);
  list.active = true;
  list.start();
}, 180_000);

afterAll(async () => {
  // a live Poll's timer would keep jest from exiting
  list?.dispose();
  disposables.forEach(d => d.dispose());
  await hub?.client.close();
  await server?.dispose();
});

/** Deploys a PHFS folder through the dialog's model, as the dialog does. */
async function deploy(uri: string, access: 'public' | 'private' = 'public'): Promise<DeployModel> {
  const model = new DeployModel(hub, { uri });
  disposables.push(model);
  await model.start();
  await when(model.changed, () => !model.inspecting);
  model.setAccess(access);
  expect(await model.deploy()).not.toBeNull();
  return model;
}

/**
 * Runs Python code in the project's virtualenv with `input` on its standard input. In a session of
 * its own (detached): without a terminal to open, getpass reads the standard input.
 */
function runPython(code: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', code], { detached: true, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function row(id: string) {
  return list.items?.find(d => d.id === id);
}

it('the dialog suggests the server from the folder, deploys it, and the list follows it to Deployed', async () => {
  const model = new DeployModel(hub, { uri: 'phfs:///models/iris' });
  disposables.push(model);
  expect(model.name).toBe('iris');
  await model.start();
  await when(model.changed, () => !model.inspecting);
  expect(model.instanceTypes?.length).toBeGreaterThan(0);
  expect(model.instanceType).toBe(model.instanceTypes![0].name);
  expect(model.image).toBe('infuseai/sklearn-prepackaged:v0.1.0');
  expect(model.reason).toBe('Suggested for the PHFS folder /models/iris: a scikit-learn model (model.joblib).');
  expect(model.canDeploy).toBe(true);

  const d = await model.deploy();
  expect(model.error).toBe('');
  expect(d?.id).toMatch(/^iris-[0-9a-f]{5}$/);
  await list.show(d!.id);
  expect(list.highlight).toBe(d!.id);
  expect(row(d!.id)?.modelURI).toBe('phfs:///models/iris');
  await when(list.changed, () => row(d!.id)?.status === 'Deployed', 90_000);
  expect(row(d!.id)).toMatchObject({ replicas: 1, availableReplicas: 1, endpointAccessType: 'public' });
  expect(row(d!.id)?.endpoint).toMatch(new RegExp(`/deployment/${d!.id}/api/v1.0/predictions$`));
}, 120_000);

it('Try it: a table of probabilities with the latency, a wrong shape decoded, the last request prefilled next time', async () => {
  const d = list.items!.find(i => i.modelURI === 'phfs:///models/iris')!;
  const tester = new TesterModel(hub, d.id);
  disposables.push(tester);
  await tester.start(d.modelURI);
  // a bare model.joblib says nothing of its input
  expect(tester.prefill).toBe('none');
  expect(tester.text).toBe('[[]]');

  tester.setText(JSON.stringify([IRIS_ROWS[0]]));
  await tester.send(d.endpoint!, false);
  expect(tester.error).toBe('');
  expect(tester.result).toMatchObject({ status: 200, ok: true });
  expect(tester.result!.latencyMs).toBeGreaterThanOrEqual(0);
  expect(tester.table?.columns).toEqual(['t:0', 't:1', 't:2']);
  const probabilities = tester.table!.rows[0] as number[];
  expect(probabilities.indexOf(Math.max(...probabilities))).toBe(0);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);

  tester.setText('[[1, 2]]');
  await tester.send(d.endpoint!, false);
  expect(tester.result).toMatchObject({ status: 400, ok: false });
  expect(tester.result!.error).toMatch(/^The model server could not use the request \(HTTP 400\): /);
  expect(tester.table).toBeUndefined();

  // a request that is not one is refused before anything is sent
  tester.setForm('tensor');
  tester.setText('{"shape": [1, 4], "values": [1, 2]}');
  expect(tester.parsed.problem).toBe("The tensor's shape [1, 4] holds 4 values, not 2.");

  const again = new TesterModel(hub, d.id);
  disposables.push(again);
  await again.start(d.modelURI);
  expect(again.prefill).toBe('last');
  expect(again.form).toBe('ndarray');
  expect(JSON.parse(again.text)).toEqual([[1, 2]]);
  expect(again.request(d.endpoint!, false)).toEqual({ endpoint: d.endpoint, input: { ndarray: [[1, 2]] } });
});

it("a model folder's MLmodel: the MLflow server suggested with its flavour, the request built from its input example", async () => {
  const model = new DeployModel(hub, { uri: 'phfs:///models/signed' });
  disposables.push(model);
  await model.start();
  await when(model.changed, () => !model.inspecting);
  expect(model.image).toBe('seldonio/mlflowserver:1.17.1');
  expect(model.reason).toContain('sklearn');

  const tester = new TesterModel(hub, 'not-deployed');
  disposables.push(tester);
  await tester.start('phfs:///models/signed');
  expect(tester.prefill).toBe('signature');
  expect(tester.parsed.input).toEqual({ ndarray: [[5.1, 3.5]], names: ['sepal length (cm)', 'sepal width (cm)'] });
});

it('a private endpoint: refused without credentials, answered as a client added in its tab, refused once it is deleted', async () => {
  const made = await deploy('phfs:///models/iris', 'private');
  const id = made.result!.id;
  await list.refresh();
  await when(list.changed, () => row(id)?.status === 'Deployed', 90_000);
  const endpoint = row(id)!.endpoint!;
  const deployment = new DeploymentModel(hub, id);
  disposables.push(deployment);
  await deployment.refresh();
  expect(deployment.isPrivate).toBe(true);
  expect(deployment.clients).toEqual([]);
  const tester = new TesterModel(hub, id);
  disposables.push(tester);
  tester.setText(JSON.stringify([IRIS_ROWS[2]]));

  // no credentials: sent as it is, PrimeHub's refusal decoded
  await tester.send(endpoint, true);
  expect(tester.error).toBe('');
  expect(tester.result).toMatchObject({ status: 401, ok: false });
  expect(tester.result!.error).toMatch(/^The endpoint is private.* \(HTTP 401\)/);
  tester.setCredentials('nobody', 'wrong');
  await tester.send(endpoint, true);
  expect(tester.result).toMatchObject({ status: 401, ok: false });

  const client = await deployment.addClient(' notebook ');
  expect(deployment.clientsError).toBe('');
  expect(client?.name).toBe('notebook');
  expect(client?.token).not.toBe('');
  expect(deployment.newClient).toEqual(client);
  expect(deployment.clients).toEqual(['notebook']);
  tester.setCredentials(client!.name, client!.token);
  await tester.send(endpoint, true);
  expect(tester.result).toMatchObject({ status: 200, ok: true });
  // what is written out for copying names the client, never its token
  expect(tester.request(endpoint, true)?.auth).toEqual({ username: 'notebook' });
  // the notebook cell asks for the token when it runs, and is answered with it
  const cell = pythonRequestsCode(tester.request(endpoint, true)!, { askToken: true });
  expect(cell).not.toContain(client!.token);
  const ran = await runPython(cell, `${client!.token}\n`);
  expect(ran.stderr).toContain('Token of client notebook: ');
  expect(ran).toMatchObject({ code: 0 });
  expect(ran.stdout).toMatch(/'ndarray': \[\[/);
  deployment.dismissNewClient();
  expect(deployment.newClient).toBeNull();

  // a name PrimeHub refuses: said beside the clients
  expect(await deployment.addClient('two words')).toBeNull();
  expect(deployment.clientsError).toMatch(/^Adding client two words.*invalid client name/);
  expect(deployment.clients).toEqual(['notebook']);

  await deployment.deleteClient('notebook');
  expect(deployment.clientsError).toBe('');
  expect(deployment.clients).toEqual([]);
  await tester.send(endpoint, true);
  expect(tester.result).toMatchObject({ status: 401, ok: false });
}, 120_000);

it('Stop, Start and Delete on a row', async () => {
  const id = list.items!.find(i => i.endpointAccessType === 'private')!.id;
  await list.stopDeployment(row(id)!);
  expect(list.error).toBe('');
  await when(list.changed, () => row(id)?.status === 'Stopped', 60_000);
  expect(row(id)?.stop).toBe(true);

  await list.startDeployment(row(id)!);
  await when(list.changed, () => row(id)?.status === 'Deployed', 90_000);

  await list.deleteDeployment(row(id)!);
  expect(list.note).toMatch(/^Deleted /);
  expect(row(id)).toBeUndefined();
  await list.refresh();
  expect(row(id)).toBeUndefined();
}, 180_000);
