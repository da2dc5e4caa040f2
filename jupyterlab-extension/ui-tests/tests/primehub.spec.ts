/**
 * The extension in a real JupyterLab against a real PrimeHub Local (Debian Chromium). The tests
 * run in order and share the servers: the first one signs in.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  env,
  jobTotal,
  localCli,
  newToken,
  outputNotebooks,
  PrimeHubHelper,
  printedText,
  SCREENSHOTS,
  tokenAccepted,
  writeHomeNotebook,
  writeNotebook
} from './PrimeHubHelper';

test.describe.configure({ mode: 'serial' });
// galata's default trackers of kernels, sessions and terminals proxy those API calls through route
// handlers that read each response's body after it arrives: a poll in flight when the test's
// context closes fails the test ("Response has been disposed"). The Lab is reached directly and
// afterEach shuts down the kernels a test started instead.
test.use({ autoGoto: true, kernels: null, sessions: null, terminals: null });

test.afterEach(async ({ page, request }) => {
  // Closed first, so the page cannot start a kernel again for a session removed here.
  await page.close();
  const sessions = (await (await request.get('/api/sessions')).json()) as Array<{ id: string }>;
  for (const s of sessions) {
    const res = await request.delete(`/api/sessions/${s.id}`);
    // 404: its kernel ended meanwhile.
    expect([204, 404]).toContain(res.status());
  }
});

/** The messages of the notifications JupyterLab holds (its notification center), shown as toasts or not. */
async function notifications(page: IJupyterLabPageFixture): Promise<string> {
  return (await page.notifications).map(n => n.message).join('\n');
}

/** The notification whose message matches, with its type, auto-close and button labels. */
async function notification(
  page: IJupyterLabPageFixture,
  re: RegExp
): Promise<{ message: string; type: string; autoClose: unknown; actions: string[] } | undefined> {
  const n = (await page.notifications).find(x => re.test(x.message));
  return n
    ? {
        message: n.message,
        type: n.type,
        autoClose: n.options.autoClose,
        actions: (n.options.actions ?? []).map(a => a.label)
      }
    : undefined;
}

const PARAMS = [
  'count = 3  # how many rounds',
  'ratio = 0.5  # share of the data',
  'flag = False',
  "label = 'plain'  # shown in the report"
].join('\n');
const BODY = [
  'import json, os, struct, zlib',
  "art = os.path.expanduser('~/artifacts')",
  'os.makedirs(art, exist_ok=True)',
  'def chunk(kind, data):',
  "    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))",
  'w, h = 120, 60',
  "rows = b''.join(b'\\x00' + b''.join(bytes(((x * 2) % 256, (y * 4) % 256, 180)) for x in range(w)) for y in range(h))",
  "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')",
  "open(os.path.join(art, 'plot.png'), 'wb').write(png)",
  "open(os.path.join(art, 'table.csv'), 'w').write('name,value\\nalpha,1\\nbeta,2\\n')",
  "print('VALUES=' + json.dumps({'count': count, 'ratio': ratio, 'flag': flag, 'label': label}))"
].join('\n');
const TRICKY = 'He said "hi"; it\'s a=b  and\nsecond line';

function values(file: string): unknown {
  const line = printedText(file)
    .split('\n')
    .find(l => l.startsWith('VALUES='));
  return line ? JSON.parse(line.slice('VALUES='.length)) : undefined;
}

test.beforeAll(() => mkdirSync(SCREENSHOTS, { recursive: true }));

test('sign in: a wrong token is refused, a pasted one connects', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.openPanel();
  // The Lab keeps a token server-side: start signed out whatever a run before left there.
  await ph.signOutIfSignedIn();
  await expect(ph.panel.getByText('Connect to PrimeHub')).toBeVisible();
  await expect(ph.panel.getByText('npx primehub-local token --user phuser')).toBeVisible();
  await ph.panel.getByLabel('API token').fill('not-a-real-token');
  await ph.panel.getByRole('button', { name: 'Connect' }).click();
  await expect(ph.panel.getByRole('alert')).toContainText('PrimeHub rejected the API token');
  await ph.panel.getByLabel('API token').fill(env.token);
  await ph.panel.getByRole('button', { name: 'Connect' }).click();
  await expect(ph.panel.getByRole('tab', { name: 'Jobs', exact: true })).toBeVisible();
  // The token is kept server-side only.
  const stored = JSON.parse(readFileSync(process.env.PHJL_UI_CONFIG!, 'utf8'));
  expect(stored['api-token']).toBe(env.token);
  expect(await page.evaluate(() => JSON.stringify({ ...window.localStorage }))).not.toContain(env.token);
});

