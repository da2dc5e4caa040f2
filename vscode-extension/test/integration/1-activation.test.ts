import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi } from './support';

describe('activation', () => {
  it('registers every command the manifest contributes', async () => {
    await extensionApi();
    const ext = vscode.extensions.getExtension('primehub-suite.primehub')!;
    const declared: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      declared.filter(c => !registered.has(c)),
      []
    );
  });

  it('activates quickly and starts signed out', async () => {
    const api = await extensionApi();
    assert.ok(api.activationMs < 2000, `activation took ${api.activationMs} ms`);
    assert.equal(api.connection.state, 'signedOut');
  });
});
