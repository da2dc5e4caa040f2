import { asJsonBinData, inputOf } from './TesterModel';

it('each Seldon form from what the tester holds, or the problem in a sentence', () => {
  expect(inputOf('ndarray', '[[5.1, 3.5]]', '', null)).toEqual({ input: { ndarray: [[5.1, 3.5]] } });
  expect(inputOf('ndarray', '[[5.1, 3.5]]', 'a, b', null)).toEqual({
    input: { ndarray: [[5.1, 3.5]], names: ['a', 'b'] }
  });
  expect(inputOf('ndarray', '{"a": 1}', '', null).problem).toBe(
    'The ndarray is a JSON list, e.g. [[5.1, 3.5, 1.4, 0.2]].'
  );
  expect(inputOf('ndarray', '[[1,', '', null).problem).toMatch(/^The ndarray is not valid JSON: /);
  expect(inputOf('tensor', '{"shape": [1, 2], "values": [1, 2]}', '', null)).toEqual({
    input: { tensor: { shape: [1, 2], values: [1, 2] } }
  });
  expect(inputOf('tensor', '{"shape": [2, 2], "values": [1, 2]}', '', null).problem).toBe(
    "The tensor's shape [2, 2] holds 4 values, not 2."
  );
  expect(inputOf('tensor', '{"shape": [1], "values": ["a"]}', '', null).problem).toMatch(/numbers only/);
  expect(inputOf('strData', 'any text, "quoted"', '', null)).toEqual({ input: { strData: 'any text, "quoted"' } });
  expect(inputOf('jsonData', '{"x": [1, null]}', '', null)).toEqual({ input: { jsonData: { x: [1, null] } } });
  expect(inputOf('binData', '', '', null).problem).toBe('Choose the file to send.');
  const file = new File([new Uint8Array([1, 2])], 'cat.png', { type: 'image/png' });
  expect(inputOf('binData', '', '', file)).toEqual({
    input: { binData: file, filename: 'cat.png', contentType: 'image/png' }
  });
});

it('a file goes as JSON binData (base64), which a browser can send over HTTP/1.1', async () => {
  const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
  const sent = await asJsonBinData({ binData: new File([bytes], 'x.bin') });
  expect(sent).toEqual({ json: { binData: Buffer.from(bytes).toString('base64') } });
  expect(await asJsonBinData({ strData: 'a' })).toEqual({ strData: 'a' });
});
