/**
 * The Models view and Register Model end to end: the packaged VSIX in code-server (VS Code 1.100)
 * in headless Chromium against a real PrimeHub Local and its real MLflow. A job trains two MLflow
 * runs; Register Model, driven through its QuickPicks as a user would, makes model iris from one
 * (a bad name flagged as it is typed) and, from the job's context menu, adds version 2 from the
 * other; the Models view shows both versions with their runs' params and metrics. Then Copy Model
 * URI, Open Run in MLflow UI, and MLflow killed: the view says so once and comes back by itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, PrimeHubClient } from '@primehub-suite/client';
import type { Page } from 'playwright-core';
import { DataDir } from '../../packages/local-server/src/DataDir';
import type { LocalServerProcess } from '../kit/localServer';
import { mlflowRunning, TRAIN_IRIS } from '../kit/mlflow';
import { waitFor } from '../kit/wait';
import { SHOTS, signIn, submitJob, succeededJobRow, useMlflowWorkbench, type MlflowWorkbench } from './mlflowWorkbench';
import type { Workbench } from './workbench';

jest.setTimeout(300_000);

let fx: MlflowWorkbench;
let server: LocalServerProcess;
let client: PrimeHubClient;
let page: Page;
let wb: Workbench;
let train: Job;

const workbench = useMlflowWorkbench({
  name: 'models',
  clipboard: true,
  // trains while the workbench starts
  beforeWorkbench: async setup => {
    train = await submitJob(setup.client, 'train-iris', TRAIN_IRIS);
  },
  timeoutMs: 120_000
});

beforeAll(() => {
  fx = workbench();
  ({ server, client, page, wb } = fx);
});

/** The open QuickPick or input box once it shows `text` (its title, placeholder, items or message). */
const quickInput = (text: string | RegExp) => page.locator('.quick-input-widget').filter({ hasText: text });
/** A row of the open QuickPick. */
const pickRow = (text: string | RegExp) =>
  page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
/** The Models view's pane. */
const modelsPane = () => page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Models' }) }).first();
const modelsRow = (text: string | RegExp) =>
  modelsPane().locator('.monaco-list-row', { hasText: text }).filter({ visible: true }).first();

/** Expands a collapsed row of the Models view (a click on a collapsed row toggles it). */
async function expand(text: string | RegExp): Promise<void> {
  const row = modelsRow(text);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
  await modelsPane()
    .locator('.monaco-list-row[aria-expanded="true"]', { hasText: text })
    .first()
    .waitFor({ timeout: 30_000 });
}

test('signed in, the Models view says there are no models yet; the training job makes two MLflow runs', async () => {
  await signIn(fx);
  await wb.showView('Models');
  await page
    .locator('.welcome-view-content', { hasText: 'No registered models in this group yet' })
    .waitFor({ timeout: 30_000 });
  const done = await client.jobs.wait(train.id, { timeoutMs: 240_000 });
  expect(done.phase).toBe('Succeeded');
  expect(((await client.models.mlflowRuns('iris')) as unknown[]).length).toBe(2);
});

