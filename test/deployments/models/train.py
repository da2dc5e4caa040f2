"""Trains the deployment tests' models (run with .venv's python) into one folder: an iris classifier
as ``iris/model.joblib``, the same classifier as an MLflow sklearn model ``iris-mlflow``, and the
echo model as an MLflow pyfunc folder ``echo`` (each MLflow folder with its ``MLmodel``)."""

import sys

import cloudpickle
import joblib
import mlflow.pyfunc
import mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import echo_model

out = sys.argv[1]
X, y = load_iris(return_X_y=True)
iris = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(iris, f"{out}/iris/model.joblib")
mlflow.sklearn.save_model(iris, f"{out}/iris-mlflow")


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return echo_model.echo(model_input)


# the replica cannot import this folder: the echo function travels inside the pickle
cloudpickle.register_pickle_by_value(echo_model)
mlflow.pyfunc.save_model(f"{out}/echo", python_model=Echo())
