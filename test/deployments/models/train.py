"""Trains the deployment tests' models (run with .venv's python): an iris classifier as
``<iris>/model.joblib`` and, given a second folder, the echo model as an MLflow pyfunc folder
``<echo>`` (with ``MLmodel``)."""

import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), f"{sys.argv[1]}/model.joblib")

if len(sys.argv) > 2:
    # MLflow only when asked: its import takes seconds
    import cloudpickle
    import mlflow.pyfunc

    import echo_model

    class Echo(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return echo_model.echo(model_input)

    # the replica cannot import this folder: the echo function travels inside the pickle
    cloudpickle.register_pickle_by_value(echo_model)
    mlflow.pyfunc.save_model(sys.argv[2], python_model=Echo())
