import {
  MLFLOW_SERVER,
  MODEL_SERVERS,
  PYTORCH_SERVER,
  SKLEARN_SERVER,
  suggestModelServer,
  TENSORFLOW2_SERVER
} from './modelServers';

describe('suggestModelServer', () => {
  it('sends an MLflow model folder to the MLflow server, naming its flavour', () => {
    expect(suggestModelServer(['model/MLmodel', 'model/model.pkl', 'model/conda.yaml'])).toEqual({
      server: MLFLOW_SERVER,
      reason: 'an MLflow model (MLmodel)'
    });
    expect(suggestModelServer(['MLmodel'], ['python_function', 'sklearn']).reason).toBe(
      'an MLflow model (MLmodel with the sklearn flavour); it answers class labels, the scikit-learn server probabilities'
    );
  });

  it('reads the framework from the model file', () => {
    expect(suggestModelServer(['model.joblib']).server).toBe(SKLEARN_SERVER);
    expect(suggestModelServer(['variables/', 'saved_model.pb']).server).toBe(TENSORFLOW2_SERVER);
    expect(suggestModelServer(['model.pt']).server).toBe(PYTORCH_SERVER);
  });

  it('defaults to scikit-learn and says what it did not find', () => {
    expect(suggestModelServer(['notes.txt'])).toEqual({
      server: SKLEARN_SERVER,
      reason: 'no known model file found: check the folder holds model.joblib'
    });
  });

  it('lists the servers PrimeHub Local serves first', () => {
    expect(MODEL_SERVERS.map(s => s.local)).toEqual([true, true, false, false]);
  });
});
