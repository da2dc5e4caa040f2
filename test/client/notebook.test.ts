import { PrimeHubClient, ValidationError } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, unique } from './support';
import {
  buildNotebookCommand,
  isNotebookRunScript,
  notebookRunParameters,
  parseNotebookParameters,
  parseParametersSource,
  type JsonValue
} from '../../shared-client/src/notebook';

interface Cell {
  cell_type: string;
  id?: string;
  metadata: { tags?: string[] };
  source: string | string[];
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[] }>;
}

interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

const text = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : (s ?? ''));

/** A real nbformat-4 notebook: a `parameters` cell, then a cell printing the values it got (and their types). */
function notebook(): Notebook {
  const code = (id: string, source: string, tags?: string[]): Cell => ({
    cell_type: 'code',
    id,
    metadata: tags ? { tags } : {},
    source,
    outputs: [],
    ...{ execution_count: null }
  });
  return {
    cells: [
      { cell_type: 'markdown', id: 'title', metadata: {}, source: '# Parameterised run' },
      code('params', 'alpha = 0.5  # learning rate\nname = "x"\nitems = [1, 2]\n', ['parameters']),
      code(
        'report',
        [
          'import json, os',
          'seen = {"alpha": alpha, "name": name, "items": items}',
          'print("RESULT " + json.dumps(seen))',
          'print("TYPES " + " ".join(type(v).__name__ for v in (alpha, name, items)))',
          'os.makedirs(os.path.join(os.environ["HOME"], "artifacts"), exist_ok=True)',
          'with open(os.path.join(os.environ["HOME"], "artifacts", "seen.json"), "w", encoding="utf-8") as f:',
          '    json.dump(seen, f, ensure_ascii=False)'
        ].join('\n')
      )
    ],
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** What the executed notebook says: the injected cell's values and the printed result. */
function readOutput(nb: Notebook): {
  injected: Record<string, JsonValue>;
  injectedIndex: number;
  printed: Record<string, JsonValue>;
  types: string;
} {
  const injectedIndex = nb.cells.findIndex(c => c.metadata.tags?.includes('injected-parameters'));
  expect(injectedIndex).toBeGreaterThan(0);
  const parsed = parseParametersSource(text(nb.cells[injectedIndex].source));
  expect(parsed.diagnostics).toEqual([]);
  const injected = Object.fromEntries(parsed.parameters.map(p => [p.name, p.default]));
  const stdout = nb.cells
    .flatMap(c => c.outputs ?? [])
    .filter(o => o.output_type === 'stream' && o.name === 'stdout')
    .map(o => text(o.text))
    .join('');
  const result = /^RESULT (.*)$/m.exec(stdout);
  const types = /^TYPES (.*)$/m.exec(stdout);
  expect(result).not.toBeNull();
  return { injected, injectedIndex, printed: JSON.parse(result![1]), types: types?.[1] ?? '' };
}

/** Values a user may well type, and every shell metacharacter that must never reach a shell. */
const HOSTILE_NAME = [
  `it's a "quoted" value; echo INJECTED > pwned-semicolon.txt`,
  '$(touch pwned-subst.txt) `touch pwned-backtick.txt` ${HOME} $HOME',
  'back\\slash \\n not-a-newline | & && || > < * ? ~ # !',
  'second line\tafter a tab',
  'ünïcödé ✓ 日本語 🎉 \u00a0nbsp \u2028ls',
  '\'\'\'triple\'\'\' """double""" %s {0} {{}}'
].join('\n');

/**
 * The headline: a notebook submitted with parameters through the client runs under papermill in a
 * real PrimeHub Local job, and its output notebook holds exactly the values given — shell and
 * Python metacharacters included.
 */
describe('client: notebooks as papermill jobs', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let dir: string;

  beforeAll(async () => {
    // Sweep jobs run at the same time: their kernels share the host (IPC kernels keep them apart).
    server = await LocalServerProcess.start({ args: ['--cpus', '4', '--memory-gb', '8'] });
    client = await clientFor(server);
    dir = unique('nb');
    await client.files.upload(`/notebooks/${dir}/train.ipynb`, JSON.stringify(notebook(), null, 1));
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  /** The executed notebook, downloaded and parsed through the client. */
  const download = async (phfsPath: string): Promise<Notebook> => {
    const res = await client.files.download(phfsPath);
    return JSON.parse(Buffer.concat(await collect(res.body)).toString('utf8')) as Notebook;
  };

  test('hostile parameter values reach the notebook exactly, and nothing runs in a shell', async () => {
    // the notebook as the user has it: parameters read from PHFS through the client
    const source = await download(`/notebooks/${dir}/train.ipynb`);
    const declared = parseNotebookParameters(source);
    expect(declared).toMatchObject({ hasParametersCell: true, cellIndex: 1, diagnostics: [] });
    expect(declared.parameters.map(p => [p.name, p.type, p.default, p.help])).toEqual([
      ['alpha', 'float', 0.5, 'learning rate'],
      ['name', 'str', 'x', undefined],
      ['items', 'list', [1, 2], undefined]
    ]);

    const values: Record<string, JsonValue> = {
      alpha: 2, // integral, but the notebook declares a float: it must arrive as 2.0
      name: HOSTILE_NAME,
      items: ['$(id)', "'; exit 1; '", 3.25, null, true, { 'k "q"': ['\\', '`uname`'] }, -7]
    };
    const run = await client.notebook.run({
      displayName: unique('papermill'),
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { content: source, name: 'train.ipynb' },
      output: { phfsPath: `notebooks/${dir}/train-output.ipynb` },
      parameters: values,
      declared: declared.parameters,
      activeDeadlineSeconds: 600
    });
    const { job } = run;
    // the command carries the values only inside base64, and reads back to them
    expect(isNotebookRunScript(job.command)).toBe(true);
    for (const v of [HOSTILE_NAME, '$(id)', '`uname`']) {
      expect(job.command).not.toContain(v);
    }
    expect(notebookRunParameters(job.command!)).toEqual(values);

    const done = await client.jobs.wait(job.id, { timeoutMs: 90_000 });
    if (done.phase !== 'Succeeded') {
      throw new Error(
        `papermill job ${done.phase}: ${(await collect(client.jobs.logs(job.id, { tail: 40 }))).join('\n')}`
      );
    }

    const out = readOutput(await download(`/notebooks/${dir}/train-output.ipynb`));
    // papermill put its cell right after the parameters cell, with exactly our values
    expect(out.injectedIndex).toBe(2);
    expect(out.injected).toEqual(values);
    // and the kernel really saw them, with the declared types
    expect(out.printed).toEqual(values);
    expect(out.types).toBe('float str list');
    expect(await collect(client.jobs.logs(job.id))).toEqual(expect.arrayContaining([expect.stringMatching(/RESULT /)]));

    // the artifact the notebook wrote agrees
    const artifact = await client.jobs.downloadArtifact(job.id, 'seen.json');
    expect(JSON.parse(Buffer.concat(await collect(artifact.body)).toString('utf8'))).toEqual(values);

    // nothing in the values was executed: no file appeared next to the notebook
    const files = (await client.files.listRecursive(`/notebooks/${dir}`)).map(f => f.name).sort();
    expect(files).toEqual(['train-output.ipynb', 'train.ipynb']);
  });

  test('a 2×2 sweep submits 4 uniquely named jobs that all succeed with their own values', async () => {
    const source = await download(`/notebooks/${dir}/train.ipynb`);
    const declared = parseNotebookParameters(source).parameters;
    const base = unique('sweep');
    const runs = await client.notebook.runSweep({
      displayName: base,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      notebook: { content: source, name: 'train.ipynb' },
      parameters: { items: ['fixed'] },
      declared,
      sweep: { alpha: [0.1, 1], name: ['plain', 'with space; $(rm -rf ~)'] }
    });
    const jobs = runs.map(r => r.job);
    expect(jobs).toHaveLength(4);
    const names = jobs.map(j => j.displayName);
    expect(new Set(names).size).toBe(4);
    expect(names).toEqual([
      `${base}-alpha=0.1-name=plain`,
      `${base}-alpha=0.1-name=with_space_rm_-rf`,
      `${base}-alpha=1-name=plain`,
      `${base}-alpha=1-name=with_space_rm_-rf`
    ]);
    expect(new Set(jobs.map(j => j.id)).size).toBe(4);

    const done = await Promise.all(jobs.map(j => client.jobs.wait(j.id, { timeoutMs: 120_000 })));
    for (const j of done.filter(d => d.phase !== 'Succeeded')) {
      const log = (await collect(client.jobs.logs(j.id))).join('\n');
      throw new Error(`${j.displayName} ended ${j.phase} (${j.message}); its log:\n${log}`);
    }
    expect(done.map(j => j.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);

    const expected = [
      [0.1, 'plain'],
      [0.1, 'with space; $(rm -rf ~)'],
      [1, 'plain'],
      [1, 'with space; $(rm -rf ~)']
    ];
    for (const [i, { job, artifactName }] of runs.entries()) {
      const res = await client.jobs.downloadArtifact(job.id, artifactName);
      const out = readOutput(JSON.parse(Buffer.concat(await collect(res.body)).toString('utf8')) as Notebook);
      const want = { alpha: expected[i][0], name: expected[i][1], items: ['fixed'] };
      expect(out.injected).toEqual(want);
      expect(out.printed).toEqual(want);
      expect(out.types).toBe('float str list');
    }
  });

  test('the command builder refuses what it cannot pass safely', async () => {
    const ok = { workdir: '.', input: 'a.ipynb', output: 'b.ipynb' };
    expect(() => buildNotebookCommand({ ...ok, parameters: { 'not-an-identifier': 1 } })).toThrow(ValidationError);
    expect(() => buildNotebookCommand({ ...ok, output: 'b\n.ipynb', parameters: {} })).toThrow(ValidationError);
    expect(() => buildNotebookCommand({ ...ok, parameters: { x: Number.NaN } })).toThrow(ValidationError);
    const name = unique('never');
    await expect(
      client.notebook.run({
        displayName: name,
        instanceType: 'cpu-1',
        image: 'base-notebook',
        notebook: { volumePath: 'a.ipynb' },
        parameters: { alpha: 'not a number' },
        declared: [{ name: 'alpha', type: 'float' }]
      })
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await client.jobs.list({ search: name })).items).toEqual([]);
  });
});
