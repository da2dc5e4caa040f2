/**
 * One notebook-job format for both editors, on a real PrimeHub Local: a notebook job submitted by
 * VS Code's Run Current File shows its parameters in JupyterLab and is rerun there with edited
 * values (JupyterLab's own rerun flow and form), and a job JupyterLab submitted is rerun with
 * edited values by VS Code's rerun. Both go through `client.notebook.run`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseNotebookParameters, parseParametersSource, type JsonValue } from '../../shared-client/src/notebook';
import type { Job, PrimeHubClient } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, unique } from './support';
import { planNotebookRerun, planNotebookRun, rerunSourceOf } from '../../vscode-extension/src/jobs/notebookRun';
import { parameterInputText, readParameterInput } from '../../vscode-extension/src/jobs/parameterInput';
import { groupVolumeRelative } from '../../vscode-extension/src/jobs/runFilePlan';
import { rerunJob } from '../../jupyterlab-extension/src/flows/rerunFlow';
import { jobParameters, notebookPathsOf } from '../../jupyterlab-extension/src/models/notebookJobs';
import { formFromNotebook, readForm } from '../../jupyterlab-extension/src/models/parameterForm';
import { submitNotebook } from '../../jupyterlab-extension/src/submitNotebook';
import type { IPrimeHub } from '../../jupyterlab-extension/src/tokens';
import { notebookJson } from '../kit/notebook';

// JupyterLab's server extension, played on the group volume folder as it does it: the notebook is
// copied to a hidden snapshot beside itself (`.nb-<20 digits>.ipynb`); the test removes it when
// the job ended, as the server extension does.
let mockVolume = '';
let mockGroup = '';
const mockSnapshots: string[] = [];
jest.mock('../../jupyterlab-extension/src/api', () => ({
  serverExtension: {
    snapshot: async ({ path }: { path: string }) => {
      const rel = path.slice(mockGroup.length + 1);
      const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      const stem = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.ipynb$/, '');
      const at = `${Date.now()}`.padEnd(20, '0');
      const snapshot = [dir, `.${stem}-${at}.ipynb`].filter(Boolean).join('/');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fs = require('node:fs') as typeof import('node:fs');
      fs.copyFileSync(`${mockVolume}/${rel}`, `${mockVolume}/${snapshot}`);
      mockSnapshots.push(`${mockVolume}/${snapshot}`);
      return {
        snapshot: `${mockGroup}/${snapshot}`,
        output: `${mockGroup}/${[dir, `${stem}-${at}-output.ipynb`].filter(Boolean).join('/')}`
      };
    },
    watchSnapshot: async () => undefined,
    removeSnapshot: async () => undefined
  }
}));

const NOTEBOOK = notebookJson([
  { source: 'lr = 0.5  # learning rate\nnote = "a\\nb"\n', tags: ['parameters'] },
  { source: 'print(f"lr={lr} note={note!r}")' }
]);

/** The values papermill injected into an output notebook. */
function injected(outputPath: string): Record<string, JsonValue> {
  const nb = JSON.parse(readFileSync(outputPath, 'utf8')) as {
    cells: Array<{ metadata: { tags?: string[] }; source: string | string[] }>;
  };
  const cell = nb.cells.find(c => c.metadata.tags?.includes('injected-parameters'));
  expect(cell).toBeDefined();
  const source = Array.isArray(cell!.source) ? cell!.source.join('') : cell!.source;
  return Object.fromEntries(parseParametersSource(source).parameters.map(p => [p.name, p.default]));
}

