import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrimeHubClient, SNAPSHOT_FOLDER } from '../../shared-client/src';
import {
  ARTIFACTS_DIR_VARIABLE,
  notebookRunOutput,
  notebookRunParameters,
  parseNotebookRunScript,
  parseParametersSource,
  type JsonValue
} from '../../shared-client/src/notebook';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, unique } from './support';
import { notebookJson } from '../kit/notebook';

interface Cell {
  cell_type: string;
  metadata: { tags?: string[] };
  source: string | string[];
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; ename?: string }>;
}

const text = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : (s ?? ''));

/** A notebook with a `parameters` cell and a body cell. */
function notebook(body: string): object {
  return notebookJson([{ source: 'alpha = 0.5\nlabel = "x"\n', tags: ['parameters'] }, { source: body }]);
}

/** Reads the data file beside the notebook (relative path: proves the working directory) and writes artifacts. */
const BODY = [
  'import json, os',
  'data = open("data.txt", encoding="utf-8").read().strip()',
  `art = os.environ["${ARTIFACTS_DIR_VARIABLE}"]`,
  'assert os.path.isabs(art)',
  'with open(os.path.join(art, "seen.json"), "w", encoding="utf-8") as f:',
  '    json.dump({"alpha": alpha, "label": label, "data": data, "cwd": os.path.basename(os.getcwd())}, f)',
  'print("DONE", alpha, label)'
].join('\n');

function injected(nb: { cells: Cell[] }): Record<string, JsonValue> {
  const cell = nb.cells.find(c => c.metadata.tags?.includes('injected-parameters'));
  expect(cell).toBeDefined();
  const parsed = parseParametersSource(text(cell!.source));
  return Object.fromEntries(parsed.parameters.map(p => [p.name, p.default]));
}

/**
 * `client.notebook.run` end to end on a real PrimeHub Local: papermill runs in the notebook's
 * folder on the group volume, the output lands beside the original and in the artifacts, the
 * notebook finds its artifacts folder through PRIMEHUB_ARTIFACTS_DIR, and a content snapshot is
 * removed from PHFS when the job ends, also when the notebook fails or the job is cancelled.
 */
