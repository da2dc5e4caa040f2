/**
 * Connect to Notebook via SSH end to end: the packaged VSIX in code-server (VS Code 1.100, no Remote - SSH) in
 * headless Chromium against a real PrimeHub Local whose notebook has SSH off. Connect asks to turn SSH on, makes
 * the key, has it authorized (its authorize link opened in the browser, where the notebook's JupyterLab adds it), writes the block into
 * the user's own SSH config and opens a terminal running ssh, which reaches the notebook's shell; the doctor then
 * finds every hop working, and Disconnect leaves the config byte for byte as it was.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient } from '@primehub-suite/client';
import type { Page } from 'playwright-core';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { requireOpenSsh } from '../kit/ssh';
import { waitFor } from '../kit/wait';
import { ensureExtensionBuilt } from './extensionBuild';
import type { Workbench } from './workbench';
import { openWorkbench, screenshotAfterEach, type WorkbenchSession } from './workbenchSession';

jest.setTimeout(300_000);

const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, 'screenshots')
  : join(REPO_ROOT, 'test-results', 'screenshots', 'vscode');

/** The user's own config: comments, an Include, CRLF line breaks and no line break at the end. */
const USER_CONFIG = '# my hosts\r\nInclude /nonexistent/conf.d/*\r\nHost work\r\n  HostName work.example.com';

let server: LocalServerProcess;
let client: PrimeHubClient;
let scratch: string;
let session: WorkbenchSession | undefined;
let page: Page;
let wb: Workbench;
let configPath: string;
let label: string;
/** A stand-in for the notebook's JupyterLab: the addresses it was asked for. */
let lab: Server;
/** A service in the notebook (its loopback is this machine's), as TensorBoard would be. */
let service: Server;
const labRequests: URL[] = [];

beforeAll(async () => {
  requireOpenSsh();
  ensureExtensionBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-ssh-'));
  server = new LocalServerProcess(join(scratch, 'data'), { args: ['--notebook-user', 'phuser', '--ssh-port', '0'] });
  await server.launch();
  client = new PrimeHubClient({ endpoint: server.endpoint, token: server.token });
  const u = new URL(server.endpoint);
  label = `${u.hostname}-${u.port}`;
  // code-server's HOME is the scratch folder: keys and the config land there, never in the machine's ~/.ssh
  mkdirSync(join(scratch, '.ssh'), { recursive: true, mode: 0o700 });
  configPath = join(scratch, '.ssh', 'config');
  writeFileSync(configPath, USER_CONFIG, { mode: 0o600 });
  lab = createServer((req, res) => {
    labRequests.push(new URL(req.url ?? '/', 'http://lab'));
    res.end('<html><title>JupyterLab</title></html>');
  });
  await new Promise<void>(resolve => lab.listen(0, '127.0.0.1', resolve));
  service = createServer((_req, res) => res.end('<html><body>tensorboard in the notebook</body></html>'));
  await new Promise<void>(resolve => service.listen(0, '127.0.0.1', resolve));
  const workspace = join(scratch, 'project');
  mkdirSync(workspace, { recursive: true });
  session = await openWorkbench({
    keepLogsIn: join(REPO_ROOT, 'test-results', 'vscode-logs', 'ssh'),
    scratch,
    workspace,
    settings: {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'remote.autoForwardPorts': false,
      // the file OpenSSH reads is the passwd home's, not code-server's HOME: the config is named, as
      // Remote - SSH users do with this setting, so the terminal's ssh gets -F
      'remote.SSH.configFile': configPath,
      'primehub.ssh.labUrl': `http://127.0.0.1:${(lab.address() as AddressInfo).port}/lab`
    }
  });
  ({ page, wb } = session);
}, 180_000);

screenshotAfterEach('primehub-ssh', () => session);

