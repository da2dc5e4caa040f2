import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrimeHubClient, type Job } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { eventually, extensionApi, SERVER } from './support';

/** Files already on the group volume (as in a Remote-SSH window on a notebook) run where they are. */
describe('running a file on the group volume', () => {
  let client: PrimeHubClient;
  let where: { instanceType: string; image: string };
  const volume = path.join(SERVER.dataDir, 'volumes', SERVER.group);
  const config = () => vscode.workspace.getConfiguration('primehub');

  before(async () => {
    client = new PrimeHubClient({ endpoint: SERVER.endpoint, token: SERVER.token, group: SERVER.group });
    where = {
      instanceType: (await client.groups.instanceTypes())[0].name,
      image: (await client.groups.images())[0].name
    };
    fs.mkdirSync(path.join(volume, 'sub dir'), { recursive: true });
    await config().update('jobs.groupVolumeFolders', [volume], vscode.ConfigurationTarget.Global);
    const api = await extensionApi();
    assert.equal(api.connection.profile?.group, SERVER.group);
  });

  after(async () => {
    await config().update('jobs.groupVolumeFolders', undefined, vscode.ConfigurationTarget.Global);
    await client.close();
  });

  it('runs a script in its folder on the volume without uploading it', async () => {
    const api = await extensionApi();
    const runsBefore = (await client.files.list('/vscode-runs/').catch(() => [])).length;
    const file = path.join(volume, 'sub dir', 'where.py');
    fs.writeFileSync(file, "import os\nprint('cwd', os.getcwd())\n");
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.runCurrentFile', vscode.Uri.file(file), where);
    assert.ok(job);
    const follow = await eventually(() => api.logs.get(job.id));
    await follow.done;
    assert.ok(
      // the volume as the job sees it: /project/<group> in PrimeHub's layout (or the host path)
      follow.tail.some(
        l =>
          l === `cwd /project/${SERVER.group}/sub dir` ||
          (l.startsWith('cwd ') && l.endsWith(path.join('volumes', SERVER.group, 'sub dir')))
      ),
      follow.tail.join('\n')
    );
    assert.equal((await client.files.list('/vscode-runs/').catch(() => [])).length, runsBefore, 'nothing uploaded');
  });

  it('runs a notebook in place; papermill writes the output next to it', async function () {
    this.timeout(180_000);
    const nb = {
      cells: [
        {
          cell_type: 'code',
          metadata: { tags: ['parameters'] },
          source: ['n = 1'],
          outputs: [],
          execution_count: null
        },
        { cell_type: 'code', metadata: {}, source: ['print(n * 2)'], outputs: [], execution_count: null }
      ],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5
    };
    const file = path.join(volume, 'double.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.runCurrentFile', vscode.Uri.file(file), {
      ...where,
      parameters: { n: 21 }
    });
    assert.ok(job);
    assert.equal((await client.jobs.wait(job.id, { timeoutMs: 120_000 })).phase, 'Succeeded');
    const output = JSON.parse(fs.readFileSync(path.join(volume, 'double-output.ipynb'), 'utf8'));
    assert.ok(JSON.stringify(output).includes('42'));
  });
});
