/** PrimeHub's pre-packaged model servers, and which one a model folder calls for. */

/** A pre-packaged model server: what a deployment's `modelImage` names. */
export interface ModelServer {
  image: string;
  label: string;
  /** PrimeHub Local serves it too (the others need a PrimeHub cluster). */
  local: boolean;
}

export const SKLEARN_SERVER: ModelServer = {
  image: 'infuseai/sklearn-prepackaged:v0.1.0',
  label: 'scikit-learn (model.joblib)',
  local: true
};
export const MLFLOW_SERVER: ModelServer = {
  image: 'seldonio/mlflowserver:1.17.1',
  label: 'MLflow (a folder with MLmodel)',
  local: true
};
export const TENSORFLOW2_SERVER: ModelServer = {
  image: 'infuseai/tensorflow2-prepackaged:v0.2.0',
  label: 'TensorFlow 2 (SavedModel)',
  local: false
};
export const PYTORCH_SERVER: ModelServer = {
  image: 'infuseai/pytorch-prepackaged:v0.2.0',
  label: 'PyTorch (model.pt)',
  local: false
};

/** The servers a deploy form offers, the ones PrimeHub Local also serves first. */
export const MODEL_SERVERS: readonly ModelServer[] = [
  SKLEARN_SERVER,
  MLFLOW_SERVER,
  TENSORFLOW2_SERVER,
  PYTORCH_SERVER
];

/** The server to preselect for a model, and why, in a phrase a form can show. */
export interface ModelServerSuggestion {
  server: ModelServer;
  reason: string;
}

const baseName = (path: string): string => path.replace(/\/+$/, '').split('/').pop() ?? path;

/**
 * The server for a model folder, from its files' names (paths are fine: only the last part counts)
 * and, when known, its MLflow flavours: an `MLmodel` folder goes to the MLflow server (its pyfunc
 * loader reads every flavour), `model.joblib` to scikit-learn, `saved_model.pb` to TensorFlow 2,
 * `model.pt`/`model.pth` to PyTorch; anything else defaults to scikit-learn, saying so.
 */
export function suggestModelServer(files: readonly string[], flavors: readonly string[] = []): ModelServerSuggestion {
  const names = new Set(files.map(baseName));
  if (names.has('MLmodel') || flavors.length > 0) {
    const named = flavors.filter(f => f !== 'python_function');
    const flavour = named.length > 0 ? ` with the ${named.join(', ')} flavour${named.length > 1 ? 's' : ''}` : '';
    // the MLflow server answers the pyfunc's predict(): a classifier's labels, where the scikit-learn server
    // answers predict_proba
    const labels = named.includes('sklearn') ? '; it answers class labels, the scikit-learn server probabilities' : '';
    return { server: MLFLOW_SERVER, reason: `an MLflow model (MLmodel${flavour})${labels}` };
  }
  if (names.has('model.joblib')) {
    return { server: SKLEARN_SERVER, reason: 'a scikit-learn model (model.joblib)' };
  }
  if (names.has('saved_model.pb')) {
    return { server: TENSORFLOW2_SERVER, reason: 'a TensorFlow SavedModel (saved_model.pb)' };
  }
  if (names.has('model.pt') || names.has('model.pth')) {
    return { server: PYTORCH_SERVER, reason: 'a PyTorch model (model.pt)' };
  }
  return { server: SKLEARN_SERVER, reason: 'no known model file found: check the folder holds model.joblib' };
}
