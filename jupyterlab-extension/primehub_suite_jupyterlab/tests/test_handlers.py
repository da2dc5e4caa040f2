"""The server extension against a real PrimeHub Local: config, token store, proxy, snapshots."""

import asyncio
import json
import os
import stat
import time

import nbformat
import pytest

SUBMIT = "mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id logEndpoint } }"
PHASE = "query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase } }"
CANCEL = "mutation ($where: PhJobWhereUniqueInput!) { cancelPhJob(where: $where) { id } }"


def body(response):
    return json.loads(response.body or b"{}")


async def graphql(jp_fetch, query, variables=None):
    r = await jp_fetch(
        "primehub-suite",
        "proxy",
        "api",
        "graphql",
        method="POST",
        body=json.dumps({"query": query, "variables": variables or {}}),
        headers={"Content-Type": "application/json"},
        raise_error=False,
    )
    return r.code, body(r)


async def submit(jp_fetch, group_id, command, name="t"):
    code, data = await graphql(
        jp_fetch,
        SUBMIT,
        {"data": {"displayName": name, "groupId": group_id, "instanceType": "cpu-1", "image": "base-notebook", "command": command}},
    )
    assert code == 200, data
    return data["data"]["createPhJob"]


async def wait_phase(jp_fetch, job_id, phases, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, data = await graphql(jp_fetch, PHASE, {"where": {"id": job_id}})
        phase = data["data"]["phJob"]["phase"]
        if phase in phases:
            return phase
        await asyncio.sleep(0.3)
    raise AssertionError(f"job {job_id} did not reach {phases}")


async def test_config_reports_the_spawner_context_but_never_the_token(jp_fetch, notebook_env, signed_in, monkeypatch):
    monkeypatch.setenv("PRIMEHUB_API_TOKEN", "env-secret-token")
    r = await jp_fetch("primehub-suite", "config")
    data = body(r)
    assert data["group"]["name"] == notebook_env["group"]
    assert data["instanceType"] == "cpu-1"
    assert data["image"] == "base-notebook"
    assert data["user"] == "phuser"
    assert data["groupVolume"] == notebook_env["group"]
    assert data["jobGroupVolume"] == os.path.realpath(notebook_env["volume"])
    assert data["tokenSet"] is True
    assert data["apiEndpoint"].endswith("/api/graphql")
    assert "PRIMEHUB_USER" in data["env"] and "PRIMEHUB_API_TOKEN" not in data["env"]
    text = r.body.decode()
    assert signed_in not in text and "env-secret-token" not in text


async def test_config_without_token_or_volume(jp_fetch, home, monkeypatch):
    for key in ("GROUP_NAME", "PRIMEHUB_GROUP", "PRIMEHUB_GROUP_VOLUME_PATH", "PRIMEHUB_API_TOKEN", "PRIMEHUB_API_ENDPOINT"):
        monkeypatch.delenv(key, raising=False)
    data = body(await jp_fetch("primehub-suite", "config"))
    assert data["tokenSet"] is False
    assert data["groupVolume"] is None
    assert data["apiEndpoint"] == "http://primehub-graphql/api/graphql"


async def test_a_wrong_token_is_refused_and_not_stored(jp_fetch, notebook_env, home):
    r = await jp_fetch(
        "primehub-suite", "token", method="PUT", body=json.dumps({"token": "not-a-token"}), raise_error=False
    )
    assert r.code == 401
    assert "rejected" in body(r)["message"]
    assert body(r)["code"] == "invalid_token"
    assert not (home / ".primehub" / "config.json").exists()
    r = await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": "  "}), raise_error=False)
    assert r.code == 400


async def test_a_good_token_is_stored_in_the_sdk_file_keeping_other_keys(jp_fetch, local_server, notebook_env, home):
    folder = home / ".primehub"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"endpoint": local_server.endpoint, "custom": {"keep": 1}}))
    r = await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": local_server.token}))
    assert body(r) == {"tokenSet": True, "user": "phuser"}
    path = folder / "config.json"
    saved = json.loads(path.read_text())
    assert saved["api-token"] == local_server.token
    assert saved["custom"] == {"keep": 1}
    assert saved["group"]["name"] == notebook_env["group"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert local_server.token not in r.body.decode()

    await jp_fetch("primehub-suite", "token", method="DELETE")
    saved = json.loads(path.read_text())
    assert "api-token" not in saved and saved["custom"] == {"keep": 1}
    assert body(await jp_fetch("primehub-suite", "config"))["tokenSet"] is False


async def test_proxy_without_token_answers_401_like_primehub(jp_fetch, notebook_env, home):
    code, data = await graphql(jp_fetch, "query { me { id } }")
    assert code == 401
    assert data["errors"][0]["message"].startswith("Context creation failed")


async def test_proxy_adds_the_token_and_serves_only_api_paths(jp_fetch, notebook_env, signed_in):
    code, data = await graphql(jp_fetch, "query { me { username } }")
    assert code == 200 and data["data"]["me"]["username"] == "phuser"

    group_path = notebook_env["group"].lower().replace("_", "-")
    payload = b"a,b\n1,2\n" * 1000
    r = await jp_fetch(
        "primehub-suite", "proxy", "api", "files", "groups", group_path, "t", "data.csv",
        method="PUT", body=payload, headers={"Content-Type": "text/csv"},
    )
    assert r.code == 200
    r = await jp_fetch("primehub-suite", "proxy", "api", "files", "groups", group_path, "t", "data.csv")
    assert r.body == payload
    assert r.headers["Content-Type"].startswith("text/csv")

    r = await jp_fetch("primehub-suite", "proxy", "api", "health", raise_error=False)
    assert r.code == 404


async def test_proxy_needs_jupyter_auth(jp_fetch, notebook_env, signed_in):
    r = await jp_fetch("primehub-suite", "config", headers={"Authorization": ""}, raise_error=False)
    assert r.code in (401, 403)
    r = await jp_fetch(
        "primehub-suite", "proxy", "api", "graphql", method="POST", body="{}", headers={"Authorization": ""},
        raise_error=False,
    )
    assert r.code in (401, 403)


async def test_proxy_streams_a_followed_log_until_the_job_ends(jp_fetch, local_server, notebook_env, signed_in):
    job = await submit(jp_fetch, local_server.group["id"], "echo first; sleep 2; echo second")
    path = job["logEndpoint"].split("/api/", 1)[1]
    chunks = []
    arrivals = []

    def on_chunk(chunk):
        chunks.append(chunk)
        arrivals.append(time.time())

    started = time.time()
    await jp_fetch(
        "primehub-suite", "proxy", "api", *path.split("/"), params={"follow": "true"}, streaming_callback=on_chunk,
        request_timeout=60,
    )
    text = b"".join(chunks).decode()
    assert "first" in text and "second" in text
    # The first line came through before the job ended: streamed, not buffered.
    first_at = next(t for t, c in zip(arrivals, chunks) if b"first" in c)
    assert first_at - started < time.time() - started - 1


@pytest.fixture
def notebook(notebook_env):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x")]
    folder = notebook_env["root"] / notebook_env["group"] / "exp"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "train.ipynb")
    return f"{notebook_env['group']}/exp/train.ipynb"


