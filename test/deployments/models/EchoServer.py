"""The echo model as a seldon-core user class (``seldon-core-microservice EchoServer``)."""

from echo_model import echo


class EchoServer:
    def predict(self, X, names=None, meta=None):
        return echo(X)
