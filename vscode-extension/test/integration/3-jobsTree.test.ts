import * as assert from 'node:assert/strict';
import { PrimeHubClient } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { JobsNode } from '../../src/ui/jobs/JobsTreeDataProvider';
import { eventually, extensionApi, SERVER } from './support';

describe('Jobs view', () => {
  let client: PrimeHubClient;

  before(async () => {
    client = new PrimeHubClient({ endpoint: SERVER.endpoint, token: SERVER.token, group: SERVER.group });
    const api = await extensionApi();
    await vscode.commands.executeCommand('primehub.group.switch', SERVER.group);
    assert.equal(api.connection.profile?.group, SERVER.group);
  });

  after(() => client.close());

  async function children(node?: JobsNode): Promise<JobsNode[]> {
    const api = await extensionApi();
    return api.jobsTree.getChildren(node);
  }

  it('lists jobs grouped by status, with artifacts as children', async () => {
    const [it] = await client.groups.instanceTypes();
    const [image] = await client.groups.images();
    const job = await client.jobs.submit({
      displayName: 'tree-job',
      instanceType: it.name,
      image: image.name,
      command: 'echo hello > artifacts/result.txt'
    });
    await client.jobs.wait(job.id, { timeoutMs: 60_000 });
    await vscode.commands.executeCommand('primehub.jobs.refresh');
    const groups = await children();
    const succeeded = groups.find(g => g.kind === 'group' && g.group === 'Succeeded');
    assert.ok(succeeded, `groups: ${JSON.stringify(groups)}`);
    const jobs = await children(succeeded);
    const node = jobs.find(n => n.kind === 'job' && n.job.id === job.id);
    assert.ok(node, 'the job is in the Succeeded group');
    const api = await extensionApi();
    const item = api.jobsTree.getTreeItem(node);
    assert.equal(item.label, 'tree-job');
    assert.equal(item.contextValue, 'job.finished');
    const artifacts = await eventually(async () => {
      const a = await children(node);
      return a.some(n => n.kind === 'artifact') && a;
    });
    assert.deepEqual(
      artifacts.map(a => (a.kind === 'artifact' ? a.artifact.name : a.kind)),
      ['result.txt']
    );
  });
});
