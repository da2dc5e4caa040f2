import { arrayToTensor, draftToInput, inputToDraft, RequestInputError, tensorToArray } from './requestInput';

describe('draftToInput', () => {
  it('reads an ndarray with names, and a tensor typed as an object or as a nested array', () => {
    expect(draftToInput({ form: 'ndarray', text: '[[5.1, 3.5, 1.4, 0.2]]', names: ' a, b ,,c ' })).toEqual({
      ndarray: [[5.1, 3.5, 1.4, 0.2]],
      names: ['a', 'b', 'c']
    });
    expect(draftToInput({ form: 'tensor', text: '{"shape":[1,2],"values":[1,2]}' })).toEqual({
      tensor: { shape: [1, 2], values: [1, 2] }
    });
    expect(draftToInput({ form: 'tensor', text: '[[1,2],[3,4]]' })).toEqual({
      tensor: { shape: [2, 2], values: [1, 2, 3, 4] }
    });
  });

  it('takes strData as typed and jsonData as JSON; binData needs the picked file', () => {
    expect(draftToInput({ form: 'strData', text: 'not json {' })).toEqual({ strData: 'not json {' });
    expect(draftToInput({ form: 'jsonData', text: '{"a": [1]}' })).toEqual({ jsonData: { a: [1] } });
    const bytes = new Uint8Array([1, 2]);
    expect(draftToInput({ form: 'binData', text: '' }, { name: 'x.png', bytes })).toEqual({
      binData: bytes,
      filename: 'x.png'
    });
    expect(() => draftToInput({ form: 'binData', text: '' })).toThrow('Choose the file');
  });

  it('says what is wrong with a request that cannot be sent', () => {
    const problem = (form: 'ndarray' | 'tensor' | 'jsonData', text: string) => {
      try {
        draftToInput({ form, text });
      } catch (e) {
        expect(e).toBeInstanceOf(RequestInputError);
        return (e as Error).message;
      }
      return 'sent';
    };
    expect(problem('ndarray', '')).toBe('The ndarray is empty.');
    expect(problem('ndarray', '[[1,')).toMatch(/^The ndarray is not valid JSON: /);
    expect(problem('ndarray', '{"a":1}')).toMatch(/An ndarray is a JSON array/);
    expect(problem('tensor', '{"shape":[2,2],"values":[1]}')).toBe(
      "The tensor's shape [2, 2] holds 4 values, but 1 are given."
    );
    expect(problem('tensor', '[[1],[2,3]]')).toMatch(/A tensor is/);
    expect(problem('jsonData', 'nope')).toMatch(/^The jsonData is not valid JSON/);
  });
});

describe('inputToDraft', () => {
  it('shows each form as the editor holds it', () => {
    expect(inputToDraft({ ndarray: [[1, 2]], names: ['a', 'b'] })).toEqual({
      form: 'ndarray',
      text: '[[1,2]]',
      names: 'a, b'
    });
    expect(inputToDraft({ tensor: { shape: [1], values: [3] } })).toMatchObject({
      form: 'tensor',
      text: '{"shape":[1],"values":[3]}'
    });
    expect(inputToDraft({ strData: 'hi' })).toEqual({ form: 'strData', text: 'hi' });
    expect(inputToDraft({ jsonData: { a: 1 } })).toEqual({ form: 'jsonData', text: '{\n  "a": 1\n}' });
    expect(inputToDraft({ binData: new Uint8Array(), filename: 'f.bin' })).toEqual({
      form: 'binData',
      text: '',
      fileName: 'f.bin'
    });
  });
});

describe('tensors and arrays', () => {
  it('turn into each other', () => {
    const t = arrayToTensor([
      [1, 2, 3],
      [4, 5, 6]
    ]);
    expect(t).toEqual({ shape: [2, 3], values: [1, 2, 3, 4, 5, 6] });
    expect(tensorToArray(t!)).toEqual([
      [1, 2, 3],
      [4, 5, 6]
    ]);
    expect(arrayToTensor(['a'])).toBeUndefined();
    expect(tensorToArray({ shape: [2], values: [1] })).toBeUndefined();
  });
});
