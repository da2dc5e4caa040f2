/**
 * The Deployments section, the Deploy dialog and a deployment's tab in a real JupyterLab against a
 * real PrimeHub Local serving a real iris model: an iris classifier trained here and uploaded to
 * PHFS is deployed from its folder's URI, followed to Deployed, tried (the table's probabilities
 * are the model's own, a wrong shape is explained), written into a notebook as a request cell, and
 * stopped; a model that cannot load is Failed with its message and its log. The suite's own
 * servers stay as the other specs expect them (signed out), so this spec starts a PrimeHub Local
 * and a Lab of its own (no MLflow: a few seconds).
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_ROWS, requirePython, trainModels } from '../../../test/deployments/support';
import { startLabStack, stopLabStack, type ILabStack } from '../labStack';
import { PrimeHubHelper, SCREENSHOTS } from './PrimeHubHelper';

test.describe.configure({ mode: 'serial' });
// galata's trackers are off, as in primehub.spec.ts
test.use({
  autoGoto: true,
  kernels: null,
  sessions: null,
  terminals: null,
  baseURL: `http://127.0.0.1:${process.env.PHJL_UI_DEPLOYMENTS_PORT}`
});

/** Screenshots without the toasts that happen to be on screen. */
const NO_TOASTS = '.Toastify, .Toastify__toast-container { display: none !important; }';

let stack: ILabStack | undefined;
let dir = '';

/** Uploads a file to the stack's PHFS through PrimeHub's files API, as a user's upload goes. */
async function uploadToPhfs(s: ILabStack, path: string, data: Buffer): Promise<void> {
  const groupPath = s.group.name.toLowerCase().replace(/_/g, '-');
  const res = await fetch(`${s.serverUrl}/api/files/groups/${groupPath}/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(data)
  });
  if (!res.ok) {
    throw new Error(`uploading ${path} to PHFS failed: ${res.status} ${await res.text()}`);
  }
}

/** A GraphQL call to the stack's PrimeHub Local with its token. */
async function graphql<T>(s: ILabStack, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(s.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ query, variables })
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors?.length) {
    throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

/** Probabilities as the tester's table shows them (six significant digits). */
const shown = (v: number): string => String(Number(v.toPrecision(6)));

/** The Deployments tab of the panel, shown. */
async function openDeployments(ph: PrimeHubHelper): Promise<void> {
  await ph.panel.getByRole('tab', { name: 'Deployments', exact: true }).click();
  await expect(ph.panel.locator('.jp-primehub-Deployments')).toBeVisible();
}

/** Deploys `uri` through the section's Deploy… dialog; resolves with the new deployment's row. */
async function deployFromDialog(
  ph: PrimeHubHelper,
  uri: string,
  reason: string | RegExp,
  screenshot?: string,
  access: 'Public' | 'Private' = 'Public'
) {
  await ph.panel.getByTitle('Deploy a model by its URI (models:/… or phfs:///…)').click();
  const dialog = ph.dialog;
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Model URI').fill(uri);
  await dialog.getByRole('radio', { name: new RegExp(`^${access} `) }).check();
  // the name follows the URI; the server is suggested from the folder's files
  await expect(dialog.getByTestId('deploy-server-reason')).toHaveText(reason);
  await expect(dialog.locator('#ph-deploy-instance-type option')).not.toHaveText(['…']);
  if (screenshot) {
    await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, screenshot) });
  }
  await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(dialog).toBeHidden();
  // the one just made is marked, and listed at once
  const row = ph.panel.locator('.jp-primehub-DeploymentRow.jp-mod-selected');
  await expect(row.getByTestId('model-uri')).toHaveText(uri);
  return row;
}

/** The current notebook's cells (type and source) and which one is active. */
function notebookCells(page: IJupyterLabPageFixture) {
  return page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget as unknown as {
      content: {
        widgets: Array<{ model: { type: string; sharedModel: { getSource(): string } } }>;
        activeCellIndex: number;
      };
    };
    return {
      active: panel.content.activeCellIndex,
      cells: panel.content.widgets.map(c => ({ type: c.model.type, source: c.model.sharedModel.getSource() }))
    };
  });
}

/** The deployment tab in view. */
function deploymentTab(page: IJupyterLabPageFixture) {
  return page.locator('.jp-primehub-DeploymentView:visible');
}

test.beforeAll(async () => {
  requirePython();
  mkdirSync(SCREENSHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'phjl-deploy-'));
  stack = await startLabStack({ labPort: process.env.PHJL_UI_DEPLOYMENTS_PORT!, mlflow: false, signedIn: true });
  trainModels({ iris: dir, echo: join(dir, 'echo') });
  await uploadToPhfs(stack, 'models/iris/model.joblib', readFileSync(join(dir, 'model.joblib')));
  for (const file of readdirSync(join(dir, 'echo'), { recursive: true, encoding: 'utf8' })) {
    if (statSync(join(dir, 'echo', file)).isFile()) {
      await uploadToPhfs(stack, `models/echo/${file}`, readFileSync(join(dir, 'echo', file)));
    }
  }
  await uploadToPhfs(stack, 'models/broken/model.joblib', Buffer.from('this is not a pickle'));
  // notebooks for the request cells
  for (const name of ['predict', 'private']) {
    writeFileSync(
      join(stack.home, `${name}.ipynb`),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
        cells: [{ id: 'c0', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: `# ${name}` }]
      })
    );
  }
});

