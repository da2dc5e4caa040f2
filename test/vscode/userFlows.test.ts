/**
 * End-to-end, as a new user meets them: the packaged VSIX in code-server (VS Code 1.100) in
 * headless Chromium against a real PrimeHub Local. Sign-in with a wrong URL and Try Again, a
 * notebook parameter holding a line break, Cancel on a job's progress (cancel the job, or keep it
 * running and still get its output notebook), the Jobs view beyond its newest jobs, an outage of
 * PrimeHub and its end, Pause and Resume of a recurring job, and no console links on PrimeHub Local.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient, type Job } from '@primehub-suite/client';
import { parseParametersSource } from '@primehub-suite/client/notebook';
import type { Page } from 'playwright-core';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { waitFor } from '../kit/wait';
import { ensureExtensionBuilt } from './extensionBuild';
import type { Workbench } from './workbench';
import { closeAfterAll, openWorkbench, screenshotAfterEach, type WorkbenchSession } from './workbenchSession';
import { notebookJson } from '../kit/notebook';

jest.setTimeout(300_000);

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots', 'vscode');

/** A notebook whose `note` defaults to a two-line string; its body waits for `gate` in the group volume. */
function gatedNotebook(gate: string): object {
  return notebookJson([
    { source: 'note = "a\\nb"  # two lines\n', tags: ['parameters'] },
    {
      source: [
        'import os, time',
        `gate = os.path.join(os.environ["PRIMEHUB_GROUP_VOLUME_PATH"], ${JSON.stringify(gate)})`,
        'while not os.path.exists(gate):',
        '    time.sleep(0.2)',
        'print(repr(note))'
      ].join('\n')
    }
  ]);
}

let server: LocalServerProcess;
let client: PrimeHubClient;
let scratch: string;
let workspace: string;
let session: WorkbenchSession | undefined;
let page: Page;
let wb: Workbench;

beforeAll(async () => {
  ensureExtensionBuilt();
  server = await LocalServerProcess.start();
  client = new PrimeHubClient({ endpoint: server.endpoint, token: server.token, group: server.groupName });
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-flows-'));
  workspace = join(scratch, 'project');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'keep.ipynb'), JSON.stringify(gatedNotebook('go-keep')));
  writeFileSync(join(workspace, 'stop.ipynb'), JSON.stringify(gatedNotebook('go-never')));
  session = await openWorkbench({
    keepLogsIn: join(REPO_ROOT, 'test-results', 'vscode-logs', 'user-flows'),
    scratch,
    workspace,
    settings: {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'remote.autoForwardPorts': false,
      // the Jobs view lists the newest 10; a slow periodic refresh, so a refresh seen comes from the recovery
      'primehub.jobs.maxListed': 10,
      'primehub.jobs.refreshIntervalSeconds': 120
    }
  });
  ({ page, wb } = session);
});

screenshotAfterEach('primehub-flows', () => session);

closeAfterAll(() => ({ session, client, server, scratch }));

const statusItem = (text: string | RegExp) => page.locator('.statusbar-item', { hasText: text }).first();

test('a URL that cannot be reached is explained; Try Again asks the URL again, prefilled; no scheme on this machine is http', async () => {
  const port = new URL(server.baseUrl).port;
  const wrong = `https://127.0.0.1:${port}`;
  await wb.runCommand('PrimeHub: Sign In');
  const urlBox = page.locator('.quick-input-widget', { hasText: 'PrimeHub URL' });
  await urlBox.waitFor();
  // PrimeHub Local's default address when one answers there (another may run on this machine), else nothing; never port 5000
  expect(['', 'http://127.0.0.1:8321']).toContain(await wb.quickInput().inputValue());
  await wb.quickInput().fill(wrong);
  await page.keyboard.press('Enter');
  await wb.answer('API token', server.token);
  const error = wb.notification(/Cannot reach/);
  await error.waitFor({ timeout: 30_000 });
  const text = await error.innerText();
  expect(text).toContain('the secure (HTTPS) connection');
  expect(text).not.toMatch(/ssl3|openssl|EPROTO/i);
  await wb.screenshot(join(SHOTS, 'sign-in-unreachable.png'));
  await error.locator('.monaco-button', { hasText: 'Try Again' }).click();
  await urlBox.waitFor();
  expect(await wb.quickInput().inputValue()).toBe(wrong);
  await wb.quickInput().fill(`127.0.0.1:${port}`);
  await page.keyboard.press('Enter');
  await wb.answer('API token', server.token);
  await statusItem(`PrimeHub Local: ${server.groupName}`).waitFor({ timeout: 30_000 });
});

