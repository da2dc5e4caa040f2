// The notebook of the notebook-job benchmarks, the check that a run of it completed, and the
// notebook benchmark's own measure: one run through `client.notebook.run` until its output exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** A `parameters` cell (`a = 1`), a cell using the value, and a last cell printing at its very end. */
export function benchNotebook() {
  const code = (source, tags) => ({
    cell_type: 'code',
    metadata: tags ? { tags } : {},
    source,
    outputs: [],
    execution_count: null
  });
  return {
    cells: [
      code('a = 1\n', ['parameters']),
      code('b = int(a) * 2\nprint("double", b)'),
      code('import sys\nprint("last", b)\nsys.stdout.flush()')
    ],
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** Throws unless the executed notebook `file` holds the injected value `a` and every cell's output. */
export function checkOutput(file, a) {
  const nb = JSON.parse(readFileSync(file, 'utf8'));
  const text = nb.cells.flatMap(c => c.outputs ?? []).map(o => [o.text ?? ''].flat().join(''));
  const want = [`double ${a * 2}\n`, `last ${a * 2}\n`];
  if (JSON.stringify(text) !== JSON.stringify(want)) {
    throw new Error(`${file}: outputs ${JSON.stringify(text)}, expected ${JSON.stringify(want)}`);
  }
}

/**
 * Runs `<volume>/bench/nb.ipynb` with `a` through `client.notebook.run` until its job has ended,
 * polling every `pollMs`; checks the output; returns the time taken (ms).
 */
export async function timeNotebookRun(client, volume, a, pollMs) {
  const t0 = performance.now();
  const run = await client.notebook.run({
    displayName: 'bench-notebook',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    notebook: { volumePath: 'bench/nb.ipynb' },
    parameters: { a },
    outputName: `nb-out-${a}.ipynb`
  });
  if (!run.job.command.includes('primehub-papermill')) {
    throw new Error(
      'the built client predates primehub-papermill: run `node node_modules/typescript/bin/tsc -b` first'
    );
  }
  const done = await run.wait({ timeoutMs: 120_000, intervalMs: pollMs });
  const ms = performance.now() - t0;
  if (done.phase !== 'Succeeded') {
    throw new Error(`notebook job ${done.id} ended ${done.phase}: ${done.message}`);
  }
  checkOutput(join(volume, run.output.volumePath), a);
  return ms;
}