test('submit a notebook with typed parameters; it succeeds with the exact values and artifacts', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('params.ipynb', [{ source: PARAMS, tags: ['parameters'] }, { source: BODY }]);
  const dialog = await ph.openSubmitDialog(path);
  await expect(dialog.locator('#ph-instance-type')).toHaveValue('cpu-1');
  await expect(dialog.locator('#ph-image')).toHaveValue('base-notebook');
  await expect(dialog.locator('#ph-job-name')).toHaveValue('params');
  // The group the job goes to, and JupyterLab's own drop-downs.
  await expect(dialog.getByTestId('target-group')).toContainText(env.group);
  await expect(dialog.locator('.jp-HTMLSelect > select#ph-instance-type')).toBeVisible();
  await expect(dialog.locator('.jp-HTMLSelect > select#ph-image')).toBeVisible();
  await expect(dialog.locator('[data-param="count"]')).toContainText('how many rounds');
  await ph.param('count').fill('seven');
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await expect(dialog.locator('[data-param="count"] .jp-primehub-Error')).toContainText('integer');
  await ph.param('count').fill('7');
  await ph.param('ratio').fill('2.5');
  await ph.param('flag').selectOption('True');
  await ph.param('label').fill(TRICKY);
  await dialog.locator('#ph-job-name').fill('typed params');
  await expect(dialog.getByTestId('job-count')).toHaveText('1 job');
  await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'dialog.png') });
  await ph.submit();

  await ph.expectPhase('Succeeded');
  const id = await ph.jobId();
  await expect(ph.jobRow(id)).toHaveAttribute('data-phase', 'Succeeded', { timeout: 30_000 });
  await expect(ph.jobRow(id)).toContainText('typed params');
  const [output] = outputNotebooks('params.ipynb');
  expect(values(output)).toEqual({ count: 7, ratio: 2.5, flag: true, label: TRICKY });
  // Shown as typed: no quotes added, nothing escaped, the line break kept.
  await expect(ph.jobTab.locator('td[data-param="label"] pre')).toHaveText(TRICKY);
  await expect(ph.jobTab.locator('td[data-param="flag"] pre')).toHaveText('True');
  // A success closes itself, as JupyterLab's own notifications do.
  await expect
    .poll(() => notification(page, /^Job "typed params" succeeded$/), { timeout: 60_000 })
    .toEqual({
      message: 'Job "typed params" succeeded',
      type: 'success',
      autoClose: 5000,
      actions: ['Open output notebook', 'Show log']
    });

  await ph.jobTab.getByRole('tab', { name: 'Artifacts' }).click();
  await ph.jobTab.locator('[data-artifact="plot.png"] a').click();
  await expect(ph.jobTab.locator('.jp-primehub-PreviewImage')).toBeVisible();
  expect(await ph.jobTab.locator('.jp-primehub-PreviewImage').evaluate(i => (i as HTMLImageElement).naturalWidth)).toBe(
    120
  );
  await ph.jobTab.locator('[data-artifact="table.csv"] a').click();
  await expect(ph.jobTab.locator('.jp-primehub-CsvTable td').first()).toHaveText('alpha');
  await expect(ph.jobTab.locator(`[data-artifact$="-output.ipynb"]`)).toHaveCount(1);
  await ph.jobTab.screenshot({ path: join(SCREENSHOTS, 'job-detail.png') });

  await ph.jobTab.getByRole('button', { name: 'Open output notebook' }).click();
  await expect(
    page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output').filter({ hasText: 'VALUES=' })
  ).toBeVisible();
  await ph.panel.screenshot({ path: join(SCREENSHOTS, 'panel.png') });
});

test('cancel a running job', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('slow.ipynb', [{ source: 'import time\ntime.sleep(300)' }]);
  const dialog = await ph.openSubmitDialog(path);
  await expect(dialog.getByTestId('no-parameters-cell')).toBeVisible();
  await ph.submit();
  await ph.expectPhase('Running');
  await ph.jobTab.getByRole('button', { name: 'Cancel' }).click();
  await ph.expectPhase('Cancelled', 30_000);
});

