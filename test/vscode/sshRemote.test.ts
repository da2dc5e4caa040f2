/**
 * Connect to Notebook via SSH with Remote - SSH installed: the packaged VSIX in code-server beside an extension
 * that has Remote - SSH's id (code-server cannot run Microsoft's own), against a real PrimeHub Local whose
 * notebook has SSH on and already authorizes the PrimeHub key. Connect asks nothing, writes the block and opens the
 * notebook's home in a new window through Remote - SSH's `vscode-remote://ssh-remote+<alias>` address (code-server,
 * one remote itself, opens it on its own server by path; the address asked for is read from the PrimeHub log).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { makeKey, requireOpenSsh } from '../kit/ssh';
import { waitFor } from '../kit/wait';
import { ensureExtensionBuilt, packageVsix } from './extensionBuild';
import type { Workbench } from './workbench';
import { closeAfterAll, openWorkbench, screenshotAfterEach, type WorkbenchSession } from './workbenchSession';

jest.setTimeout(300_000);

let server: LocalServerProcess;
let scratch: string;
let session: WorkbenchSession | undefined;
let page: Page;
let wb: Workbench;
let configPath: string;
let alias: string;

/** Whether a file below `dir` holds `text` (VS Code's log files: the PrimeHub output channel among them). */
function findInLogs(dir: string, text: string): true | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? findInLogs(path, text) : readFileSync(path, 'utf8').includes(text)) {
      return true;
    }
  }
  return undefined;
}

/** A VSIX with Remote - SSH's id and nothing in it: what the PrimeHub extension looks for. */
function remoteSshStandIn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'remote-ssh',
      displayName: 'Remote - SSH (test stand-in)',
      version: '0.0.1',
      publisher: 'ms-vscode-remote',
      license: 'UNLICENSED',
      engines: { vscode: '^1.100.0' }
    })
  );
  writeFileSync(join(dir, 'README.md'), 'Stands in for Remote - SSH: only its id.\n');
  return packageVsix(dir);
}

beforeAll(async () => {
  requireOpenSsh();
  ensureExtensionBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-ssh-remote-'));
  server = new LocalServerProcess(join(scratch, 'data'), {
    args: ['--notebook-user', 'phuser', '--ssh', '--ssh-port', '0']
  });
  await server.launch();
  const u = new URL(server.endpoint);
  alias = `primehub-${u.hostname}-${u.port}`;
  // the key Connect made on an earlier day, authorized on the notebook since
  mkdirSync(join(scratch, '.ssh'), { recursive: true, mode: 0o700 });
  const key = makeKey(join(scratch, '.ssh'), `primehub_${u.hostname}-${u.port}_ed25519`);
  const notebookSsh = join(server.dataDir, 'notebooks', 'phuser', '.ssh');
  mkdirSync(notebookSsh, { recursive: true, mode: 0o700 });
  appendFileSync(join(notebookSsh, 'authorized_keys'), readFileSync(`${key}.pub`));
  configPath = join(scratch, '.ssh', 'config');
  const workspace = join(scratch, 'project');
  mkdirSync(workspace, { recursive: true });
  session = await openWorkbench({
    keepLogsIn: join(REPO_ROOT, 'test-results', 'vscode-logs', 'ssh-remote'),
    scratch,
    workspace,
    extraVsixes: [remoteSshStandIn(join(scratch, 'remote-ssh'))],
    settings: {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'remote.autoForwardPorts': false,
      'remote.SSH.configFile': configPath
    }
  });
  ({ page, wb } = session);
}, 180_000);

screenshotAfterEach('primehub-ssh-remote', () => session);

closeAfterAll(() => ({ session, server, scratch }));

test("Connect opens the notebook's home in a Remote - SSH window", async () => {
  await wb.runCommand('PrimeHub: Sign In');
  await wb.answer('PrimeHub URL', server.baseUrl);
  await wb.answer('API token', server.token);
  await page.locator('.statusbar-item', { hasText: 'PrimeHub Local' }).first().waitFor({ timeout: 60_000 });

  const popup = page.context().waitForEvent('page', { timeout: 60_000 });
  await wb.runCommand('PrimeHub: Connect to Notebook via SSH');
  const opened = await popup;
  const home = join(server.dataDir, 'notebooks', 'phuser');
  // code-server opens the new window on ?folder=<the folder's URI>
  const folder = await waitFor(
    'the new window to name its folder',
    () =>
      opened.url().startsWith('http') ? (new URL(opened.url()).searchParams.get('folder') ?? undefined) : undefined,
    30_000
  );
  // code-server is one remote: it opens any vscode-remote folder on its own server, by path
  expect(folder).toBe(home);
  // the address the extension asked VS Code to open, as its log says
  const logged = await waitFor(
    'the PrimeHub log line naming the Remote - SSH address',
    () =>
      findInLogs(
        join(scratch, 'user-data', 'logs'),
        `opening vscode-remote://ssh-remote+${alias}${home} with Remote-SSH`
      ),
    30_000
  );
  expect(logged).toBe(true);
  expect(readFileSync(configPath, 'utf8')).toContain(`Host ${alias}\n`);
  await opened.close();
});
