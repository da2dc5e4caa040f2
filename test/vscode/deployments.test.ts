/**
 * The Deployments view, Deploy Model and Test Endpoint end to end: the packaged VSIX in code-server
 * (VS Code 1.100) in headless Chromium against a real PrimeHub Local, its real MLflow and real model
 * servers. A job trains iris and logs it to the group's MLflow, and version 1 is registered; Deploy
 * Model… from the palette, driven through its QuickPicks, deploys models:/iris/1 with the suggested
 * MLflow server and follows it to Deployed; Test Endpoint sends an iris row (the MLflow server
 * answers the class), the model server is switched to scikit-learn with Update Deployment… (the
 * class probabilities, as the endpoint itself answers them), a wrong shape is refused in a decoded
 * sentence, the request is copied as curl and saved; made private, a client is added and sent as; the
 * history and the pod log are shown; Stop Deployment → Stopped, Start Deployment → Deployed; a file sent as
 * binData (picked in VS Code's file dialog) is refused in a decoded sentence; version 2 registered, Update to
 * the Newest Model Version and, from the Models view, Update a Deployment to This Version… on version 1; a job's
 * artifact folder deployed from its context menu (an MLflow model echoing bytes) and sent the file; Delete.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, PrimeHubClient } from '@primehub-suite/client';
import { parseMlflowRuns } from '@primehub-suite/client/compare';
import type { FrameLocator, Page } from 'playwright-core';
import { IRIS_ROWS, MLFLOW_IMAGE, SKLEARN_IMAGE } from '../deployments/support';
import { TRAIN_IRIS } from '../kit/mlflow';
import { waitFor } from '../kit/wait';
import { SHOTS, signIn, submitJob, succeededJobRow, useMlflowWorkbench, type MlflowWorkbench } from './mlflowWorkbench';
import type { Workbench } from './workbench';

jest.setTimeout(300_000);

/** A binData file in the workspace, picked through VS Code's file dialog. */
const SAMPLE = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));

/**
 * A job that keeps an MLflow pyfunc model in its artifacts (`~/artifacts/echo`): bytes in, their length
 * and SHA-256 out (the class travels inside the pickle: it is defined in the job's own script).
 */
const SAVE_ECHO = [
  "python - <<'EOF'",
  'import hashlib, os',
  'import mlflow.pyfunc',
  'class Echo(mlflow.pyfunc.PythonModel):',
  '    def predict(self, context, model_input, params=None):',
  '        if isinstance(model_input, (bytes, bytearray)):',
  "            return {'bytes': len(model_input), 'sha256': hashlib.sha256(model_input).hexdigest()}",
  '        return model_input',
  "mlflow.pyfunc.save_model(os.path.expanduser('~/artifacts/echo'), python_model=Echo())",
  'EOF'
].join('\n');

let fx: MlflowWorkbench;
let client: PrimeHubClient;
let page: Page;
let wb: Workbench;
let train: Job;
let saveEcho: Job;

const workbench = useMlflowWorkbench({
  name: 'deployments',
  clipboard: true,
  // both train while the workbench starts
  beforeWorkbench: async setup => {
    writeFileSync(join(setup.workspace, 'sample.bin'), SAMPLE);
    train = await submitJob(setup.client, 'train-iris', TRAIN_IRIS);
    // its model is deployed from the job's artifacts
    saveEcho = await submitJob(setup.client, 'save-echo', SAVE_ECHO);
  },
  timeoutMs: 120_000
});

/** Registers the iris run trained with `c` as the next version of iris. */
async function registerRun(c: string): Promise<void> {
  const run = parseMlflowRuns(await client.models.mlflowRuns('iris')).find(r =>
    r.params.some(([k, v]) => k === 'C' && v === c)
  );
  await client.models.register({ name: 'iris', runId: run!.runId, path: 'model' });
}

beforeAll(async () => {
  fx = workbench();
  ({ client, page, wb } = fx);
  // version 1 of iris: the run with C=1.0 (the Models suite registers through the UI)
  const done = await client.jobs.wait(train.id, { timeoutMs: 240_000 });
  if (done.phase !== 'Succeeded') {
    throw new Error(`the training job is ${done.phase}: ${done.message}`);
  }
  await registerRun('1.0');
}, 300_000);