test('a sweep of 3 values creates 3 jobs that all succeed', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('sweep.ipynb', [{ source: PARAMS, tags: ['parameters'] }, { source: BODY }]);
  const dialog = await ph.openSubmitDialog(path);
  await dialog.locator('[data-param="ratio"] .jp-primehub-Sweep input').check();
  await ph.param('ratio').fill('0.1\n0.2\n0.3');
  await expect(dialog.getByTestId('job-count')).toHaveText('3 jobs');
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });
  const rows = ph.panel.locator('.jp-primehub-JobRow', { hasText: 'sweep-ratio=' });
  await expect(rows).toHaveCount(3, { timeout: 30_000 });
  await expect(
    ph.panel.locator('.jp-primehub-JobRow[data-phase="Succeeded"]', { hasText: 'sweep-ratio=' })
  ).toHaveCount(3, {
    timeout: 180_000
  });
  const ratios = outputNotebooks('sweep.ipynb').map(f => (values(f) as { ratio: number }).ratio);
  expect(ratios.sort()).toEqual([0.1, 0.2, 0.3]);
  // One notification for the whole sweep, updated as its jobs end; the success closes itself.
  await expect
    .poll(() => notification(page, /^Sweep "sweep"/), { timeout: 60_000 })
    .toMatchObject({ message: 'Sweep "sweep": all 3 jobs succeeded', type: 'success', autoClose: 5000 });
  expect((await page.notifications).filter(n => /sweep/.test(n.message))).toHaveLength(1);
});

test('a failing notebook shows Failed with its log and a notification', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('fail.ipynb', [{ source: "raise ValueError('boom on purpose')" }]);
  await ph.openSubmitDialog(path);
  await ph.submit();
  await ph.expectPhase('Failed');
  const failure = /cell 1 \(raise ValueError\('boom on purpose'\)\): ValueError: boom on purpose/;
  // The job's message names the failing cell and its exception, not an exit code.
  await expect(ph.jobTab.getByTestId('job-message')).toHaveText(failure, { timeout: 30_000 });
  await expect(ph.jobTab.getByTestId('job-log')).toContainText('boom on purpose', { timeout: 30_000 });
  // The log opens at its end on demand, where the error is.
  await ph.jobTab.getByLabel('Log lines').selectOption('0');
  await expect(ph.jobTab.getByTestId('job-log')).toContainText('boom on purpose');
  await ph.jobTab.getByRole('button', { name: 'Jump to end' }).click();
  await expect
    .poll(() => ph.jobTab.getByTestId('job-log').evaluate(el => el.scrollHeight - el.clientHeight - el.scrollTop))
    .toBeLessThanOrEqual(1);
  // The notification itself, not its toast: a toast can be gone (or queued behind others) when looked for.
  await expect
    .poll(() => notification(page, /^Job "fail" failed/), { timeout: 60_000 })
    .toMatchObject({ type: 'error', autoClose: false, actions: ['Open output notebook', 'Show log'] });
  expect((await notification(page, /^Job "fail" failed/))!.message).toMatch(
    /^Job "fail" failed: cell 1 \(raise ValueError\('boom on purpose'\)\): ValueError: boom on purpose$/
  );
  await page.screenshot({ path: join(SCREENSHOTS, 'failed-job.png') });
});

test('a job whose image lacks papermill fails with a notification that names it', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  // PrimeHub Local sources the group volume's .primehub/profile in every job: dropping the
  // project virtualenv from PATH there gives the job an "image" without papermill.
  const profileDir = join(env.volume, '.primehub');
  const profile = join(profileDir, 'profile');
  expect(existsSync(profile)).toBe(false);
  mkdirSync(profileDir, { recursive: true });
  writeFileSync(profile, 'export PATH=/usr/bin:/bin\n');
  try {
    const path = writeNotebook('no-papermill.ipynb', [{ source: "print('never runs')" }]);
    await ph.openSubmitDialog(path);
    await ph.submit();
    await ph.expectPhase('Failed');
    await expect(ph.jobTab.getByTestId('job-log')).toContainText('papermill: command not found', { timeout: 30_000 });
    await expect
      .poll(() => notifications(page), { timeout: 60_000 })
      .toMatch(/papermill is (missing in the image|not installed in the job's image)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'missing-papermill.png') });
  } finally {
    rmSync(profile, { force: true });
  }
});

test('rerun with one parameter edited', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const row = ph.panel.locator('.jp-primehub-JobRow', { hasText: 'typed params' }).first();
  await row.click();
  await ph.jobTab.getByRole('button', { name: 'Rerun with edited parameters' }).click();
  await expect(ph.dialog).toBeVisible();
  await expect(ph.param('label')).toHaveValue(TRICKY);
  await expect(ph.param('ratio')).toHaveValue('2.5');
  await ph.param('count').fill('11');
  const before = outputNotebooks('params.ipynb').length;
  await ph.submit();
  await ph.expectPhase('Succeeded');
  const outputs = outputNotebooks('params.ipynb');
  expect(outputs).toHaveLength(before + 1);
  expect(values(outputs[outputs.length - 1])).toEqual({ count: 11, ratio: 2.5, flag: true, label: TRICKY });
});

