import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requires, venvPython } from '../../shared-client/src/testing/paths';
import { notebookJson } from '../kit/notebook';

const python = venvPython();
const bin = (name: string): string => join(python, '..', name);

interface Output {
  output_type: string;
  text?: string | string[];
}

/** A parameterized notebook whose last cell prints at its very end and makes the kernel hang at exit. */
function hangingNotebook(): object {
  return notebookJson([
    { source: 'a = 1\n', tags: ['parameters'] },
    { source: 'print("double", a * 2)' },
    { source: 'import atexit, time\natexit.register(time.sleep, 120)\nprint("last", a, end="", flush=True)' }
  ]);
}

/** Runs Python code from the project's .venv; returns its stdout. */
function py(code: string, env: Record<string, string | undefined> = {}): string {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  }
  return r.stdout.trim();
}

/**
 * python/primehub-local-kernel in the project's .venv: job kernels shut down within a bounded
 * time, `primehub-papermill` skips jsonschema's format libraries, and neither loses anything of
 * a notebook's result.
 */
describe('primehub-local-kernel', () => {
  let dir: string;

  beforeAll(() => requires(existsSync(bin('primehub-papermill')), 'the .venv with python/primehub-local-kernel'));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'phk-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const WAIT = [
    'from jupyter_client.manager import KernelManager',
    'from primehub_local_kernel.provisioner import IpcProvisioner',
    'km = KernelManager(kernel_name="python3")',
    'p = IpcProvisioner(kernel_id="k", kernel_spec=km.kernel_spec, parent=km)',
    'print(p.get_shutdown_wait_time(recommended=km.shutdown_wait_time))'
  ].join('\n');

  test('in a job a kernel gets 1 s to shut down; a notebook server keeps the usual 5 s', () => {
    expect(py(WAIT, { PHJOB_NAME: 'job-1' })).toBe('1.0');
    expect(py(WAIT, { PHJOB_NAME: undefined })).toBe('5.0');
  });

  test('the python3 kernel of the .venv is started through the IPC provisioner', () => {
    const spec = JSON.parse(
      readFileSync(join(python, '..', '..', 'share', 'jupyter', 'kernels', 'python3', 'kernel.json'), 'utf8')
    ) as { metadata: { kernel_provisioner?: { provisioner_name: string } } };
    expect(spec.metadata.kernel_provisioner?.provisioner_name).toBe('primehub-local-ipc');
  });

  test.each(['primehub-papermill', 'papermill'])(
    '%s: a kernel that hangs at exit is stopped, and the output notebook holds every cell output',
    program => {
      writeFileSync(join(dir, 'nb.ipynb'), JSON.stringify(hangingNotebook()));
      const b64 = Buffer.from(JSON.stringify({ a: 21 })).toString('base64');
      const r = spawnSync(bin(program), ['nb.ipynb', 'out.ipynb', '-b', b64, '--log-output'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(python, '..')}:${process.env.PATH}`, PHJOB_NAME: 'job-1' },
        // a kernel left to its atexit hook would hold papermill for 120 s
        timeout: 60_000
      });
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(0);
      const nb = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8')) as {
        cells: Array<{ outputs?: Output[]; metadata: { tags?: string[] } }>;
        metadata: { language_info?: { name: string }; papermill: { exception: unknown; end_time: unknown } };
      };
      const text = nb.cells.map(c => (c.outputs ?? []).map(o => [o.text ?? ''].flat().join('')).join(''));
      expect(nb.cells.map(c => c.metadata.tags ?? [])).toEqual([['parameters'], ['injected-parameters'], [], []]);
      expect(text).toEqual(['', '', 'double 42\n', 'last 21']);
      expect(nb.metadata.language_info?.name).toBe('python');
      // papermill's final save (after the kernel's shutdown) happened too
      expect(nb.metadata.papermill.exception).toBeNull();
      expect(typeof nb.metadata.papermill.end_time).toBe('string');
    }
  );

  test("primehub-papermill imports papermill without jsonschema's format libraries; stock papermill loads them", () => {
    const loaded = (skip: boolean): string[] =>
      JSON.parse(
        py(
          [
            'import json, sys',
            'from primehub_local_kernel import run_papermill',
            skip ? 'run_papermill.skip_unneeded_imports()' : '',
            'import papermill.cli',
            'print(json.dumps([m for m in run_papermill.SKIPPED_MODULES if sys.modules.get(m) is not None]))'
          ].join('\n')
        )
      ) as string[];
    expect(loaded(true)).toEqual([]);
    // what the skip saves: the grammar rfc3987_syntax builds at import
    expect(loaded(false)).toContain('rfc3987_syntax');
  });

  test('primehub-papermill still refuses an invalid notebook with a clear error', () => {
    writeFileSync(
      join(dir, 'bad.ipynb'),
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{}] })
    );
    const r = spawnSync(bin('primehub-papermill'), ['bad.ipynb', 'out.ipynb'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ValidationError|not valid|invalid/i);
  });

  test("primehub-papermill's command line is papermill's", () => {
    const ours = spawnSync(bin('primehub-papermill'), ['--help'], { encoding: 'utf8' });
    const stock = spawnSync(bin('papermill'), ['--help'], { encoding: 'utf8' });
    expect(ours.status).toBe(0);
    expect(ours.stdout).toBe(stock.stdout);
  });
});
