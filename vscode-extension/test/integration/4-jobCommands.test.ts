import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PrimeHubClient, type Job } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { eventually, extensionApi, SERVER } from './support';

describe('job commands', () => {
  let client: PrimeHubClient;
  let where: { instanceType: string; image: string };
  let dir: string;

  before(async () => {
    client = new PrimeHubClient({ endpoint: SERVER.endpoint, token: SERVER.token, group: SERVER.group });
    where = {
      instanceType: (await client.groups.instanceTypes())[0].name,
      image: (await client.groups.images())[0].name
    };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'primehub-job-commands-'));
  });

  after(async () => {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('submits, follows the log live, waits and downloads artifacts', async () => {
    const api = await extensionApi();
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.submit', {
      ...where,
      displayName: 'logs-job',
      command: 'for i in 1 2 3; do echo line-$i; sleep 0.3; done; echo done > ~/artifacts/out.txt'
    });
    assert.ok(job?.id);
    assert.ok(api.jobs.model.get(job.id), 'the submitted job is in the tree at once');
    await vscode.commands.executeCommand('primehub.jobs.followLog', job.id);
    const follow = api.logs.get(job.id)!;
    await vscode.commands.executeCommand('primehub.jobs.followLog', job.id);
    assert.equal(api.logs.get(job.id), follow, 'a second follow reuses the stream');
    await follow.done;
    assert.deepEqual(
      follow.tail.filter(l => l.startsWith('line-')),
      ['line-1', 'line-2', 'line-3']
    );
    const final = await vscode.commands.executeCommand<Job>('primehub.jobs.wait', job.id);
    assert.equal(final?.phase, 'Succeeded');
    const files = await vscode.commands.executeCommand<string[]>('primehub.jobs.downloadArtifacts', job.id, dir);
    assert.deepEqual(
      files?.map(f => path.relative(dir, f)),
      [path.join(`artifacts-${job.id}`, 'out.txt')]
    );
    assert.equal(fs.readFileSync(files![0], 'utf8'), 'done\n');
  });

  it('cancels a running job and reruns it', async () => {
    const api = await extensionApi();
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.submit', {
      ...where,
      displayName: 'sleepy',
      command: 'sleep 600'
    });
    await vscode.commands.executeCommand('primehub.jobs.cancel', job.id);
    await eventually(async () => (await client.jobs.get(job.id)).phase === 'Cancelled');
    assert.equal(api.jobs.model.get(job.id)?.cancel ?? true, true);
    const rerun = await vscode.commands.executeCommand<Job>('primehub.jobs.rerun', job.id);
    assert.ok(rerun && rerun.id !== job.id);
    await vscode.commands.executeCommand('primehub.jobs.cancel', rerun.id);
  });

  it('runs a local .py file from a per-run PHFS folder', async () => {
    const api = await extensionApi();
    const file = path.join(dir, 'hello job.py');
    fs.writeFileSync(file, "import os\nprint('hello from', os.getcwd())\n");
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.runCurrentFile', vscode.Uri.file(file), where);
    assert.ok(job);
    const follow = await eventually(() => api.logs.get(job.id));
    await follow.done;
    assert.ok(
      follow.tail.some(l => /^hello from \/.*\/vscode-runs\/\d{8}-\d{6}-hello-job$/.test(l)),
      follow.tail.join('\n')
    );
    assert.equal((await client.jobs.wait(job.id, { timeoutMs: 60_000 })).phase, 'Succeeded');
  });

  it('runs a notebook under papermill with a typed parameter and downloads the output next to it', async function () {
    this.timeout(180_000);
    const api = await extensionApi();
    const nb = {
      cells: [
        {
          cell_type: 'code',
          metadata: { tags: ['parameters'] },
          source: ['rate = 0.5\n', "label = 'x'"],
          outputs: [],
          execution_count: null
        },
        {
          cell_type: 'code',
          metadata: {},
          source: ["print(f'rate={rate!r} label={label!r}')"],
          outputs: [],
          execution_count: null
        }
      ],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5
    };
    const file = path.join(dir, 'train.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    const evil = "'; touch /tmp/pwned #";
    const job = await vscode.commands.executeCommand<Job>('primehub.jobs.runCurrentFile', vscode.Uri.file(file), {
      ...where,
      parameters: { rate: 2, label: evil }
    });
    assert.ok(job);
    const output = path.join(dir, 'train-output.ipynb');
    await eventually(() => fs.existsSync(output), 120_000);
    const follow = api.logs.get(job.id)!;
    await follow.done;
    const executed = JSON.parse(fs.readFileSync(output, 'utf8'));
    const printed = executed.cells
      .flatMap((c: { outputs?: Array<{ text?: string[] }> }) => c.outputs ?? [])
      .flatMap((o: { text?: string[] }) => o.text ?? [])
      .join('');
    // a float parameter stays a float; the string arrives verbatim, never run by the shell
    assert.equal(printed, `rate=2.0 label="${evil}"\n`);
    assert.ok(!fs.existsSync('/tmp/pwned'));
  });
});