test('plain "Rerun" runs the notebook again with the same parameters', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  await ph.panel.locator('.jp-primehub-JobRow', { hasText: 'typed params' }).first().click();
  await ph.expectPhase('Succeeded');
  const first = await ph.jobId();
  const countCell = ph.jobTab
    .getByTestId('job-parameters')
    .locator('tr')
    .filter({ has: page.locator('th', { hasText: /^count$/ }) })
    .locator('td');
  const count = Number(await countCell.textContent());
  const before = outputNotebooks('params.ipynb').length;
  await ph.jobTab.getByRole('button', { name: 'Rerun', exact: true }).click();
  await expect.poll(() => ph.jobId(), { timeout: 30_000 }).not.toBe(first);
  await ph.expectPhase('Succeeded');
  const outputs = outputNotebooks('params.ipynb');
  expect(outputs).toHaveLength(before + 1);
  expect(values(outputs[outputs.length - 1])).toEqual({ count, ratio: 2.5, flag: true, label: TRICKY });
});

test('artifacts download into the workspace, a file and a folder, and show in the file browser', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('reports.ipynb', [
    {
      source: [
        'import os',
        "d = os.path.expanduser('~/artifacts/reports')",
        'os.makedirs(d, exist_ok=True)',
        "open(os.path.join(d, 'a.txt'), 'w').write('first report')",
        "open(os.path.join(d, 'b.txt'), 'w').write('second report')",
        "os.makedirs(os.path.join(d, '2026'), exist_ok=True)",
        "open(os.path.join(d, '2026', 'c.txt'), 'w').write('nested report')",
        "open(os.path.expanduser('~/artifacts/summary.txt'), 'w').write('all good')"
      ].join('\n')
    }
  ]);
  await ph.openSubmitDialog(path);
  await ph.submit();
  await ph.expectPhase('Succeeded');
  const id = await ph.jobId();
  await ph.jobTab.getByRole('tab', { name: 'Artifacts' }).click();
  await ph.jobTab.locator('[data-artifact="summary.txt"]').getByRole('button', { name: 'Download' }).click();
  await expect(ph.jobTab.getByText(/Downloaded 1 file into/)).toBeVisible();
  // The folder with its subfolder.
  await ph.jobTab
    .locator('.jp-primehub-Folder', { hasText: /^reports\/ / })
    .getByRole('button')
    .click();
  await expect(ph.jobTab.getByText(/Downloaded 3 files into/)).toBeVisible();
  await ph.jobTab.screenshot({ path: join(SCREENSHOTS, 'artifacts-downloaded.png') });
  const target = join(env.volume, 'job-artifacts', id);
  expect(readFileSync(join(target, 'summary.txt'), 'utf8')).toBe('all good');
  expect(readFileSync(join(target, 'reports', 'a.txt'), 'utf8')).toBe('first report');
  expect(readFileSync(join(target, 'reports', 'b.txt'), 'utf8')).toBe('second report');
  expect(readFileSync(join(target, 'reports', '2026', 'c.txt'), 'utf8')).toBe('nested report');
  await page.sidebar.openTab('filebrowser');
  await ph.showFolder(`${env.group}/job-artifacts/${id}`);
  await expect.poll(() => page.filebrowser.isFileListedInBrowser('summary.txt')).toBe(true);
  await expect.poll(() => page.filebrowser.isFileListedInBrowser('reports')).toBe(true);
  await ph.showFolder(`${env.group}/job-artifacts/${id}/reports`);
  await expect.poll(() => page.filebrowser.isFileListedInBrowser('a.txt')).toBe(true);
  await expect.poll(() => page.filebrowser.isFileListedInBrowser('b.txt')).toBe(true);
  await page.locator('#filebrowser').screenshot({ path: join(SCREENSHOTS, 'artifacts-in-file-browser.png') });
});