async def test_snapshot_is_a_hidden_timestamped_copy_beside_the_notebook(jp_fetch, notebook_env, notebook):
    data = body(await jp_fetch("primehub-suite", "snapshot", method="POST", body=json.dumps({"path": notebook})))
    root = notebook_env["root"]
    assert data["snapshot"].startswith(f"{notebook_env['group']}/exp/.train-")
    assert (root / data["snapshot"]).read_bytes() == (root / notebook).read_bytes()
    assert data["output"].endswith("-output.ipynb")
    real = os.path.realpath(notebook_env["volume"])
    assert data["jobWorkdir"] == os.path.join(real, "exp")
    assert data["jobInput"] == os.path.join(real, "exp", os.path.basename(data["snapshot"]))

    # A rerun finds the original again from the job's path of the snapshot.
    again = body(
        await jp_fetch("primehub-suite", "snapshot", method="POST", body=json.dumps({"jobPath": data["jobInput"]}))
    )
    assert again["snapshot"] != data["snapshot"] and again["snapshot"].startswith(f"{notebook_env['group']}/exp/.train-")

    r = await jp_fetch("primehub-suite", "snapshot", method="DELETE", params={"path": data["snapshot"]})
    assert body(r) == {"removed": True}
    assert not (root / data["snapshot"]).exists()
    r = await jp_fetch("primehub-suite", "snapshot", method="DELETE", params={"path": notebook}, raise_error=False)
    assert r.code == 400


async def test_snapshot_outside_the_group_volume_is_refused_with_a_code(jp_fetch, notebook_env):
    nbformat.write(nbformat.v4.new_notebook(), notebook_env["root"] / "home.ipynb")
    r = await jp_fetch(
        "primehub-suite", "snapshot", method="POST", body=json.dumps({"path": "home.ipynb"}), raise_error=False
    )
    assert r.code == 400 and body(r)["code"] == "outside_group_volume"
    r = await jp_fetch(
        "primehub-suite", "snapshot", method="POST", body=json.dumps({"path": "../x.ipynb"}), raise_error=False
    )
    assert r.code == 400


async def wait_gone(path, timeout=45):
    deadline = time.time() + timeout
    while path.exists() and time.time() < deadline:
        await asyncio.sleep(0.5)
    return not path.exists()


async def test_snapshot_is_removed_when_its_jobs_end_also_on_failure_and_cancel(
    jp_fetch, local_server, notebook_env, signed_in, notebook
):
    root = notebook_env["root"]
    snaps = []
    for command in ("true", "exit 3", "sleep 120"):
        snap = body(await jp_fetch("primehub-suite", "snapshot", method="POST", body=json.dumps({"path": notebook})))
        job = await submit(jp_fetch, local_server.group["id"], command)
        await jp_fetch(
            "primehub-suite", "snapshot", method="POST",
            body=json.dumps({"snapshot": snap["snapshot"], "jobIds": [job["id"]]}),
        )
        snaps.append((root / snap["snapshot"], job["id"]))
    assert await wait_phase(jp_fetch, snaps[0][1], {"Succeeded"})
    assert await wait_phase(jp_fetch, snaps[1][1], {"Failed"})
    await wait_phase(jp_fetch, snaps[2][1], {"Running"})
    assert snaps[2][0].exists()
    await graphql(jp_fetch, CANCEL, {"where": {"id": snaps[2][1]}})
    for path, _ in snaps:
        assert await wait_gone(path), f"{path} was not removed"
