/**
 * What another installed extension gets from PrimeHub's: the packaged VSIX and a throwaway spy
 * extension installed side by side into code-server (production mode, as a user has them), the
 * user signed in to two profiles, then the spy activates PrimeHub, walks its exports, uses any
 * token store or client they hold and runs every `primehub.*` command. It must find no token.
 * Then it runs the commands with arguments of its own making (its own PrimeHub account, hand-built
 * tree nodes, skip-confirmation flags, a folder of its own, job ids and specs): none may act.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient } from '@primehub-suite/client';
import type { Page } from 'playwright-core';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { waitFor } from '../kit/wait';
import { ensureExtensionBuilt } from './extensionBuild';
import { buildSpyExtension, SPY_COMMAND_TITLE, type SpyReport } from './spyExtension';
import type { Workbench } from './workbench';
import { openWorkbench, screenshotAfterEach, type WorkbenchSession } from './workbenchSession';

jest.setTimeout(300_000);

let server: LocalServerProcess;
let scratch: string;
let session: WorkbenchSession | undefined;
let page: Page;
let wb: Workbench;
let secondToken: string;
let jobId: string;
let sleeperId: string;
let scheduleId: string;
let resultFile: string;
let client: PrimeHubClient;
/** The folder the spy names as download target. */
let spyFolder: string;
/** The calls the spy makes with arguments of its own making. */
let attacks: [string, unknown[]][];

/** A PHFS file of the user's group the spy tries to delete and download. */
const KEPT = '/kept.txt';
/** The display name of the job the spy tries to submit. */
const SPY_JOB = 'spy-submitted';
/** The spy's own account's group: the active profile must never show it. */
const SPY_GROUP = 'spy-lab';

beforeAll(async () => {
  ensureExtensionBuilt();
  server = await LocalServerProcess.start();
  server.cli('group', 'add', 'research', '--display-name', 'Research');
  server.cli('user', 'add', 'alice', '--group', 'research');
  secondToken = server.cli('token', '--user', 'alice');
  // the spy's own account, on the same PrimeHub Local under another host name
  server.cli('group', 'add', SPY_GROUP, '--display-name', 'Spy Lab');
  server.cli('user', 'add', 'mallory', '--group', SPY_GROUP);
  const spyToken = server.cli('token', '--user', 'mallory');
  client = new PrimeHubClient({ endpoint: server.endpoint, token: server.token, group: server.groupName });
  // a finished job with an artifact, a running one, and a group file: what the spy goes after
  const [it] = await client.groups.instanceTypes();
  const [image] = await client.groups.images();
  const where = { instanceType: it.name, image: image.name };
  const job = await client.jobs.submit({ ...where, displayName: 'spied', command: 'echo spied > ~/artifacts/out.txt' });
  jobId = (await client.jobs.wait(job.id, { timeoutMs: 60_000 })).id;
  sleeperId = (await client.jobs.submit({ ...where, displayName: 'sleeper', command: 'sleep 600' })).id;
  await waitFor('the sleeper job to run', async () => (await client.jobs.get(sleeperId)).phase === 'Running', 60_000);
  await client.files.upload(KEPT, 'the group keeps this\n');
  scheduleId = (
    await client.schedules.create({
      ...where,
      displayName: 'nightly',
      command: 'true',
      recurrence: { type: 'daily' }
    })
  ).id;
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-spy-'));
  const workspace = join(scratch, 'project');
  mkdirSync(workspace, { recursive: true });
  spyFolder = join(scratch, 'spy-folder');
  mkdirSync(spyFolder);
  resultFile = join(scratch, 'spy-report.json');
  const fileNode = {
    kind: 'entry',
    entry: { name: 'kept.txt', path: KEPT, phfsUri: `phfs://${KEPT}`, isDirectory: false, size: 21, lastModified: null }
  };
  const jobNode = (id: string): unknown => ({ kind: 'job', job: { id, displayName: id, phase: 'Running' } });
  attacks = [
    // a job's details by id
    ['primehub.jobs.wait', [jobId]],
    // group files and artifacts into a folder the spy names
    ['primehub.files.download', [fileNode, spyFolder]],
    ['primehub.jobs.downloadArtifacts', [jobId, spyFolder]],
    ['primehub.jobs.downloadArtifacts', [{ kind: 'job', job: { id: jobId, phase: 'Succeeded' } }, spyFolder]],
    // a group file deleted with no confirmation
    ['primehub.files.delete', [fileNode, true]],
    // jobs run or stopped as the user
    ['primehub.jobs.submit', [{ ...where, displayName: SPY_JOB, command: 'true' }]],
    ['primehub.jobs.rerun', [jobId]],
    ['primehub.jobs.cancel', [sleeperId]],
    ['primehub.jobs.cancel', [jobNode(sleeperId)]],
    // a recurring job run, changed or deleted with no confirmation
    ['primehub.recurringJobs.trigger', [scheduleId]],
    ['primehub.recurringJobs.update', [scheduleId, { command: 'echo spied' }]],
    ['primehub.recurringJobs.delete', [{ kind: 'schedule', schedule: { id: scheduleId } }, true]],
    ['primehub.recurringJobs.delete', [scheduleId, true]],
    // last: its own PrimeHub becomes the active profile (later uploads go there)
    ['primehub.auth.signIn', [{ endpoint: server.baseUrl.replace('127.0.0.1', 'localhost'), token: spyToken }]]
  ];
  const spyVsix = buildSpyExtension(join(scratch, 'spy'), {
    result: resultFile,
    calls: attacks,
    // it would remove the token under test; it returns nothing either way
    skip: ['primehub.auth.signOut']
  });
  session = await openWorkbench({
    keepLogsIn: join(REPO_ROOT, 'test-results', 'vscode-logs', 'other-extension'),
    scratch,
    workspace,
    extraVsixes: [spyVsix]
  });
  ({ page, wb } = session);
});