test('Register Model from the palette: experiment typed, run picked, the model folder preselected, a bad name flagged as typed, "Creates model iris"', async () => {
  await wb.clearNotifications();
  await wb.runCommand('PrimeHub: Register Model');
  await quickInput('MLflow experiment').waitFor();
  await wb.quickInput().fill('iris');
  await pickRow('experiment name as typed').waitFor();
  await page.keyboard.press('Enter');

  // the experiment's runs, with their params and metrics
  await quickInput('run of experiment iris').waitFor({ timeout: 30_000 });
  await pickRow(/C=1\.0[\s\S]*accuracy=/).waitFor({ timeout: 30_000 });
  await wb.screenshot(join(SHOTS, 'models-register-run.png'));
  await pickRow(/C=1\.0[\s\S]*accuracy=/).click();

  // the logged model's folder holds MLmodel: first and focused, one Enter away
  await quickInput("the model's folder in run C=1.0").waitFor({ timeout: 30_000 });
  const focused = page.locator('.quick-input-list .monaco-list-row.focused').first();
  await focused.filter({ hasText: 'MLflow model (holds MLmodel)' }).waitFor({ timeout: 30_000 });
  expect(await focused.innerText()).toContain('model/');
  await pickRow('notes/').waitFor();
  await page.keyboard.press('Enter');

  // a new model: its name prefilled from the experiment, checked as it is typed
  await quickInput('name of the new model').waitFor({ timeout: 30_000 });
  expect(await wb.quickInput().inputValue()).toBe('iris');
  for (const [bad, problem] of [
    ['my model', 'cannot hold a space'],
    ['modèle', 'cannot hold "è"'],
    ['team/iris', 'cannot hold a slash']
  ]) {
    await wb.quickInput().fill(bad);
    await quickInput(problem).waitFor();
    if (bad === 'my model') {
      await wb.screenshot(join(SHOTS, 'models-register-bad-name.png'));
    }
  }
  await wb.quickInput().fill('iris');
  await quickInput('Creates model iris').waitFor();
  await wb.screenshot(join(SHOTS, 'models-register-new.png'));
  await page.keyboard.press('Enter');

  // state first: the version in MLflow, then the view and the notification
  await waitFor(
    'iris version 1 in the registry',
    async () => (await client.models.list()).some(m => m.name === 'iris'),
    60_000
  );
  await modelsRow(/^iris/).waitFor({ timeout: 30_000 });
  await wb.expectNotification('Registered iris version 1: models:/iris/1', 30_000);
  expect((await client.models.versions('iris')).map(v => v.version)).toEqual(['1']);
});

test('Register Model from the job\'s context menu: the job\'s runs, "Adds version 2 to iris"; the view shows both versions with their runs', async () => {
  await wb.clearNotifications();
  await wb.contextMenu(await succeededJobRow(wb, 'train-iris'), "Register Model from This Job's Run");

  // a script job names no experiment: the one used before is offered first
  await quickInput('Register Model from train-iris').waitFor({ timeout: 30_000 });
  await pickRow(/iris\s*used before/).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');

  // both runs were started while the job ran
  await quickInput('run of train-iris in experiment iris').waitFor({ timeout: 30_000 });
  await pickRow(/C=0\.05/).click();
  await quickInput("the model's folder in run C=0.05").waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'model/' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');

  // an existing model: what registering does is said before it is done
  await quickInput('add a version to a model, or create one').waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Adds version 2 to iris' }).waitFor();
  await pickRow('New model…').waitFor();
  await wb.screenshot(join(SHOTS, 'models-register-version.png'));
  await page.keyboard.press('Enter');

  await waitFor(
    'iris version 2 in the registry',
    async () => (await client.models.versions('iris')).length === 2,
    60_000
  );
  await wb.expectNotification('Registered iris version 2: models:/iris/2', 30_000);

  // the view: model → versions → source run (params, metrics), created, deployed by
  await wb.showView('Models');
  await expand(/^iris/);
  await modelsRow(/^Version 2/).waitFor({ timeout: 30_000 });
  await modelsRow(/^Version 1/).waitFor();
  await expand(/^Version 2/);
  await modelsRow(/^Created/).waitFor({ timeout: 30_000 });
  await modelsRow(/^Deployed by\s*no deployment/).waitFor();
  await expand(/^Run C=0\.05\s*FINISHED/);
  await modelsRow(/^C\s*0\.05$/).waitFor({ timeout: 30_000 });
  await modelsRow(/^accuracy\s*0\.\d+$/).waitFor();
  await page.locator('.pane-header', { hasText: 'Models' }).first().hover();
  await wb.screenshot(join(SHOTS, 'models-view.png'));
  const v2 = await client.models.version('iris', '2');
  expect(v2.run).toMatchObject({ data: { params: [{ key: 'C', value: '0.05' }] } });
});

