"""Hidden, timestamped copies of notebooks submitted as jobs (PrimeHub's
``.<name>-<YYYYmmddHHMMSSffffff>.ipynb``), so a job runs the notebook as it was at submit
time. Each snapshot is registered with the jobs that run it and removed once they all ended,
whether they succeeded, failed or were cancelled; the registry survives server restarts."""

import json
import os
import shutil
import tempfile
from datetime import datetime
from typing import Callable, Dict, List, Optional

from . import context

TERMINAL_PHASES = {"Succeeded", "Failed", "Cancelled", "Unknown"}


class SnapshotError(Exception):
    """A snapshot request that cannot be honoured; ``code`` tells the frontend which fix-it fits."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _server_path(root_dir: str, path: str) -> str:
    """The absolute file for a server path, refusing anything that leaves the root."""
    root = os.path.abspath(root_dir)
    full = os.path.abspath(os.path.join(root, path.lstrip("/")))
    if not (full == root or full.startswith(root + os.sep)):
        raise SnapshotError(f"{path} is outside the server root", "invalid_path")
    return full


def create_snapshot(root_dir: str, path: str, group_name: str, now: Optional[datetime] = None) -> Dict[str, str]:
    """Copies the notebook at server path ``path`` beside itself; returns the server paths of the
    snapshot and of the output notebook its job will write."""
    if not path.endswith(".ipynb"):
        raise SnapshotError(f"{path} is not a notebook (.ipynb)", "not_notebook")
    full = _server_path(root_dir, path)
    if not os.path.isfile(full):
        raise SnapshotError(f"{path} does not exist", "not_found")
    volume = context.group_volume(root_dir, group_name)
    if volume is None:
        raise SnapshotError(
            f"the group volume of {group_name or 'this notebook'} is not available in this server",
            "no_group_volume",
        )
    rel = path.strip("/")
    if not (rel == volume or rel.startswith(volume + "/")):
        raise SnapshotError(
            f"{path} is outside the group volume {volume}/: a job cannot see it", "outside_group_volume"
        )
    stamp = (now or datetime.now()).strftime("%Y%m%d%H%M%S%f")
    folder, name = os.path.split(full)
    stem = name[: -len(".ipynb")]
    snapshot = os.path.join(folder, f".{stem}-{stamp}.ipynb")
    output = os.path.join(folder, f"{stem}-{stamp}-output.ipynb")
    shutil.copyfile(full, snapshot)
    server_folder = os.path.dirname(rel)
    return {
        "snapshot": "/".join(p for p in (server_folder, os.path.basename(snapshot)) if p),
        "output": "/".join(p for p in (server_folder, os.path.basename(output)) if p),
    }


def is_snapshot_name(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith(".") and name.endswith(".ipynb") and len(name) > len(".-.ipynb")


class SnapshotRegistry:
    """Snapshot server path -> ids of the jobs running it, persisted as JSON."""

    def __init__(self, root_dir: str, state_file: str):
        self.root_dir = root_dir
        self.state_file = state_file
        self.entries: Dict[str, List[str]] = self._load()

    def _load(self) -> Dict[str, List[str]]:
        try:
            with open(self.state_file, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        return {k: list(v) for k, v in data.items() if isinstance(v, list)} if isinstance(data, dict) else {}

    def _save(self) -> None:
        folder = os.path.dirname(self.state_file)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".snapshots-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.entries, f)
        os.replace(tmp, self.state_file)

    def register(self, snapshot: str, job_ids: List[str]) -> None:
        if not is_snapshot_name(snapshot):
            raise SnapshotError(f"{snapshot} is not a snapshot", "invalid_path")
        _server_path(self.root_dir, snapshot)
        self.entries[snapshot] = sorted(set(self.entries.get(snapshot, [])) | set(job_ids))
        self._save()

    def remove(self, snapshot: str) -> bool:
        """Deletes the snapshot file now (e.g. the submission failed)."""
        if not is_snapshot_name(snapshot):
            raise SnapshotError(f"{snapshot} is not a snapshot", "invalid_path")
        full = _server_path(self.root_dir, snapshot)
        self.entries.pop(snapshot, None)
        self._save()
        try:
            os.unlink(full)
            return True
        except FileNotFoundError:
            return False

    async def sweep(self, phase_of: Callable) -> List[str]:
        """Removes every snapshot whose jobs all ended (``phase_of(id)`` -> phase or None when gone)."""
        removed = []
        for snapshot, job_ids in list(self.entries.items()):
            pending = []
            for job_id in job_ids:
                phase = await phase_of(job_id)
                if phase is not None and phase not in TERMINAL_PHASES:
                    pending.append(job_id)
            if pending:
                if pending != job_ids:
                    self.entries[snapshot] = pending
                    self._save()
                continue
            self.remove(snapshot)
            removed.append(snapshot)
        return removed
