"""The snapshot registry file is shared by all Labs of the user: writers in separate processes,
adding and sweeping at once, lose none of each other's entries."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2]
ROUNDS = 300

# One Lab: says "ready", waits for "go", then registers ROUNDS snapshots of its own, one at a time,
# and ends each round by sweeping the jobs of its previous round (ended) off a shared snapshot.
WRITER = """
import asyncio, sys
from primehub_suite_jupyterlab.snapshots import SnapshotRegistry

root, state, me, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
registry = SnapshotRegistry(root, state)
print("ready", flush=True)
sys.stdin.readline()
shared = "g/.shared-1.ipynb"
for i in range(rounds):
    registry.register(f"g/.{me}-{i}.ipynb", [f"{me}-job-{i}"])
    registry.register(shared, [f"{me}-shared-{i}"])
    if i:
        ended = f"{me}-shared-{i - 1}"
        asyncio.run(registry.sweep(lambda job: asyncio.sleep(0, "Succeeded" if job == ended else "Running")))
print("done", flush=True)
"""


def test_two_labs_writing_at_once_lose_nothing(tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "g").mkdir(parents=True)
    state = tmp_path / "home" / ".primehub" / "jupyterlab-snapshots.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PRIMEHUB_GROUP_VOLUME_PATH", "PRIMEHUB_GROUP")}
    env.update(GROUP_NAME="g", PYTHONPATH=str(EXTENSION))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(state), name, str(ROUNDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("lab-a", "lab-b")
    ]
    try:
        for w in writers:
            assert w.stdout.readline() == "ready\n", w.stderr.read()
        for w in writers:
            w.stdin.write("go\n")
            w.stdin.flush()
        for w in writers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0 and out == "done\n", err
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()

    entries = json.loads(state.read_text())
    for name in ("lab-a", "lab-b"):
        for i in range(ROUNDS):
            assert entries.get(f"g/.{name}-{i}.ipynb") == [f"{name}-job-{i}"], (name, i)
    # Each Lab swept only its own ended job off the shared snapshot: its last round's job is left.
    assert entries["g/.shared-1.ipynb"] == [f"lab-a-shared-{ROUNDS - 1}", f"lab-b-shared-{ROUNDS - 1}"]
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert sorted(p.name for p in state.parent.iterdir()) == [state.name, f"{state.name}.lock"]