test('a recurring job created from the dialog is listed and "Trigger now" runs it', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('nightly.ipynb', [{ source: PARAMS, tags: ['parameters'] }, { source: BODY }]);
  const dialog = await ph.openSubmitDialog(path);
  await dialog.getByLabel('Recurring').check();
  await dialog.getByLabel('Recurrence').selectOption('custom');
  // A bad cron is flagged while typing, before Submit.
  await dialog.getByLabel('Cron').fill('30 2 * *');
  await expect(dialog.getByTestId('cron-error')).toBeVisible();
  await dialog.screenshot({ path: join(SCREENSHOTS, 'bad-cron.png') });
  await dialog.getByLabel('Cron').fill('30 2 * * *');
  await expect(dialog.getByTestId('cron-error')).toHaveCount(0);
  await expect(dialog.getByText(/Next runs:/)).toBeVisible();
  await ph.submit();
  await page.getByRole('button', { name: 'Ok', exact: true }).click();
  await ph.panel.getByRole('tab', { name: 'Recurring jobs' }).click();
  const row = ph.panel.locator('.jp-primehub-ScheduleRow', { hasText: 'nightly' });
  await expect(row).toContainText('30 2 * * *');
  await row.getByRole('button', { name: 'Trigger now' }).click();
  await ph.expectPhase('Succeeded');
});

test('a recurring job can be paused keeping its schedule, resumed, and deleted after a confirmation', async ({
  page
}) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  await ph.panel.getByRole('tab', { name: 'Recurring jobs' }).click();
  const row = ph.panel.locator('.jp-primehub-ScheduleRow', { hasText: 'nightly' });
  await expect(row).toContainText('30 2 * * *');
  await row.getByRole('button', { name: 'Pause' }).click();
  await expect(ph.panel.getByText('Paused nightly')).toBeVisible();
  await expect(row).toContainText('paused (30 2 * * *)');
  await expect(row.getByRole('button', { name: 'Pause' })).toHaveCount(0);
  await ph.panel.screenshot({ path: join(SCREENSHOTS, 'recurring-paused.png') });
  await row.getByRole('button', { name: 'Resume' }).click();
  await expect(ph.panel.getByText('Resumed nightly')).toBeVisible();
  await expect(row).toContainText(/30 2 \* \* \* · next /);
  await expect(row.getByRole('button', { name: 'Pause' })).toBeVisible();
  // Delete asks first; Cancel keeps the recurring job.
  await row.getByRole('button', { name: 'Delete' }).click();
  await ph.answer('Delete recurring job?', 'Cancel');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Delete' }).click();
  await ph.answer('Delete recurring job?', 'Delete');
  await expect(ph.panel.getByText('Deleted nightly')).toBeVisible();
  await expect(row).toHaveCount(0);
  await ph.panel.getByRole('tab', { name: 'Jobs', exact: true }).click();
});

test('an expired token brings back sign-in and keeps the dialog values', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  await ph.signOut();
  const shortLived = newToken(8);
  await ph.signIn(shortLived);
  const path = writeNotebook('expiry.ipynb', [{ source: PARAMS, tags: ['parameters'] }, { source: BODY }]);
  const dialog = await ph.openSubmitDialog(path);
  await ph.param('label').fill('kept value');
  await ph.param('count').fill('5');
  await expect.poll(() => tokenAccepted(shortLived), { timeout: 60_000 }).toBe(false);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await expect(dialog.getByText('Your PrimeHub session has ended')).toBeVisible();
  await expect(ph.panel.getByText('Connect to PrimeHub')).toBeVisible();
  await expect(ph.param('label')).toHaveValue('kept value');
  await expect(ph.param('count')).toHaveValue('5');
  await dialog.getByLabel('API token').fill(env.token);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await ph.submit();
  await ph.expectPhase('Succeeded');
  expect(values(outputNotebooks('expiry.ipynb')[0])).toMatchObject({ label: 'kept value', count: 5 });
});

