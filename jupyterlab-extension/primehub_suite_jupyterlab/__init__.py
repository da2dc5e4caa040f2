"""PrimeHub in JupyterLab: the server extension (config, token store, API proxy, snapshots)
and the prebuilt labextension ``@primehub-suite/jupyterlab``."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@primehub-suite/jupyterlab"}]


def _jupyter_server_extension_points():
    return [{"module": "primehub_suite_jupyterlab"}]


def _load_jupyter_server_extension(server_app):
    """Registers the handlers under ``<base_url>/primehub-suite/``."""
    from .handlers import setup_handlers

    setup_handlers(server_app)
    server_app.log.info("primehub_suite_jupyterlab: serving <base_url>/primehub-suite/")