/** The focused row of the open QuickPick, once it shows `text`. */
const focusedRow = (text: string | RegExp) =>
  page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).first();
const deploymentsPane = () =>
  page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Deployments' }) }).first();
const deploymentRow = (text: string | RegExp) =>
  deploymentsPane().locator('.monaco-list-row', { hasText: text }).filter({ visible: true }).first();
/** The shown Test Endpoint webview's page (code-server nests it in two frames; a hidden tester keeps its frame). */
const tester = (): FrameLocator =>
  page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .first()
    .contentFrame()
    .frameLocator('iframe#active-frame');
/** The prediction table's cells by column: [{ '#': '0', 't:0': '0.97', … }]. */
async function predictionRows(): Promise<Array<Record<string, string>>> {
  const table = tester().locator('table.prediction');
  const heads = (await table.locator('thead th').allInnerTexts()).map(t => t.trim());
  const rows: Array<Record<string, string>> = [];
  for (const row of await table.locator('tbody tr').all()) {
    const cells = (await row.locator('td').allInnerTexts()).map(t => t.trim());
    rows.push(Object.fromEntries(heads.map((h, i) => [h, cells[i]])));
  }
  return rows;
}
/** A number as the table shows it: four significant digits. */
const shown = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/** Deploy Model's last steps as offered: the first instance type, 1 replica, a public endpoint. */
async function acceptLastDeploySteps(): Promise<void> {
  await wb.acceptPick('Deploy Model (4/6): instance type');
  await wb.answer('Deploy Model (5/6): replicas', '1');
  await wb.quickInputShowing('Deploy Model (6/6): endpoint access').waitFor({ timeout: 30_000 });
  await focusedRow('Public').waitFor();
  await page.keyboard.press('Enter');
}

/** Sends what the request editor holds, once the previous answer is gone. */
async function send(text: string): Promise<void> {
  await tester().locator('#text').fill(text);
  await tester().locator('#send').click();
}

test('signed in, the Deployments view says there are none yet and offers Deploy Model…', async () => {
  await signIn(fx);
  await wb.showView('Deployments');
  await page
    .locator('.welcome-view-content', { hasText: 'No deployments in this group yet' })
    .waitFor({ timeout: 30_000 });
  expect((await client.models.versions('iris')).map(v => v.version)).toEqual(['1']);
});