test('the jobs list polls only while the panel is visible', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  let listCalls = 0;
  // JupyterLab's own poll of its sessions (every 10 s) is the clock of this test: the jobs list
  // polls every 5 s, so two of its polls span at least three of the list's.
  let labPolls = 0;
  page.on('request', req => {
    if (
      req.url().includes('/primehub-suite/proxy/api/graphql') &&
      (req.postData() ?? '').includes('phJobsConnection')
    ) {
      listCalls++;
    } else if (req.method() === 'GET' && new URL(req.url()).pathname.endsWith('/api/sessions')) {
      labPolls++;
    }
  });
  // Visible: the list refreshes every poll interval.
  const shown = listCalls;
  await expect.poll(() => listCalls, { timeout: 60_000 }).toBeGreaterThanOrEqual(shown + 2);
  // Hidden (the file browser takes the left area): no more list requests. Counted from JupyterLab's
  // next poll on, so a list request already under way when the panel hid is not counted.
  await page.sidebar.openTab('filebrowser');
  await expect(ph.panel).toBeHidden();
  const hiddenAt = labPolls;
  await expect.poll(() => labPolls, { timeout: 60_000 }).toBeGreaterThan(hiddenAt);
  const hiddenFrom = listCalls;
  const from = labPolls;
  await expect.poll(() => labPolls, { timeout: 60_000 }).toBeGreaterThanOrEqual(from + 2);
  expect(listCalls).toBe(hiddenFrom);
  await ph.openPanel();
  await expect.poll(() => listCalls, { timeout: 30_000 }).toBeGreaterThan(hiddenFrom);
});

test('the file browser menu offers to copy a notebook outside the group volume into it, then submits the copy', async ({
  page
}) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const name = writeHomeNotebook('outside.ipynb', 'x = 1');
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openHomeDirectory();
  await page.filebrowser.refresh();
  await page.locator(`.jp-DirListing-item[title*="${name}"]`).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Submit Notebook as PrimeHub Job…' }).click();
  const fixit = page.locator('.jp-Dialog', { hasText: 'Notebook outside the group volume' });
  await expect(fixit).toBeVisible();
  await fixit.getByRole('button', { name: `Copy into ${env.group}/` }).click();
  await expect(ph.dialog).toBeVisible();
  await expect(ph.dialog).toContainText(`Submit ${name} as a PrimeHub job`);
  await ph.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(ph.dialog).toBeHidden();
  expect(readFileSync(join(env.volume, name), 'utf8')).toContain('x = 1');
});

test('the palette command asks to save unsaved changes first', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('unsaved.ipynb', [{ source: 'y = 2', tags: ['parameters'] }]);
  await ph.openNotebook(path);
  await page.locator('.jp-NotebookPanel:visible .jp-Cell .cm-content').first().click();
  await page.keyboard.type('\nz = 3');
  await page.evaluate(() => window.jupyterapp.commands.execute('apputils:activate-command-palette'));
  await page.keyboard.type('Submit Notebook as PrimeHub');
  await page.keyboard.press('Enter');
  const save = page.locator('.jp-Dialog', { hasText: 'Save before submitting?' });
  await expect(save).toBeVisible();
  await save.getByRole('button', { name: 'Save and continue' }).click();
  await expect(ph.dialog).toBeVisible();
  await expect(ph.param('y')).toHaveValue('2');
  await ph.dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(readFileSync(join(env.volume, 'ui', 'unsaved.ipynb'), 'utf8')).toContain('z = 3');
});

