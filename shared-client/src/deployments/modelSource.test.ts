import type { PrimeHubClient } from '../PrimeHubClient';
import type { MLflowArtifactFile } from '../types';
import {
  artifactPathOf,
  loggedModel,
  modelHints,
  phfsPathOf,
  readMlmodel,
  registryRef,
  runModelFolders
} from './modelSource';

describe('what a model URI holds', () => {
  it("reads an MLmodel's flavours, signature inputs and input example file", () => {
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
    // YAML's doubled quote inside a single-quoted scalar; CRLF line ends
    expect(readMlmodel('signature:\n  inputs: \'[{"name": "it\'\'s"}]\'\n').signatureInputs).toBe(
      '[{"name": "it\'s"}]'
    );
    expect(readMlmodel('flavors:\r\n  python_function: {}\r\n')).toEqual({ flavors: ['python_function'] });
    expect(readMlmodel('not: [yaml')).toEqual({ flavors: [] });
  });

  it('knows the model URIs it can look into', () => {
    expect(registryRef('models:/iris/3')).toEqual({ name: 'iris', version: '3' });
    expect(registryRef('models:/My%20Model/Production')).toEqual({ name: 'My Model', version: 'Production' });
    expect(registryRef('models:/iris')).toBeUndefined();
    expect(registryRef('models:/%E0%A4%A/1')).toBeUndefined();
    expect(phfsPathOf('phfs:///models/iris/')).toBe('/models/iris');
    expect(phfsPathOf('phfs:///')).toBe('/');
    expect(phfsPathOf('phfs://models/iris')).toBeUndefined();
    expect(phfsPathOf('/project/g/iris')).toBeUndefined();
  });

  it("finds a version's folder in its run's artifacts", () => {
    expect(artifactPathOf('/data/mlruns/1/abc/artifacts/model', '/data/mlruns/1/abc/artifacts')).toBe('model');
    expect(artifactPathOf('mlflow-artifacts:/1/abc/artifacts/a/b/', 'mlflow-artifacts:/1/abc/artifacts/')).toBe('a/b');
    expect(artifactPathOf('models:/m-123', '/data/mlruns/1/abc/artifacts')).toBeUndefined();
    expect(artifactPathOf('/x/artifacts/../y', '/x/artifacts')).toBeUndefined();
  });

  it("reads flavours and the signature from the run's log-model history", () => {
    const tags = {
      'mlflow.log-model.history': JSON.stringify([
        {
          artifact_path: 'model',
          flavors: { python_function: {}, sklearn: {} },
          signature: { inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]' }
        },
        { artifact_path: 'other', flavors: { keras: {} } }
      ])
    };
    expect(loggedModel(tags, 'model')).toEqual({
      flavors: ['python_function', 'sklearn'],
      signatureInputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
    });
    // no model at that path: the last one logged
    expect(loggedModel(tags, undefined)).toEqual({ flavors: ['keras'] });
    expect(loggedModel({}, 'model')).toEqual({ flavors: [] });
    expect(loggedModel({ 'mlflow.log-model.history': 'not json' }, undefined)).toEqual({ flavors: [] });
  });

  it('suggests a server and a sample request from what was read', () => {
    expect(modelHints(undefined)).not.toHaveProperty('example');
    const hints = modelHints({
      files: ['model.joblib'],
      flavors: [],
      signatureInputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]',
      where: 'the PHFS folder /m'
    });
    expect(hints.server.label).toMatch(/scikit-learn/);
    expect(hints.example).toBeDefined();
  });

  it("lists a run's artifact folders two levels deep, the ones holding MLmodel first", async () => {
    const tree: Record<string, MLflowArtifactFile[]> = {
      '': [
        { path: 'notes', is_dir: true },
        { path: 'model', is_dir: true },
        { path: 'readme.txt', is_dir: false, file_size: 3 }
      ],
      model: [
        { path: 'model/MLmodel', is_dir: false },
        { path: 'model/sub', is_dir: true }
      ],
      notes: [
        { path: 'notes/MLmodel.txt', is_dir: false },
        { path: 'notes/deep', is_dir: true }
      ],
      'notes/deep': [{ path: 'notes/deep/MLmodel', is_dir: false }]
    };
    const asked: string[] = [];
    const client = {
      models: {
        mlflowArtifact: async (_runId: string, path?: string) => {
          asked.push(path ?? '');
          return tree[path ?? ''] ?? [];
        }
      }
    } as unknown as PrimeHubClient;
    expect(await runModelFolders(client, 'r1')).toEqual([
      { path: 'model', isModel: true },
      { path: 'notes/deep', isModel: true },
      { path: 'notes', isModel: false }
    ]);
    // a model folder's own sub-folders are not looked into
    expect(asked.sort()).toEqual(['', 'model', 'notes', 'notes/deep']);
  });
});
