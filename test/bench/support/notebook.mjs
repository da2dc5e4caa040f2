// The notebook of the notebook-job benchmarks, and the check that a run of it completed.
import { readFileSync } from 'node:fs';

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
