/**
 * End-to-end: the packaged VSIX installed into code-server (VS Code 1.100) in headless Chromium,
 * driven through the command palette against a real PrimeHub Local, as a user would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient } from '@primehub-suite/client';
import type { Browser, Page } from 'playwright-core';
import { LocalServerProcess } from '../kit/localServer';
import { ensureExtensionBuilt, VSIX } from './extensionBuild';
import { Workbench } from './workbench';

import * as host from './codeServer.cjs';

jest.setTimeout(300_000);

const SHOTS = join(__dirname, 'screenshots');

let server: LocalServerProcess;
let client: PrimeHubClient;
let scratch: string;
let workspace: string;
let codeServer: host.CodeServer;
let browser: Browser;
let page: Page;
let wb: Workbench;

beforeAll(async () => {
  ensureExtensionBuilt();
  server = await LocalServerProcess.start();
  client = new PrimeHubClient({ endpoint: server.endpoint, token: server.token, group: server.groupName });
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-e2e-'));
  workspace = join(scratch, 'project');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'hello.py'), "for i in range(3):\n    print(f'hello from PrimeHub {i}')\n");
  const dirs = { userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions') };
  await host.installExtension(VSIX, dirs);
  // HOME without ~/.primehub: the sign-in offers endpoint + token
  codeServer = await host.startCodeServer({ ...dirs, folder: workspace, env: { HOME: scratch } });
  browser = await host.launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  wb = new Workbench(page);
  await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`);
  await wb.ready();
});

afterAll(async () => {
  await browser?.close();
  await codeServer?.stop();
  await client?.close();
  await server?.dispose();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('signed out, the PrimeHub views offer to sign in; Models and Deployments say they come later', async () => {
  await wb.openPrimeHub();
  await page.locator('.welcome-view-content', { hasText: 'Sign in to PrimeHub to see and run your jobs' }).waitFor();
  await wb.screenshot(join(SHOTS, 'signed-out.png'));
});

test('sign in with endpoint and API token through the command palette', async () => {
  await wb.runCommand('PrimeHub: Sign In');
  await wb.answer('PrimeHub URL', server.baseUrl);
  await wb.answer('API token', server.token);
  await wb.notification(/Signed in to PrimeHub Local as/).waitFor({ timeout: 30_000 });
  await page.locator('.statusbar-item', { hasText: `PrimeHub Local: ${server.groupName}` }).waitFor();
});

test('jobs appear in the tree, grouped by status', async () => {
  const [it] = await client.groups.instanceTypes();
  const [image] = await client.groups.images();
  const job = await client.jobs.submit({
    displayName: 'train-model',
    instanceType: it.name,
    image: image.name,
    command: 'echo trained > ~/artifacts/model.txt'
  });
  await client.jobs.wait(job.id, { timeoutMs: 60_000 });
  await wb.runCommand('PrimeHub: Refresh Jobs');
  await wb.treeRow('Succeeded').waitFor();
  const row = wb.treeRow('train-model');
  if (!(await row.isVisible())) {
    await wb.treeRow('Succeeded').click();
  }
  await row.waitFor();
  await row.click();
  await page.keyboard.press('ArrowRight');
  await wb.treeRow('model.txt').waitFor();
  await wb.screenshot(join(SHOTS, 'jobs-tree.png'));
});

test('run the current .py file as a job; its log streams into an output channel', async () => {
  await wb.openFile('hello.py');
  await wb.runCommand('PrimeHub: Run Current File as Job');
  await wb.acceptPick('Instance type');
  await wb.acceptPick('Image');
  await page.locator('.output-view, .panel', { hasText: 'hello from PrimeHub 2' }).first().waitFor({ timeout: 60_000 });
  await wb.notification(/Job hello succeeded/).waitFor({ timeout: 60_000 });
  await wb.screenshot(join(SHOTS, 'job-log.png'));
});
