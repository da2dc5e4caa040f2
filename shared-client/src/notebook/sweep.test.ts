import { ValidationError } from '../errors';
import { expandSweep, formatSweepValue } from './sweep';
import { checkParameterValue, coerceParameterInput, validateParameterValues } from './values';

describe('expandSweep', () => {
  it('expands the cartesian product with readable unique names', () => {
    const jobs = expandSweep('train', { dataset: '/d' }, { lr: [0.1, 0.01], epochs: [5, 10] });
    expect(jobs).toEqual([
      { name: 'train-lr=0.1-epochs=5', parameters: { dataset: '/d', lr: 0.1, epochs: 5 } },
      { name: 'train-lr=0.1-epochs=10', parameters: { dataset: '/d', lr: 0.1, epochs: 10 } },
      { name: 'train-lr=0.01-epochs=5', parameters: { dataset: '/d', lr: 0.01, epochs: 5 } },
      { name: 'train-lr=0.01-epochs=10', parameters: { dataset: '/d', lr: 0.01, epochs: 10 } }
    ]);
  });

  it('keeps names unique when values format alike', () => {
    const names = expandSweep('j', {}, { s: ['a b', 'a_b', 'a/b'] }).map(j => j.name);
    expect(names).toEqual(['j-s=a_b', 'j-s=a_b-2', 'j-s=a_b-3']);
    expect(new Set(names).size).toBe(3);
  });

  it('formats values safely and briefly', () => {
    expect(formatSweepValue('$(rm -rf /); `x`')).toBe('rm_-rf_x');
    expect(formatSweepValue(null)).toBe('None');
    expect(formatSweepValue([1, 2])).toBe('1_2');
    expect(formatSweepValue('x'.repeat(100))).toHaveLength(24);
    expect(formatSweepValue(true)).toBe('true');
  });

  it('single values and no sweep give one job', () => {
    expect(expandSweep('j', { a: 1 }, {})).toEqual([{ name: 'j', parameters: { a: 1 } }]);
    expect(expandSweep('j', {}, { a: [1] })).toEqual([{ name: 'j-a=1', parameters: { a: 1 } }]);
  });

  it('is capped with a clear error, before building anything', () => {
    const many = Array.from({ length: 100 }, (_, i) => i);
    expect(() => expandSweep('j', {}, { a: many, b: many, c: many })).toThrow(
      'the sweep would create 1000000 jobs, more than the limit of 50; remove values or raise maxJobs'
    );
    expect(expandSweep('j', {}, { a: many }, { maxJobs: 100 })).toHaveLength(100);
  });

  it('rejects an empty value list', () => {
    expect(() => expandSweep('j', {}, { a: [] })).toThrow(ValidationError);
  });
});

describe('parameter values', () => {
  const params = [
    { name: 'lr', type: 'float' as const },
    { name: 'epochs', type: 'int' as const },
    { name: 'name', type: 'str' as const },
    { name: 'gpu', type: 'bool' as const },
    { name: 'layers', type: 'list' as const },
    { name: 'opt', type: 'dict' as const },
    { name: 'seed', type: 'None' as const }
  ];

  it('validates types', () => {
    expect(
      validateParameterValues(params, {
        lr: 1,
        epochs: 3,
        name: 'x',
        gpu: true,
        layers: [1],
        opt: { a: 1 },
        seed: 'anything'
      })
    ).toEqual([]);
    expect(
      validateParameterValues(params, { lr: 'fast', epochs: 1.5, name: 3, gpu: 'yes', layers: {}, opt: [], typo: 1 })
    ).toEqual([
      { name: 'lr', message: 'must be a number' },
      { name: 'epochs', message: 'must be an integer' },
      { name: 'name', message: 'must be a string' },
      { name: 'gpu', message: 'must be true or false' },
      { name: 'layers', message: 'must be a list' },
      { name: 'opt', message: 'must be a dict (object)' },
      { name: 'typo', message: 'is not a parameter of this notebook' }
    ]);
    expect(validateParameterValues(params, { typo: 1 }, { allowUnknown: true })).toEqual([]);
    expect(checkParameterValue({ name: 'lr', type: 'float' }, NaN)).toMatch(/JSON-compatible/);
  });

  it('coerces form input by type', () => {
    const by = (name: string): (typeof params)[number] => params.find(p => p.name === name)!;
    expect(coerceParameterInput(by('lr'), ' 1e-3 ')).toEqual({ ok: true, value: 0.001 });
    expect(coerceParameterInput(by('lr'), 'fast')).toEqual({ ok: false, message: 'must be a number' });
    expect(coerceParameterInput(by('epochs'), '10')).toEqual({ ok: true, value: 10 });
    expect(coerceParameterInput(by('epochs'), '1.5')).toMatchObject({ ok: false });
    expect(coerceParameterInput(by('name'), ' keep spaces; and $(quotes) ')).toEqual({
      ok: true,
      value: ' keep spaces; and $(quotes) '
    });
    expect(coerceParameterInput(by('gpu'), 'True')).toEqual({ ok: true, value: true });
    expect(coerceParameterInput(by('layers'), '[64, 32]')).toEqual({ ok: true, value: [64, 32] });
    expect(coerceParameterInput(by('opt'), '{"a": true, "b": null}')).toEqual({
      ok: true,
      value: { a: true, b: null }
    });
    expect(coerceParameterInput(by('layers'), '{"a": 1}')).toEqual({ ok: false, message: 'must be a list' });
    expect(coerceParameterInput(by('seed'), '42')).toEqual({ ok: true, value: 42 });
    expect(coerceParameterInput(by('seed'), 'hello world')).toEqual({ ok: true, value: 'hello world' });
  });
});