test('Deploy Model… from the palette: models:/iris/1 typed, the MLflow server suggested for its MLmodel, followed to Deployed', async () => {
  await wb.clearNotifications();
  await wb.runCommand('PrimeHub: Deploy Model…');
  await wb.quickInputShowing('Deploy Model (1/6): model').waitFor({ timeout: 30_000 });
  // the registered versions are offered; a URI can be typed too
  await wb.pickRow('models:/iris/1').waitFor({ timeout: 30_000 });
  await wb.quickInput().fill('models:/iris/1');
  await focusedRow('models:/iris/1').waitFor();
  await page.keyboard.press('Enter');

  // read from the version's run: its folder holds MLmodel
  await wb.quickInputShowing('Deploy Model (2/6): model server').waitFor({ timeout: 60_000 });
  await focusedRow(/MLflow[\s\S]*suggested: an MLflow model \(MLmodel/).waitFor({ timeout: 30_000 });
  await wb.pickRow('scikit-learn').waitFor();
  await wb.screenshot(join(SHOTS, 'deployments-deploy-server.png'));
  await page.keyboard.press('Enter');

  await wb.quickInputShowing('Deploy Model (3/6): name').waitFor({ timeout: 30_000 });
  expect(await wb.quickInput().inputValue()).toBe('iris');
  await wb.quickInput().fill('-iris');
  await wb.quickInputShowing('must start with a letter or digit').waitFor();
  await wb.quickInput().fill('iris');
  await page.keyboard.press('Enter');
  await acceptLastDeploySteps();

  // state first: the deployment in PrimeHub, then the view and the notification
  const created = await waitFor(
    'the deployment of models:/iris/1',
    async () => (await client.deployments.list()).find(d => d.name === 'iris'),
    60_000
  );
  const detail = await client.deployments.get(created.id);
  expect(detail).toMatchObject({ modelURI: 'models:/iris/1', modelImage: MLFLOW_IMAGE, replicas: 1 });
  expect(detail.endpointAccessType).toBe('public');
  await deploymentRow(/^iris.*Deployed · 1\/1 replicas · models:\/iris\/1/).waitFor({ timeout: 180_000 });
  await wb.expectNotification(/iris is deployed: http/, 60_000);
  expect((await client.deployments.get(created.id)).status).toBe('Deployed');

  // its facts: endpoint, replicas, model, server
  const row = deploymentRow(/^iris/);
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
  await deploymentRow(/^Endpoint\s*http/).waitFor({ timeout: 30_000 });
  await deploymentRow(/^Model server\s*seldonio\/mlflowserver/).waitFor();
  await deploymentRow(/^Replicas\s*1\/1 available/).waitFor();
  await page.locator('.pane-header', { hasText: 'Deployments' }).first().hover();
  await wb.screenshot(join(SHOTS, 'deployments-view.png'));
});

test('Test Endpoint: an iris row sent as ndarray; the MLflow server answers its class', async () => {
  await wb.contextMenu(deploymentRow(/^iris/), 'Test Endpoint');
  await tester().locator('#text').waitFor({ timeout: 60_000 });
  await tester().locator('h1', { hasText: 'iris' }).waitFor();
  await send(JSON.stringify([IRIS_ROWS[0]]));
  await tester().locator('.result-status.ok', { hasText: 'HTTP 200' }).waitFor({ timeout: 60_000 });
  // pyfunc's predict: the class of the setosa row
  const rows = await predictionRows();
  expect(rows).toHaveLength(1);
  expect(Object.values(rows[0]).slice(1)).toEqual(['0']);
  await expect(tester().locator('.latency').innerText()).resolves.toMatch(/^\d+ ms$/);
});

test('Update Deployment… to the scikit-learn server: Test Endpoint shows the class probabilities the endpoint answers', async () => {
  await wb.clearNotifications();
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^iris/), 'Update Deployment…');
  await wb.quickInputShowing('what to change').waitFor({ timeout: 30_000 });
  await wb.pickRow('Model server').click();
  await wb.quickInputShowing('Update iris: model server').waitFor({ timeout: 60_000 });
  await focusedRow(/current/).waitFor({ timeout: 30_000 });
  await wb.pickRow('scikit-learn').click();
  const [d] = await client.deployments.list();
  await waitFor(
    'the update to the scikit-learn server',
    async () => (await client.deployments.get(d.id)).modelImage === SKLEARN_IMAGE,
    60_000
  );
  await wb.expectNotification(/iris is deployed: http/, 180_000);
  expect((await client.deployments.get(d.id)).status).toBe('Deployed');

  await wb.runCommand('PrimeHub: Test Endpoint');
  await tester().locator('#text').waitFor({ timeout: 60_000 });
  await send(JSON.stringify(IRIS_ROWS));
  await tester().locator('table.prediction thead th', { hasText: 't:2' }).waitFor({ timeout: 60_000 });
  // the same numbers as the endpoint itself answers, one row per instance
  const direct = (await client.deployments.predict(d.id, { ndarray: IRIS_ROWS })) as {
    data: { names: string[]; ndarray: number[][] };
  };
  const rows = await predictionRows();
  expect(rows).toEqual(
    direct.data.ndarray.map((probs, i) => ({
      '#': String(i),
      ...Object.fromEntries(direct.data.names.map((n, j) => [n, shown(probs[j])]))
    }))
  );
  // setosa, versicolor, virginica: each row's highest probability is its class
  expect(direct.data.ndarray.map(r => r.indexOf(Math.max(...r)))).toEqual([0, 1, 2]);
  await wb.screenshot(join(SHOTS, 'deployments-tester.png'));
});

