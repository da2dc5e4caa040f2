"""The proxy's allow-list (graphql, files/…, logs/…, mlflow-ui/tickets, ssh/notebooks/<user>) holds against dot segments and encodings:
the attacks reach nothing at PrimeHub (a recording stand-in), allowed paths reach it unchanged."""

import json
import urllib.parse

import pytest
from tornado.simple_httpclient import SimpleAsyncHTTPClient

ATTACKS = [
    "files/../../admin",
    "files/..%2f..%2fadmin",
    "files/..%2F..%2Fadmin",
    "files/%2e%2e/%2e%2e/admin",
    "files/%2E%2E/%2E%2E/admin",
    "logs/../../admin/x",
    "logs/jobs/%2e%2e/%2e%2e/%2e%2e/admin/x",
    # decoded twice by a server further on
    "files/%252e%252e/%252e%252e/admin",
    "files/..%252f..%252fadmin",
    "files/%25252e%25252e/admin",
    "files/groups/g/..%5c..%5cadmin",
    "files/groups/g/..%255c..%255cadmin",
    "files/groups/g/a%00b.csv",
    "files/groups/g/a%2500b.csv",
    "files/groups/g/./x.csv",
    "files/groups/g/%2e/x.csv",
    "files/groups/..",
    "files/..",
    "graphql/../admin",
    "graphql/%2e%2e/admin",
    "graphql%2f..%2fadmin",
    "files/%ff%fe",
    # under ssh/ only a notebook's SSH switch
    "ssh",
    "ssh/notebooks",
    "ssh/notebooks/",
    "ssh/notebooks/phuser/x",
    "ssh/notebooks/%2e%2e",
    "ssh/notebooks/..%2fadmin",
    "ssh/keys/phuser",
]

ALLOWED = {
    "graphql": "/api/graphql",
    "files/groups/g/a%20b.csv": "/api/files/groups/g/a%20b.csv",
    "files/groups/g/50%25.csv": "/api/files/groups/g/50%25.csv",
    "files/groups/g/%25ff.csv": "/api/files/groups/g/%25ff.csv",
    "files/groups/g/%C3%BC.csv": "/api/files/groups/g/%C3%BC.csv",
    "files/groups/g/..x/y..": "/api/files/groups/g/..x/y..",
    "logs/jobs/j1/log": "/api/logs/jobs/j1/log",
    "mlflow-ui/tickets": "/api/mlflow-ui/tickets",
    "ssh/notebooks/phuser": "/api/ssh/notebooks/phuser",
    "ssh/notebooks/a%40b.c": "/api/ssh/notebooks/a%40b.c",
}


async def fetch(url, headers, method="GET", body=None):
    client = SimpleAsyncHTTPClient(force_instance=True)
    try:
        return await client.fetch(
            url, method=method, headers=headers, body=body, raise_error=False, allow_nonstandard_methods=True
        )
    finally:
        client.close()


def served_path(target: str) -> bool:
    """What PrimeHub got is under /api/ with no dot segment, however often it is decoded."""
    path = target.split("?", 1)[0]
    for _ in range(3):
        segments = path.split("/")
        if path.startswith("/api/") is False or any(s in (".", "..") for s in segments) or "\\" in path:
            return False
        if segments[2] not in ("graphql", "files", "logs", "mlflow-ui", "ssh"):
            return False
        path = urllib.parse.unquote(path)
    return True


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
async def test_dot_segments_and_encoded_separators_never_reach_primehub(
    method, recorder, signed_in, proxy_url, jp_auth_header
):
    for raw in ATTACKS:
        r = await fetch(proxy_url(raw), jp_auth_header, method, b"x" if method in ("POST", "PUT") else None)
        assert r.code in (400, 404), (raw, r.code, r.body)
        if r.code == 400:
            answer = json.loads(r.body)
            # Invalid UTF-8 tornado refuses itself, before the handler runs (no code then).
            assert answer.get("code", "invalid_path") == "invalid_path", (raw, answer)
            assert answer["message"], raw
    assert recorder.targets == []


async def test_allowed_paths_reach_primehub_as_sent(recorder, signed_in, proxy_url, jp_auth_header):
    for raw, expected in ALLOWED.items():
        r = await fetch(proxy_url(raw) + "?follow=true", jp_auth_header)
        assert r.code == 200, (raw, r.code, r.body)
        assert recorder.targets[-1] == f"{expected}?follow=true"
    assert all(served_path(t) for t in recorder.targets), recorder.targets


async def test_the_reason_is_given(recorder, signed_in, proxy_url, jp_auth_header):
    r = await fetch(proxy_url("files/..%2f..%2fadmin"), jp_auth_header)
    assert r.code == 400
    assert "encoded '/'" in json.loads(r.body)["message"]
    r = await fetch(proxy_url("files/%2e%2e/admin"), jp_auth_header)
    assert "'.' or '..' segment" in json.loads(r.body)["message"]