test("Copy Model URI copies models:/iris/2; Open Run in MLflow UI opens the run's page", async () => {
  await wb.contextMenu(modelsRow(/^Version 2/), 'Copy Model URI');
  await page.locator('.statusbar-item', { hasText: 'Copied models:/iris/2' }).waitFor({ timeout: 30_000 });
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('models:/iris/2');

  const v2 = (await client.models.version('iris', '2')) as {
    run?: { info?: { runId?: string; experimentId?: string } };
  };
  // code-server opens a loopback address through its own port proxy (what a browser away from the server
  // reaches), as a remote VS Code forwards it; the page is loaded for real: PrimeHub Local's MLflow UI route
  // signs the browser in with the link's one-time ticket and sends it on to the page, fragment kept.
  const ui = `${server.baseUrl}/mlflow-ui/${server.groupName}/`;
  const proxied = `${new URL(fx.session.codeServer.url).origin}/proxy/${new URL(ui).port}/mlflow-ui/${server.groupName}/`;
  const popup = page.context().waitForEvent('page', { timeout: 30_000 });
  await wb.contextMenu(modelsRow(/^Run C=0\.05/), 'Open Run in MLflow UI');
  const opened = await popup;
  // the route names the group's MLflow workspace: MLflow's UI with workspaces opens a deep link only so
  const route = `#/experiments/${v2.run?.info?.experimentId}/runs/${v2.run?.info?.runId}?workspace=${server.groupName}`;
  // a new window starts blank, then holds the ticket until the sign-in's redirect
  const url = await waitFor(
    'the MLflow UI page to open, signed in',
    () => (opened.url().startsWith('http') && !opened.url().includes('ticket=') ? opened.url() : undefined),
    30_000
  );
  expect([`${ui}${route}`, `${proxied}${route}`]).toContain(url);
  // MLflow's own UI, signed in as the group's MLflow user through the proxy, not a password prompt, on the
  // run's own page
  await opened.getByText(`group-${server.groupName}`).first().waitFor({ timeout: 60_000 });
  expect(await opened.title()).toMatch(/MLflow/);
  await opened.getByText('C=0.05').first().waitFor({ timeout: 60_000 });
  expect(opened.url()).toContain(`/runs/${v2.run?.info?.runId}`);
  await opened.close();
});

test('MLflow killed: the view says "MLflow is not reachable…" (no error toast) and recovers by itself after its restart', async () => {
  await wb.clearNotifications();
  const { pid } = JSON.parse(readFileSync(new DataDir(server.dataDir).mlflowProcess, 'utf8')) as { pid: number };
  process.kill(-pid, 'SIGKILL');
  await wb.runCommand('PrimeHub: Refresh Models');
  const message = page
    .locator('.tree-explorer-viewlet-tree-view > .message', { hasText: 'MLflow is not reachable' })
    .first();
  await message.waitFor({ timeout: 30_000 });
  expect(await message.innerText()).toMatch(
    /Models as last seen at .+\. The view refreshes by itself when MLflow answers again\./
  );
  // the models as last seen stay, with the runs shown
  await modelsRow(/^iris/).waitFor();
  await modelsRow(/^Run C=0\.05/).waitFor();
  await wb.screenshot(join(SHOTS, 'models-mlflow-down.png'));
  await mlflowRunning(server, 1);
  await message.waitFor({ state: 'hidden', timeout: 60_000 });
  await modelsRow(/^Version 2/).waitFor();
  // said by the view only: no notification came of it
  await page.keyboard.press('Escape');
  await wb.runCommand('Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ timeout: 30_000 });
  expect(await center.locator('.notification-list-item', { hasText: /MLflow|models/i }).count()).toBe(0);
  await page.keyboard.press('Escape');
});
