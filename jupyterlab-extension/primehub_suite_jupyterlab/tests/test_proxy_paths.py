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


DEPLOYMENT_ATTACKS = [
    "",
    "iris-1a2b3",
    "iris-1a2b3/api/v1.0/feedback",
    "iris-1a2b3/api/v1.0/predictions/x",
    "../api/graphql",
    "..%2fapi/v1.0/predictions",
    "%2e%2e/api/v1.0/predictions",
    "IRIS/api/v1.0/predictions",
    "iris%2f..%2f..%2fapi/v1.0/predictions",
    "iris-1a2b3/api/v1.0/predictions%3Fx",
]


@pytest.fixture
def deployment_url(jp_http_port, jp_base_url, http_server):
    """The deployment proxy's URL for a path given as the browser sends it."""
    return lambda raw: f"http://127.0.0.1:{jp_http_port}{jp_base_url}primehub-suite/proxy/deployment/{raw}"


async def test_the_deployment_proxy_reaches_only_prediction_routes(recorder, signed_in, deployment_url, jp_auth_header):
    for raw in DEPLOYMENT_ATTACKS:
        r = await fetch(deployment_url(raw), jp_auth_header, "POST", b"{}")
        assert r.code in (400, 404), (raw, r.code, r.body)
    for method in ("GET", "PUT", "DELETE"):
        r = await fetch(deployment_url("iris-1a2b3/api/v1.0/predictions"), jp_auth_header, method, b"{}")
        assert r.code == 405, (method, r.code)
    assert recorder.targets == []
    for version in ("v1.0", "v0.1"):
        r = await fetch(deployment_url(f"iris-1a2b3/api/{version}/predictions"), jp_auth_header, "POST", b"{}")
        assert r.code == 200, (version, r.code, r.body)
    # the server's root, not its API: PrimeHub's /deployment/<id>/… route
    assert recorder.targets == ["/deployment/iris-1a2b3/api/v1.0/predictions", "/deployment/iris-1a2b3/api/v0.1/predictions"]


async def test_the_deployment_proxy_sends_client_credentials_and_never_the_primehub_token(
    recorder, signed_in, deployment_url, jp_auth_header
):
    url = deployment_url("iris-1a2b3/api/v1.0/predictions")
    r = await fetch(url, jp_auth_header, "POST", b'{"data": {"ndarray": [[1]]}}')
    assert r.code == 200
    public = recorder.heads[-1].lower()
    assert "authorization:" not in public
    assert signed_in.lower() not in public
    headers = {**jp_auth_header, "X-PrimeHub-Client-Authorization": "Basic bm90ZWJvb2s6c2VjcmV0"}
    r = await fetch(url, headers, "POST", b"{}")
    assert r.code == 200
    private = recorder.heads[-1]
    assert "Authorization: Basic bm90ZWJvb2s6c2VjcmV0\r\n" in private
    assert "X-PrimeHub-Client-Authorization" not in private
    assert signed_in not in private
    assert "Bearer" not in private