/** Runs a workspace notebook through the palette, keeping the prefilled parameter; resolves with its job. */
async function runNotebook(file: string, displayName: string): Promise<Job> {
  await wb.openFile(file);
  await wb.runCommand('PrimeHub: Run Current File as Job');
  await page.locator('.quick-input-widget', { hasText: 'note (str)' }).waitFor({ timeout: 30_000 });
  // the two-line default, shown as a quoted literal a one-line box can hold
  expect(await wb.quickInput().inputValue()).toBe('"a\\nb"');
  await page.keyboard.press('Enter');
  await wb.acceptPick('Instance type');
  await wb.acceptPick('Image');
  return waitFor(
    `the job "${displayName}" running on the server`,
    async () => (await client.jobs.list()).items.find(j => j.displayName === displayName && j.phase === 'Running'),
    120_000
  );
}

/** Clicks Cancel on the job's progress notification and answers the modal question. */
async function cancelProgress(displayName: string, answer: 'Cancel the Job' | 'Keep It Running'): Promise<void> {
  const toast = wb.notification(`Job ${displayName}`);
  await toast.waitFor({ timeout: 30_000 });
  await toast.hover();
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor();
  expect(await dialog.innerText()).toContain(`Cancel the job ${displayName}?`);
  await wb.screenshot(join(SHOTS, `cancel-choice-${answer === 'Cancel the Job' ? 'cancel' : 'keep'}.png`));
  await dialog.locator('.monaco-button', { hasText: answer }).click();
  await dialog.waitFor({ state: 'hidden' });
}

test('Cancel on a run offers to keep it running: it says where the output goes and still downloads it; the two-line value round-trips', async () => {
  await wb.clearNotifications();
  const job = await runNotebook('keep.ipynb', 'keep');
  await cancelProgress('keep', 'Keep It Running');
  const where = join(workspace, 'keep-output.ipynb');
  await wb.expectNotification(`its output notebook will be downloaded to ${where}`);
  // the job runs on; let it finish
  writeFileSync(join(server.dataDir, 'volumes', server.groupName, 'go-keep'), '');
  expect((await client.jobs.wait(job.id, { timeoutMs: 120_000 })).phase).toBe('Succeeded');
  await waitFor('the output notebook beside keep.ipynb', async () => existsSync(where), 60_000);
  await wb.expectNotification(/Job keep succeeded; output notebook: keep-output\.ipynb/, 60_000);
  const output = JSON.parse(readFileSync(where, 'utf8')) as {
    cells: Array<{ metadata: { tags?: string[] }; source: string | string[] }>;
  };
  const injected = output.cells.find(c => c.metadata.tags?.includes('injected-parameters'))!;
  const source = Array.isArray(injected.source) ? injected.source.join('') : injected.source;
  expect(parseParametersSource(source).parameters.map(p => [p.name, p.default])).toEqual([['note', 'a\nb']]);
});

test('Cancel on a run can cancel the job itself', async () => {
  await wb.clearNotifications();
  const job = await runNotebook('stop.ipynb', 'stop');
  await cancelProgress('stop', 'Cancel the Job');
  expect((await client.jobs.wait(job.id, { timeoutMs: 60_000 })).phase).toBe('Cancelled');
  await wb.expectNotification(/Job stop cancelled/, 60_000);
});

test('the Jobs view says how many jobs there are and lists older ones on Load more', async () => {
  const [it] = await client.groups.instanceTypes();
  const [image] = await client.groups.images();
  for (let i = 0; i < 10; i++) {
    await client.jobs.submit({ displayName: `batch-${i}`, instanceType: it.name, image: image.name, command: 'true' });
  }
  const total = (await client.jobs.list()).totalPage; // pages of 10
  expect(total).toBeGreaterThan(1);
  await wb.showView('Jobs');
  await wb.runCommand('PrimeHub: Refresh Jobs');
  const jobsHeader = page.locator('.pane-header', { hasText: 'Jobs' }).first();
  await jobsHeader.filter({ hasText: /newest 10 of 1\d/ }).waitFor({ timeout: 30_000 });
  const more = wb.treeRow('Load more…');
  await more.waitFor();
  await wb.screenshot(join(SHOTS, 'jobs-load-more.png'));
  await more.click();
  await jobsHeader.filter({ hasText: /1\d jobs/ }).waitFor({ timeout: 30_000 });
  await more.waitFor({ state: 'hidden' });
});