test('a request of the wrong shape is refused in a decoded sentence; the request stays as typed', async () => {
  const bad = '[[5.1, 3.5]]';
  await send(bad);
  const error = tester().locator('.error', { hasText: 'could not use the request' });
  await error.waitFor({ timeout: 60_000 });
  expect(await error.innerText()).toMatch(/The model server could not use the request \(HTTP 400\): /);
  await tester().locator('.result-status.failed', { hasText: 'HTTP 400' }).waitFor();
  expect(await tester().locator('#text').inputValue()).toBe(bad);
  await wb.screenshot(join(SHOTS, 'deployments-tester-error.png'));
  // an editor mistake never leaves the editor
  await send('[[5.1, 3.5,');
  await tester().locator('.error', { hasText: 'The ndarray is not valid JSON' }).waitFor({ timeout: 30_000 });
});

test('Copy as curl copies a command for the endpoint; a request saved by name is offered again', async () => {
  await tester()
    .locator('#text')
    .fill(JSON.stringify([IRIS_ROWS[2]]));
  await tester().locator('button[data-format="curl"]').click();
  await page
    .locator('.statusbar-item', { hasText: 'Copied the request as a curl command' })
    .waitFor({ timeout: 30_000 });
  const [d] = await client.deployments.list();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('curl');
  expect(copied).toContain(d.endpoint!);
  expect(copied).toContain('"ndarray"');

  await tester().locator('#saveName').fill('virginica');
  await tester().locator('button[data-action="save"]').click();
  // an option of a closed select is never visible: attached is what the page shows
  await tester().locator('#saved option', { hasText: 'virginica' }).waitFor({ state: 'attached', timeout: 30_000 });
  await tester().locator('#text').fill('[]');
  await tester().locator('#saved').selectOption('virginica');
  await waitFor(
    'the saved request to be loaded',
    async () => (await tester().locator('#text').inputValue()) === JSON.stringify([IRIS_ROWS[2]]),
    30_000
  );
});

test('made private with Update Deployment…: a client added shows its token once (copied); Test Endpoint sends as it; curl copies the client with a token placeholder', async () => {
  await wb.clearNotifications();
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^iris/), 'Update Deployment…');
  await wb.quickInputShowing('what to change').waitFor({ timeout: 30_000 });
  await wb.pickRow('Endpoint access').click();
  await wb.quickInputShowing('Update iris: endpoint access').waitFor({ timeout: 30_000 });
  await wb.pickRow('Private').click();
  const [d] = await client.deployments.list();
  await waitFor(
    'the endpoint to be private',
    async () => (await client.deployments.get(d.id)).endpointAccessType === 'private',
    60_000
  );
  await wb.expectNotification(/iris is deployed: http/, 180_000);
  // without a client the endpoint refuses
  const refused = await client.deployments.send(d.id, { ndarray: [IRIS_ROWS[1]] });
  expect(refused.status).toBe(401);

  await wb.contextMenu(deploymentRow(/^iris/), 'Add Client…');
  await wb.answer('Add a client to iris', 'tester');
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Client tester of iris added' });
  await dialog.waitFor({ timeout: 60_000 });
  const token = /shown only now:\s*(\S+)/.exec(await dialog.innerText())?.[1];
  expect(token).toBeTruthy();
  await dialog.locator('.monaco-button', { hasText: 'Copy Token' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await waitFor(
    'the token in the clipboard',
    async () => (await page.evaluate(() => navigator.clipboard.readText())) === token,
    30_000
  );
  await deploymentRow(/^tester\s*client/).waitFor({ timeout: 30_000 });
  const direct = await client.deployments.send(
    d.id,
    { ndarray: [IRIS_ROWS[1]] },
    { auth: { username: 'tester', password: token! } }
  );
  expect(direct.status).toBe(200);

  // the tester sends as the only client, with the token kept in secret storage
  await wb.runCommand('PrimeHub: Test Endpoint');
  await tester().locator('.endpoint', { hasText: 'private' }).waitFor({ timeout: 60_000 });
  await send(JSON.stringify([IRIS_ROWS[1]]));
  await tester().locator('.result-status.ok', { hasText: 'HTTP 200' }).waitFor({ timeout: 60_000 });
  const [row] = await predictionRows();
  const probs = (direct.body as { data: { ndarray: number[][] } }).data.ndarray[0];
  expect(row['t:1']).toBe(shown(probs[1]));

  await tester().locator('button[data-format="curl"]').click();
  await wb.quickInputShowing('Copy the request as client tester').waitFor({ timeout: 30_000 });
  await wb.pickRow('Token as a placeholder').click();
  const copied = await waitFor(
    'the curl command of the private endpoint',
    async () => {
      const text = await page.evaluate(() => navigator.clipboard.readText());
      return text.includes('tester:<client token>') ? text : undefined;
    },
    30_000
  );
  expect(copied).toContain(d.endpoint!);
  expect(copied).not.toContain(token!);
});

