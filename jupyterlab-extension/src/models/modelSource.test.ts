import { phfsPathOf, readMlmodel, registryRef } from './modelSource';

it("an MLmodel's flavours, signature inputs and input example file", () => {
  const text = [
    'artifact_path: model',
    'flavors:',
    '  python_function:',
    '    loader_module: mlflow.sklearn',
    '  sklearn:',
    '    pickled_model: model.pkl',
    'saved_input_example_info:',
    '  artifact_path: input_example.json',
    '  type: ndarray',
    'signature:',
    '  inputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]\'',
    '  outputs: null',
    ''
  ].join('\n');
  expect(readMlmodel(text)).toEqual({
    flavors: ['python_function', 'sklearn'],
    signatureInputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]',
    inputExampleFile: 'input_example.json'
  });
  // YAML's doubled quote inside a single-quoted scalar
  expect(readMlmodel('signature:\n  inputs: \'[{"name": "it\'\'s"}]\'\n').signatureInputs).toBe('[{"name": "it\'s"}]');
  expect(readMlmodel('flavors:\n  python_function: {}\n')).toEqual({ flavors: ['python_function'] });
});

it('model URIs the browser can look into', () => {
  expect(registryRef('models:/iris/3')).toEqual({ name: 'iris', version: '3' });
  expect(registryRef('models:/My%20Model/Production')).toEqual({ name: 'My Model', version: 'Production' });
  expect(registryRef('models:/iris')).toBeNull();
  expect(phfsPathOf('phfs:///models/iris/')).toBe('/models/iris');
  expect(phfsPathOf('phfs://models/iris')).toBeNull();
  expect(phfsPathOf('/project/g/iris')).toBeNull();
});