test('while PrimeHub is down the views say so; once it is back they refresh by themselves', async () => {
  await wb.clearNotifications();
  await client.files.upload('/after-outage.txt', 'back again\n');
  await wb.showView('Jobs');
  await server.stop();
  await wb.runCommand('PrimeHub: Refresh Jobs');
  await statusItem(/PrimeHub Local: offline/).waitFor({ timeout: 30_000 });
  await page
    .locator('.tree-explorer-viewlet-tree-view > .message', { hasText: 'PrimeHub does not answer' })
    .first()
    .waitFor();
  // no job reads as running now: the unfinished ones are "last seen Running" (the tree re-renders
  // its rows after the view's message)
  await page
    .locator('.monaco-list-row', { hasText: /Running ·/ })
    .filter({ hasNotText: 'last seen' })
    .first()
    .waitFor({ state: 'detached' });
  // the Files view, opened during the outage, cannot list anything yet
  await wb.showView('Files');
  await page
    .locator('.tree-explorer-viewlet-tree-view > .message', { hasText: 'PrimeHub does not answer: files' })
    .first()
    .waitFor();
  await wb.screenshot(join(SHOTS, 'offline.png'));
  await server.launch();
  const back = Date.now();
  await statusItem(`PrimeHub Local: ${server.groupName}`).waitFor({ timeout: 30_000 });
  // Files lists what PHFS holds without a manual refresh
  await wb.treeRow('after-outage.txt').waitFor({ timeout: 30_000 });
  await page
    .locator('.tree-explorer-viewlet-tree-view > .message', { hasText: 'PrimeHub does not answer' })
    .first()
    .waitFor({ state: 'hidden' });
  expect(Date.now() - back).toBeLessThan(20_000);
  await wb.screenshot(join(SHOTS, 'back-online.png'));
});

test('Pause keeps a recurring job’s schedule and Resume brings it back; no console links on PrimeHub Local', async () => {
  const [it] = await client.groups.instanceTypes();
  const [image] = await client.groups.images();
  const s = await client.schedules.create({
    displayName: 'weekly-report',
    instanceType: it.name,
    image: image.name,
    command: 'echo report',
    recurrence: { type: 'custom', cron: '5 1 * * 2' }
  });
  await wb.showView('Recurring Jobs');
  await wb.runCommand('PrimeHub: Refresh Recurring Jobs');
  await wb.treeRow(/weekly-report\s*custom \(5 1 \* \* 2\)/).waitFor({ timeout: 30_000 });
  await wb.runCommand('PrimeHub: Pause Recurring Job');
  await wb.acceptPick(/Pause which recurring job/);
  await wb.treeRow(/weekly-report\s*paused · custom \(5 1 \* \* 2\)/).waitFor({ timeout: 30_000 });
  expect((await client.schedules.get(s.id)).recurrence).toEqual({ type: 'inactive', cron: '5 1 * * 2' });
  await wb.screenshot(join(SHOTS, 'recurring-paused.png'));
  await wb.runCommand('PrimeHub: Resume Recurring Job');
  await wb.acceptPick(/Resume which recurring job/);
  await wb.treeRow(/weekly-report\s*custom \(5 1 \* \* 2\)/).waitFor({ timeout: 30_000 });
  expect((await client.schedules.get(s.id)).recurrence).toEqual({ type: 'custom', cron: '5 1 * * 2' });

  // a job's context menu: no "Open Job in PrimeHub Console" (PrimeHub Local has no console)
  await wb.showView('Jobs');
  const row = wb.treeRow(/batch-0/);
  if (!(await row.isVisible())) {
    await wb.treeRow('Succeeded').click();
  }
  await row.click({ button: 'right' });
  const menu = page.locator('.monaco-menu');
  await menu.locator('.action-item', { hasText: 'Copy Job ID' }).first().waitFor();
  expect(await menu.locator('.action-item', { hasText: 'PrimeHub Console' }).count()).toBe(0);
  await page.keyboard.press('Escape');
});