test("Show Deployment History opens its changes as a read-only document; Follow Pod Log streams the pod's log into an output channel", async () => {
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^iris/), 'Show Deployment History');
  await page.locator('.tab', { hasText: 'History of iris' }).first().waitFor({ timeout: 30_000 });
  // the editor draws spaces as no-break spaces: \s matches both
  const history = page.locator('.monaco-editor .view-lines', { hasText: /History\sof\sdeployment\siris/ }).first();
  await history.waitFor({ timeout: 30_000 });
  expect(await history.innerText()).toMatch(/model\simage:\sinfuseai\/sklearn-prepackaged:v0\.1\.0/);
  await wb.screenshot(join(SHOTS, 'deployments-history.png'));

  // the channel follows the end of the log: the predictions the endpoint answered last
  await wb.contextMenu(deploymentRow(/^iris/), 'Follow Pod Log');
  await page
    .locator('.output-view, .panel', { hasText: /POST\s\/api\/v1\.0\/predictions\sHTTP\/1\.1"\s200/ })
    .first()
    .waitFor({ timeout: 60_000 });
});

test('Stop Deployment: followed to Stopped; the view shows it stopped with no replica', async () => {
  await wb.clearNotifications();
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^iris/), 'Stop Deployment');
  await deploymentRow(/^iris.*Stopped · 0\/0 replicas/).waitFor({ timeout: 120_000 });
  const [d] = await client.deployments.list();
  expect(d).toMatchObject({ status: 'Stopped', stop: true });
  await wb.expectNotification('iris is stopped.', 60_000);
});

/** Picks the workspace's sample.bin in Test Endpoint's binData form, through the file dialog code-server shows. */
async function chooseSample(): Promise<void> {
  await tester().locator('input[name="form"][value="binData"]').check();
  await tester().locator('button[data-action="pickFile"]').click();
  // VS Code's own file dialog of a remote workspace: a quick input holding a path, its OK button ours
  const dialog = wb.quickInputShowing(/The file to send to .* \(binData\)/);
  await dialog.waitFor({ timeout: 30_000 });
  await dialog.locator('.monaco-button', { hasText: 'Send This File' }).waitFor();
  // it lists the workspace folder, then sets its path as the value: a path typed before that is replaced
  await wb.pickRow('sample.bin').waitFor({ timeout: 30_000 });
  const path = join(fx.workspace, 'sample.bin');
  for (let attempt = 1; ; attempt++) {
    await wb.quickInput().fill(path);
    if (attempt === 1) {
      await wb.screenshot(join(SHOTS, 'deployments-tester-file-dialog.png'));
    }
    await page.keyboard.press('Enter');
    const taken = await dialog
      .waitFor({ state: 'hidden', timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    if (taken) {
      break;
    }
    if (attempt === 3) {
      throw new Error(`the file dialog did not take ${path}: ${await dialog.innerText()}`);
    }
  }
  await tester().locator('#fileName', { hasText: 'sample.bin (4.9 KB)' }).waitFor({ timeout: 30_000 });
}

test('Start Deployment on the Stopped deployment: followed to Deployed; the view shows its replica again', async () => {
  await wb.clearNotifications();
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^iris.*Stopped/), 'Start Deployment');
  await deploymentRow(/^iris.*Deployed · 1\/1 replicas · models:\/iris\/1/).waitFor({ timeout: 180_000 });
  const [d] = await client.deployments.list();
  expect(d).toMatchObject({ status: 'Deployed', stop: false });
  await wb.expectNotification(/iris is deployed: http/, 60_000);
});