test.afterAll(async () => {
  if (stack) {
    await stopLabStack(stack.pids, stack.work);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('deploy an iris folder from PHFS, try it, insert a request cell, stop it', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn(stack!.token);
  await openDeployments(ph);
  await expect(ph.panel.getByTestId('no-deployments')).toBeVisible();

  const row = await deployFromDialog(
    ph,
    'phfs:///models/iris',
    'Suggested for the PHFS folder /models/iris: a scikit-learn model (model.joblib).',
    'deploy-dialog.png'
  );
  // followed live: Deploying, then Deployed with its one replica
  await expect(row).toHaveAttribute('data-status', 'Deployed', { timeout: 120_000 });
  const id = (await row.getAttribute('data-deployment-id'))!;
  expect(id).toMatch(/^iris-[0-9a-f]{5}$/);
  const endpoint = `${stack!.serverUrl}/deployment/${id}/api/v1.0/predictions`;
  await expect(row.getByTestId('endpoint')).toHaveText(endpoint);
  await expect(row.getByTestId('replicas')).toHaveText('1/1 replica');
  await expect(row.getByTestId('model-uri')).toHaveText('phfs:///models/iris');
  await page.addStyleTag({ content: NO_TOASTS });
  await ph.panel.screenshot({ path: join(SCREENSHOTS, 'deployments.png') });

  // Copy puts the endpoint on the clipboard
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const copy = row.getByTitle('Copy the endpoint URL');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(endpoint);

  // Try it: the model's own probabilities for a setosa, as the endpoint answers them
  await row.getByRole('button', { name: 'Try it' }).click();
  const tab = deploymentTab(page);
  await expect(tab.locator('td[data-field="Status"]')).toHaveText('Deployed');
  const data = tab.getByLabel('Request data');
  await expect(data).toHaveValue('[[]]');
  await data.fill(JSON.stringify([IRIS_ROWS[0]]));
  await tab.getByRole('button', { name: 'Send', exact: true }).click();
  const table = tab.getByTestId('prediction-table');
  await expect(table.locator('thead th')).toHaveText(['#', 't:0', 't:1', 't:2']);
  const direct = (await (
    await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { ndarray: [IRIS_ROWS[0]] } })
    })
  ).json()) as { data: { ndarray: number[][] } };
  await expect(table.locator('tbody td')).toHaveText(direct.data.ndarray[0].map(shown));
  expect(direct.data.ndarray[0][0]).toBeGreaterThan(0.9);
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 200 · \d+ ms$/);
  await tab.screenshot({ path: join(SCREENSHOTS, 'deployment-try-it.png') });

  // a row of the wrong shape: the model server's error decoded, no table
  await data.fill('[[1, 2]]');
  await tab.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 400 · \d+ ms$/);
  await expect(tab.getByTestId('answer-error')).toHaveText(
    /^The model server could not use the request \(HTTP 400\): .+/
  );
  await expect(table).toBeHidden();

  // Insert request cell without a notebook open: said so, nothing added
  await data.fill(JSON.stringify([IRIS_ROWS[1]]));
  await tab.getByRole('button', { name: 'Insert request cell' }).click();
  await ph.answer('No notebook open', 'Ok');

  // with one open: a cell below its active cell that posts the request to the endpoint
  await ph.openNotebook('predict.ipynb');
  await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: `Deployment ${id}` }).click();
  await tab.getByRole('button', { name: 'Insert request cell' }).click();
  await expect(page.locator('.jp-mod-current .lm-TabBar-tabLabel', { hasText: 'predict.ipynb' }).first()).toBeVisible();
  const cells = await notebookCells(page);
  expect(cells.active).toBe(1);
  expect(cells.cells[0].source).toBe('# predict');
  expect(cells.cells[1].type).toBe('code');
  expect(cells.cells[1].source).toContain('requests.post(');
  expect(cells.cells[1].source).toContain(JSON.stringify(endpoint));
  expect(cells.cells[1].source).toContain(JSON.stringify(IRIS_ROWS[1]).replace(/,/g, ', '));

  // Stop: the row follows it to Stopped, and offers Start
  await ph.openPanel();
  await openDeployments(ph);
  await row.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(row).toHaveAttribute('data-status', 'Stopped', { timeout: 60_000 });
  await expect(row.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
  await expect(row.getByTestId('replicas')).toHaveText('0/1 replica');
});

