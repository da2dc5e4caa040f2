"""Hidden, timestamped copies of notebooks submitted as jobs (PrimeHub's
``.<name>-<YYYYmmddHHMMSSffffff>.ipynb``), so a job runs the notebook as it was at submit
time. Each snapshot is registered with the jobs that run it and removed once they all ended,
whether they succeeded, failed or were cancelled; the registry survives server restarts and is
shared by all Labs of the user.

Snapshots are made and removed only inside the group volume, which jobs and the other members of
the group write too: nothing beneath it is reached through a link (see ``nofollow``)."""

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from datetime import datetime
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from . import context, nofollow
from .sdk_config import write_private_json

TERMINAL_PHASES = {"Succeeded", "Failed", "Cancelled", "Unknown"}


class SnapshotError(Exception):
    """A snapshot request that cannot be honoured; ``code`` tells the frontend which fix-it fits."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _in_volume(root_dir: str, path: str, group_name: str) -> Tuple[str, List[str]]:
    """The real path of the group volume and the components of server path ``path`` beneath it."""
    parts = path.strip("/").split("/")
    if any(p in ("", ".", "..") or "\x00" in p or "\\" in p for p in parts):
        raise SnapshotError(f"{path} is not a plain path beneath the server root", "invalid_path")
    volume = context.group_volume(root_dir, group_name)
    if volume is None:
        raise SnapshotError(
            f"the group volume of {group_name or 'this notebook'} is not available in this server",
            "no_group_volume",
        )
    prefix = volume.split("/")
    if len(parts) <= len(prefix) or parts[: len(prefix)] != prefix:
        raise SnapshotError(
            f"{path} is outside the group volume {volume}/: a job cannot see it", "outside_group_volume"
        )
    # The volume itself is where the spawner (or `npm start`) put it, often a link in the Lab root
    # ($HOME/<group> -> /project/<group>): that one link is followed, none beneath it.
    return os.path.realpath(os.path.join(root_dir, volume)), parts[len(prefix) :]


@contextmanager
def _folder(path: str, anchor: str, parts: List[str]) -> Iterator[int]:
    """The folder holding ``parts[-1]``, opened beneath ``anchor`` with no link followed."""
    try:
        with nofollow.directory(anchor, parts[:-1]) as fd:
            yield fd
    except nofollow.LinkError as err:
        raise SnapshotError(f"{path}: {err.strerror}; links are not followed", "link") from None
    except (FileNotFoundError, NotADirectoryError):
        raise SnapshotError(f"{path} does not exist", "not_found") from None


def create_snapshot(root_dir: str, path: str, group_name: str, now: Optional[datetime] = None) -> Dict[str, str]:
    """Copies the notebook at server path ``path`` beside itself; returns the server paths of the
    snapshot and of the output notebook its job will write."""
    if not path.endswith(".ipynb"):
        raise SnapshotError(f"{path} is not a notebook (.ipynb)", "not_notebook")
    anchor, parts = _in_volume(root_dir, path, group_name)
    name = parts[-1]
    stem = name[: -len(".ipynb")]
    stamp = (now or datetime.now()).strftime("%Y%m%d%H%M%S%f")
    snapshot = f".{stem}-{stamp}.ipynb"
    output = f"{stem}-{stamp}-output.ipynb"
    with _folder(path, anchor, parts) as folder:
        try:
            source = nofollow.open_file(name, folder)
        except nofollow.LinkError as err:
            raise SnapshotError(f"{path}: {err.strerror}; links are not followed", "link") from None
        except OSError:
            raise SnapshotError(f"{path} does not exist", "not_found") from None
        with os.fdopen(source, "rb") as src:
            try:
                target = nofollow.create_file(snapshot, folder)
            except nofollow.LinkError as err:
                raise SnapshotError(f"{snapshot} beside {path}: {err.strerror}", "link") from None
            except OSError as err:
                raise SnapshotError(f"cannot create {snapshot} beside {path}: {err.strerror}", "invalid_path") from None
            try:
                with os.fdopen(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except BaseException:
                os.unlink(snapshot, dir_fd=folder)
                raise
    server_folder = "/".join(path.strip("/").split("/")[:-1])
    return {
        "snapshot": "/".join(p for p in (server_folder, snapshot) if p),
        "output": "/".join(p for p in (server_folder, output) if p),
    }


def is_snapshot_name(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith(".") and name.endswith(".ipynb") and len(name) > len(".-.ipynb")


def remove_snapshot(root_dir: str, path: str, group_name: str) -> bool:
    """Deletes the snapshot at server path ``path`` (never through a link); False if it was gone."""
    if not is_snapshot_name(path):
        raise SnapshotError(f"{path} is not a snapshot", "invalid_path")
    anchor, parts = _in_volume(root_dir, path, group_name)
    try:
        with _folder(path, anchor, parts) as folder:
            os.unlink(parts[-1], dir_fd=folder)  # unlink removes a link itself, never its target
    except SnapshotError as err:
        if err.code == "not_found":
            return False
        raise
    except FileNotFoundError:
        return False
    return True


class SnapshotRegistry:
    """Snapshot server path -> ids of the jobs running it, persisted as JSON. Every Lab of the user
    shares the file: each change is read-modify-write under an exclusive ``flock`` of a lock file
    beside it, written to a temporary file and renamed over it, so no Lab loses another's entries."""

    def __init__(self, root_dir: str, state_file: str):
        self.root_dir = root_dir
        self.state_file = state_file

    @property
    def entries(self) -> Dict[str, List[str]]:
        """The current content (readers need no lock: the file is only ever replaced whole)."""
        try:
            with open(self.state_file, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        return {k: list(v) for k, v in data.items() if isinstance(v, list)} if isinstance(data, dict) else {}

    @contextmanager
    def _change(self) -> Iterator[Dict[str, List[str]]]:
        """The entries to change in place; saved when the block ends without an error."""
        folder = os.path.dirname(self.state_file)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        lock = os.open(self.state_file + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = self.entries
            yield entries
            write_private_json(self.state_file, entries, prefix=".snapshots-")
        finally:
            os.close(lock)  # releases the lock

    def register(self, snapshot: str, job_ids: List[str]) -> None:
        if not is_snapshot_name(snapshot):
            raise SnapshotError(f"{snapshot} is not a snapshot", "invalid_path")
        _in_volume(self.root_dir, snapshot, context.current_group().name)
        with self._change() as entries:
            entries[snapshot] = sorted(set(entries.get(snapshot, [])) | set(job_ids))

    def remove(self, snapshot: str) -> bool:
        """Deletes the snapshot file now (e.g. the submission failed)."""
        if not is_snapshot_name(snapshot):
            raise SnapshotError(f"{snapshot} is not a snapshot", "invalid_path")
        with self._change() as entries:
            entries.pop(snapshot, None)
        return remove_snapshot(self.root_dir, snapshot, context.current_group().name)

    async def sweep(self, phase_of: Callable) -> List[str]:
        """Removes every snapshot whose jobs all ended (``phase_of(id)`` -> phase or None when gone)."""
        removed = []
        for snapshot, job_ids in self.entries.items():
            ended = set()
            for job_id in job_ids:
                phase = await phase_of(job_id)
                if phase is None or phase in TERMINAL_PHASES:
                    ended.add(job_id)
            if job_ids and not ended:
                continue
            with self._change() as entries:
                # Another Lab may have added jobs to it (or removed it) meanwhile: only these ids go.
                left = [i for i in entries.get(snapshot, []) if i not in ended]
                if left:
                    entries[snapshot] = left
                else:
                    entries.pop(snapshot, None)
            if left:
                continue
            try:
                if remove_snapshot(self.root_dir, snapshot, context.current_group().name):
                    removed.append(snapshot)
            except SnapshotError:
                pass  # refused (e.g. a link put in its place): nothing to do but forget it
        return removed
