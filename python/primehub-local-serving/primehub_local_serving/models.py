"""The models PrimeHub's pre-packaged servers serve, loaded from a folder.

- ``sklearn`` (PrimeHub's SKLearn server): ``model.joblib``, or an MLflow sklearn model (a folder
  with ``MLmodel``); answers ``predict_proba`` (``predict`` for a model without it). Like Seldon's
  SKLEARN_SERVER it logs an exception of the model and returns nothing, which the protocol turns
  into its "Unknown data type returned as payload" error.
- ``mlflow`` (Seldon's MLFLOW_SERVER): any MLflow model through ``mlflow.pyfunc``; its errors are
  the microservice's internal errors.
"""

import logging
import os

log = logging.getLogger(__name__)


class ModelLoadError(Exception):
    """The folder holds no model this server can load; the message says what is missing."""


class SklearnModel:
    """A scikit-learn estimator answering ``predict_proba`` (else ``predict``)."""

    def __init__(self, estimator):
        self.estimator = estimator
        self.method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"

    def predict(self, X, names=None, meta=None):
        try:
            return getattr(self.estimator, self.method)(X)
        except Exception:
            # Seldon's SKLEARN_SERVER does the same: the error is in the log, the caller gets
            # "Unknown data type returned as payload (must be list or np array):None".
            log.exception("%s failed", self.method)
            return None


class PyfuncModel:
    """An MLflow model through ``mlflow.pyfunc``, fed an ndarray as Seldon's MLFLOW_SERVER does by default."""

    def __init__(self, model):
        self.model = model

    def predict(self, X, names=None, meta=None):
        return self.model.predict(X)


def _mlmodel_flavors(folder):
    import yaml

    with open(os.path.join(folder, "MLmodel"), encoding="utf-8") as f:
        return (yaml.safe_load(f) or {}).get("flavors", {}) or {}


def load(folder, server):
    """The model in ``folder`` for ``server`` (``sklearn`` or ``mlflow``)."""
    if not os.path.isdir(folder):
        raise ModelLoadError(f"the model folder {folder} does not exist")
    has_mlmodel = os.path.isfile(os.path.join(folder, "MLmodel"))
    if server == "mlflow":
        if not has_mlmodel:
            raise ModelLoadError(f"{folder} is not an MLflow model: it holds no MLmodel file")
        import mlflow.pyfunc

        return PyfuncModel(mlflow.pyfunc.load_model(folder))
    joblib_file = os.path.join(folder, "model.joblib")
    if os.path.isfile(joblib_file):
        import joblib

        return SklearnModel(joblib.load(joblib_file))
    if has_mlmodel:
        if "sklearn" in _mlmodel_flavors(folder):
            # mlflow.sklearn reads every serialization format it writes (skops, cloudpickle, pickle)
            import mlflow.sklearn

            return SklearnModel(mlflow.sklearn.load_model(folder))
        import mlflow.pyfunc

        return PyfuncModel(mlflow.pyfunc.load_model(folder))
    raise ModelLoadError(f"{folder} holds neither model.joblib nor an MLflow model (MLmodel)")