describe('client: notebook runs (notebook.run)', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let volume: string;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '4', '--memory-gb', '8'] });
    client = await clientFor(server);
    volume = join(server.dataDir, 'volumes', server.groupName);
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  const readJsonArtifact = async (jobId: string, name: string): Promise<unknown> =>
    client.files.readJson(client.jobs.artifactPath(jobId, name));

  const snapshots = async (): Promise<string[]> =>
    (await client.files.listRecursive(SNAPSHOT_FOLDER)).map(f => f.name).filter(n => n !== '');

  test('a notebook on the group volume runs in its folder; output beside it and in the artifacts', async () => {
    const dir = `${unique('proj')}/sub dir`;
    mkdirSync(join(volume, dir), { recursive: true });
    writeFileSync(join(volume, dir, 'train.ipynb'), JSON.stringify(notebook(BODY)));
    writeFileSync(join(volume, dir, 'data.txt'), 'beside the notebook\n');

    const run = await client.notebook.run({
      displayName: unique('nbrun'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/train.ipynb` },
      parameters: { alpha: 2, label: "it's $(id)" },
      declared: [
        { name: 'alpha', type: 'float' },
        { name: 'label', type: 'str' }
      ],
      activeDeadlineSeconds: 600
    });
    expect(run.output).toEqual({ volumePath: `${dir}/${run.artifactName}` });
    expect(run.artifactName).toMatch(/^train-\d{14}-output\.ipynb$/);
    expect(notebookRunParameters(run.job.command!)).toEqual({ alpha: 2, label: "it's $(id)" });

    const done = await run.wait({ timeoutMs: 120_000 });
    if (done.phase !== 'Succeeded') {
      throw new Error(`job ${done.phase}: ${(await collect(client.jobs.logs(done.id, { tail: 40 }))).join('\n')}`);
    }
    expect(await readJsonArtifact(done.id, 'seen.json')).toEqual({
      alpha: 2,
      label: "it's $(id)",
      data: 'beside the notebook',
      cwd: 'sub dir'
    });
    const beside = JSON.parse(readFileSync(join(volume, dir, run.artifactName), 'utf8')) as { cells: Cell[] };
    expect(injected(beside)).toEqual({ alpha: 2, label: "it's $(id)" });
    const artifacts = (await client.jobs.artifacts(done.id)).map(a => a.name).sort();
    expect(artifacts).toEqual([run.artifactName, 'seen.json'].sort());
    expect(await readJsonArtifact(done.id, run.artifactName)).toEqual(beside);
    // readText refuses what would not fit, naming the file; readJson names a file that is not JSON
    const seen = client.jobs.artifactPath(done.id, 'seen.json');
    await expect(client.files.readText(seen, { maxBytes: 10 })).rejects.toThrow(/seen\.json is larger than 10 bytes/);
    await client.files.upload(`/${dir}/notes.txt`, 'plain words');
    expect(await client.files.readText(`/${dir}/notes.txt`)).toBe('plain words');
    await expect(client.files.readJson(`/${dir}/notes.txt`)).rejects.toThrow(/notes\.txt is not JSON/);
  });

  test('a content snapshot runs beside its volume folder and is removed by the job, also when the notebook fails', async () => {
    const dir = unique('failing');
    mkdirSync(join(volume, dir), { recursive: true });
    writeFileSync(join(volume, dir, 'data.txt'), 'x\n');
    const run = await client.notebook.run({
      displayName: unique('nbfail'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: {
        content: notebook(`${BODY}\nraise RuntimeError("boom in the notebook")`),
        name: 'fails.ipynb',
        volumeDir: dir
      },
      parameters: { label: 'snap' }
    });
    expect(run.snapshotPath).toMatch(new RegExp(`^${SNAPSHOT_FOLDER}/\\d{14}-[0-9a-f]{8}/\\.fails\\.ipynb$`));
    expect(await snapshots()).toHaveLength(1);

    // the job's own script removes the snapshot (run.wait would too)
    const done = await client.jobs.wait(run.job.id, { timeoutMs: 120_000 });
    expect(done.phase).toBe('Failed');
    expect(await snapshots()).toEqual([]);
    // papermill wrote the failed notebook: beside the folder and in the artifacts
    const out = (await readJsonArtifact(done.id, run.artifactName)) as { cells: Cell[] };
    expect(JSON.stringify(out)).toContain('boom in the notebook');
    expect(existsSync(join(volume, dir, run.artifactName))).toBe(true);
    expect(await readJsonArtifact(done.id, 'seen.json')).toMatchObject({ label: 'snap', cwd: dir });
  });

  test('a local notebook (content only) runs from PHFS, output to the artifacts; cancel removes the snapshot too', async () => {
    const run = await client.notebook.run({
      displayName: unique('nblocal'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { content: JSON.stringify(notebook('import time\ntime.sleep(60)')), name: 'slow.ipynb' },
      output: false
    });
    expect(run.output).toBeUndefined();
    // cancel once papermill runs
    const until = Date.now() + 60_000;
    while (!(await collect(client.jobs.logs(run.job.id))).some(l => /Executing|Input Notebook/.test(l))) {
      if (Date.now() > until) {
        throw new Error('papermill never started');
      }
      await new Promise(r => setTimeout(r, 200));
    }
    await client.jobs.cancel(run.job.id);
    const done = await run.wait({ timeoutMs: 60_000 });
    expect(done.phase).toBe('Cancelled');
    expect(await snapshots()).toEqual([]);
  });

  test('the output notebook holds every cell output, also when the kernel hangs at exit', async () => {
    const dir = unique('complete');
    mkdirSync(join(volume, dir), { recursive: true });
    const nb = notebook(
      'import atexit, time\natexit.register(time.sleep, 120)\nprint("first", alpha)\nprint("last", label, end="", flush=True)'
    );
    writeFileSync(join(volume, dir, 'hang.ipynb'), JSON.stringify(nb));
    const run = await client.notebook.run({
      displayName: unique('nbhang'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/hang.ipynb` },
      parameters: { alpha: 3, label: 'end' },
      activeDeadlineSeconds: 100
    });
    // a kernel left to its atexit hook would outlive the deadline
    const done = await run.wait({ timeoutMs: 120_000 });
    if (done.phase !== 'Succeeded') {
      throw new Error(`job ${done.phase}: ${(await collect(client.jobs.logs(done.id, { tail: 40 }))).join('\n')}`);
    }
    const out = JSON.parse(readFileSync(join(volume, dir, run.artifactName), 'utf8')) as {
      cells: Cell[];
      metadata: { papermill: { end_time: unknown } };
    };
    expect(injected(out)).toEqual({ alpha: 3, label: 'end' });
    expect(out.cells.map(c => (c.outputs ?? []).map(o => text(o.text)).join(''))).toEqual([
      '',
      '',
      'first 3\nlast end'
    ]);
    expect(typeof out.metadata.papermill.end_time).toBe('string');
    expect(await readJsonArtifact(done.id, run.artifactName)).toEqual(out);
  });

  test('each run of a recurring notebook job keeps its own output notebook, found from its job', async () => {
    const dir = unique('recurring');
    mkdirSync(join(volume, dir), { recursive: true });
    writeFileSync(
      join(volume, dir, 'report.ipynb'),
      JSON.stringify(notebook('import os\nprint(os.environ["PHJOB_NAME"], open("data.txt").read().strip(), label)'))
    );
    const made = await client.notebook.schedule({
      displayName: unique('nbsched'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/report.ipynb` },
      parameters: { label: 'daily' },
      recurrence: { type: 'daily' }
    });
    expect(made.artifactName).toBe('report-output.ipynb');
    const outputs: Record<string, string> = {};
    for (const data of ['first', 'second']) {
      writeFileSync(join(volume, dir, 'data.txt'), `${data}\n`);
      const { jobId } = await client.schedules.run(made.schedule.id);
      const done = await client.jobs.wait(jobId!, { timeoutMs: 120_000 });
      if (done.phase !== 'Succeeded') {
        throw new Error(`job ${done.phase}: ${(await collect(client.jobs.logs(done.id, { tail: 40 }))).join('\n')}`);
      }
      // the job alone tells where its output is; the recurring job's helper says the same
      const info = parseNotebookRunScript(done);
      expect(info).toMatchObject({
        outputPerRun: true,
        artifactName: 'report-output.ipynb',
        parameters: { label: 'daily' }
      });
      expect(info!.output).toEqual({ root: 'volume', path: `${dir}/report-${done.id}-output.ipynb` });
      expect(notebookRunOutput(done)).toEqual(info!.output);
      expect(made.outputOf(done.id)).toEqual({ volumePath: info!.output!.path });
      const beside = JSON.parse(readFileSync(join(volume, info!.output!.path), 'utf8')) as { cells: Cell[] };
      expect(text(beside.cells.at(-1)!.outputs![0].text)).toBe(`${done.id} ${data} daily\n`);
      expect(await readJsonArtifact(done.id, made.artifactName)).toEqual(beside);
      outputs[done.id] = info!.output!.path;
    }
    // two runs, two outputs, the first one still holding the first run's result
    const [first, second] = Object.keys(outputs);
    expect(outputs[first]).not.toBe(outputs[second]);
    const old = JSON.parse(readFileSync(join(volume, outputs[first]), 'utf8')) as { cells: Cell[] };
    expect(text(old.cells.at(-1)!.outputs![0].text)).toBe(`${first} first daily\n`);
    // without the job's id, the command alone cannot name a run's output
    expect(parseNotebookRunScript(made.schedule.command)).toMatchObject({ outputPerRun: true });
    expect(parseNotebookRunScript(made.schedule.command)!.output).toBeUndefined();
    await client.schedules.delete(made.schedule.id);
  });

  test("a failed notebook job's message is the failing cell and its exception", async () => {
    const dir = unique('failing');
    mkdirSync(join(volume, dir), { recursive: true });
    writeFileSync(
      join(volume, dir, 'fail.ipynb'),
      JSON.stringify(notebook('scale = 10\nraise ValueError(f"alpha {alpha} is out of range")'))
    );
    const run = await client.notebook.run({
      displayName: unique('nbfail'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { volumePath: `${dir}/fail.ipynb` },
      parameters: { alpha: 7 }
    });
    const done = await run.wait({ timeoutMs: 120_000 });
    expect(done.phase).toBe('Failed');
    // what PrimeHub's controller makes of a container's termination message, which the run script wrote
    expect(done.message).toBe('Job failed due to Error: cell 2 (scale = 10 …): ValueError: alpha 7 is out of range');
    expect((await client.jobs.get(done.id)).message).toBe(done.message);
    // the output notebook holds the same failure, beside the notebook and in the artifacts
    const out = JSON.parse(readFileSync(join(volume, dir, run.artifactName), 'utf8')) as { cells: Cell[] };
    expect(out.cells.flatMap(c => c.outputs ?? []).find(o => o.output_type === 'error')?.ename).toBe('ValueError');

    // a job that is not a notebook run and writes no message keeps the exit code's message
    const plain = await client.jobs.submit({
      displayName: unique('plainfail'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'exit 3'
    });
    expect((await client.jobs.wait(plain.id, { timeoutMs: 60_000 })).message).toBe(
      'Job failed: the command exited with code 3'
    );
  });

  test('bad input is refused before anything is uploaded or submitted', async () => {
    const base = { displayName: 'x', instanceType: 'cpu-1', image: 'base-notebook' };
    await expect(client.notebook.run({ ...base, notebook: { volumePath: '../etc/x.ipynb' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED'
    });
    await expect(
      client.notebook.run({ ...base, notebook: { content: 'not json', name: 'a.ipynb' } })
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      client.notebook.run({ ...base, notebook: { content: '{}', name: 'a.ipynb' }, output: 'beside' })
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await snapshots()).toEqual([]);
  });
});
