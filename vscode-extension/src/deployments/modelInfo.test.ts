import { artifactModelFolders } from './modelInfo';

describe('model info', () => {
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