test('a model that cannot load is Failed with its message and its log; Delete asks first', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn(stack!.token);
  await openDeployments(ph);
  const row = await deployFromDialog(
    ph,
    'phfs:///models/broken',
    'Suggested for the PHFS folder /models/broken: a scikit-learn model (model.joblib).'
  );
  await expect(row).toHaveAttribute('data-status', 'Failed', { timeout: 120_000 });
  await expect(row.getByTestId('deployment-message')).toHaveText(/exited with code 1: .*\(see the pod's log\)$/);
  await expect(row.getByRole('button', { name: 'Try it' })).toBeDisabled();

  await row.getByRole('button', { name: 'Log', exact: true }).click();
  const tab = deploymentTab(page);
  await expect(tab.locator('td[data-field="Status"]')).toHaveText('Failed');
  await expect(tab.getByTestId('deployment-log')).toContainText('Traceback');

  await ph.openPanel();
  await openDeployments(ph);
  const id = (await row.getAttribute('data-deployment-id'))!;
  await row.getByRole('button', { name: 'Delete', exact: true }).click();
  await ph.answer('Delete deployment?', 'Delete');
  await expect(ph.panel.locator(`.jp-primehub-DeploymentRow[data-deployment-id="${id}"]`)).toBeHidden();
  await expect(ph.panel.locator('.jp-primehub-DeploymentRow')).toHaveCount(1);
});

test("a job's artifact folder holding a model deploys from its PHFS URI", async ({ page }) => {
  const s = stack!;
  const { createPhJob } = await graphql<{ createPhJob: { id: string } }>(
    s,
    'mutation($data: PhJobCreateInput!) { createPhJob(data: $data) { id } }',
    {
      data: {
        displayName: 'save-iris',
        groupId: s.group.id,
        instanceType: 'cpu-1',
        image: 'base-notebook',
        command: 'mkdir -p ~/artifacts/model && cp ~/phfs/models/iris/model.joblib ~/artifacts/model/'
      }
    }
  );
  const ph = new PrimeHubHelper(page);
  await ph.signIn(s.token);
  await page.evaluate(id => void window.jupyterapp.commands.execute('primehub-suite:open-job', { id }), createPhJob.id);
  await ph.expectPhase('Succeeded');
  await ph.jobTab.getByRole('tab', { name: 'Artifacts' }).click();
  await ph.jobTab.locator('[data-deploy-folder="model"]').click();
  const dialog = ph.dialog;
  const uri = `phfs:///jobArtifacts/${createPhJob.id}/model`;
  await expect(dialog.getByLabel('Model URI')).toHaveValue(uri);
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('model');
  await expect(dialog.getByTestId('deploy-server-reason')).toHaveText(
    `Suggested for the PHFS folder /jobArtifacts/${createPhJob.id}/model: a scikit-learn model (model.joblib).`
  );
  await dialog.getByLabel('Name', { exact: true }).fill('iris-from-job');
  await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(dialog).toBeHidden();
  // the panel shows the new deployment, followed to Deployed
  const row = ph.panel.locator('.jp-primehub-DeploymentRow.jp-mod-selected');
  await expect(row.getByTestId('model-uri')).toHaveText(uri);
  await expect(row).toHaveAttribute('data-status', 'Deployed', { timeout: 120_000 });
  await row.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(row).toHaveAttribute('data-status', 'Stopped', { timeout: 60_000 });
});

test('strData, jsonData and a file as binData to an MLflow model that echoes them', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn(stack!.token);
  await openDeployments(ph);
  const row = await deployFromDialog(
    ph,
    'phfs:///models/echo',
    'Suggested for the PHFS folder /models/echo: an MLflow model (MLmodel).'
  );
  // loading MLflow in the model server takes a while on a loaded machine
  await expect(row).toHaveAttribute('data-status', 'Deployed', { timeout: 180_000 });
  await row.getByRole('button', { name: 'Try it' }).click();
  const tab = deploymentTab(page);
  const form = tab.getByLabel('Request form');
  const send = tab.getByRole('button', { name: 'Send', exact: true });
  const body = tab.getByTestId('answer-body');

  await form.selectOption('strData');
  await tab.getByLabel('Request data').fill('hello, "model"');
  await send.click();
  await expect(body).toContainText('"strData": "HELLO, \\"MODEL\\""');

  await form.selectOption('jsonData');
  await tab.getByLabel('Request data').fill('{"b": 1, "a": [2]}');
  await send.click();
  await expect(body).toContainText('"keys": [');
  await expect(body).toContainText('"a",');

  const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 256));
  await form.selectOption('binData');
  await tab
    .getByLabel('File to send')
    .setInputFiles({ name: 'sample.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await send.click();
  await expect(body).toContainText(`"sha256": "${createHash('sha256').update(bytes).digest('hex')}"`);
  await expect(body).toContainText('"bytes": 5000');
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 200 · \d+ ms$/);
});

