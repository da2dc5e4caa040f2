/**
 * The SSH section and the authorize link in a real JupyterLab that is phuser's notebook as `npm
 * start` runs it, beside a real PrimeHub Local with its SSH bastion and the notebook's real OpenSSH
 * server (off until the panel's switch turns it on); then the real OpenSSH client, with the config
 * block the panel shows and the key the link added, runs a command in the notebook through the
 * bastion. The suite's own servers have no notebook SSH, so this spec starts a PrimeHub Local and a
 * Lab of its own (no MLflow: a few seconds).
 */
import { expect, test } from '@jupyterlab/galata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshKeyLink } from '../../../shared-client/src/resources/SshApi';
import { configWith, makeKey, requireOpenSsh, run } from '../../../test/kit/ssh';
import { startLabStack, stopLabStack, type ILabStack } from '../labStack';
import { PrimeHubHelper, SCREENSHOTS } from './PrimeHubHelper';

test.describe.configure({ mode: 'serial' });
// galata's trackers are off, as in primehub.spec.ts; the test opens the Lab itself (through the link)
test.use({
  autoGoto: false,
  kernels: null,
  sessions: null,
  terminals: null,
  baseURL: `http://127.0.0.1:${process.env.PHJL_UI_SSH_PORT}`
});

/** What PrimeHub Local says of phuser's notebook SSH (the route the panel's switch uses). */
async function notebookSsh(stack: ILabStack): Promise<{ enabled: boolean; state: string; config?: string }> {
  const res = await fetch(`${stack.serverUrl}/api/ssh/notebooks/phuser`, {
    headers: { authorization: `Bearer ${stack.token}` }
  });
  return (await res.json()) as { enabled: boolean; state: string; config?: string };
}

/** The key's fingerprint as the real ssh-keygen prints it. */
function fingerprintOf(key: string): string {
  const out = spawnSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' });
  const fp = /SHA256:\S+/.exec(out.stdout)?.[0];
  if (!fp) {
    throw new Error(`ssh-keygen -l printed no fingerprint: ${out.stderr}`);
  }
  return fp;
}

let stack: ILabStack | undefined;
let dir = '';

test.beforeAll(async () => {
  requireOpenSsh();
  mkdirSync(SCREENSHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'phjl-ssh-'));
  stack = await startLabStack({ labPort: process.env.PHJL_UI_SSH_PORT!, mlflow: false, signedIn: true, ssh: true });
});

