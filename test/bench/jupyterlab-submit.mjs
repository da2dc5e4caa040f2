#!/usr/bin/env node
/* global window -- these callbacks run in the page (Chromium), not in Node */
// Benchmark: JupyterLab's Submit of a trivial notebook, end to end as a user does it, in a real
// JupyterLab in headless Debian Chromium against a real PrimeHub Local: from the click on Submit
// (the parameter typed) until the job tab offers the output notebook and, opened, it shows the
// last cell's output. Baseline in the same rounds on the same server: PrimeHub Local's own
// notebook benchmark (client.notebook.run on the group volume until its output exists).
// Goal: median <= 1.3x the baseline's.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { startLab, VENV_BIN } from './support/lab.mjs';
import { benchNotebook, timeNotebookRun } from './support/notebook.mjs';
import { clientFor } from './client/lib.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/machine.cjs';
import { BenchServer, removeDir, tempDir } from './support/server.mjs';

const SAMPLES = Number(process.env.BENCH_JL_SUBMIT_SAMPLES ?? 8);
const GOAL_RATIO = 1.3;
const POLL_MS = 20;

/** One Submit from the notebook's toolbar, until its output notebook is open with the last output. */
async function submitInLab(page, a) {
  await page.locator('.jp-NotebookPanel:visible [data-jp-item-name="primehub-submit"]').click();
  const dialog = page.locator('.jp-primehub-Modal');
  await dialog.waitFor();
  // ready: instance types and images listed
  await dialog.locator('#ph-instance-type option[value="cpu-1"]').waitFor({ state: 'attached' });
  await dialog.locator('#ph-param-a').fill(String(a));
  await dialog.locator('#ph-job-name').fill(`lab-${a}`);
  const t0 = performance.now();
  await dialog.getByRole('button', { name: 'Submit' }).click();
  const tab = page.locator('.jp-primehub-JobDetail:visible', { hasText: `lab-${a}` });
  await tab.locator('td[data-field="Status"]', { hasText: 'Succeeded' }).waitFor({ timeout: 120_000 });
  await tab.getByRole('button', { name: 'Open output notebook' }).click();
  await page
    .locator('.jp-NotebookPanel:visible .jp-OutputArea-output', { hasText: `last ${a * 2}` })
    .waitFor({ timeout: 60_000 });
  const ms = performance.now() - t0;
  // back to the notebook for the next round; the output notebook and the job tab close
  await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
  return ms;
}

async function main() {
  if (!existsSync(CHROMIUM) || !existsSync(join(VENV_BIN, 'jupyter'))) {
    throw new Error(`needs ${CHROMIUM} and the project's .venv with JupyterLab (node scripts/bootstrap.mjs)`);
  }
  const { chromium } = await import('playwright');
  const results = new Results('jupyterlab-submit');
  section(`JupyterLab Submit to the output notebook open vs the notebook benchmark (${SAMPLES} rounds)`);
  const work = tempDir('jl-submit');
  const server = await BenchServer.start({ args: ['--cpus', '4', '--memory-gb', '8'] });
  const client = await clientFor(server);
  let lab;
  let browser;
  try {
    const volume = join(server.dataDir, 'volumes', server.groupName);
    mkdirSync(join(volume, 'bench'), { recursive: true });
    writeFileSync(join(volume, 'bench', 'nb.ipynb'), JSON.stringify(benchNotebook()));
    writeFileSync(join(volume, 'bench', 'lab.ipynb'), JSON.stringify(benchNotebook()));
    const started = await startLab(server, work);
    lab = started.lab;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(started.url);
    await page.waitForFunction(() => window.jupyterapp?.started, undefined, { timeout: 120_000 });
    const open = async () => {
      await page.evaluate(
        p => void window.jupyterapp.commands.execute('docmanager:open', { path: p }),
        `${server.groupName}/bench/lab.ipynb`
      );
      await page.locator('.jp-NotebookPanel:visible [data-jp-item-name="primehub-submit"]').waitFor();
      // saved once its kernel has written its metadata, as a user's notebook is before Submit
      await page.waitForFunction(() => {
        const ctx = window.jupyterapp.shell.currentWidget?.context;
        return ctx?.sessionContext.session?.kernel?.status === 'idle' && ctx.model.metadata.language_info;
      });
      await page.evaluate(() => window.jupyterapp.commands.execute('docmanager:save'));
      await page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.context.model.dirty === false);
    };

    const lab_ = [];
    const base = [];
    let a = 1;
    for (let round = 0; round < SAMPLES + 1; round++) {
      // alternate which side goes first; the first round warms both up
      const sides = round % 2 === 0 ? ['lab', 'ours'] : ['ours', 'lab'];
      for (const side of sides) {
        const value = a++;
        let ms;
        if (side === 'lab') {
          await open();
          ms = await submitInLab(page, value).catch(async e => {
            await page.screenshot({ path: join(work, '..', 'jupyterlab-submit-failed.png') });
            throw e;
          });
        } else {
          ms = await timeNotebookRun(client, volume, value, POLL_MS);
        }
        if (round > 0) {
          (side === 'lab' ? lab_ : base).push(ms);
        }
      }
    }
    const s = summarize(lab_);
    const b = summarize(base);
    console.log(`  JupyterLab Submit: median ${fmt(s.p50 / 1000)} s, p90 ${fmt(s.p90 / 1000)} s`);
    console.log(`  notebook benchmark: median ${fmt(b.p50 / 1000)} s, p90 ${fmt(b.p90 / 1000)} s`);
    results.add({
      metric: `Submit to the output notebook open (p50 of ${SAMPLES})`,
      value: s.p50 / 1000,
      unit: 's',
      baseline: `notebook benchmark ${fmt(b.p50 / 1000)} s`,
      ratio: s.p50 / b.p50,
      goal: `<= ${GOAL_RATIO}x the notebook benchmark`,
      pass: s.p50 / b.p50 <= GOAL_RATIO
    });
  } finally {
    await browser?.close();
    lab?.kill('SIGTERM');
    await client.close();
    await server.dispose();
    removeDir(work);
  }
  results.save();
}

await main();
