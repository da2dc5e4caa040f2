#!/usr/bin/env node
/* global performance -- these callbacks run in the page (Chromium), not in Node */
// The JupyterLab extension's jobs list with 5,000 jobs, in a real JupyterLab in headless Debian
// Chromium against a real PrimeHub Local: how long a polled update (and a jump deep into the
// list) takes to reach the DOM, read from the list's own `primehub-jobs-update` performance
// measures; and how many job-list requests the page sends while the panel is hidden.
// Baseline in the same run: the same update when the list holds one job (a search).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedJobs } from './support/data.mjs';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { startLab, VENV_BIN } from './support/lab.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/machine.cjs';
import { BenchServer, removeDir, tempDir } from './support/server.mjs';

const JOBS = Number(process.env.BENCH_JL_JOBS ?? 5_000);
const UPDATES = Number(process.env.BENCH_JL_UPDATES ?? 6);
const HIDDEN_MS = Number(process.env.BENCH_JL_HIDDEN_MS ?? 12_000);
const GOAL_MS = 100;
const POLL_SECONDS = 2;

/** Waits for `n` new `primehub-jobs-update` measures after `from` of them and returns their durations. */
async function updates(page, from, n) {
  await page.waitForFunction(
    ([a, b]) => performance.getEntriesByName('primehub-jobs-update').length >= a + b,
    [from, n],
    { timeout: 60_000 + n * POLL_SECONDS * 3000 }
  );
  return page.evaluate(
    ([a, b]) =>
      performance
        .getEntriesByName('primehub-jobs-update')
        .slice(a, a + b)
        .map(e => e.duration),
    [from, n]
  );
}

const measureCount = page => page.evaluate(() => performance.getEntriesByName('primehub-jobs-update').length);

async function main() {
  if (!existsSync(CHROMIUM) || !existsSync(join(VENV_BIN, 'jupyter'))) {
    throw new Error(`needs ${CHROMIUM} and the project's .venv with JupyterLab (node scripts/bootstrap.mjs)`);
  }
  const { chromium } = await import('playwright');
  const results = new Results('jupyterlab-jobs-list');
  section(`JupyterLab jobs list with ${JOBS} jobs (headless Chromium)`);
  const work = tempDir('jl-list');
  const server = await BenchServer.start();
  let lab;
  let browser;
  try {
    await server.stop();
    console.log(`  seeded ${seedJobs(server.dataDir, JOBS)} jobs`);
    await server.launch();
    const started = await startLab(server, work, { pollSeconds: POLL_SECONDS });
    lab = started.lab;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let listRequests = 0;
    page.on('request', req => {
      if (
        req.url().includes('/primehub-suite/proxy/api/graphql') &&
        (req.postData() ?? '').includes('phJobsConnection')
      ) {
        listRequests++;
      }
    });
    await page.goto(started.url);
    const tab = page.locator('.jp-SideBar [data-id="primehub-suite-panel"]');
    await tab.waitFor({ timeout: 120_000 });
    await tab.click();
    const panel = page.locator('#primehub-suite-panel');
    await panel.locator('.jp-primehub-JobRow[data-job-id]').first().waitFor({ timeout: 60_000 });
    const countText = await panel.locator('.jp-primehub-JobCount').innerText();
    const rendered = await panel.locator('.jp-primehub-JobRow').count();
    console.log(`  the list says "${countText}"; ${rendered} rows in the DOM`);
    if (!countText.startsWith(JOBS.toLocaleString('en-US'))) {
      throw new Error(`the list should hold ${JOBS} jobs, it says "${countText}"`);
    }

    // Polled updates of the full list (the rows at the top).
    const polled = summarize(await updates(page, await measureCount(page), UPDATES));
    // Jumps deep into the list: the pages behind the new rows are fetched, then rendered.
    const jumps = [];
    for (let i = 0; i < UPDATES; i++) {
      const row = Math.floor(((i + 1) / (UPDATES + 1)) * JOBS);
      const before = await measureCount(page);
      await panel.locator('.jp-primehub-JobScroller').evaluate((el, top) => el.scrollTo({ top }), row * 58);
      jumps.push(...(await updates(page, before, 1)));
      await panel
        .locator(`.jp-primehub-JobRow[data-job-id]`, { hasText: /bench-job-/ })
        .first()
        .waitFor();
    }
    const jumped = summarize(jumps);
    // Baseline: the same update when a search leaves one job.
    const needle = `bench-job-${JOBS - 1}`;
    await panel.getByLabel('Search jobs').fill(needle);
    await panel.locator('.jp-primehub-JobCount', { hasText: /^1 job$/ }).waitFor({ timeout: 30_000 });
    const one = summarize(await updates(page, await measureCount(page), UPDATES));
    await panel.getByLabel('Search jobs').fill('');
    await panel.locator('.jp-primehub-JobCount', { hasText: JOBS.toLocaleString('en-US') }).waitFor();

    const baseline = `1-job list p50 ${fmt(one.p50)} ms`;
    for (const [metric, s] of [
      [`update of the ${JOBS}-job list (poll), p50`, polled],
      [`update of the ${JOBS}-job list (poll), max`, { p50: polled.max }],
      [`jump deep into the ${JOBS}-job list, p50`, jumped],
      [`jump deep into the ${JOBS}-job list, max`, { p50: jumped.max }]
    ]) {
      results.add({
        metric,
        value: s.p50,
        unit: 'ms',
        baseline,
        ratio: s.p50 / one.p50,
        goal: `< ${GOAL_MS} ms`,
        pass: s.p50 < GOAL_MS
      });
    }

    // Requests while visible vs hidden, over the same time.
    const visibleFrom = listRequests;
    await sleep(HIDDEN_MS);
    const visible = listRequests - visibleFrom;
    await page.locator('.jp-SideBar [data-id="filebrowser"]').click();
    await panel.waitFor({ state: 'hidden' });
    await sleep(1000);
    const hiddenFrom = listRequests;
    await sleep(HIDDEN_MS);
    const hidden = listRequests - hiddenFrom;
    results.add({
      metric: `job-list requests in ${HIDDEN_MS / 1000} s with the panel hidden`,
      value: hidden,
      unit: 'requests',
      baseline: `${visible} while visible`,
      goal: '0',
      pass: hidden === 0
    });
  } finally {
    await browser?.close();
    if (lab && lab.exitCode === null) {
      const exited = new Promise(resolve => lab.once('exit', resolve));
      lab.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    await server.dispose();
    removeDir(work);
  }
  results.save();
}

await main();
