"""Fixtures: a real PrimeHub Local (the repository's CLI) and a Jupyter server with the extension,
its home and server root laid out like a PrimeHub notebook's (group volume as ``<group>/``)."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO = Path(__file__).resolve().parents[3]
CLI = REPO / "packages" / "local-server" / "dist" / "cli.js"


class LocalServer:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        if not CLI.exists():
            raise RuntimeError(f"{CLI} is missing: run `node scripts/bootstrap.mjs test` (it builds PrimeHub Local)")
        self.proc = subprocess.Popen(
            ["node", str(CLI), "start", "--port", "0", "--data-dir", str(data_dir), "--log-level", "warn"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.endpoint = None
        output = []
        timer = threading.Timer(60, self.proc.kill)
        timer.start()
        try:
            for line in self.proc.stdout:
                output.append(line)
                m = re.search(r"GraphQL endpoint: (\S+)", line)
                if m:
                    self.endpoint = m.group(1)
                    break
        finally:
            timer.cancel()
        if not self.endpoint:
            raise RuntimeError("PrimeHub Local did not start:\n" + "".join(output))
        # Keep draining its output so it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        config = json.loads((data_dir / "config.json").read_text())
        self.token = config["api-token"]
        self.group = config["group"]

    def volume(self) -> Path:
        return self.data_dir / "volumes" / self.group["name"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def local_server():
    data_dir = Path(tempfile.mkdtemp(prefix="phl-jl-test-"))
    server = LocalServer(data_dir)
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"primehub_suite_jupyterlab": True}}}


@pytest.fixture
def extension(jp_serverapp, jp_asyncio_loop):
    """The extension app, started as the server starts its extensions once its event loop runs
    (pytest-jupyter's server never runs that step); pytest-jupyter's cleanup stops it."""
    manager = jp_serverapp.extension_manager
    jp_asyncio_loop.run_until_complete(manager.start_all_extensions())
    return manager.extension_points["primehub_suite_jupyterlab"].app


@pytest.fixture
def home(jp_home_dir, monkeypatch):
    """pytest-jupyter's HOME for the server; the SDK config lives under it."""
    monkeypatch.setenv("HOME", str(jp_home_dir))
    monkeypatch.delenv("PRIMEHUB_CONFIG", raising=False)
    return Path(jp_home_dir)


@pytest.fixture
def notebook_env(local_server, home, jp_root_dir, monkeypatch):
    """The spawner's env, the endpoint of PrimeHub Local and ``<root>/<group>`` linked to its volume."""
    group = local_server.group
    volume = local_server.volume()
    volume.mkdir(parents=True, exist_ok=True)
    link = Path(jp_root_dir) / group["name"]
    if not link.exists():
        link.symlink_to(volume, target_is_directory=True)
    for key, value in {
        "GROUP_ID": group["id"],
        "GROUP_NAME": group["name"],
        "INSTANCE_TYPE": "cpu-1",
        "IMAGE_NAME": "base-notebook",
        "JUPYTERHUB_USER": "phuser",
        "PRIMEHUB_USER": "phuser",
        "PRIMEHUB_GROUP_VOLUME_PATH": str(link),
        "PRIMEHUB_API_ENDPOINT": local_server.endpoint,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PRIMEHUB_API_TOKEN", raising=False)
    return {"root": Path(jp_root_dir), "group": group["name"], "volume": volume}


@pytest.fixture
def signed_in(local_server, notebook_env, home):
    """A stored token, as `PUT token` writes it."""
    folder = home / ".primehub"
    folder.mkdir(exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps({"endpoint": local_server.endpoint, "api-token": local_server.token}))
    os.chmod(path, 0o600)
    return local_server.token


class Recorder:
    """A stand-in for PrimeHub on loopback: records the target of every request it receives (as
    sent, still percent-encoded) and its head, and answers each with an empty JSON object."""

    def __init__(self, loop):
        self.targets = []
        self.heads = []
        self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/api/graphql"

    async def _serve(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.targets.append(head.split(b" ", 2)[1].decode("latin-1"))
            self.heads.append(head.decode("latin-1"))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def close(self):
        self._server.close()


@pytest.fixture
def recorder(jp_asyncio_loop, notebook_env, monkeypatch):
    """The extension's PrimeHub is a Recorder."""
    upstream = Recorder(jp_asyncio_loop)
    monkeypatch.setenv("PRIMEHUB_API_ENDPOINT", upstream.endpoint)
    yield upstream
    upstream.close()


@pytest.fixture
def proxy_url(jp_http_port, jp_base_url, http_server):
    """The proxy's URL for an API path given as the browser sends it (never normalised or encoded
    here: jp_fetch would); ``http_server`` is what serves the port."""
    return lambda raw: f"http://127.0.0.1:{jp_http_port}{jp_base_url}primehub-suite/proxy/api/{raw}"