test("the group switcher lists the user's groups and shows the chosen group's jobs", async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  localCli('group', 'add', 'teamb', '--display-name', 'Team B');
  localCli('user', 'add', 'alice', '--group', env.group, '--group', 'teamb', '--allow-unisolated-jobs');
  await ph.signIn();
  // The count is the group's real total from the first answer, not the pages loaded so far.
  await expect(ph.panel.locator('.jp-primehub-JobCount')).toHaveText(`${await jobTotal(env.groupId)} jobs`);
  await ph.signOut();
  await ph.signIn(newToken(undefined, 'alice'));
  const group = ph.panel.getByLabel('Group');
  await expect(group.locator('option')).toHaveCount(2);
  await expect(group).toHaveValue(env.group);
  await expect(ph.panel.locator('.jp-HTMLSelect > select[aria-label="Group"]')).toBeVisible();
  const rows = ph.panel.locator('.jp-primehub-JobRow[data-job-id]');
  await expect(rows.first()).toBeVisible();
  await group.selectOption('teamb');
  await expect(ph.panel.locator('.jp-primehub-JobCount')).toHaveText('No jobs');
  await expect(rows).toHaveCount(0);
  // A first look says how to make a job.
  await expect(ph.panel.getByTestId('no-jobs')).toContainText('Submit Notebook as PrimeHub Job…');
  await ph.panel.screenshot({ path: join(SCREENSHOTS, 'group-switcher.png') });

  // A notebook of this server's group cannot be run by teamb's job: said before submitting.
  const path = writeNotebook('other-group.ipynb', [{ source: "print('hi')" }]);
  await ph.openNotebook(path);
  await page.locator('.jp-NotebookPanel:visible [data-jp-item-name="primehub-submit"]').click();
  const blocked = page.locator('.jp-Dialog', { hasText: 'Jobs of teamb cannot see this notebook' });
  await expect(blocked).toContainText(`A job of teamb sees only teamb's group volume`);
  await blocked.screenshot({ path: join(SCREENSHOTS, 'other-group-blocked.png') });
  await ph.answer('Jobs of teamb cannot see this notebook', 'Cancel');
  await expect(ph.dialog).toHaveCount(0);
  await expect(group).toHaveValue('teamb');
  // Taking the fix-it submits in the notebook's own group, and the form says so.
  await page.locator('.jp-NotebookPanel:visible [data-jp-item-name="primehub-submit"]').click();
  await ph.answer('Jobs of teamb cannot see this notebook', `Submit in ${env.group}`);
  await expect(ph.dialog.getByTestId('target-group')).toContainText(`(${env.group})`);
  await ph.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(group).toHaveValue(env.group);

  // Signed back in as a user without the group chosen: the panel takes one the user has.
  await group.selectOption('teamb');
  await expect(ph.panel.locator('.jp-primehub-JobCount')).toHaveText('No jobs');
  await ph.signOut();
  await ph.signIn(env.token);
  await expect(group).toHaveValue(env.group);
  await expect(rows.first()).toBeVisible();
  await expect(ph.panel.getByRole('alert')).toHaveCount(0);
});

test('a parameters cell that is not valid Python blocks Submit with the reason', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('broken-params.ipynb', [
    { source: 'rate = 0.1\nsizes = [1, 2', tags: ['parameters'] },
    { source: 'print(rate)' }
  ]);
  const dialog = await ph.openSubmitDialog(path);
  await expect(dialog.getByRole('alert')).toContainText("The notebook's parameters cell is not valid Python");
  await expect(dialog.getByRole('alert')).toContainText('unclosed bracket');
  await expect(dialog.getByRole('button', { name: 'Submit' })).toBeDisabled();
  await dialog.screenshot({ path: join(SCREENSHOTS, 'broken-parameters.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('a 10,000-character parameter value wraps in the job tab, its whole value on demand', async ({ page }) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  const path = writeNotebook('long-value.ipynb', [{ source: "text = 'short'", tags: ['parameters'] }]);
  await ph.openSubmitDialog(path);
  const long = 'abcdefghij'.repeat(1000);
  await ph.param('text').fill(long);
  await ph.submit();
  await expect(ph.jobTab.locator('td[data-param="text"]')).toBeVisible();
  // The tab does not grow sideways: nothing to scroll horizontally.
  const overflow = (): Promise<number> => ph.jobTab.evaluate(el => el.scrollWidth - el.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(1);
  await ph.jobTab.getByRole('button', { name: 'Show all 10,000 characters' }).click();
  await expect(ph.jobTab.locator('td[data-param="text"] pre')).toHaveText(long);
  expect(await overflow()).toBeLessThanOrEqual(1);
  await ph.jobTab.screenshot({ path: join(SCREENSHOTS, 'long-parameter.png') });
});

test('a PrimeHub that stops answering shows an error in the panel, which clears when it answers again', async ({
  page
}) => {
  const ph = new PrimeHubHelper(page);
  await ph.signIn();
  await expect(ph.panel.locator('.jp-primehub-JobRow[data-job-id]').first()).toBeVisible();
  const serverPid = Number(process.env.PHJL_UI_PIDS!.split(',')[0]);
  process.kill(serverPid, 'SIGSTOP');
  try {
    await expect(ph.panel.getByRole('alert')).toContainText('Listing jobs failed', { timeout: 90_000 });
    await ph.panel.screenshot({ path: join(SCREENSHOTS, 'primehub-hangs.png') });
  } finally {
    process.kill(serverPid, 'SIGCONT');
  }
  await expect(ph.panel.getByRole('alert')).toHaveCount(0, { timeout: 90_000 });
});