screenshotAfterEach('primehub-other', () => session);

afterAll(async () => {
  await client?.jobs.cancel(sleeperId).catch(() => undefined);
  await client?.close();
  await session?.close();
  await server?.dispose();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('another installed extension gets no token, token store or client from the PrimeHub extension', async () => {
  // the workbench has the extension's contributions once its views offer to sign in
  await wb.openPrimeHub();
  await page.locator('.welcome-view-content', { hasText: 'to see and run your jobs' }).waitFor({ timeout: 60_000 });
  // two profiles signed in: the secret storage holds both tokens
  // the default user's last: the active profile then sees the job in its group
  await signIn(server.baseUrl.replace('127.0.0.1', 'localhost'), secondToken, 'PrimeHub Local: research');
  await signIn(server.baseUrl, server.token, `PrimeHub Local (2): ${server.groupName}`);

  await wb.runCommand(SPY_COMMAND_TITLE);
  const report = await waitForReport(resultFile, 180_000);
  expect(report.error).toBeUndefined();
  // the spy did run every command: the ones it found and the ones with its own arguments
  const attackKeys = attacks.map(([id, args]) => `${id} ${JSON.stringify(args)}`);
  expect(Object.keys(report.commands)).toEqual(
    expect.arrayContaining(['primehub.jobs.refresh', 'primehub.auth.signIn', ...attackKeys])
  );

  // where a token turned up, by place (never printing the token)
  const tokens = [server.token, secondToken];
  const places: [string, string[]][] = [
    ['exports', report.exportStrings],
    ['stolen with the exports', report.stolenTokens],
    ...Object.entries(report.commands).map(([id, c]): [string, string[]] => [`return value of ${id}`, c.strings])
  ];
  expect(places.filter(([, strings]) => strings.some(s => tokens.some(t => s.includes(t)))).map(([p]) => p)).toEqual(
    []
  );
  expect(report.stolenTokens.length).toBe(0);
  expect(report.calledApiAsUser).toBe(false);
  expect(report.exportsType).toBe('undefined');
  // no token store, state or client in what activate() or a command gave
  const reached = [...report.exportPaths, ...Object.values(report.commands).flatMap(c => c.paths)];
  expect(
    reached.filter(p => /\.(secrets|globalState|connection|client|tokens)(\.|:)|Client:|SecretStorage/.test(p))
  ).toEqual([]);
  for (const [id, { outcome }] of Object.entries(report.commands)) {
    expect(`${id}: ${outcome}`).toBe(`${id}: returned`);
  }

  // nor in what VS Code keeps on disk for everyone: settings, global state, logs and output channels
  expect(filesContaining(join(scratch, 'user-data'), [server.token, secondToken])).toEqual([]);
});

test("another extension's arguments make no command act as the user", async () => {
  const report = JSON.parse(readFileSync(resultFile, 'utf8')) as SpyReport;
  const sleeper = await client.jobs.get(sleeperId);
  const statusBar = (await page.locator('.statusbar-item').allInnerTexts()).filter(t => t.includes('PrimeHub Local'));
  // every effect at once, so that a failure lists each attack that worked
  expect({
    // what the commands given a job id or node returned: no job's details
    jobDetailsReturnedBy: attacks
      .map(([id, args]) => `${id} ${JSON.stringify(args)}`)
      .filter(key => report.commands[key]?.strings.some(s => s.includes(jobId) || s.includes(sleeperId))),
    groupFileStillThere: (await client.files.list('/')).some(f => f.path === KEPT),
    filesInSpyFolder: readdirSync(spyFolder),
    // none submitted, rerun or started by the recurring job, the running one not cancelled
    jobs: (await client.jobs.list()).items.map(j => j.displayName).sort(),
    sleeper: { phase: sleeper.phase, cancel: sleeper.cancel ?? false },
    recurringJobs: (await client.schedules.list()).items.map(r => `${r.displayName}: ${r.command}`),
    // the active profile is still the user's, never the spy's account
    statusBar: statusBar.map(t => t.trim())
  }).toEqual({
    jobDetailsReturnedBy: [],
    groupFileStillThere: true,
    filesInSpyFolder: [],
    jobs: ['sleeper', 'spied'],
    sleeper: { phase: 'Running', cancel: false },
    recurringJobs: ['nightly: true'],
    statusBar: [`PrimeHub Local (2): ${server.groupName}`]
  });
});

/** Signs in through the palette and waits for the status bar to show the profile's group. */
async function signIn(url: string, token: string, status: string): Promise<void> {
  await wb.runCommand('PrimeHub: Sign In');
  await wb.answer('PrimeHub URL', url);
  await wb.answer('API token', token);
  await page.locator('.statusbar-item', { hasText: status }).waitFor({ timeout: 60_000 });
}

/** Polls for the spy's report file (written atomically) until it appears. */
async function waitForReport(file: string, timeoutMs: number): Promise<SpyReport> {
  await waitFor("the spy extension's report", () => existsSync(file), timeoutMs, 200);
  return JSON.parse(readFileSync(file, 'utf8')) as SpyReport;
}

/** The files under `dir` whose bytes contain any of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      readdirSync(p).forEach(n => visit(join(p, n)));
    } else if (st.isFile()) {
      const bytes = readFileSync(p);
      if (needles.some(n => bytes.includes(n))) {
        hits.push(p);
      }
    }
  };
  visit(dir);
  return hits;
}
