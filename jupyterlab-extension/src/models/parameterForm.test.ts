import {
  cellSyntaxErrors,
  defaultJobName,
  formFromNotebook,
  jobCount,
  MAX_SWEEP_JOBS,
  readForm
} from './parameterForm';

function notebook(source: string, tagged = true): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', source: '# title', metadata: {} },
      { cell_type: 'code', source, metadata: tagged ? { tags: ['parameters'] } : {} }
    ]
  };
}

const CELL = [
  'epochs = 5  # training epochs',
  'lr = 0.01',
  'ratio = 1.0',
  'verbose = True',
  "name = 'run'",
  'layers = [64, 32]',
  "opts = {'a': 1}"
].join('\n');

describe('formFromNotebook', () => {
  it('makes one typed field per parameter with the default and the comment as help', () => {
    const form = formFromNotebook(notebook(CELL));
    expect(form.hasParametersCell).toBe(true);
    expect(form.fields.map(f => [f.name, f.type, f.text])).toEqual([
      ['epochs', 'int', '5'],
      ['lr', 'float', '0.01'],
      ['ratio', 'float', '1.0'],
      ['verbose', 'bool', 'True'],
      ['name', 'str', 'run'],
      ['layers', 'list', '[64,32]'],
      ['opts', 'dict', '{"a":1}']
    ]);
    expect(form.fields[0].help).toBe('training epochs');
  });

  it('pre-fills given values (rerun with edited parameters)', () => {
    const form = formFromNotebook(notebook(CELL), { epochs: 7, name: 'a b' });
    expect(form.fields.find(f => f.name === 'epochs')!.text).toBe('7');
    expect(form.fields.find(f => f.name === 'name')!.text).toBe('a b');
    expect(form.fields.find(f => f.name === 'epochs')!.defaultText).toBe('5');
  });

  it('says when no cell is tagged parameters', () => {
    const form = formFromNotebook(notebook('x = 1', false));
    expect(form.hasParametersCell).toBe(false);
    expect(form.fields).toEqual([]);
  });
});

describe('readForm', () => {
  it('reads typed values, keeping strings verbatim (spaces, quotes, ;, =, newline)', () => {
    const form = formFromNotebook(notebook(CELL));
    const tricky = 'a "b" \'c\'; d=e\nf';
    form.fields.find(f => f.name === 'name')!.text = tricky;
    form.fields.find(f => f.name === 'ratio')!.text = '2';
    const r = readForm(form.fields);
    expect(r.errors).toEqual({});
    expect(r.values).toEqual({
      epochs: 5,
      lr: 0.01,
      ratio: 2,
      verbose: true,
      name: tricky,
      layers: [64, 32],
      opts: { a: 1 }
    });
  });

  it('reports each invalid field and keeps the others', () => {
    const form = formFromNotebook(notebook(CELL));
    form.fields.find(f => f.name === 'epochs')!.text = '1.5';
    form.fields.find(f => f.name === 'verbose')!.text = 'yes';
    form.fields.find(f => f.name === 'layers')!.text = '[1,';
    const r = readForm(form.fields);
    expect(Object.keys(r.errors).sort()).toEqual(['epochs', 'layers', 'verbose']);
    expect(r.errors.epochs).toMatch(/integer/);
    expect(r.values.lr).toBe(0.01);
  });

  it('reads a sweep (one value per line) and counts the jobs', () => {
    const form = formFromNotebook(notebook(CELL));
    const lr = form.fields.find(f => f.name === 'lr')!;
    lr.sweep = true;
    lr.text = '0.1\n0.01\n\n0.001\n';
    const epochs = form.fields.find(f => f.name === 'epochs')!;
    epochs.sweep = true;
    epochs.text = '1\n2';
    const r = readForm(form.fields);
    expect(r.errors).toEqual({});
    expect(r.sweep).toEqual({ lr: [0.1, 0.01, 0.001], epochs: [1, 2] });
    expect(jobCount(r)).toBe(6);
    expect(r.values).toMatchObject({ name: 'run' });
  });

  it('names the line of a bad sweep value', () => {
    const form = formFromNotebook(notebook(CELL));
    const lr = form.fields.find(f => f.name === 'lr')!;
    lr.sweep = true;
    lr.text = '0.1\nabc';
    expect(readForm(form.fields).errors.lr).toMatch(/^line 2: must be a number/);
    lr.text = '  ';
    expect(readForm(form.fields).errors.lr).toMatch(/at least one value/);
  });

  it('counts the jobs of a sweep as the product of its value counts', () => {
    expect(jobCount({ values: { a: 1 }, sweep: {}, errors: {} })).toBe(1);
    expect(
      jobCount({ values: {}, sweep: { a: [1, 2, 3], b: Array.from({ length: 20 }, (_, i) => i) }, errors: {} })
    ).toBe(60);
    expect(MAX_SWEEP_JOBS).toBe(50);
  });
});

describe('helpers', () => {
  it('prefills the fields with the defaults as Python writes them', () => {
    const form = formFromNotebook(notebook('rate = 3.0\nflag = False\nlabel = "x y"\nsizes = [1, 2]\nextra = None'));
    expect(Object.fromEntries(form.fields.map(f => [f.name, f.text]))).toEqual({
      rate: '3.0',
      flag: 'False',
      label: 'x y',
      sizes: '[1,2]',
      extra: 'None'
    });
  });

  it('defaults the job name to the notebook name', () => {
    expect(defaultJobName('phusers/exp/train model.ipynb')).toBe('train model');
  });
});

describe('a parameters cell Python would refuse', () => {
  it('blocks on syntax errors only, not on lines that are valid Python but no parameter', () => {
    const broken = formFromNotebook(notebook("rate = 0.1\nsizes = [1, 2\nname = 'x"));
    expect(cellSyntaxErrors(broken.diagnostics)).toEqual(['line 2: unclosed bracket']);
    const code = formFromNotebook(notebook('import numpy as np\nx = np.zeros(3)\ny = 1 + 2\nz = 5'));
    expect(cellSyntaxErrors(code.diagnostics)).toEqual([]);
    expect(code.fields.map(f => f.name)).toEqual(['z']);
  });
});
