"""One replica of a PrimeHub Local deployment: the model loaded once, then served by gunicorn.

Configured by the environment PrimeHub Local gives the replica (never by a command line it builds):

- ``MODEL_SERVER_PORT``: the loopback port to listen on;
- ``MODEL_PATH``: the model folder, or ``MODEL_URI`` = ``models:/<name>/<version>``, downloaded
  from the group's MLflow (``MLFLOW_TRACKING_URI`` and its envs) into ``MODEL_DOWNLOAD_DIR``;
- ``MODEL_SERVER``: ``sklearn`` (default) or ``mlflow``;
- ``MODEL_SERVER_THREADS``: concurrent requests (default 4);
- ``TERMINATION_LOG``: where a failure to load is written, for the deployment's message.
"""

import logging
import os
import sys
import traceback

from gunicorn.app.base import BaseApplication

from . import models, seldon


class _Gunicorn(BaseApplication):
    """gunicorn running an app made in this process (the model already loaded, shared by fork)."""

    def __init__(self, app, options):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            # settings newer gunicorns have (the control socket, 25+) are skipped on older ones
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.app


def _fail(message):
    path = os.environ.get("TERMINATION_LOG")
    if path:
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(message[:4096])
        except OSError:
            pass
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)


def _model_folder():
    uri = os.environ.get("MODEL_URI", "")
    if uri.startswith("models:/"):
        import mlflow.artifacts

        target = os.environ.get("MODEL_DOWNLOAD_DIR") or os.path.join(os.path.expanduser("~"), "model")
        print(f"downloading {uri} from {os.environ.get('MLFLOW_TRACKING_URI', 'MLflow')}", flush=True)
        return mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=target)
    return os.environ["MODEL_PATH"]


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = os.environ.get("MODEL_SERVER", "sklearn")
    try:
        folder = _model_folder()
        print(f"loading the {server} model in {folder}", flush=True)
        model = models.load(folder, server)
    except Exception as err:  # noqa: BLE001 - every failure to load is the deployment's failure
        traceback.print_exc()
        _fail(f"{type(err).__name__}: {err}")
    port = int(os.environ["MODEL_SERVER_PORT"])
    options = {
        "bind": f"127.0.0.1:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": int(os.environ.get("MODEL_SERVER_THREADS", "4")),
        "accesslog": "-",
        "timeout": 0,
        "graceful_timeout": 5,
        "keepalive": 30,
        # PrimeHub Local supervises the replica; no control socket in its home
        "control_socket_disable": True,
    }
    print(f"serving Seldon v1 REST on 127.0.0.1:{port}", flush=True)
    _Gunicorn(seldon.create_app(model), options).run()


if __name__ == "__main__":
    main()
