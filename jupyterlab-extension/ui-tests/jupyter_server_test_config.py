"""Jupyter server for the galata UI tests (never use in production: it removes all security
protections). Port and root come from the environment globalSetup.ts prepares."""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is the config object Jupyter passes in
c.ServerApp.port = int(os.environ["PHJL_UI_PORT"])  # noqa: F821
c.ServerApp.root_dir = os.environ["PHJL_UI_ROOT"]  # noqa: F821
