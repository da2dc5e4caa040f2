import { artifactModelFolders, artifactPathOf, loggedModelInfo } from './modelInfo';

describe('model info', () => {
  it("finds a version's folder in its run's artifacts", () => {
    expect(artifactPathOf('/data/mlruns/1/abc/artifacts/model', '/data/mlruns/1/abc/artifacts')).toBe('model');
    expect(artifactPathOf('mlflow-artifacts:/1/abc/artifacts/a/b/', 'mlflow-artifacts:/1/abc/artifacts/')).toBe('a/b');
    expect(artifactPathOf('models:/m-123', '/data/mlruns/1/abc/artifacts')).toBeUndefined();
    expect(artifactPathOf('/x/artifacts/../y', '/x/artifacts')).toBeUndefined();
  });

  it("reads flavours and the signature from the run's log-model history", () => {
    const tags = {
      'mlflow.log-model.history': JSON.stringify([
        { artifact_path: 'other', flavors: { keras: {} } },
        {
          artifact_path: 'model',
          flavors: { python_function: {}, sklearn: {} },
          signature: { inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]' }
        }
      ])
    };
    expect(loggedModelInfo(tags, 'model')).toEqual({
      path: 'model',
      flavors: ['python_function', 'sklearn'],
      signatureInputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
    });
    expect(loggedModelInfo({}, 'model')).toEqual({ path: 'model', flavors: [], signatureInputs: undefined });
    expect(loggedModelInfo({ 'mlflow.log-model.history': 'not json' }, undefined).flavors).toEqual([]);
  });

  it("lists a job's artifact folders holding a model first, then the artifact folder itself", () => {
    expect(
      artifactModelFolders(['metrics.json', 'model/MLmodel', 'model/model.pkl', 'old/deep/model.joblib', 'notes/x.txt'])
    ).toEqual([
      { path: 'model', files: ['MLmodel', 'model.pkl'] },
      { path: 'old/deep', files: ['model.joblib'] },
      { path: '', files: ['metrics.json'] }
    ]);
    expect(artifactModelFolders(['model.joblib'])).toEqual([{ path: '', files: ['model.joblib'] }]);
  });
});
