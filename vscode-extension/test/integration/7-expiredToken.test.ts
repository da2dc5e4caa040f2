import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, SERVER } from './support';

const CLI = path.join(__dirname, '..', '..', '..', '..', 'packages', 'local-server', 'dist', 'cli.js');

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
    await new Promise(r => setTimeout(r, 3000));
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
