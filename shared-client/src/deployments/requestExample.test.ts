import { exampleRequest } from './requestExample';

describe('exampleRequest', () => {
  it('builds one row of zeros from a tensor signature (autolog of an ndarray-trained model)', () => {
    const inputs = '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]';
    expect(exampleRequest(inputs)).toEqual({ ndarray: [[0, 0, 0, 0]] });
  });

  it('names the columns of a column signature (a DataFrame-trained model)', () => {
    const inputs = [
      { type: 'double', name: 'sepal length (cm)', required: true },
      { type: 'long', name: 'count' },
      { type: 'string', name: 'label' }
    ];
    expect(exampleRequest(inputs)).toEqual({ ndarray: [[0, 0, '']], names: ['sepal length (cm)', 'count', 'label'] });
  });

  it('prefers the input example, in each format MLflow saves', () => {
    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [6.4, 3.2, 4.5, 1.5]
    ];
    const sig = '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]';
    expect(exampleRequest(sig, { inputs: rows })).toEqual({ ndarray: rows });
    expect(exampleRequest(sig, JSON.stringify(rows))).toEqual({ ndarray: rows });
    expect(exampleRequest(undefined, { columns: ['a', 'b'], data: [[1, 2]] })).toEqual({
      ndarray: [[1, 2]],
      names: ['a', 'b']
    });
    expect(exampleRequest(undefined, { dataframe_split: { columns: ['a'], data: [[1]] } })).toEqual({
      ndarray: [[1]],
      names: ['a']
    });
    expect(exampleRequest(undefined, { dataframe_records: [{ a: 1, b: 'x' }] })).toEqual({
      ndarray: [[1, 'x']],
      names: ['a', 'b']
    });
  });

  it('keeps the first rows of a long example', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i]);
    expect((exampleRequest(undefined, rows) as { ndarray: unknown[] }).ndarray).toHaveLength(5);
  });

  it('gives nothing for what says too little: no signature, malformed JSON, huge tensors', () => {
    expect(exampleRequest()).toBeUndefined();
    expect(exampleRequest('not json')).toBeUndefined();
    expect(
      exampleRequest('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 224, 224, 3]}}]')
    ).toBeUndefined();
    expect(
      exampleRequest('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, -1]}}]')
    ).toBeUndefined();
  });
});
