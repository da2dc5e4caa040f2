/**
 * The Models section and "Register as model" in a real JupyterLab against a real PrimeHub Local
 * with its real MLflow. The suite's own PrimeHub Local runs without MLflow (it would cost every
 * other test 500 MiB and its start), so these tests start a PrimeHub Local with MLflow and a Lab
 * of their own, and stop them when done; a group without MLflow is seen on the suite's servers.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/machine.cjs';
import { mlflowHealth, stackCli, startLabStack, stopLabStack, type ILabStack } from '../labStack';
import { env, PrimeHubHelper, SCREENSHOTS } from './PrimeHubHelper';

test.describe.configure({ mode: 'serial' });
// galata's trackers of kernels, sessions and terminals are off, as in primehub.spec.ts (no kernel is started here)
test.use({ autoGoto: true, kernels: null, sessions: null, terminals: null });

/**
 * A job's command training two runs of experiment `iris` (C = 0.05 and 1), each logging its model
 * as `model` and a note as `notes/`, as test/client/models.test.ts trains; the job gets the group's
 * MLFLOW_TRACKING_URI and credentials from PrimeHub Local.
 */
const TRAIN_IRIS = [
  "python - <<'EOF'",
  'import mlflow',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  "mlflow.set_experiment('iris')",
  'X, y = load_iris(return_X_y=True)',
  'for c in (0.05, 1.0):',
  "    with mlflow.start_run(run_name=f'C={c}') as run:",
  '        clf = LogisticRegression(C=c, max_iter=500).fit(X, y)',
  "        mlflow.log_param('C', c)",
  "        mlflow.log_metric('accuracy', clf.score(X, y))",
  "        mlflow.sklearn.log_model(clf, name='model')",
  "        mlflow.log_text('trained on iris', 'notes/readme.txt')",
  "        print('RUN', run.info.run_id, c)",
  'EOF'
].join('\n');

/** A notebook's training: its own MLflow logging lands in the run its job's script created. */
const NOTEBOOK_TRAIN = [
  'import mlflow',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'X, y = load_iris(return_X_y=True)',
  'clf = LogisticRegression(C=C, max_iter=500).fit(X, y)',
  "mlflow.log_metric('accuracy', clf.score(X, y))",
  "mlflow.sklearn.log_model(clf, name='model')"
].join('\n');

/**
 * The tutorial's training, as a sweep's notebook: sklearn autologging (the estimator's parameters,
 * its training metrics) plus one metric of its own and the model, all in the run its job's script
 * made (kept active in the kernel, so autologging's fit does not end it).
 */
const SWEEP_TRAIN = [
  'import mlflow, mlflow.sklearn',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'mlflow.sklearn.autolog(log_models=False)',
  'X, y = load_iris(return_X_y=True)',
  'clf = LogisticRegression(C=C, max_iter=500).fit(X, y)',
  "mlflow.log_metric('accuracy', clf.score(X, y))",
  "mlflow.sklearn.log_model(clf, name='model')"
].join('\n');

/** Writes a notebook into a stack's group volume (`ui/`); returns its server path in that stack's Lab. */
function writeStackNotebook(stack: ILabStack, name: string, cells: Array<{ source: string; tags?: string[] }>): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: c.tags ? { tags: c.tags } : {},
      outputs: [],
      source: c.source
    }))
  };
  mkdirSync(join(stack.volume, 'ui'), { recursive: true });
  writeFileSync(join(stack.volume, 'ui', name), JSON.stringify(nb, null, 1));
  return `${stack.group.name}/ui/${name}`;
}

