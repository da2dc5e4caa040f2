"""PrimeHub in JupyterLab: the server extension (config, token store, API proxy, snapshots)
and the prebuilt labextension ``@primehub-suite/jupyterlab``."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@primehub-suite/jupyterlab"}]


def _jupyter_server_extension_points():
    from .app import PrimeHubSuiteApp

    return [{"module": "primehub_suite_jupyterlab", "app": PrimeHubSuiteApp}]
