"""The server extension as a Jupyter ``ExtensionApp``: its settings are traitlets, set like any
Jupyter setting (``c.PrimeHubSuiteApp.sweep_interval = 30`` in ``jupyter_server_config.py``, or
``--PrimeHubSuiteApp.sweep_interval=30``), and its snapshot sweeper runs from the server's start
to its stop."""

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, TraitError, Unicode, default, validate

from . import primehub
from .handlers import NAMESPACE, handlers
from .sdk_config import TokenFile, default_token_file
from .snapshots import SnapshotRegistry
from .sweeper import Sweeper

# Uploads (PHFS files, artifacts) can be many GB and are streamed, never held: the limit only keeps
# out absurd sizes; PrimeHub applies its own (PrimeHub Local's default is the same 64 GiB).
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024**3


class PrimeHubSuiteApp(ExtensionApp):
    """PrimeHub in JupyterLab: config, token store, API proxy and notebook snapshots under
    ``<base_url>/primehub-suite/``."""

    name = "primehub_suite_jupyterlab"
    load_other_extensions = True

    sweep_interval = Float(
        5.0,
        help="Seconds between two looks at the jobs of submitted snapshots; a snapshot is removed "
        "once all its jobs ended.",
    ).tag(config=True)

    max_upload_bytes = Int(
        DEFAULT_MAX_UPLOAD_BYTES,
        help="The largest request body the API proxy passes on to PrimeHub (a PHFS upload); a larger "
        "one is refused with 413 before any of it is sent. Jupyter's own body limit is lifted to this "
        "for the proxy only.",
    ).tag(config=True)

    snapshot_registry = Unicode(
        help="The file listing the snapshots still to remove and their jobs (default "
        "~/.primehub/jupyterlab-snapshots.json). Labs of one user that share it share the cleanup.",
    ).tag(config=True)

    token_file = Unicode(
        help="The file (the PrimeHub SDK's format) this Lab reads its endpoint and API token from "
        "and signs in and out in: $PRIMEHUB_CONFIG, else the SDK's ~/.primehub/config.json. Signing "
        "out removes the token from this file only.",
    ).tag(config=True)

    ssh_home = Unicode(
        help="The notebook home whose ~/.ssh/authorized_keys the SSH section lists and edits (the file "
        "the notebook's SSH server reads). Default: the server's root, which is the notebook's home on "
        "PrimeHub (/home/jovyan) and in npm start's JupyterLab (the folder its sshd reads).",
    ).tag(config=True)

    @default("snapshot_registry")
    def _default_snapshot_registry(self) -> str:
        return os.path.join(os.path.expanduser("~"), ".primehub", "jupyterlab-snapshots.json")

    @default("token_file")
    def _default_token_file(self) -> str:
        return default_token_file()

    @validate("sweep_interval")
    def _check_sweep_interval(self, proposal):
        if not proposal["value"] > 0:
            raise TraitError(f"sweep_interval must be a number of seconds above 0, not {proposal['value']}")
        return proposal["value"]

    @validate("max_upload_bytes")
    def _check_max_upload_bytes(self, proposal):
        if proposal["value"] < 0:
            raise TraitError(f"max_upload_bytes must be 0 or more, not {proposal['value']}")
        return proposal["value"]

    def initialize_settings(self) -> None:
        root_dir = os.path.expanduser(self.serverapp.root_dir)
        self.tokens = TokenFile(self.token_file)
        self.ssh_home = os.path.abspath(os.path.expanduser(self.ssh_home or root_dir))
        self.registry = SnapshotRegistry(root_dir, os.path.abspath(os.path.expanduser(self.snapshot_registry)))
        self.sweeper = Sweeper(self.sweep_interval, self.sweep, self.log)

    def initialize_handlers(self) -> None:
        self.handlers.extend(handlers(NAMESPACE))

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        """Runs once the server's event loop runs."""
        self.sweeper.start()
        self.log.info(
            "primehub_suite_jupyterlab: serving <base_url>/%s/ (token file %s, snapshot sweep every %s s)",
            NAMESPACE,
            self.tokens.path,
            self.sweep_interval,
        )

    async def stop_extension(self) -> None:
        await self.sweeper.stop()

    async def sweep(self) -> None:
        """Removes the snapshots whose jobs all ended."""
        token = self.tokens.token()
        if not token or not self.registry.entries:
            return
        endpoint = self.tokens.endpoint()
        try:
            removed = await self.registry.sweep(lambda job_id: primehub.job_phase(endpoint, token, job_id))
        except primehub.PrimeHubCallError as err:
            self.log.debug("primehub_suite_jupyterlab: snapshot sweep: %s", err)
            return
        for path in removed:
            self.log.info("primehub_suite_jupyterlab: removed snapshot %s (its jobs ended)", path)
