"""Logs and registers the registry tests' models in the group's MLflow (run as a PrimeHub Local job,
which has the group's tracking variables): ``iris`` versions 1 (an MLflow sklearn model, moved to
stage Production) and 2, and ``echo`` version 1 (the echo model as an MLflow pyfunc model)."""

import cloudpickle
import mlflow
import mlflow.pyfunc
import mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import echo_model


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return echo_model.echo(model_input)


cloudpickle.register_pickle_by_value(echo_model)
mlflow.set_experiment("deployments")
X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    # requirements given: MLflow's inference imports the model in a subprocess of its own, seconds each
    mlflow.sklearn.log_model(
        LogisticRegression(max_iter=1000).fit(X, y),
        name="model",
        registered_model_name="iris",
        pip_requirements=["scikit-learn"],
    )
    # version 2: the same classifier retrained, as a newer run would register it
    mlflow.sklearn.log_model(
        LogisticRegression(max_iter=1000).fit(X, y),
        name="model-2",
        registered_model_name="iris",
        pip_requirements=["scikit-learn"],
    )
    mlflow.pyfunc.log_model(
        name="echo", python_model=Echo(), registered_model_name="echo", pip_requirements=["numpy"]
    )
MlflowClient().transition_model_version_stage("iris", "1", "Production")
print("registered iris/1 (Production), iris/2 and echo/1")