/** A GraphQL call to a stack's PrimeHub Local with its token. */
async function graphql<T>(stack: ILabStack, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(stack.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
    body: JSON.stringify({ query, variables })
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors?.length) {
    throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

/** The Models tab of the panel, shown. */
async function openModels(ph: PrimeHubHelper): Promise<void> {
  await ph.panel.getByRole('tab', { name: 'Models', exact: true }).click();
  await expect(ph.panel.locator('.jp-primehub-Models')).toBeVisible();
}

/** The job tab in view. */
function jobTabWidget(page: IJupyterLabPageFixture) {
  return page.locator('.jp-MainAreaWidget:visible', { has: page.locator('.jp-primehub-JobDetail') });
}

/** Screenshots without the toasts that happen to be on screen (their notifications are checked elsewhere). */
const NO_TOASTS = '.Toastify, .Toastify__toast-container { display: none !important; }';

/** The Compare tab in view. */
function compareTab(page: IJupyterLabPageFixture) {
  return page.locator('.jp-primehub-CompareTab:visible');
}

/** A Compare tab's row whose parameter `key` is `value`. */
function compareRow(page: IJupyterLabPageFixture, key: string, value: string) {
  return compareTab(page).locator('tbody tr', {
    has: page.locator(`td[data-key="${key}"]`, { hasText: new RegExp(`^${value.replace(/\./g, '\\.')}$`) })
  });
}

/** The "Register as Model…" dialog opened from a job tab's toolbar. */
async function registerFromTab(page: IJupyterLabPageFixture): Promise<void> {
  await jobTabWidget(page).locator('[data-jp-item-name="register-model"]').click();
}

test.describe('a group without MLflow', () => {
  test('the Models section says so, inline', async ({ page }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn();
    await openModels(ph);
    const callout = ph.panel.getByTestId('models-unavailable');
    await expect(callout).toContainText(`Group ${env.group} has no MLflow, so it has no models`);
    await expect(callout).toContainText(`npx primehub-local group set-mlflow ${env.group}`);
    await expect(ph.panel.getByRole('alert')).toHaveCount(0);
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-unavailable.png') });
  });
});

test.describe('with MLflow', () => {
  let stack: ILabStack | undefined;
  let jobId = '';
  test.use({ baseURL: `http://127.0.0.1:${process.env.PHJL_UI_MODELS_PORT}` });

  test.beforeAll(async () => {
    // MLflow's first start migrates its store: seconds of a core on this machine
    test.setTimeout(240_000);
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startLabStack({ labPort: process.env.PHJL_UI_MODELS_PORT!, mlflow: true, signedIn: true });
    // jobs get the MLflow variables once it runs
    await expect
      .poll(async () => (await mlflowHealth(stack!)).state, { timeout: 180_000, intervals: [250] })
      .toBe('running');
    const { createPhJob } = await graphql<{ createPhJob: { id: string } }>(
      stack,
      'mutation($data: PhJobCreateInput!) { createPhJob(data: $data) { id } }',
      {
        data: {
          displayName: 'train-iris',
          groupId: stack.group.id,
          instanceType: 'cpu-1',
          image: 'base-notebook',
          command: TRAIN_IRIS
        }
      }
    );
    jobId = createPhJob.id;
  });

  test.afterAll(async () => {
    if (stack) {
      await stopLabStack(stack.pids, stack.work);
    }
  });

  test('a sweep of 3 trains iris; Compare shows its runs side by side; the best run becomes iris version 1, another version 2', async ({
    page
  }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    const path = writeStackNotebook(stack!, 'iris-sweep.ipynb', [
      { source: 'C = 1.0', tags: ['parameters'] },
      { source: SWEEP_TRAIN }
    ]);
    const dialog = await ph.openSubmitDialog(path);
    await dialog.locator('[data-param="C"] .jp-primehub-Sweep input').check();
    await ph.param('C').fill('0.05\n0.5\n1.0');
    await expect(dialog.getByTestId('job-count')).toHaveText('3 jobs');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });
    await ph.panel.getByRole('tab', { name: 'Jobs', exact: true }).click();
    const rows = ph.panel.locator('.jp-primehub-JobRow', { hasText: 'iris-sweep-C=' });
    await expect(rows).toHaveCount(3, { timeout: 30_000 });
    // importing scikit-learn and MLflow three times on a loaded machine takes a while
    await expect(
      ph.panel.locator('.jp-primehub-JobRow[data-phase="Succeeded"]', { hasText: 'iris-sweep-C=' })
    ).toHaveCount(3, { timeout: 300_000 });

    // from a job of the sweep: its context menu
    await rows.first().click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Compare Runs of Its Sweep' }).click();
    const tab = compareTab(page);
    await expect(tab.getByTestId('compare-summary')).toContainText('Sweep "iris-sweep"');
    // the snapshot's runs are in the notebook's experiment, not in one named after the snapshot
    await expect(tab.getByTestId('compare-summary')).toContainText('3 runs in experiment "iris-sweep"');
    await expect(tab.locator('tbody tr')).toHaveCount(3);
    // the jobs are named after the values as the form formats them
    for (const [c, name] of [
      ['0.05', 'iris-sweep-C=0.05'],
      ['0.5', 'iris-sweep-C=0.5'],
      ['1.0', 'iris-sweep-C=1']
    ]) {
      const row = compareRow(page, 'C', c);
      await expect(row.locator('td').nth(1)).toHaveText(name);
      await expect(row.locator('td[data-key="status"]')).toHaveText('finished');
      await expect(row.locator('td[data-key="accuracy"]')).toHaveText(/^0\.\d+/);
      // autologging's own parameters and metrics are there too
      await expect(row.locator('td[data-key="max_iter"]')).toHaveText('500');
      await expect(row.locator('td[data-key="training_accuracy_score"]')).toHaveText(/^0\.\d+/);
    }
    // the best accuracy is C=1.0's, marked; a loss is best where it is lowest
    const best = compareRow(page, 'C', '1.0');
    await expect(best.locator('td[data-key="accuracy"]')).toHaveAttribute('data-best', 'true');
    await expect(tab.locator('td[data-key="accuracy"][data-best]')).toHaveCount(1);
    await expect(tab.locator('th[data-column="metric:training_log_loss"] .jp-primehub-Direction')).toHaveText('min');
    await expect(best.locator('td[data-key="training_log_loss"]')).toHaveAttribute('data-best', 'true');
    // a metric sorts best first
    await tab.locator('th[data-column="metric:accuracy"] .jp-primehub-SortButton').click();
    await expect(tab.locator('tbody tr').first().locator('td[data-key="C"]')).toHaveText('1.0');
    await expect(tab.locator('th[data-column="metric:accuracy"]')).toHaveAttribute('aria-sort', 'descending');
    // the chart: accuracy against C, one point a run, the best marked
    const chart = tab.getByTestId('compare-chart');
    await expect(chart.locator('circle')).toHaveCount(3);
    await expect(chart.locator('circle.jp-mod-best')).toHaveCount(1);
    await expect(tab.getByLabel('Chart metric')).toHaveValue('accuracy');
    await expect(tab.getByLabel('Chart parameter')).toHaveValue('C');
    await tab.screenshot({ path: join(SCREENSHOTS, 'compare-sweep.png'), style: NO_TOASTS });

    // differences only: the parameters every run has alike (max_iter, …) go, C stays
    await expect(tab.locator('th[data-column="param:max_iter"]')).toBeVisible();
    await tab.locator('.jp-primehub-DifferencesSwitch .jp-switch').click();
    await expect(tab.locator('th[data-column="param:max_iter"]')).toHaveCount(0);
    await expect(tab.locator('th[data-column^="param:"]')).toHaveCount(1);
    await expect(tab.locator('th[data-column="param:C"]')).toBeVisible();
    await expect(tab.getByTestId('compare-summary')).toContainText('with equal values hidden');
    await tab.screenshot({ path: join(SCREENSHOTS, 'compare-differences.png'), style: NO_TOASTS });

    // register the best run's model: its run chosen in the Register dialog
    await best.getByRole('button', { name: 'Register as model…' }).click();
    const register = ph.dialog;
    await expect(register).toContainText('Register a model from iris-sweep-C=1');
    await expect(register.locator('#ph-experiment')).toHaveValue('iris-sweep');
    await expect(register.locator('#ph-run option:checked')).toHaveText(/^iris-sweep-C=1 · /);
    await expect(register.locator('[data-folder="model"] input')).toBeChecked();
    await register.locator('#ph-model-name').fill('iris');
    await expect(register.getByTestId('register-target')).toHaveText('Creates model iris');
    await register.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(register.getByTestId('model-uri')).toHaveText('models:/iris/1');
    await register.getByRole('button', { name: 'Close' }).click();
    await expect(register).toBeHidden();
    // and a second run of the sweep: version 2
    await compareRow(page, 'C', '0.5').getByRole('button', { name: 'Register as model…' }).click();
    await expect(register.locator('#ph-run option:checked')).toHaveText(/^iris-sweep-C=0\.5 · /);
    await register.locator('#ph-model-name').fill('iris');
    await expect(register.getByTestId('register-target')).toHaveText('Adds version 2 to iris');
    await register.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(register.getByTestId('model-uri')).toHaveText('models:/iris/2');
    await register.getByRole('button', { name: 'Close' }).click();
    await expect(register).toBeHidden();

    // jobs picked in the list (Ctrl-click): a Compare tab of their own
    for (const c of ['0.05', '1']) {
      await ph.panel
        .locator('.jp-primehub-JobRow', { hasText: `iris-sweep-C=${c}` })
        .click({ modifiers: ['ControlOrMeta'] });
    }
    const selection = ph.panel.getByTestId('job-selection');
    await expect(selection).toContainText('2 jobs selected');
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'compare-selection.png') });
    await selection.getByRole('button', { name: 'Compare runs' }).click();
    await expect(compareTab(page).getByTestId('compare-summary')).toContainText('2 jobs');
    await expect(compareTab(page).locator('tbody tr')).toHaveCount(2);
    await selection.getByRole('button', { name: 'Clear' }).click();
    await expect(selection).toBeHidden();

    // the sweep's notification (in the notification center: its toast closed itself) opens its Compare tab
    await page.locator('.jp-MainAreaWidget.jp-primehub-CompareTab').first().waitFor({ state: 'attached' });
    await page.evaluate(() => {
      // collected first: closing changes what the iterator walks
      for (const w of [...window.jupyterapp.shell.widgets('main')].filter(x => x.hasClass('jp-primehub-CompareTab'))) {
        w.close();
      }
    });
    await expect(page.locator('.jp-primehub-CompareTab')).toHaveCount(0);
    await page.locator('.jp-Notification-Status').click();
    const item = page.locator('.jp-Notification-List-Item', { hasText: 'Sweep "iris-sweep": all 3 jobs succeeded' });
    await item.getByRole('button', { name: 'Compare runs' }).click();
    await expect(compareTab(page).getByTestId('compare-summary')).toContainText('Sweep "iris-sweep"');
    await expect(compareTab(page).locator('tbody tr')).toHaveCount(3);
  });

  test("register the training job's model from its tab: iris version 3", async ({ page }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    // Importing scikit-learn and logging two models takes a while on a loaded machine.
    const row = ph.jobRow(jobId);
    await expect(row).toHaveAttribute('data-phase', /Succeeded|Failed|Cancelled/, { timeout: 240_000 });
    await row.click();
    await ph.expectPhase('Succeeded', 30_000);
    await jobTabWidget(page).screenshot({ path: join(SCREENSHOTS, 'job-register-button.png') });

    await registerFromTab(page);
    const dialog = ph.dialog;
    await expect(dialog).toContainText('Register a model from train-iris');
    // the job's runs in the experiment its script names, the better one first, its model folder chosen
    await expect(dialog.locator('#ph-experiment')).toHaveValue('iris');
    await expect(dialog.locator('#ph-run option')).toHaveCount(2);
    await expect(dialog.locator('#ph-run option:checked')).toHaveText(/^C=1\.0 · accuracy=0\.9\d* · finished$/);
    await expect(dialog.getByTestId('run-summary')).toContainText('C=1.0');
    await expect(dialog.locator('[data-folder="model"] input')).toBeChecked();
    await expect(dialog.locator('[data-folder="notes"] input')).toBeDisabled();
    await expect(dialog.locator('#ph-model-name')).toHaveValue('iris');
    // the sweep's runs are iris versions 1 and 2 already
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 3 to iris');

    // checked as typed, as the server would refuse it
    const name = dialog.locator('#ph-model-name');
    const register = dialog.getByRole('button', { name: 'Register', exact: true });
    for (const [bad, why] of [
      ['my model', 'No spaces'],
      ['modèle', '"è" is not allowed'],
      ['team/iris', 'No slashes']
    ]) {
      await name.fill(bad);
      await expect(dialog.getByTestId('name-problem')).toContainText(why);
      await expect(register).toBeDisabled();
    }
    await name.fill('iris');
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 3 to iris');
    await expect(register).toBeEnabled();
    await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'register-model.png') });
    await register.click();

    await expect(dialog.getByTestId('registered')).toContainText('Registered iris version 3');
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/3');
    await dialog.getByTitle('Copy the model URI').click();
    await expect(dialog.getByTestId('registered')).toContainText('Copied');
    await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'register-done.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();

    // models → versions → the version with its source run
    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v3');
    await iris.click();
    const v3 = ph.panel.locator('.jp-primehub-ModelRow[data-version="3"]');
    await expect(v3).toContainText('Version 3');
    await v3.click();
    const version = ph.panel.getByTestId('model-version');
    await expect(version.getByTestId('model-uri')).toHaveText('models:/iris/3');
    await expect(version.locator('td[data-field="Deployed by"]')).toHaveText('No deployment');
    await expect(version.locator('td[data-field="Run"]')).toHaveText('C=1.0');
    await expect(version.locator('td[data-field="Run status"]')).toHaveText('FINISHED');
    await expect(version.getByTestId('run-params').locator('td[data-key="C"]')).toHaveText('1.0');
    await expect(version.getByTestId('run-metrics').locator('td[data-key="accuracy"]')).toHaveText(/^0\.9\d*$/);
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-version.png') });

    // Deploy… from the version: its URI filled in, the MLflow server suggested for a registered model
    await version.getByRole('button', { name: 'Deploy…' }).click();
    const deploy = ph.dialog;
    await expect(deploy.getByLabel('Model URI')).toHaveValue('models:/iris/3');
    await expect(deploy.getByLabel('Name', { exact: true })).toHaveValue('iris');
    await expect(deploy.getByTestId('deploy-server-reason')).toHaveText(
      /^Suggested for version 3 of iris: an MLflow model \(MLmodel/
    );
    await expect(deploy.getByLabel('Model server')).toHaveValue('seldonio/mlflowserver:1.17.1');
    await deploy.getByRole('button', { name: 'Cancel' }).click();
    await expect(deploy).toBeHidden();
  });

  test("a second registration from the jobs list's context menu adds version 4", async ({ page }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    await ph.panel.getByRole('tab', { name: 'Jobs', exact: true }).click();
    await ph.jobRow(jobId).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Register as Model…' }).click();
    const dialog = ph.dialog;
    await expect(dialog.locator('#ph-run option')).toHaveCount(2);
    const other = await dialog.locator('#ph-run option', { hasText: 'C=0.05' }).getAttribute('value');
    await dialog.locator('#ph-run').selectOption(other!);
    await expect(dialog.getByTestId('run-summary')).toContainText('C=0.05');
    await expect(dialog.locator('[data-folder="model"] input')).toBeChecked();
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 4 to iris');
    await dialog.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/4');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();

    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v4');
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models.png') });
    await iris.click();
    await expect(ph.panel.locator('.jp-primehub-ModelRow[data-version]')).toHaveText([
      /Version 4/,
      /Version 3/,
      /Version 2/,
      /Version 1/
    ]);
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-versions.png') });
    await ph.panel.locator('.jp-primehub-ModelRow[data-version="4"]').click();
    await expect(ph.panel.getByTestId('model-uri')).toHaveText('models:/iris/4');
    await expect(ph.panel.locator('td[data-field="Run"]')).toHaveText('C=0.05');
    // back to the list by the breadcrumbs
    const path = ph.panel.getByRole('navigation', { name: 'Models path' });
    await path.getByRole('button', { name: 'iris' }).click();
    await expect(ph.panel.locator('.jp-primehub-ModelRow[data-version]')).toHaveCount(4);
    await path.getByRole('button', { name: 'Models' }).click();
    await expect(iris).toBeVisible();
  });

  test("a notebook submitted from the Lab is its job's MLflow run: its model becomes iris version 5", async ({
    page
  }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    const path = writeStackNotebook(stack!, 'iris-nb.ipynb', [
      { source: 'C = 0.5', tags: ['parameters'] },
      { source: NOTEBOOK_TRAIN }
    ]);
    const dialog = await ph.openSubmitDialog(path);
    await ph.submit();
    await ph.expectPhase('Succeeded', 240_000);
    const id = await ph.jobId();

    await registerFromTab(page);
    await expect(dialog).toContainText('Register a model from iris-nb');
    // the run the job's script created (named after the job, tagged with its id) in the notebook's experiment:
    // named after the notebook, not after the hidden snapshot the job ran
    await expect(dialog.locator('#ph-experiment')).toHaveValue('iris-nb');
    await expect(dialog.locator('#ph-run option')).toHaveCount(1);
    await expect(dialog.locator('#ph-run option:checked')).toHaveText(/^iris-nb · accuracy=0\.9\d* · finished$/);
    await expect(dialog.getByTestId('run-summary')).toContainText('C=0.5');
    await expect(dialog.locator('[data-folder="model"] input')).toBeChecked();
    await dialog.locator('#ph-model-name').fill('iris');
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 5 to iris');
    await dialog.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/5');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await openModels(ph);
    await ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]').click();
    await ph.panel.locator('.jp-primehub-ModelRow[data-version="5"]').click();
    await expect(ph.panel.locator('td[data-field="Run"]')).toHaveText('iris-nb');
    await expect(ph.panel.getByTestId('run-params').locator('td[data-key="C"]')).toHaveText('0.5');
    expect(id).toMatch(/^job-/);
  });

  test('MLflow down: "MLflow is not reachable", then the models are back by themselves', async ({ page }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v5');
    // The group's MLflow on a port nothing listens on: down for as long as the test needs (killing
    // PrimeHub Local's MLflow would be down only until its supervisor restarts it, a race with the poll).
    const closed = await freePort();
    stackCli(stack!.dataDir, 'group', 'set-mlflow', stack!.group.name, '--tracking-uri', `http://127.0.0.1:${closed}`);
    await expect(ph.panel.getByRole('alert')).toHaveText(
      `Listing models failed: MLflow is not reachable at http://127.0.0.1:${closed}: ECONNREFUSED.`,
      { timeout: 60_000 }
    );
    // what was listed stays while MLflow is away
    await expect(iris).toBeVisible();
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-mlflow-down.png') });
    stackCli(stack!.dataDir, 'group', 'set-mlflow', stack!.group.name, '--local');
    // no click: the section's poll (backing off, at most a minute apart) finds MLflow again
    await expect(ph.panel.getByRole('alert')).toHaveCount(0, { timeout: 120_000 });
    await expect(iris).toContainText('v5');
  });
});
