/**
 * Compare Runs end to end: the packaged VSIX in code-server (VS Code 1.100) in headless Chromium
 * against a real PrimeHub Local and its real MLflow. A 3-job notebook sweep trains a scikit-learn
 * iris classifier with C = 0.05, 0.3 and 2 (sklearn autolog, one logged metric, the model logged);
 * each job is an MLflow run. Compare Runs on one job of the sweep compares the whole sweep: 3 rows
 * with the runs' params and metrics as MLflow has them, the best accuracy marked, "differences
 * only" hiding the params the runs share, sorting and the chart; the Jobs view's multi-select
 * compares the jobs picked; the MLflow UI's compare page opens; Register Model from the best run
 * makes models:/iris/1 of that run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, PrimeHubClient } from '@primehub-suite/client';
import type { FrameLocator, Page } from 'playwright-core';
import type { LocalServerProcess } from '../kit/localServer';
import { notebookJson } from '../kit/notebook';
import { waitFor } from '../kit/wait';
import { SHOTS, signIn, succeededJobRow, useMlflowWorkbench, type MlflowWorkbench } from './mlflowWorkbench';
import type { Workbench } from './workbench';

jest.setTimeout(300_000);

/** The experiment: the notebook's name (it sets none). */
const EXPERIMENT = 'train-iris';
const SWEEP_NAME = 'iris-sweep';
const CS = [0.05, 0.3, 2];

let fx: MlflowWorkbench;
let server: LocalServerProcess;
let client: PrimeHubClient;
let page: Page;
let wb: Workbench;
let sweepId: string;
let finished: Promise<Job[]>;
let jobs: Job[];

/** A run of the sweep as MLflow has it, by its job's name. */
interface SweepRun {
  runId: string;
  experimentId: string;
  job: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}
let runs: SweepRun[];

