"""The server extension against a real PrimeHub Local: config, token store, proxy, snapshots."""

import asyncio
import hashlib
import json
import os
import socket
import stat
import time
import urllib.parse

import nbformat
import pytest
from tornado.httpclient import HTTPRequest
from tornado.simple_httpclient import HTTPStreamClosedError, SimpleAsyncHTTPClient

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
    path = folder / "config.json"
    assert body(r) == {"tokenSet": True, "user": "phuser", "tokenFile": str(path)}
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


async def test_proxy_answers_502_when_primehub_is_unreachable(jp_fetch, notebook_env, signed_in, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PRIMEHUB_API_ENDPOINT", f"http://127.0.0.1:{port}/api/graphql")
    code, data = await graphql(jp_fetch, "query { me { username } }")
    assert code == 502 and data["code"] == "unreachable"
    r = await jp_fetch("primehub-suite", "proxy", "api", "files", "groups", "g", "x.csv", raise_error=False)
    assert r.code == 502 and body(r)["code"] == "unreachable"


async def test_proxy_keeps_file_names_with_spaces_percent_signs_and_question_marks(
    jp_fetch, local_server, notebook_env, signed_in
):
    for name in ("a b.csv", "50%.csv", "q?x.csv", "ü.csv"):
        parts = ("primehub-suite", "proxy", "api", "files", "groups", group_path(notebook_env["group"]), "t", name)
        r = await jp_fetch(*parts, method="POST", body=name.encode(), raise_error=False)
        assert r.code == 200, (name, r.body)
        assert phfs_file(local_server, notebook_env, f"t/{name}").read_bytes() == name.encode()
        assert (await jp_fetch(*parts)).body == name.encode()


async def test_a_response_primehub_cuts_short_reaches_the_client_broken_not_complete(
    jp_fetch, notebook_env, signed_in, monkeypatch
):
    # A stand-in for PrimeHub dying mid-download: it promises 1000 bytes and sends 10.
    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n0123456789")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("PRIMEHUB_API_ENDPOINT", f"http://127.0.0.1:{port}/api/graphql")
    try:
        with pytest.raises(HTTPStreamClosedError):
            await jp_fetch("primehub-suite", "proxy", "api", "files", "groups", "g", "x.csv")
    finally:
        server.close()


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


def connections_to(port: int) -> int:
    """Established TCP connections to ``port`` on this machine (the proxy's to PrimeHub Local)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                    count += 1
    return count


async def test_a_browser_leaving_a_followed_log_closes_the_request_to_primehub(
    jp_fetch, local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    port = urllib.parse.urlsplit(local_server.endpoint).port
    job = await submit(jp_fetch, local_server.group["id"], "echo first; sleep 60")
    path = job["logEndpoint"].split("/api/", 1)[1]
    url = files_url("x").split("/proxy/api/", 1)[0] + f"/proxy/api/{path}?follow=true"
    before = connections_to(port)

    def on_chunk(chunk):
        raise Aborted()  # the browser goes away after the first line

    client = SimpleAsyncHTTPClient(force_instance=True)
    try:
        # Tornado's client reports the abort as a closed stream.
        with pytest.raises(HTTPStreamClosedError):
            await client.fetch(url, headers=jp_auth_header, streaming_callback=on_chunk, request_timeout=30)
    finally:
        client.close()
    deadline = time.time() + 5
    while connections_to(port) > before and time.time() < deadline:
        await asyncio.sleep(0.1)
    assert connections_to(port) <= before, "the followed log is still open at PrimeHub"
    await graphql(jp_fetch, CANCEL, {"where": {"id": job["id"]}})


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
    assert data["output"].startswith(f"{notebook_env['group']}/exp/train-")
    assert data["output"].endswith("-output.ipynb")
    assert set(data) == {"snapshot", "output"}

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
    jp_fetch, extension, local_server, notebook_env, signed_in, notebook
):
    root = notebook_env["root"]
    snaps = []
    for command in ("true", "exit 3", "sleep 120"):
        snap = body(await jp_fetch("primehub-suite", "snapshot", method="POST", body=json.dumps({"path": notebook})))
        job = await submit(jp_fetch, local_server.group["id"], command)
        await jp_fetch(
            "primehub-suite", "snapshot", "jobs", method="POST",
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


MB = 1024 * 1024


def rss_bytes() -> int:
    """This process's resident memory (the Jupyter server under test runs in it)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class PeakRss:
    """Samples the resident memory while an upload runs, to see that no one holds the whole body."""

    def __init__(self):
        self.start = self.peak = rss_bytes()
        self._task = asyncio.ensure_future(self._sample())

    async def _sample(self):
        while True:
            self.peak = max(self.peak, rss_bytes())
            await asyncio.sleep(0.02)

    def stop(self) -> int:
        self._task.cancel()
        self.peak = max(self.peak, rss_bytes())
        return self.peak - self.start


def generated(total: int):
    """``total`` bytes made on the fly one MiB at a time (a random block stamped with its index)."""
    block = os.urandom(MB)
    for i in range(0, total, MB):
        yield (i.to_bytes(8, "big") + block[8:])[: total - i]


class Aborted(Exception):
    pass


def group_path(name: str) -> str:
    return name.replace("_", "-").lower()


@pytest.fixture
def files_url(http_server, jp_http_port, jp_base_url, notebook_env):
    """The proxy's URL of a PHFS file of the group, for clients that stream (jp_fetch buffers);
    ``http_server`` is what serves the port."""
    prefix = f"http://127.0.0.1:{jp_http_port}{jp_base_url}primehub-suite/proxy/api/files/groups/"
    prefix += group_path(notebook_env["group"])
    return lambda name: f"{prefix}/{name}"


def phfs_file(local_server, notebook_env, name):
    return local_server.data_dir / "phfs" / "groups" / group_path(notebook_env["group"]) / name


def staging(local_server):
    return list((local_server.data_dir / "phfs" / ".staging").glob("upload-*"))


async def stream_upload(url, headers, total, after_each=None, expect_continue=False, chunked=False):
    """POSTs ``total`` generated bytes as the client's FilesApi does (octet-stream, Content-Length;
    with ``chunked`` none: Transfer-Encoding chunked), streamed; returns the response and the sha256
    of what was sent. With ``expect_continue`` the body is only sent once the server asks for it
    (a refusal is then read before any body)."""
    digest = hashlib.sha256()

    async def produce(write):
        sent = 0
        for chunk in generated(total):
            digest.update(chunk)
            await write(chunk)
            sent += len(chunk)
            if after_each:
                await after_each(sent)

    client = SimpleAsyncHTTPClient(force_instance=True)
    try:
        request = HTTPRequest(
            url,
            method="POST",
            headers={
                **headers,
                "Content-Type": "application/octet-stream",
                **({} if chunked else {"Content-Length": str(total)}),
            },
            body_producer=produce,
            expect_100_continue=expect_continue,
            request_timeout=60,
        )
        response = await client.fetch(request, raise_error=False)
    finally:
        client.close()
    return response, digest.hexdigest()


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MB), b""):
            digest.update(chunk)
    return digest.hexdigest()


