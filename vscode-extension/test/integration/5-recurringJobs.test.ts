import * as assert from 'node:assert/strict';
import { PrimeHubClient, type Schedule } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { extensionApi, SERVER } from './support';

describe('recurring jobs', () => {
  let client: PrimeHubClient;
  let where: { instanceType: string; image: string };

  before(async () => {
    client = new PrimeHubClient({ endpoint: SERVER.endpoint, token: SERVER.token, group: SERVER.group });
    where = {
      instanceType: (await client.groups.instanceTypes())[0].name,
      image: (await client.groups.images())[0].name
    };
  });

  after(() => client.close());

  it('creates, lists, updates, triggers, pauses, resumes and deletes', async () => {
    const api = await extensionApi();
    const created = await vscode.commands.executeCommand<Schedule>('primehub.recurringJobs.create', {
      ...where,
      displayName: 'nightly-etl',
      command: 'echo etl',
      recurrence: { type: 'daily' }
    });
    assert.ok(created?.id);
    assert.equal((await client.schedules.get(created.id)).recurrence?.cron, '0 4 * * *');
    assert.ok(
      api.schedules.model.items.some(s => s.id === created.id),
      'listed in the view'
    );

    await vscode.commands.executeCommand('primehub.recurringJobs.update', created.id, {
      recurrence: { type: 'custom', cron: '*/30 * * * *' }
    });
    assert.deepEqual((await client.schedules.get(created.id)).recurrence, { type: 'custom', cron: '*/30 * * * *' });

    const jobId = await vscode.commands.executeCommand<string>('primehub.recurringJobs.trigger', created.id);
    assert.ok(jobId);
    const job = await client.jobs.wait(jobId, { timeoutMs: 60_000 });
    assert.equal(job.phase, 'Succeeded');

    // a pause keeps the schedule to resume with
    await vscode.commands.executeCommand('primehub.recurringJobs.pause', created.id);
    assert.deepEqual((await client.schedules.get(created.id)).recurrence, { type: 'inactive', cron: '*/30 * * * *' });
    await vscode.commands.executeCommand('primehub.recurringJobs.resume', created.id);
    assert.deepEqual((await client.schedules.get(created.id)).recurrence, { type: 'custom', cron: '*/30 * * * *' });

    assert.equal(await vscode.commands.executeCommand('primehub.recurringJobs.delete', created.id, true), true);
    await assert.rejects(client.schedules.get(created.id), /not found/i);
    assert.ok(!api.schedules.model.items.some(s => s.id === created.id));
  });
});
