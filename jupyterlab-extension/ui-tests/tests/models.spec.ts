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

  test("register the training job's model from its tab: iris version 1", async ({ page }) => {
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
    await expect(dialog.getByTestId('register-target')).toHaveText('Creates model iris');

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
    await expect(dialog.getByTestId('register-target')).toHaveText('Creates model iris');
    await expect(register).toBeEnabled();
    await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'register-model.png') });
    await register.click();

    await expect(dialog.getByTestId('registered')).toContainText('Registered iris version 1');
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/1');
    await dialog.getByTitle('Copy the model URI').click();
    await expect(dialog.getByTestId('registered')).toContainText('Copied');
    await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'register-done.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();

    // models → versions → the version with its source run
    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v1');
    await iris.click();
    const v1 = ph.panel.locator('.jp-primehub-ModelRow[data-version="1"]');
    await expect(v1).toContainText('Version 1');
    await v1.click();
    const version = ph.panel.getByTestId('model-version');
    await expect(version.getByTestId('model-uri')).toHaveText('models:/iris/1');
    await expect(version.locator('td[data-field="Deployed by"]')).toHaveText('No deployment');
    await expect(version.locator('td[data-field="Run"]')).toHaveText('C=1.0');
    await expect(version.locator('td[data-field="Run status"]')).toHaveText('FINISHED');
    await expect(version.getByTestId('run-params').locator('td[data-key="C"]')).toHaveText('1.0');
    await expect(version.getByTestId('run-metrics').locator('td[data-key="accuracy"]')).toHaveText(/^0\.9\d*$/);
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-version.png') });
  });

  test("a second registration from the jobs list's context menu adds version 2", async ({ page }) => {
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
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 2 to iris');
    await dialog.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/2');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();

    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v2');
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models.png') });
    await iris.click();
    await expect(ph.panel.locator('.jp-primehub-ModelRow[data-version]')).toHaveText([/Version 2/, /Version 1/]);
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'models-versions.png') });
    await ph.panel.locator('.jp-primehub-ModelRow[data-version="2"]').click();
    await expect(ph.panel.getByTestId('model-uri')).toHaveText('models:/iris/2');
    await expect(ph.panel.locator('td[data-field="Run"]')).toHaveText('C=0.05');
    // back to the list by the breadcrumbs
    const path = ph.panel.getByRole('navigation', { name: 'Models path' });
    await path.getByRole('button', { name: 'iris' }).click();
    await expect(ph.panel.locator('.jp-primehub-ModelRow[data-version]')).toHaveCount(2);
    await path.getByRole('button', { name: 'Models' }).click();
    await expect(iris).toBeVisible();
  });

  test("a notebook submitted from the Lab is its job's MLflow run: its model becomes iris version 3", async ({
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
    await expect(dialog.getByTestId('register-target')).toHaveText('Adds version 3 to iris');
    await dialog.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(dialog.getByTestId('model-uri')).toHaveText('models:/iris/3');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await openModels(ph);
    await ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]').click();
    await ph.panel.locator('.jp-primehub-ModelRow[data-version="3"]').click();
    await expect(ph.panel.locator('td[data-field="Run"]')).toHaveText('iris-nb');
    await expect(ph.panel.getByTestId('run-params').locator('td[data-key="C"]')).toHaveText('0.5');
    expect(id).toMatch(/^job-/);
  });

  test('MLflow down: "MLflow is not reachable", then the models are back by themselves', async ({ page }) => {
    const ph = new PrimeHubHelper(page);
    await ph.signIn(stack!.token);
    await openModels(ph);
    const iris = ph.panel.locator('.jp-primehub-ModelRow[data-model="iris"]');
    await expect(iris).toContainText('v3');
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
    await expect(iris).toContainText('v3');
  });
});