afterAll(async () => {
  await session?.close();
  await Promise.all([lab, service].map(srv => new Promise(resolve => (srv ? srv.close(resolve) : resolve(undefined)))));
  await client?.close();
  await server?.dispose();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('signed in, Connect turns SSH on, makes the key, opens the authorize link, writes the block and opens a terminal in the notebook', async () => {
  await wb.runCommand('PrimeHub: Sign In');
  await wb.answer('PrimeHub URL', server.baseUrl);
  await wb.answer('API token', server.token);
  await page.locator('.statusbar-item', { hasText: 'PrimeHub Local' }).first().waitFor({ timeout: 60_000 });

  await wb.runCommand('PrimeHub: Connect to Notebook via SSH');
  // SSH is off: asked before anything is turned on
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'SSH is off for your notebook' });
  await dialog.waitFor({ timeout: 60_000 });
  await dialog.locator('.monaco-button', { hasText: 'Enable SSH' }).click();
  await waitFor(
    "the notebook's sshd running",
    async () => (await client.ssh.status('phuser')).state === 'running' || undefined,
    60_000
  );

  await wb.quickInputShowing('Which SSH key should reach your notebook?').waitFor({ timeout: 60_000 });
  await wb.pickRow('Create a new ed25519 key').waitFor();
  await wb.screenshot(join(SHOTS, 'ssh-connect-key.png'));
  await wb.pickRow('Create a new ed25519 key').click();
  const key = join(scratch, '.ssh', `primehub_${label}_ed25519`);
  await waitFor('the new key', () => existsSync(`${key}.pub`) || undefined, 30_000);
  expect(statSync(key).mode & 0o777).toBe(0o600);

  // not authorized yet: the bastion refuses it, so Connect offers the notebook's authorize link or the public key
  await wb.quickInputShowing('Authorize this key on your notebook').waitFor({ timeout: 60_000 });
  await wb.screenshot(join(SHOTS, 'ssh-connect-authorize.png'));
  const popup = page.context().waitForEvent('page', { timeout: 30_000 });
  await wb.pickRow("Open the notebook's authorize link").click();
  const opened = await popup;
  // the browser loads the link: the Lab gets the public key whole in its query
  const asked = await waitFor(
    'the Lab to be asked to authorize the key',
    () => labRequests.find(u => u.searchParams.has('primehub-ssh-key')),
    30_000
  ).catch((e: Error) => {
    throw new Error(
      `${e.message}; the Lab saw ${JSON.stringify(labRequests.map(String))}, the page is at ${opened.url()}`
    );
  });
  const publicKey = readFileSync(`${key}.pub`, 'utf8').trim();
  expect(asked.pathname).toBe('/lab');
  expect(asked.searchParams.get('primehub-ssh-key')).toBe(publicKey);
  await opened.close();
  // what the Lab does once its user confirms the fingerprint: append it to the notebook's authorized_keys
  const notebookSsh = join(server.dataDir, 'notebooks', 'phuser', '.ssh');
  mkdirSync(notebookSsh, { recursive: true, mode: 0o700 });
  appendFileSync(join(notebookSsh, 'authorized_keys'), `${publicKey}\n`);

  // Connect saw the key get through, wrote the block after the user's bytes, and opened ssh in a terminal
  await waitFor(
    'the PrimeHub block',
    () => readFileSync(configPath, 'utf8').includes(`# <<< PrimeHub ${label} <<<`) || undefined,
    60_000
  );
  const written = readFileSync(configPath, 'utf8');
  expect(written.startsWith(USER_CONFIG)).toBe(true);
  expect(statSync(configPath).mode & 0o777).toBe(0o600);
  expect(readFileSync(`${configPath}.primehub.bak`, 'utf8')).toBe(USER_CONFIG);

  const terminal = page.locator('.terminal-wrapper .xterm').first();
  await terminal.waitFor({ timeout: 60_000 });
  const marker = join(scratch, 'reached-the-notebook');
  // the shell's prompt comes once ssh is through both hops; typed input waits in the pty until then
  await terminal.click();
  await page.keyboard.type(`echo "$HOME" > ${marker}\n`);
  await waitFor('the command typed in the terminal run in the notebook', () => existsSync(marker) || undefined, 60_000);
  expect(readFileSync(marker, 'utf8').trim()).toBe(join(server.dataDir, 'notebooks', 'phuser'));
  await wb.screenshot(join(SHOTS, 'ssh-terminal.png'));
});

test('the SSH Doctor finds every hop working and shows its report', async () => {
  await wb.clearNotifications();
  await wb.runCommand('PrimeHub: SSH Doctor');
  await wb.expectNotification('SSH Doctor: every hop to your notebook works', 60_000);
  // the report, in its output channel
  await page.locator('.part.panel .view-lines', { hasText: 'All good' }).first().waitFor({ timeout: 30_000 });
  await wb.screenshot(join(SHOTS, 'ssh-doctor.png'));
});

test('Forward a Notebook Port opens the page a notebook service serves, listed in the status bar until stopped', async () => {
  await wb.clearNotifications();
  await wb.runCommand('PrimeHub: Forward a Notebook Port');
  const popup = page.context().waitForEvent('page', { timeout: 60_000 });
  await wb.answer('Forward a Notebook Port', String((service.address() as AddressInfo).port));
  const opened = await popup;
  // through code-server's port proxy, as a browser away from the server reaches the local port
  await opened.getByText('tensorboard in the notebook').waitFor({ timeout: 60_000 });
  await opened.close();
  const item = page.getByRole('button', { name: 'Forwarded notebook ports: 1' });
  await item.waitFor({ timeout: 30_000 });
  await wb.screenshot(join(SHOTS, 'ssh-forward.png'));
  await wb.runCommand('PrimeHub: Stop a Forwarded Notebook Port');
  await wb.quickInputShowing('Stop a Forwarded Notebook Port').waitFor();
  await wb.pickRow(`Notebook port ${(service.address() as AddressInfo).port}`).click();
  await item.waitFor({ state: 'detached', timeout: 30_000 });
});

test('Disconnect removes the block: the config is byte for byte what the user had', async () => {
  await wb.clearNotifications();
  await wb.runCommand('PrimeHub: Disconnect Notebook SSH');
  await waitFor('the block removed', () => readFileSync(configPath, 'utf8') === USER_CONFIG || undefined, 30_000);
  await wb.expectNotification(`Removed the PrimeHub ${label} block`);
});
