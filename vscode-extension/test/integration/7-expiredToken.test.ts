import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, SERVER } from './support';

const CLI = path.join(__dirname, '..', '..', '..', '..', 'packages', 'local-server', 'dist', 'cli.js');

/** Whether PrimeHub Local still accepts `token`. */
async function accepted(token: string): Promise<boolean> {
  const res = await fetch(SERVER.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { username } }' })
  });
  const body = (await res.json().catch(() => ({}))) as { data?: { me?: unknown }; errors?: unknown[] };
  return res.ok && !body.errors?.length && Boolean(body.data?.me);
}

describe('a rejected token', () => {
  it('turns the connection to "sign in again"; signing in again restores it', async function () {
    this.timeout(60_000);
    const api = await extensionApi();
    const { username } = await api.connection.me();
    const shortLived = execFileSync(
      process.execPath,
      [CLI, 'token', '--user', username, '--expires-in', '2', '--data-dir', SERVER.dataDir],
      { encoding: 'utf8' }
    ).trim();
    assert.equal(
      await vscode.commands.executeCommand('primehub.auth.signIn', { endpoint: SERVER.endpoint, token: shortLived }),
      true
    );
    // Until PrimeHub Local refuses it (it lives 2 s), however long a loaded machine takes to get there.
    await eventually(async () => !(await accepted(shortLived)), 30_000);
    await vscode.commands.executeCommand('primehub.jobs.refresh');
    await eventually(() => api.connection.state === 'expired');
    assert.equal(
      await vscode.commands.executeCommand('primehub.auth.signIn', { endpoint: SERVER.endpoint, token: SERVER.token }),
      true
    );
    assert.equal(api.connection.state, 'signedIn');
    await vscode.commands.executeCommand('primehub.jobs.refresh');
    assert.ok(api.jobs.model.loaded);
  });
});