const workbench = useMlflowWorkbench({
  name: 'compare',
  // the sweep trains while the workbench starts
  beforeWorkbench: async setup => {
    const dir = join(setup.server.dataDir, 'volumes', setup.server.groupName, 'ml');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${EXPERIMENT}.ipynb`),
      JSON.stringify(
        notebookJson([
          { source: 'C = 1.0\n', tags: ['parameters'] },
          {
            source: [
              'import mlflow, mlflow.sklearn',
              'from sklearn.datasets import load_iris',
              'from sklearn.linear_model import LogisticRegression',
              'mlflow.sklearn.autolog(log_models=False)',
              'X, y = load_iris(return_X_y=True)',
              // all in the job's run, which the job's script keeps active in the kernel
              'clf = LogisticRegression(C=C, max_iter=500).fit(X, y)',
              'mlflow.log_metric("accuracy", clf.score(X, y))',
              'mlflow.sklearn.log_model(clf, name="model")'
            ].join('\n')
          }
        ])
      )
    );
    const [it] = await setup.client.groups.instanceTypes();
    const [image] = await setup.client.groups.images();
    const submitted = await setup.client.notebook.runSweep({
      displayName: SWEEP_NAME,
      instanceType: it.name,
      image: image.name,
      notebook: { volumePath: `ml/${EXPERIMENT}.ipynb` },
      sweep: { C: CS }
    });
    sweepId = submitted[0].sweepId!;
    finished = Promise.all(submitted.map(r => r.wait({ timeoutMs: 280_000 })));
  },
  timeoutMs: 120_000
});

beforeAll(async () => {
  fx = workbench();
  ({ server, client, page, wb } = fx);
  jobs = await finished;
}, 300_000);

/** The Compare Runs webview's page (code-server nests it in two frames). */
const compareFrame = (): FrameLocator =>
  page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
const view = () => compareFrame().locator('#root');
/** The compared rows, as the table shows them. */
const tableRows = () => compareFrame().locator('table.compare tbody tr');
/** The column headers (sortable ones) in order. */
async function headers(): Promise<string[]> {
  return (await compareFrame().locator('table.compare thead tr:not(.groups) th .label').allInnerTexts()).map(t =>
    t.trim()
  );
}
/** Each row's cells by header: { Job: 'iris-sweep-C=2', C: '2', accuracy: '0.98', … }. */
async function tableData(): Promise<Array<Record<string, string>>> {
  const names = await headers();
  const out: Array<Record<string, string>> = [];
  for (const row of await tableRows().all()) {
    const cells = (await row.locator('td').allInnerTexts()).map(t => t.trim());
    out.push(Object.fromEntries(names.map((n, i) => [n, cells[i]])));
  }
  return out;
}

/** A metric as the table shows it: four significant digits. */
const shown = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

test('the sweep trains: three jobs, each an MLflow run with its C, accuracy and model', async () => {
  expect(jobs.map(j => [j.displayName, j.phase])).toEqual(CS.map(c => [`${SWEEP_NAME}-C=${c}`, 'Succeeded']));
  const raw = (await client.models.mlflowRuns(EXPERIMENT)) as Array<{
    info: { runId: string; experimentId: string; runName: string };
    data: { params?: { key: string; value: string }[]; metrics?: { key: string; value: number }[] };
  }>;
  runs = raw.map(r => ({
    runId: r.info.runId,
    experimentId: r.info.experimentId,
    job: r.info.runName,
    params: Object.fromEntries((r.data.params ?? []).map(p => [p.key, p.value])),
    metrics: Object.fromEntries((r.data.metrics ?? []).map(m => [m.key, m.value]))
  }));
  expect(runs.map(r => r.job).sort()).toEqual(jobs.map(j => j.displayName).sort());
  for (const r of runs) {
    expect(r.metrics.accuracy).toBeGreaterThan(0.5);
    expect(r.params).toMatchObject({ max_iter: '500' });
  }
});

test('Compare Runs on one job of the sweep: its 3 runs with their params and metrics, the best accuracy marked', async () => {
  await signIn(fx);
  await wb.contextMenu(await succeededJobRow(wb, `${SWEEP_NAME}-C=${CS[0]}`), 'Compare Runs');

  await view()
    .locator('h1', { hasText: `Sweep ${sweepId}` })
    .waitFor({ timeout: 60_000 });
  await tableRows().nth(2).waitFor({ timeout: 60_000 });
  expect(await tableRows().count()).toBe(3);
  const data = await tableData();
  const best = runs.reduce((a, b) => (b.metrics.accuracy > a.metrics.accuracy ? b : a));
  for (const r of runs) {
    const row = data.find(d => d.Job === r.job);
    expect(row).toMatchObject({
      Status: 'FINISHED',
      C: r.params.C,
      max_iter: '500',
      accuracy: expect.stringContaining(shown(r.metrics.accuracy))
    });
  }
  // the best accuracy: marked in its run's row only
  const bestCells = compareFrame().locator('tbody tr', { hasText: best.job }).locator('td.best');
  expect(await bestCells.count()).toBeGreaterThan(0);
  const accuracyColumn = (await headers()).indexOf('accuracy');
  const marked = await tableRows().evaluateAll(
    (rows, col) => rows.map(r => r.querySelectorAll('td')[col as number]?.classList.contains('best') ?? false),
    accuracyColumn
  );
  expect(marked.filter(Boolean)).toHaveLength(1);
  expect(data[marked.indexOf(true)].Job).toBe(best.job);
  await view()
    .locator('.summary', { hasText: `best on accuracy: ${best.job}` })
    .waitFor();
  await wb.screenshot(join(SHOTS, 'compare-table.png'));
});

test('differences only hides what the runs share; a header sorts; the chart follows the metric chosen', async () => {
  const before = await headers();
  expect(before).toEqual(expect.arrayContaining(['C', 'max_iter', 'accuracy']));
  await compareFrame().locator('input[data-action="differencesOnly"]').check();
  await view()
    .locator('.hint', { hasText: /equal columns? hidden/ })
    .waitFor({ timeout: 30_000 });
  const after = await headers();
  expect(after).toContain('C');
  expect(after).toContain('accuracy');
  expect(after).not.toContain('max_iter');
  expect(after.length).toBeLessThan(before.length);

  // accuracy: best first
  await compareFrame().locator('button.sort[title="Sort by accuracy"]').click();
  await compareFrame().locator('th[aria-sort="descending"]', { hasText: 'accuracy' }).waitFor({ timeout: 30_000 });
  const best = runs.reduce((a, b) => (b.metrics.accuracy > a.metrics.accuracy ? b : a));
  expect((await tableData())[0].Job).toBe(best.job);

  // the chart: accuracy against C, one point a run, the best one marked
  const chart = compareFrame().locator('svg.chart');
  await chart.waitFor();
  expect(await chart.getAttribute('aria-label')).toBe('accuracy against C');
  expect(await chart.locator('circle.point').count()).toBe(3);
  expect(await chart.locator('circle.point.best').count()).toBe(1);
  await wb.screenshot(join(SHOTS, 'compare-differences.png'));
  await compareFrame().locator('select[data-axis="metric"]').selectOption('training_log_loss');
  await compareFrame().locator('svg.chart[aria-label="training_log_loss against C"]').waitFor({ timeout: 30_000 });
  // lower is better for a loss
  await compareFrame()
    .locator('th', { hasText: 'training_log_loss' })
    .locator('[aria-label="lower is better"]')
    .waitFor();
  await compareFrame().locator('select[data-axis="metric"]').selectOption('accuracy');
  await compareFrame().locator('svg.chart[aria-label="accuracy against C"]').waitFor({ timeout: 30_000 });
});

test("Open in MLflow UI opens MLflow's compare page of the 3 runs", async () => {
  // PrimeHub Local's MLflow UI route of the group (the group's uiUrl)
  const base = `${server.baseUrl}/mlflow-ui/${server.groupName}`;
  const proxied = `${new URL(fx.session.codeServer.url).origin}/proxy/${new URL(base).port}/`;
  // what is checked is the address VS Code opens (code-server opens a loopback address through its proxy)
  await page.context().route(
    url => url.origin === new URL(base).origin || url.href.startsWith(proxied),
    route => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>MLflow</title>' })
  );
  const popup = page.context().waitForEvent('page', { timeout: 30_000 });
  await compareFrame().locator('button[data-action="openMlflow"]').click();
  const opened = await popup;
  const url = await waitFor(
    'the MLflow UI page to open',
    () => (opened.url() && opened.url() !== 'about:blank' ? opened.url() : undefined),
    30_000
  );
  // PrimeHub Local's MLflow UI route, with a one-time sign-in ticket (models.test.ts loads such a page for real)
  expect(new URL(url).pathname).toMatch(new RegExp(`/mlflow-ui/${server.groupName}/$`));
  expect(new URL(url).searchParams.get('ticket')).toMatch(/^[\w-]{43}$/);
  const hash = decodeURIComponent(new URL(url).hash);
  expect(hash.startsWith('#/compare-runs?runs=')).toBe(true);
  const query = new URLSearchParams(hash.slice(hash.indexOf('?')));
  expect((JSON.parse(query.get('runs')!) as string[]).sort()).toEqual(runs.map(r => r.runId).sort());
  expect(JSON.parse(query.get('experiments')!)).toEqual([runs[0].experimentId]);
  await opened.close();
});

test("the Jobs view's multi-select compares the jobs picked", async () => {
  const a = wb.treeRow(`${SWEEP_NAME}-C=${CS[0]}`);
  const b = wb.treeRow(`${SWEEP_NAME}-C=${CS[2]}`);
  await a.click();
  await b.click({ modifiers: ['Control'] });
  await page
    .locator('.monaco-list-row.selected', { hasText: `${SWEEP_NAME}-C=${CS[0]}` })
    .first()
    .waitFor();
  await page
    .locator('.monaco-list-row.selected', { hasText: `${SWEEP_NAME}-C=${CS[2]}` })
    .first()
    .waitFor();
  await wb.contextMenu(b, 'Compare Runs');
  await view().locator('h1', { hasText: '2 jobs' }).waitFor({ timeout: 60_000 });
  await waitFor('2 rows', async () => ((await tableRows().count()) === 2 ? true : undefined), 60_000);
  expect((await tableData()).map(d => d.Job).sort()).toEqual([`${SWEEP_NAME}-C=${CS[0]}`, `${SWEEP_NAME}-C=${CS[2]}`]);
  await wb.screenshot(join(SHOTS, 'compare-picked.png'));
});

test('Register Model from the best run: its model folder, a new model iris → models:/iris/1 of that run', async () => {
  // the sweep again, from its first job
  await wb.contextMenu(wb.treeRow(`${SWEEP_NAME}-C=${CS[1]}`), 'Compare Runs');
  await view()
    .locator('h1', { hasText: `Sweep ${sweepId}` })
    .waitFor({ timeout: 60_000 });
  await tableRows().nth(2).waitFor({ timeout: 60_000 });
  const best = runs.reduce((a, b) => (b.metrics.accuracy > a.metrics.accuracy ? b : a));
  await wb.clearNotifications();
  const register = compareFrame().locator('button[data-action="register"]');
  expect(await register.getAttribute('data-run')).toBe(best.runId);
  await register.click();

  const quickInput = (text: string | RegExp) => page.locator('.quick-input-widget').filter({ hasText: text });
  await quickInput(`the model's folder in run ${best.job}`).waitFor({ timeout: 60_000 });
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'model/' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await quickInput('name of the new model').waitFor({ timeout: 30_000 });
  await wb.quickInput().fill('iris');
  await quickInput('Creates model iris').waitFor();
  await wb.screenshot(join(SHOTS, 'compare-register.png'));
  await page.keyboard.press('Enter');

  await waitFor(
    'iris version 1 in the registry',
    async () => ((await client.models.list()).some(m => m.name === 'iris') ? true : undefined),
    60_000
  );
  await wb.expectNotification('Registered iris version 1: models:/iris/1', 30_000);
  const v1 = (await client.models.version('iris', '1')) as { run?: { info?: { runId?: string } } };
  expect(v1.run?.info?.runId).toBe(best.runId);
});