test('a private endpoint: a client added (its token shown once), tried as it and without, a request cell that asks for the token, the client deleted', async ({
  page
}) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn(stack!.token);
  await openDeployments(ph);
  const row = await deployFromDialog(
    ph,
    'phfs:///models/iris',
    'Suggested for the PHFS folder /models/iris: a scikit-learn model (model.joblib).',
    undefined,
    'Private'
  );
  await expect(row).toHaveAttribute('data-status', 'Deployed', { timeout: 120_000 });
  await expect(row.getByTestId('replicas')).toHaveText('1/1 replica · private');
  const endpoint = (await row.getByTestId('endpoint').textContent())!;

  await row.getByRole('button', { name: 'Try it' }).click();
  const tab = deploymentTab(page);
  await expect(tab.locator('td[data-field="Access"]')).toHaveText('Private (client name and token)');
  const clients = tab.getByTestId('clients');
  await expect(clients.getByTestId('no-clients')).toBeVisible();
  const data = tab.getByLabel('Request data');
  await expect(data).toHaveValue('[[]]');
  await data.fill(JSON.stringify([IRIS_ROWS[2]]));
  const send = tab.getByRole('button', { name: 'Send', exact: true });

  // without credentials: sent, and PrimeHub's refusal decoded into a sentence
  await send.click();
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 401 · \d+ ms$/);
  await expect(tab.getByTestId('answer-error')).toHaveText(/^The endpoint is private.* \(HTTP 401\)/);

  // Add client: its token shown once, with Copy; Try it takes it
  await clients.getByLabel('New client name').fill('notebook');
  await clients.getByRole('button', { name: 'Add client' }).click();
  const shownToken = clients.getByTestId('client-token');
  await expect(shownToken).toHaveText(/\S{16,}/);
  const token = (await shownToken.textContent())!;
  await expect(clients.locator('[data-client="notebook"]')).toBeVisible();
  await expect(clients.getByTestId('no-clients')).toBeHidden();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const copy = clients.getByTitle('Copy the client token');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await expect(tab.getByLabel('Client name', { exact: true })).toHaveValue('notebook');
  await expect(tab.getByLabel('Client token', { exact: true })).toHaveValue(token);

  // as the client: the model's own probabilities, as the endpoint answers them with the same credentials
  await send.click();
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 200 · \d+ ms$/);
  const direct = (await (
    await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`notebook:${token}`).toString('base64')}`
      },
      body: JSON.stringify({ data: { ndarray: [IRIS_ROWS[2]] } })
    })
  ).json()) as { data: { ndarray: number[][] } };
  await expect(tab.getByTestId('prediction-table').locator('tbody td')).toHaveText(direct.data.ndarray[0].map(shown));
  await page.addStyleTag({ content: NO_TOASTS });
  // from the clients down to the answer, the token masked
  await clients.evaluate(e => e.scrollIntoView());
  await tab.screenshot({ path: join(SCREENSHOTS, 'deployment-private.png'), mask: [shownToken] });

  // the token is in no browser storage; once hidden it is not shown again
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
  expect(stored).not.toContain(token);
  await clients.getByRole('button', { name: 'Hide', exact: true }).click();
  await expect(clients.getByTestId('new-client')).toBeHidden();
  await expect(tab).not.toContainText(token);

  // Insert request cell: a cell that asks for the token when it runs (never written into it)
  await ph.openNotebook('private.ipynb');
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      hasText: `Deployment ${await row.getAttribute('data-deployment-id')}`
    })
    .click();
  await tab.getByRole('button', { name: 'Insert request cell' }).click();
  await expect(page.locator('.jp-mod-current .lm-TabBar-tabLabel', { hasText: 'private.ipynb' }).first()).toBeVisible();
  const cells = await notebookCells(page);
  expect(cells.active).toBe(1);
  const source = cells.cells[1].source;
  expect(source).toContain('getpass.getpass("Token of client notebook: ")');
  expect(source).toContain('auth = ("notebook", ');
  expect(source).not.toContain(token);
  // run it: Jupyter's password field takes the token, the answer is printed
  await page.evaluate(() => void window.jupyterapp.commands.execute('notebook:run-cell'));
  const notebook = page.locator('.jp-NotebookPanel:visible');
  const stdin = notebook.locator('.jp-Stdin-input');
  await expect(stdin).toHaveAttribute('type', 'password', { timeout: 120_000 });
  await stdin.fill(token);
  await stdin.press('Enter');
  await expect(notebook.locator('.jp-OutputArea-output').last()).toContainText("'ndarray': [[", { timeout: 60_000 });
  await expect(notebook).not.toContainText(token);

  // Delete: the client is gone, and the tester's (kept) credentials are refused
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      hasText: `Deployment ${await row.getAttribute('data-deployment-id')}`
    })
    .click();
  await clients.getByTitle('Delete client notebook').click();
  await ph.answer('Delete client?', 'Delete');
  await expect(clients.locator('[data-client="notebook"]')).toBeHidden();
  await expect(clients.getByTestId('no-clients')).toBeVisible();
  await send.click();
  await expect(tab.getByTestId('answer-status')).toHaveText(/^HTTP 401 · \d+ ms$/);
  await expect(tab.getByTestId('answer-error')).toHaveText(/^The endpoint is private.* \(HTTP 401\)/);
});
