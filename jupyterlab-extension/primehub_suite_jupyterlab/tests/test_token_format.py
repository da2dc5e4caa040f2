"""`PUT token` refuses what cannot be an API token with a 400 and a reason, before PrimeHub is asked."""

import json

import pytest

from primehub_suite_jupyterlab import sdk_config

MALFORMED = {
    "CR LF": "abc\r\nX-Injected: 1",
    "LF": "abc\ndef",
    "CR": "abc\rdef",
    "non-Latin-1": "tok\u20acen",
    "Latin-1 but not ASCII": "tok\u00e9n",
    "a space": "abc def",
    "NUL": "abc\x00def",
    "10 MB": "a" * (10 * 1024 * 1024),
    "one over the limit": "a" * (sdk_config.MAX_TOKEN_LENGTH + 1),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
async def test_a_malformed_token_is_refused_before_primehub_is_asked(kind, jp_fetch, recorder, home):
    r = await jp_fetch(
        "primehub-suite", "token", method="PUT", body=json.dumps({"token": MALFORMED[kind]}), raise_error=False
    )
    assert r.code == 400, (kind, r.code)
    answer = json.loads(r.body)
    assert answer["code"] == "malformed_token"
    assert answer["message"].startswith("This is not an API token: ")
    assert len(r.body) < 1000  # the reason, not the token echoed back
    assert recorder.targets == []
    assert not (home / ".primehub" / "config.json").exists()


async def test_a_long_printable_token_is_checked_with_primehub(jp_fetch, recorder, home):
    token = "a" * sdk_config.MAX_TOKEN_LENGTH
    r = await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": token}), raise_error=False)
    # The stand-in answers no user: the token was sent, and refused there.
    assert r.code != 400, r.body
    assert recorder.targets == ["/api/graphql"]


async def test_surrounding_whitespace_of_a_paste_is_dropped(jp_fetch, local_server, notebook_env, home):
    pasted = json.dumps({"token": f"\n {local_server.token}\r\n"})
    r = await jp_fetch("primehub-suite", "token", method="PUT", body=pasted)
    assert json.loads(r.body)["tokenSet"] is True
    assert json.loads((home / ".primehub" / "config.json").read_text())["api-token"] == local_server.token


async def test_a_malformed_stored_token_is_never_sent(jp_fetch, recorder, home, proxy_url):
    folder = home / ".primehub"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"api-token": "abc\r\nX-Injected: 1"}))
    r = await jp_fetch("primehub-suite", "proxy", "api", "graphql", method="POST", body="{}", raise_error=False)
    assert r.code == 401
    assert recorder.targets == []
    assert json.loads((await jp_fetch("primehub-suite", "config")).body)["tokenSet"] is False
