"""The snapshot endpoint never follows a link beneath the group volume (which jobs and the other
members of the group write): a linked notebook is not copied, a linked folder is neither written
nor emptied, whether the snapshot is made, removed now or removed by the sweep."""

import asyncio
import json
import os
import time
import uuid
from datetime import datetime

import nbformat
import pytest

from primehub_suite_jupyterlab import snapshots

STAMPED = ".nb-20240101000000000000.ipynb"


def body(response):
    return json.loads(response.body or b"{}")


@pytest.fixture
def folder(notebook_env):
    """A fresh folder in the group volume: (its server path, its real path)."""
    name = f"links-{uuid.uuid4().hex[:8]}"
    real = notebook_env["volume"] / name
    real.mkdir()
    return f"{notebook_env['group']}/{name}", real


@pytest.fixture
def outside(tmp_path):
    """A folder outside the Lab root holding a notebook and a snapshot-named file."""
    place = tmp_path / "outside"
    place.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), place / "nb.ipynb")
    (place / STAMPED).write_text("not yours")
    return place


def listing(path):
    return sorted(os.listdir(path))


async def post(jp_fetch, data):
    return await jp_fetch("primehub-suite", "snapshot", method="POST", body=json.dumps(data), raise_error=False)


async def test_a_linked_notebook_is_not_copied(jp_fetch, local_server, folder, signed_in):
    server_path, real = folder
    # The tester's attack: the notebook is a link to PrimeHub Local's config.json (the token).
    (real / "stolen.ipynb").symlink_to(local_server.data_dir / "config.json")
    before = listing(real)
    r = await post(jp_fetch, {"path": f"{server_path}/stolen.ipynb"})
    assert r.code == 400 and body(r)["code"] == "link", r.body
    assert "link" in body(r)["message"]
    assert listing(real) == before
    for name in os.listdir(real):
        if not (real / name).is_symlink():
            assert local_server.token not in (real / name).read_text()


async def test_a_linked_folder_is_neither_written_nor_emptied(jp_fetch, folder, outside):
    server_path, real = folder
    (real / "away").symlink_to(outside, target_is_directory=True)
    (real / "deep").mkdir()
    (real / "deep" / "away").symlink_to(outside, target_is_directory=True)
    before = listing(outside)
    for via in ("away", "deep/away"):
        r = await post(jp_fetch, {"path": f"{server_path}/{via}/nb.ipynb"})
        assert r.code == 400 and body(r)["code"] == "link", r.body
        r = await jp_fetch(
            "primehub-suite", "snapshot", method="DELETE", params={"path": f"{server_path}/{via}/{STAMPED}"},
            raise_error=False,
        )
        assert r.code == 400 and body(r)["code"] == "link", r.body
        assert listing(outside) == before


async def test_a_snapshot_name_that_is_a_link_is_removed_as_a_link(jp_fetch, folder, outside):
    server_path, real = folder
    (real / STAMPED).symlink_to(outside / STAMPED)
    r = await jp_fetch("primehub-suite", "snapshot", method="DELETE", params={"path": f"{server_path}/{STAMPED}"})
    assert body(r) == {"removed": True}
    assert not os.path.lexists(real / STAMPED)
    assert (outside / STAMPED).read_text() == "not yours"


def test_a_link_planted_at_the_snapshots_name_is_not_written_through(notebook_env, folder, outside):
    server_path, real = folder
    nbformat.write(nbformat.v4.new_notebook(), real / "nb.ipynb")
    # The snapshot's name is predictable (a timestamp): a link put there first is not written through.
    (real / ".nb-20300101000000000000.ipynb").symlink_to(outside / "planted.ipynb")
    with pytest.raises(snapshots.SnapshotError) as refused:
        snapshots.create_snapshot(
            str(notebook_env["root"]), f"{server_path}/nb.ipynb", notebook_env["group"], datetime(2030, 1, 1)
        )
    assert refused.value.code == "link"
    assert not (outside / "planted.ipynb").exists()


async def test_the_sweep_does_not_remove_through_a_linked_folder(
    jp_fetch, extension, folder, outside, signed_in, home
):
    server_path, real = folder
    (real / "away").symlink_to(outside, target_is_directory=True)
    snapshot = f"{server_path}/away/{STAMPED}"
    # A job id PrimeHub does not know counts as ended: the next sweep removes the snapshot.
    r = await jp_fetch(
        "primehub-suite", "snapshot", "jobs", method="POST",
        body=json.dumps({"snapshot": snapshot, "jobIds": ["no-such-job"]}), raise_error=False,
    )
    assert body(r) == {"registered": True}
    state = home / ".primehub" / "jupyterlab-snapshots.json"
    deadline = time.time() + 30
    while snapshot in json.loads(state.read_text()) and time.time() < deadline:
        await asyncio.sleep(0.2)
    assert snapshot not in json.loads(state.read_text()), "the sweep never handled the snapshot"
    assert (outside / STAMPED).read_text() == "not yours"