describe('one notebook-job format: VS Code and JupyterLab rerun each other’s jobs', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let hub: IPrimeHub;
  let folder: string;
  let notebookPath: string;

  const contents = {
    get: async (path: string) => ({
      content: JSON.parse(readFileSync(join(mockVolume, path.slice(mockGroup.length + 1)), 'utf8')) as unknown
    })
  };

  const succeeded = async (job: Job): Promise<Job> => {
    const done = await client.jobs.wait(job.id, { timeoutMs: 180_000 });
    if (done.phase !== 'Succeeded') {
      throw new Error(`job ${done.phase}: ${(await collect(client.jobs.logs(done.id, { tail: 40 }))).join('\n')}`);
    }
    // the server extension removes a JupyterLab snapshot once its jobs ended
    for (const s of mockSnapshots.splice(0)) {
      rmSync(s, { force: true });
    }
    return done;
  };

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    client = await clientFor(server);
    mockVolume = join(server.dataDir, 'volumes', server.groupName);
    mockGroup = server.groupName;
    folder = unique('xeditor');
    notebookPath = join(mockVolume, folder, 'train.ipynb');
    mkdirSync(dirname(notebookPath), { recursive: true });
    writeFileSync(notebookPath, JSON.stringify(NOTEBOOK));
    hub = {
      client,
      config: { groupVolume: server.groupName, group: { name: server.groupName } },
      group: server.groupName,
      settings: { pollIntervalSeconds: 1, notifications: false, defaultTimeoutMinutes: 5 }
    } as unknown as IPrimeHub;
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  test('VS Code submits; JupyterLab shows the parameters and reruns with an edited value', async () => {
    // VS Code's Run Current File on a notebook of the group volume (PrimeHub Local's volumes/<group>)
    const content = readFileSync(notebookPath, 'utf8');
    const declared = parseNotebookParameters(content).parameters;
    // the values as the input boxes prefill and read them: the default "a\nb" is kept as is
    const values = Object.fromEntries(
      declared.map(p => {
        const r = readParameterInput(p, p.name === 'lr' ? '0.25' : parameterInputText(p.type, p.default));
        if (!r.ok) {
          throw new Error(r.message);
        }
        return [p.name, r.value];
      })
    );
    expect(values).toEqual({ lr: 0.25, note: 'a\nb' });
    const volumePath = groupVolumeRelative(notebookPath, server.groupName, [mockVolume]);
    const { spec, output } = planNotebookRun({
      notebook: { fsPath: notebookPath, content, volumePath },
      instanceType: 'cpu-1',
      image: 'base-notebook',
      parameters: values,
      declared
    });
    const fromVsCode = (await client.notebook.run(spec)).job;
    await succeeded(fromVsCode);
    expect(output.kind).toBe('beside');
    expect(injected(output.localPath)).toEqual({ lr: 0.25, note: 'a\nb' });

    // JupyterLab: its job view shows the parameters and offers "Rerun with edited parameters"
    const listed = await client.jobs.get(fromVsCode.id);
    expect(jobParameters(listed)).toEqual({ lr: 0.25, note: 'a\nb' });
    expect(notebookPathsOf(listed, server.groupName)?.input).toBe(`${server.groupName}/${folder}/train.ipynb`);
    const outcome = await rerunJob({ hub, contents }, listed, true);
    if (!('form' in outcome)) {
      throw new Error('JupyterLab did not open the rerun form');
    }
    const form = formFromNotebook(outcome.form.notebook, outcome.form.prefill.parameters);
    expect(form.fields.map(f => [f.name, f.text])).toEqual([
      ['lr', '0.25'],
      ['note', 'a\nb']
    ]);
    form.fields[0].text = '0.75';
    const read = readForm(form.fields);
    expect(read.errors).toEqual({});
    const { jobs } = await submitNotebook(hub, {
      path: outcome.form.path,
      group: outcome.form.group,
      instanceType: outcome.form.prefill.instanceType!,
      image: outcome.form.prefill.image!,
      timeoutMinutes: null,
      name: outcome.form.prefill.name!,
      parameters: read.values,
      declared: parseNotebookParameters(outcome.form.notebook).parameters
    });
    const rerun = await succeeded(jobs[0].job);
    expect(rerun.displayName).toBe(fromVsCode.displayName);
    expect(jobParameters(rerun)).toEqual({ lr: 0.75, note: 'a\nb' });
    expect(injected(join(mockVolume, jobs[0].output!.slice(server.groupName.length + 1)))).toEqual({
      lr: 0.75,
      note: 'a\nb'
    });
  });

  test('JupyterLab submits; VS Code reruns it with an edited value (the original notebook, not the gone snapshot)', async () => {
    const declared = parseNotebookParameters(readFileSync(notebookPath, 'utf8')).parameters;
    const { jobs } = await submitNotebook(hub, {
      path: `${server.groupName}/${folder}/train.ipynb`,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      timeoutMinutes: null,
      name: 'from-lab',
      parameters: { lr: 0.1, note: 'x\ny' },
      declared
    });
    const fromLab = await succeeded(jobs[0].job);

    // VS Code's "Rerun with Edited Parameters": the job's values prefilled, one edited
    const source = rerunSourceOf(fromLab)!;
    expect(source.volumePath).toBe(`${folder}/train.ipynb`);
    expect(existsSync(join(mockVolume, source.volumePath!))).toBe(true);
    const prefilled = declared.map(p => [p.name, parameterInputText(p.type, source.parameters[p.name])]);
    expect(prefilled).toEqual([
      ['lr', '0.1'],
      ['note', '"x\\ny"']
    ]);
    const edited: Record<string, JsonValue> = {};
    for (const p of declared) {
      const r = readParameterInput(p, p.name === 'lr' ? '0.9' : parameterInputText(p.type, source.parameters[p.name]));
      expect(r.ok).toBe(true);
      edited[p.name] = (r as { value: JsonValue }).value;
    }
    const spec = planNotebookRerun({ job: fromLab, source, parameters: edited, declared });
    const run = await client.notebook.run(spec);
    const rerun = await succeeded(run.job);
    expect(rerun.displayName).toBe('from-lab');
    // JupyterLab reads it as its own
    expect(jobParameters(rerun)).toEqual({ lr: 0.9, note: 'x\ny' });
    expect(notebookPathsOf(rerun, server.groupName)?.input).toBe(`${server.groupName}/${folder}/train.ipynb`);
    const out = run.output as { volumePath: string };
    expect(injected(join(mockVolume, out.volumePath))).toEqual({ lr: 0.9, note: 'x\ny' });
  });
});
