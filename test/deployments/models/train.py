"""Trains the protocol tests' models (run with .venv's python): an iris classifier as
``<iris>/model.joblib`` and the echo model as an MLflow pyfunc folder ``<echo>`` (with ``MLmodel``)."""

import sys

import cloudpickle
import joblib
import mlflow.pyfunc
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import echo_model

iris_dir, echo_dir = sys.argv[1], sys.argv[2]
X, y = load_iris(return_X_y=True)
joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), f"{iris_dir}/model.joblib")


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return echo_model.echo(model_input)


# the replica cannot import this folder: the echo function travels inside the pickle
cloudpickle.register_pickle_by_value(echo_model)
mlflow.pyfunc.save_model(echo_dir, python_model=Echo())