test.afterAll(async () => {
  if (stack) {
    await stopLabStack(stack.pids, stack.work);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a key authorized through the link after confirming lets the OpenSSH client in through the bastion; enable, copy, remove, upload', async ({
  page,
  baseURL
}) => {
  const s = stack!;
  const ph = new PrimeHubHelper(page);
  const key = makeKey(dir, 'laptop_key');
  const publicKey = readFileSync(`${key}.pub`, 'utf8');
  const fingerprint = fingerprintOf(key);
  const authorizedKeys = join(s.home, '.ssh', 'authorized_keys');

  // the link VS Code's Connect command opens: the Add dialog with the key's fingerprint, nothing added yet
  // (the frame's goto: galata's page.goto then clicks the launcher, which the dialog covers)
  await page.mainFrame().goto(sshKeyLink(`${baseURL}/lab`, publicKey));
  const dialog = ph.dialog;
  await expect(dialog.getByTestId('key-check').locator('[data-field="Fingerprint"]')).toHaveText(fingerprint);
  await expect(dialog.getByTestId('key-check').locator('[data-field="Comment"]')).toHaveText('laptop_key');
  await expect(dialog.getByTestId('key-from-link')).toContainText('Add it only if you made the link yourself');
  expect(new URL(page.url()).searchParams.has('primehub-ssh-key')).toBe(false);
  expect(existsSync(authorizedKeys)).toBe(false);
  await dialog.locator('.jp-primehub-ModalContent').screenshot({ path: join(SCREENSHOTS, 'ssh-add-key.png') });
  await dialog.getByRole('button', { name: 'Add key' }).click();
  await expect(dialog).toBeHidden();

  // listed in the panel's SSH section, appended once with private modes
  const row = ph.panel.locator(`.jp-primehub-KeyRow[data-fingerprint="${fingerprint}"]`);
  await expect(row).toContainText('laptop_key');
  expect(readFileSync(authorizedKeys, 'utf8')).toBe(publicKey);
  expect(statSync(authorizedKeys).mode & 0o777).toBe(0o600);
  expect(statSync(join(s.home, '.ssh')).mode & 0o777).toBe(0o700);

  // the same link again (a second Connect): the key is authorized already, nothing to add, still once in the file
  await page.mainFrame().goto(sshKeyLink(`${baseURL}/lab`, publicKey));
  await expect(dialog.getByTestId('key-authorized')).toHaveText('This key is authorized already.');
  await expect(dialog.getByRole('button', { name: 'Add key' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(readFileSync(authorizedKeys, 'utf8')).toBe(publicKey);
  await expect(row).toContainText('laptop_key');

  // the switch turns the notebook's sshd on; the block shown is the one PrimeHub Local serves
  const toggle = ph.panel.getByRole('switch', { name: 'Enable SSH Server' });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await toggle.click();
  await expect(ph.panel.getByTestId('ssh-state')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  const served = await notebookSsh(s);
  expect(served).toMatchObject({ enabled: true, state: 'running' });
  const block = ph.panel.getByTestId('ssh-config');
  await expect(block).toHaveText(served.config!);

  // Copy puts that block on the clipboard
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  // (by its title: the toolbar button's own element, not the shadow button inside it that its label covers)
  const copy = ph.panel.getByTitle("Copy the block for your computer's ~/.ssh/config");
  await copy.click();
  await expect(copy).toHaveText('Copied');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(served.config);
  await ph.panel.screenshot({ path: join(SCREENSHOTS, 'ssh-section.png') });

  // the real OpenSSH client, with that block naming the key, through the bastion into the notebook
  const config = join(dir, 'config');
  writeFileSync(config, configWith(served.config!, key, config));
  const inside = await run('ssh', ['-F', config, 'jupyter-phuser.hub', 'echo "in $HOME"'], 60_000);
  expect(inside).toMatchObject({ code: 0, stdout: `in ${s.home}\n` });

  // Remove asks first; then the key is gone from the file and no longer gets in
  await row.getByTitle('Remove laptop_key').click();
  await ph.answer('Remove SSH key?', 'Remove');
  await expect(row).toBeHidden();
  await expect(ph.panel.getByTestId('no-keys')).toBeVisible();
  expect(readFileSync(authorizedKeys, 'utf8')).toBe('');
  const refused = await run('ssh', ['-F', config, 'jupyter-phuser.hub', 'true'], 60_000);
  expect(refused.code).toBe(255);

  // Add key in the panel: a private key pasted is refused with the reason (and never leaves the browser); an
  // uploaded .pub shows its fingerprint
  const other = makeKey(dir, 'desktop_key');
  const sent: string[] = [];
  page.on('request', r => {
    if (r.url().includes('/primehub-suite/ssh/')) {
      sent.push(r.postData() ?? '');
    }
  });
  await ph.panel.getByTitle('Authorize a public key').click();
  await dialog.getByRole('textbox', { name: /^Public key/ }).fill(readFileSync(other, 'utf8'));
  await expect(dialog.getByRole('alert')).toContainText('This is a private key');
  await expect(dialog.getByRole('button', { name: 'Add key' })).toBeDisabled();
  await dialog.getByLabel('Public key file').setInputFiles(`${other}.pub`);
  await expect(dialog.getByTestId('key-check').locator('[data-field="Fingerprint"]')).toHaveText(fingerprintOf(other));
  await dialog.getByRole('button', { name: 'Add key' }).click();
  await expect(dialog).toBeHidden();
  await expect(ph.panel.locator('.jp-primehub-KeyRow')).toHaveText([/desktop_key/]);
  expect(readFileSync(authorizedKeys, 'utf8')).toBe(readFileSync(`${other}.pub`, 'utf8'));
  expect(sent.filter(body => body.includes('PRIVATE KEY'))).toEqual([]);
});