async def test_proxy_streams_an_upload_above_tornados_body_limit(
    local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    total = 150 * MB
    memory = PeakRss()
    r, sent = await stream_upload(files_url("t/big-up.bin"), jp_auth_header, total)
    growth = memory.stop()
    assert r.code == 200, r.body
    target = phfs_file(local_server, notebook_env, "t/big-up.bin")
    assert target.stat().st_size == total
    assert sha256_of(target) == sent
    # The server and this test's streaming client share the process: neither holds the body.
    print(f"RSS growth during a {total // MB} MiB upload: {growth / MB:.1f} MiB")
    assert growth < 50 * MB, f"the upload grew the process by {growth / MB:.0f} MiB"
    target.unlink()


async def test_proxy_streams_a_download_above_the_http_clients_body_limit(
    local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    total = 150 * MB
    target = phfs_file(local_server, notebook_env, "t/big-down.bin")
    target.parent.mkdir(parents=True, exist_ok=True)
    stored = hashlib.sha256()
    with open(target, "wb") as f:
        for chunk in generated(total):
            stored.update(chunk)
            f.write(chunk)

    received = hashlib.sha256()
    size = 0

    def on_chunk(chunk):
        nonlocal size
        size += len(chunk)
        received.update(chunk)

    memory = PeakRss()
    client = SimpleAsyncHTTPClient(force_instance=True, max_body_size=total * 2)
    try:
        r = await client.fetch(
            files_url("t/big-down.bin"), headers=jp_auth_header, streaming_callback=on_chunk, request_timeout=60
        )
    finally:
        client.close()
    growth = memory.stop()
    assert r.code == 200 and size == total and received.hexdigest() == stored.hexdigest()
    assert r.headers["Content-Length"] == str(total)  # the browser can show the size and progress
    print(f"RSS growth during a {total // MB} MiB download: {growth / MB:.1f} MiB")
    assert growth < 50 * MB, f"the download grew the process by {growth / MB:.0f} MiB"
    target.unlink()


async def test_an_aborted_upload_aborts_upstream_and_leaves_no_file(
    jp_fetch, local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    seen_upstream = []

    async def abort_once_upstream_has_some(sent):
        if sent < 16 * MB:
            return
        # The first bytes are on PrimeHub's disk while the browser is still sending: streamed.
        deadline = time.time() + 10
        while time.time() < deadline and not any(p.stat().st_size > 0 for p in staging(local_server)):
            await asyncio.sleep(0.05)
        seen_upstream.extend(staging(local_server))
        raise Aborted()

    # Declared larger than Jupyter's and tornado's own body limits.
    with pytest.raises(Aborted):
        await stream_upload(files_url("t/aborted.bin"), jp_auth_header, 600 * MB, abort_once_upstream_has_some)
    assert seen_upstream, "PrimeHub received nothing while the upload was running"
    deadline = time.time() + 10
    while staging(local_server) and time.time() < deadline:
        await asyncio.sleep(0.1)
    assert staging(local_server) == []
    assert not phfs_file(local_server, notebook_env, "t/aborted.bin").exists()

    # Both servers are fine afterwards; an upload without Content-Length goes on chunked.
    code, data = await graphql(jp_fetch, "query { me { username } }")
    assert code == 200 and data["data"]["me"]["username"] == "phuser"
    r, sent = await stream_upload(files_url("t/after.bin"), jp_auth_header, 2 * MB, chunked=True)
    assert r.code == 200, r.body
    assert sha256_of(phfs_file(local_server, notebook_env, "t/after.bin")) == sent


async def test_an_upload_primehub_refuses_before_reading_it_gets_primehubs_answer(
    jp_fetch, local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    folder = phfs_file(local_server, notebook_env, "t/folder/inner.txt")
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("x")
    # PrimeHub answers from the headers, without reading the body, and closes: the proxy drops the
    # rest of the body and answers as PrimeHub did.
    r, _ = await stream_upload(files_url("t/folder"), jp_auth_header, 64 * MB)
    assert r.code == 409 and b"is a folder" in r.body, r.body
    other_group = files_url("t/x.bin").replace(f"/groups/{group_path(notebook_env['group'])}/", "/groups/not-mine/")
    r, _ = await stream_upload(other_group, jp_auth_header, 64 * MB)
    assert r.code == 403 and b"not authorized" in r.body, r.body
    assert staging(local_server) == []
    code, _ = await graphql(jp_fetch, "query { me { username } }")
    assert code == 200


async def test_an_upload_without_jupyter_auth_or_xsrf_never_reaches_primehub(
    jp_fetch, local_server, notebook_env, signed_in, files_url, jp_auth_header
):
    # Refused from the headers: Jupyter does not ask for the body (100 Continue), PrimeHub sees nothing.
    xsrf = "0123456789abcdef0123456789abcdef"
    for anonymous in ({"Authorization": ""}, {"Authorization": "", "Cookie": f"_xsrf={xsrf}", "X-XSRFToken": xsrf}):
        r, _ = await stream_upload(files_url("t/anonymous.bin"), anonymous, 8 * MB, expect_continue=True)
        assert r.code == 403
        assert not phfs_file(local_server, notebook_env, "t/anonymous.bin").exists()

    # Signed in by cookie (as a browser is): a POST also needs the XSRF token.
    r = await jp_fetch("primehub-suite", "config")
    login = [c.split(";", 1)[0] for c in r.headers.get_list("Set-Cookie") if c.startswith("username-")]
    assert login, r.headers
    no_xsrf = {"Authorization": "", "Cookie": login[0]}
    r, _ = await stream_upload(files_url("t/no-xsrf.bin"), no_xsrf, 8 * MB, expect_continue=True)
    assert r.code == 403 and b"_xsrf" in r.body
    assert not phfs_file(local_server, notebook_env, "t/no-xsrf.bin").exists()
    assert staging(local_server) == []

    cookie = {"Authorization": "", "Cookie": f"{login[0]}; _xsrf={xsrf}", "X-XSRFToken": xsrf}
    r, sent = await stream_upload(files_url("t/xsrf.bin"), cookie, 2 * MB)
    assert r.code == 200, r.body
    assert sha256_of(phfs_file(local_server, notebook_env, "t/xsrf.bin")) == sent
