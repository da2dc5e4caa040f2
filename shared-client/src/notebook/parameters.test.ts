import { ValidationError } from '../errors';
import { parseNotebookParameters, parseParametersSource } from './parameters';
import { parsePythonLiteral } from './pythonLiteral';

/** Splits source the way Jupyter stores it: a list of lines keeping their newlines. */
function lines(src: string): string[] {
  return src.split(/(?<=\n)/);
}

function notebook(cells: Array<{ type?: string; tags?: string[]; source: string }>): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: c.type ?? 'code',
      metadata: c.tags ? { tags: c.tags } : {},
      source: lines(c.source),
      ...(c.type === 'markdown' ? {} : { execution_count: null, outputs: [] })
    }))
  };
}

const TRAINING = notebook([
  { type: 'markdown', source: '# Screw classification\nTrain a CNN on the screw dataset.\n' },
  { source: 'import os\nimport tensorflow as tf\n' },
  {
    tags: ['parameters', 'hide-input'],
    source: [
      '# Parameters for papermill',
      'base_learning_rate = 0.01  # learning rate of Adam',
      'epochs = 5  # passes over the data',
      'batch_size: int = 32',
      "dataset = '/datasets/screw'  # where the images are",
      'use_gpu = False',
      'seed = None  # None: random',
      'layers = [  # hidden layer sizes',
      '    64,',
      '    32,',
      ']',
      'optimizer = {',
      "    'name': 'adam',",
      "    'beta_1': 0.9,  # momentum",
      '}',
      'dropout: float = 1',
      'run_name = f"run-{epochs}"',
      'n_steps = epochs * 100',
      'from pathlib import Path',
      "tags = ('a', 'b')",
      'scale = -1.5e-3',
      'label = "say \\"hi\\"\\n"',
      "greeting = 'héllo ' 'wörld'"
    ].join('\n')
  },
  { source: 'model = tf.keras.Sequential()\n' }
]);

describe('parseNotebookParameters', () => {
  const result = parseNotebookParameters(JSON.stringify(TRAINING));
  const byName = Object.fromEntries(result.parameters.map(p => [p.name, p]));

  it('finds the tagged cell', () => {
    expect(result.hasParametersCell).toBe(true);
    expect(result.cellIndex).toBe(2);
  });

  it('reads typed parameters with defaults and inline help', () => {
    expect(byName.base_learning_rate).toEqual({
      name: 'base_learning_rate',
      type: 'float',
      default: 0.01,
      help: 'learning rate of Adam',
      line: 2
    });
    expect(byName.epochs).toMatchObject({ type: 'int', default: 5, help: 'passes over the data' });
    expect(byName.batch_size).toMatchObject({ type: 'int', default: 32, annotation: 'int' });
    expect(byName.dataset).toMatchObject({ type: 'str', default: '/datasets/screw', help: 'where the images are' });
    expect(byName.use_gpu).toMatchObject({ type: 'bool', default: false });
    expect(byName.seed).toMatchObject({ type: 'None', default: null, help: 'None: random' });
    expect(byName.scale).toMatchObject({ type: 'float', default: -0.0015 });
    expect(byName.label).toMatchObject({ type: 'str', default: 'say "hi"\n' });
    expect(byName.greeting).toMatchObject({ type: 'str', default: 'héllo wörld' });
  });

  it('reads multi-line list and dict values', () => {
    expect(byName.layers).toMatchObject({ type: 'list', default: [64, 32], help: 'hidden layer sizes', line: 8 });
    expect(byName.optimizer).toMatchObject({ type: 'dict', default: { name: 'adam', beta_1: 0.9 }, line: 12 });
    expect(byName.tags).toMatchObject({ type: 'list', default: ['a', 'b'] });
  });

  it('uses the annotation to type an integral float default', () => {
    expect(byName.dropout).toMatchObject({ type: 'float', default: 1, annotation: 'float' });
  });

  it('reports unparseable lines as diagnostics instead of guessing', () => {
    expect(byName.run_name).toBeUndefined();
    expect(byName.n_steps).toBeUndefined();
    const diag = result.diagnostics.map(d => [d.line, d.severity, d.text]);
    expect(diag).toEqual([
      [17, 'error', 'run_name = f"run-{epochs}"'],
      [18, 'error', 'n_steps = epochs * 100'],
      [19, 'error', 'from pathlib import Path']
    ]);
    expect(result.diagnostics[0].message).toMatch(/f-string/);
    expect(result.diagnostics[1].message).toMatch(/not a literal/);
  });

  it('keeps the parameters in source order', () => {
    expect(result.parameters.map(p => p.name)).toEqual([
      'base_learning_rate',
      'epochs',
      'batch_size',
      'dataset',
      'use_gpu',
      'seed',
      'layers',
      'optimizer',
      'dropout',
      'tags',
      'scale',
      'label',
      'greeting'
    ]);
  });

  it('flags a notebook without a parameters cell', () => {
    const r = parseNotebookParameters(
      notebook([{ source: 'x = 1\n' }, { type: 'markdown', tags: ['parameters'], source: 'y = 2' }])
    );
    expect(r).toEqual({ hasParametersCell: false, cellIndex: null, parameters: [], diagnostics: [] });
  });

  it('uses the first of several tagged cells and warns', () => {
    const r = parseNotebookParameters(
      notebook([
        { tags: ['parameters'], source: 'a = 1' },
        { tags: ['parameters'], source: 'b = 2' }
      ])
    );
    expect(r.parameters.map(p => p.name)).toEqual(['a']);
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/2 cells/) })
    ]);
  });

  it('accepts source as a single string and an object notebook', () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [{ cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'alpha = 0.1\nratio = 0.1\n' }]
    };
    expect(parseNotebookParameters(nb).parameters.map(p => [p.name, p.default])).toEqual([
      ['alpha', 0.1],
      ['ratio', 0.1]
    ]);
  });

  it('rejects non-notebooks and nbformat 3', () => {
    expect(() => parseNotebookParameters('{')).toThrow(ValidationError);
    expect(() => parseNotebookParameters({ nbformat: 3, worksheets: [] })).toThrow(/nbformat 4/);
  });
});