test("Test Endpoint with a file as binData, picked in VS Code's file dialog: the scikit-learn server's refusal in a decoded sentence", async () => {
  await wb.runCommand('PrimeHub: Test Endpoint');
  await tester().locator('h1', { hasText: 'iris' }).waitFor({ timeout: 60_000 });
  await tester().locator('h1 .status', { hasText: 'Deployed' }).waitFor({ timeout: 60_000 });
  await chooseSample();
  await tester().locator('#send').click();
  // the iris classifier takes numbers: Seldon's error body, said as a sentence
  const error = tester().locator('.error', { hasText: 'could not use the request' });
  await error.waitFor({ timeout: 60_000 });
  expect(await error.innerText()).toBe(
    'The model server could not use the request (HTTP 400): Unknown data type returned as payload (must be list or np array):None.'
  );
  await tester().locator('.result-status.failed', { hasText: 'HTTP 400' }).waitFor();
  await wb.screenshot(join(SHOTS, 'deployments-tester-bindata-refused.png'));
});

test('Update to the Newest Model Version: version 2 registered, the row offers it; the deployment serves models:/iris/2, Deployed', async () => {
  await wb.clearNotifications();
  await registerRun('0.05');
  await wb.showView('Deployments');
  await wb.runCommand('PrimeHub: Refresh Deployments');
  const row = deploymentRow(/^iris.*models:\/iris\/1 · version 2 available/);
  await row.waitFor({ timeout: 60_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
  await deploymentRow(/^Update to version 2\s*a newer version of the model is registered/).waitFor({ timeout: 30_000 });
  await wb.screenshot(join(SHOTS, 'deployments-newer-version.png'));
  await wb.contextMenu(row, 'Update to the Newest Model Version');
  const [d] = await client.deployments.list();
  await waitFor(
    'the update to models:/iris/2',
    async () => (await client.deployments.get(d.id)).modelURI === 'models:/iris/2',
    60_000
  );
  await deploymentRow(/^iris.*Deployed · 1\/1 replicas · models:\/iris\/2$/).waitFor({ timeout: 180_000 });
  await wb.expectNotification(/iris is deployed: http/, 60_000);
  expect((await client.deployments.get(d.id)).status).toBe('Deployed');
  // nothing newer to offer now
  await deploymentRow(/^Update to version/).waitFor({ state: 'detached', timeout: 30_000 });
});

test('Update a Deployment to This Version… on version 1 in the Models view: the deployment serves models:/iris/1 again, Deployed', async () => {
  await wb.clearNotifications();
  await wb.showView('Models');
  const modelsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Models' }) }).first();
  const modelsRow = (text: RegExp) =>
    modelsPane.locator('.monaco-list-row', { hasText: text }).filter({ visible: true }).first();
  await wb.runCommand('PrimeHub: Refresh Models');
  const model = modelsRow(/^iris/);
  await model.waitFor({ timeout: 60_000 });
  if ((await model.getAttribute('aria-expanded')) === 'false') {
    await model.click();
  }
  await modelsRow(/^Version 2/).waitFor({ timeout: 30_000 });
  await wb.contextMenuUntil(
    modelsRow(/^Version 1/),
    'Update a Deployment to This Version…',
    wb.quickInputShowing('Update a deployment to models:/iris/1')
  );
  await wb.pickRow(/iris[\s\S]*serves models:\/iris\/2/).click();
  const [d] = await client.deployments.list();
  await waitFor(
    'the update to models:/iris/1',
    async () => (await client.deployments.get(d.id)).modelURI === 'models:/iris/1',
    60_000
  );
  await wb.expectNotification(/iris is deployed: http/, 180_000);
  expect((await client.deployments.get(d.id)).status).toBe('Deployed');
  await wb.showView('Deployments');
  await deploymentRow(/^iris.*Deployed · 1\/1 replicas · models:\/iris\/1 · version 2 available/).waitFor({
    timeout: 60_000
  });
});

test('Deploy Model… on a finished job: its artifact folder offered with its phfs:/// URI, the MLflow server suggested, followed to Deployed', async () => {
  await wb.clearNotifications();
  const saved = await client.jobs.wait(saveEcho.id, { timeoutMs: 240_000 });
  expect(saved.phase).toBe('Succeeded');
  await wb.contextMenu(await succeededJobRow(wb, 'save-echo'), 'Deploy Model…');

  const uri = `phfs:///jobArtifacts/${saveEcho.id}/echo/`;
  await wb.quickInputShowing("the folder of save-echo's artifacts holding the model").waitFor({ timeout: 60_000 });
  await focusedRow(/echo\/[\s\S]*MLmodel/).waitFor({ timeout: 30_000 });
  expect(await focusedRow(/echo\//).innerText()).toContain(uri);
  await wb.screenshot(join(SHOTS, 'deployments-deploy-job-folder.png'));
  await page.keyboard.press('Enter');

  await wb.quickInputShowing('Deploy Model (2/6): model server').waitFor({ timeout: 60_000 });
  await focusedRow(/MLflow[\s\S]*suggested: .*MLmodel/).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await wb.quickInputShowing('Deploy Model (3/6): name').waitFor({ timeout: 30_000 });
  expect(await wb.quickInput().inputValue()).toBe('echo');
  await page.keyboard.press('Enter');
  await acceptLastDeploySteps();

  const created = await waitFor(
    'the deployment of the job folder',
    async () => (await client.deployments.list()).find(d => d.name === 'echo'),
    60_000
  );
  expect(await client.deployments.get(created.id)).toMatchObject({ modelURI: uri, modelImage: MLFLOW_IMAGE });
  await wb.showView('Deployments');
  // loading MLflow in the model server takes a while on a loaded machine
  await deploymentRow(new RegExp(`^echo.*Deployed · 1/1 replicas · ${uri}`)).waitFor({ timeout: 240_000 });
  await wb.expectNotification(/echo is deployed: http/, 60_000);
});

test("Test Endpoint with a file as binData to the job's echo model: its answer, the file's length and SHA-256", async () => {
  await wb.contextMenu(deploymentRow(/^echo/), 'Test Endpoint');
  await tester().locator('h1', { hasText: 'echo' }).waitFor({ timeout: 60_000 });
  await chooseSample();
  await tester().locator('#send').click();
  await tester().locator('.result-status.ok', { hasText: 'HTTP 200' }).waitFor({ timeout: 60_000 });
  const body = await tester().locator('pre.body').innerText();
  expect(JSON.parse(body)).toMatchObject({
    jsonData: { bytes: SAMPLE.length, sha256: createHash('sha256').update(SAMPLE).digest('hex') }
  });
  await wb.screenshot(join(SHOTS, 'deployments-tester-bindata.png'));
});

test('Delete Deployment…: confirmed in the modal; the row disappears, the other deployment stays', async () => {
  await wb.clearNotifications();
  await wb.showView('Deployments');
  await wb.contextMenu(deploymentRow(/^echo/), 'Delete Deployment…');
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Delete deployment echo?' });
  await dialog.waitFor({ timeout: 30_000 });
  expect(await dialog.innerText()).toMatch(
    /Its endpoint http:\/\/\S+\/deployment\/\S+ stops answering, and its clients and history are deleted with it\./
  );
  await wb.screenshot(join(SHOTS, 'deployments-delete-confirm.png'));
  await dialog.locator('.monaco-button', { hasText: 'Delete' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await waitFor(
    'the deployment echo to be deleted',
    async () => !(await client.deployments.list()).some(d => d.name === 'echo'),
    60_000
  );
  await deploymentRow(/^echo/).waitFor({ state: 'detached', timeout: 30_000 });
  await deploymentRow(/^iris.*Deployed/).waitFor();
  // its tester closed with it
  await page.locator('.tab', { hasText: 'Test echo' }).waitFor({ state: 'detached', timeout: 30_000 });
});
