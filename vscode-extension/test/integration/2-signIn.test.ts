import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ConnectionManager } from '../../src/connection/ConnectionManager';
import { extensionApi, SERVER } from './support';

describe('sign-in and profiles', () => {
  it('signs in with endpoint and token; the token goes only to SecretStorage', async () => {
    const api = await extensionApi();
    const ok = await vscode.commands.executeCommand('primehub.auth.signIn', {
      endpoint: SERVER.endpoint,
      token: SERVER.token
    });
    assert.equal(ok, true);
    assert.equal(api.connection.state, 'signedIn');
    const profile = api.connection.profile!;
    assert.equal(profile.endpoint, SERVER.endpoint);
    assert.equal(profile.group, SERVER.group);
    assert.equal(await api.secrets.get(ConnectionManager.secretKey(profile.id)), SERVER.token);
    const state = JSON.stringify(api.globalState.keys().map(k => api.globalState.get(k)));
    assert.ok(!state.includes(SERVER.token), 'the token leaked into globalState');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('primehub'));
    assert.ok(!settings.includes(SERVER.token), 'the token leaked into settings');
  });

  it('explains a bad token, a wrong endpoint and an unreachable one', async () => {
    const api = await extensionApi();
    const problem = (endpoint: string, token: string) =>
      api.connection.verify({ endpoint, token }).then(
        () => 'ok',
        (e: { problem?: string }) => e.problem
      );
    assert.equal(await problem(SERVER.endpoint, 'not-a-token'), 'badToken');
    assert.equal(
      await problem(`${SERVER.endpoint.replace(/\/api\/graphql$/, '')}/elsewhere/`, SERVER.token),
      'notPrimeHub'
    );
    assert.equal(await problem('http://127.0.0.1:1', SERVER.token), 'unreachable');
    // a failed sign-in through the command keeps the current profile
    const ok = await vscode.commands.executeCommand('primehub.auth.signIn', {
      endpoint: SERVER.endpoint,
      token: 'bad'
    });
    assert.equal(ok, false);
    assert.equal(api.connection.state, 'signedIn');
  });

  it('keeps several profiles and switches between them', async () => {
    const api = await extensionApi();
    const first = api.connection.profile!;
    assert.equal(
      await vscode.commands.executeCommand('primehub.auth.signIn', {
        endpoint: SERVER.secondEndpoint,
        token: SERVER.secondToken
      }),
      true
    );
    const second = api.connection.profile!;
    assert.notEqual(second.id, first.id);
    assert.equal(second.username, SERVER.secondUser);
    assert.equal(api.connection.profiles.profiles.length, 2);
    await vscode.commands.executeCommand('primehub.profile.switch', first.id);
    assert.equal(api.connection.profile?.id, first.id);
    assert.equal((await api.connection.me()).username, first.username);
    await vscode.commands.executeCommand('primehub.profile.switch', second.id);
    assert.equal((await api.connection.me()).username, SERVER.secondUser);
  });

  it('switches group; the client then works in the new group', async () => {
    const api = await extensionApi();
    const groups = (await api.connection.groups()).map(g => g.name);
    assert.ok(groups.includes(SERVER.secondGroup), `groups: ${groups}`);
    await vscode.commands.executeCommand('primehub.group.switch', SERVER.secondGroup);
    assert.equal(api.connection.profile?.group, SERVER.secondGroup);
    assert.equal((await api.connection.client.group()).name, SERVER.secondGroup);
  });

  it('signs out: the secret is removed and the other profile becomes active', async () => {
    const api = await extensionApi();
    const second = api.connection.profile!;
    await vscode.commands.executeCommand('primehub.auth.signOut');
    assert.equal(await api.secrets.get(ConnectionManager.secretKey(second.id)), undefined);
    assert.equal(api.connection.profiles.profiles.length, 1);
    assert.equal(api.connection.profile?.endpoint, SERVER.endpoint);
    assert.equal(api.connection.state, 'signedIn');
  });
});