describe('parseParametersSource edge cases', () => {
  it('handles continuations, CRLF, comments-only lines and reassignment', () => {
    const r = parseParametersSource(
      '# header\r\nx = 1 + \\\r\n  2\r\ny = \\\n  3  # three\r\ny = 4\n\n    z = 5\nw == 1\n'
    );
    expect(r.parameters.map(p => [p.name, p.default])).toEqual([['y', 4]]);
    expect(r.diagnostics.map(d => [d.line, d.severity])).toEqual([
      [2, 'error'],
      [6, 'warning'],
      [8, 'error'],
      [9, 'error']
    ]);
  });

  it('reports an unclosed bracket', () => {
    const r = parseParametersSource('a = [1, 2\nb = 3\n');
    expect(r.parameters).toEqual([]);
    expect(r.diagnostics[0].message).toBe('unclosed bracket');
  });

  it('keeps a # inside strings', () => {
    const r = parseParametersSource('color = "#ff0000"  # red\n');
    expect(r.parameters[0]).toMatchObject({ default: '#ff0000', help: 'red' });
  });

  it('warns when the annotation disagrees with the default', () => {
    const r = parseParametersSource('n: int = "five"\n');
    expect(r.parameters[0]).toMatchObject({ type: 'str' });
    expect(r.diagnostics[0]).toMatchObject({ severity: 'warning' });
  });
});

describe('parsePythonLiteral', () => {
  it.each([
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['1_000', 1000],
    ['1.', 1],
    ['.5', 0.5],
    ['1e3', 1000],
    ['-(3)', -3],
    ['r"a\\nb"', 'a\\nb'],
    ["'''multi\nline'''", 'multi\nline'],
    ['"\\u00e9\\x41\\101"', 'éAA'],
    ['[1, [2, {"k": None}], ]', [1, [2, { k: null }]]],
    ['(1,)', [1]],
    ['()', []],
    ['{}', {}]
  ])('%s', (src, value) => {
    expect(parsePythonLiteral(src).value).toEqual(value);
  });

  it.each([
    ['b"x"'],
    ['{1, 2}'],
    ['{1: 2}'],
    ['1j'],
    ['x'],
    ['"open'],
    ['[1 2]'],
    ['007'],
    ['1 + 2'],
    ['99999999999999999999']
  ])('rejects %s', src => {
    expect(() => parsePythonLiteral(src)).toThrow();
  });
});
