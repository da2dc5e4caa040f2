"""PrimeHub's SKLearn pre-packaged server as a seldon-core user class, for the parity test:
``model.joblib`` from ``model_uri`` answering ``predict_proba``; like Seldon's SKLEARN_SERVER it logs
an exception of the model and returns None, which seldon-core turns into its "Unknown data type
returned as payload" error.
"""

import logging
import os

import joblib

log = logging.getLogger(__name__)


class SKLearnServer:
    def __init__(self, model_uri=None, method="predict_proba"):
        self.method = method
        self.model = joblib.load(os.path.join(model_uri, "model.joblib"))

    def predict(self, X, names=None, meta=None):
        try:
            return getattr(self.model, self.method)(X)
        except Exception:
            log.exception("%s failed", self.method)
            return None
