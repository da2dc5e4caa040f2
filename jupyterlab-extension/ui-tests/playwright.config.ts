/**
 * galata UI tests: a real JupyterLab with the extension, against a real PrimeHub Local, in
 * headless Debian Chromium (Playwright cannot download browsers here). Both servers are started
 * by globalSetup.ts.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/machine.cjs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require('@jupyterlab/galata/lib/playwright-config');

export /** JupyterLab's port: from the runner (test/ui.test.ts picks a free one), else 18888. */
function uiPort(): string {
  process.env.PHJL_UI_PORT ??= '18888';
  return process.env.PHJL_UI_PORT;
}

export default defineConfig({
  ...base,
  testDir: './tests',
  outputDir: '../../.bench/ui-tests-output',
  reporter: [['list']],
  workers: 1,
  fullyParallel: false,
  // No retry: the tests wait on state, so a failure is a bug to fix, not a window to try again.
  retries: 0,
  // an upper bound, not a wait: each test waits on states with their own bounds (a job's phase up
  // to 120 s), which a loaded machine may need together
  timeout: 300_000,
  expect: { timeout: 30_000 },
  globalSetup: require.resolve('./globalSetup'),
  globalTeardown: require.resolve('./globalTeardown'),
  use: {
    ...base.use,
    baseURL: `http://127.0.0.1:${uiPort()}`,
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    video: 'off',
    launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] }
  }
});
