"""The notebook's ``~/.ssh/authorized_keys``: the keys its SSH server lets in (PrimeHub's bastion
lets in the keys some SSH-enabled notebook authorizes, then the notebook's sshd checks this file).

Keys are added one OpenSSH public-key line at a time, checked to be exactly that (a private key,
options such as ``command="…"``, a second line or anything unparsable is refused), appended and
never twice (the same key blob is "already authorized"); removing one rewrites the file
atomically with every other line kept byte for byte. ``~/.ssh`` is 0700 and the file 0600. No
link is followed anywhere below the home (nofollow), and adds and removes of this file by any
process that uses this module are serialised by a lock on the ``~/.ssh`` folder."""

import base64
import binascii
import fcntl
import hashlib
import os
import secrets
from contextlib import contextmanager
from typing import Iterator, List, NamedTuple, Optional, Tuple

from . import nofollow

SSH_DIR = ".ssh"
FILE = "authorized_keys"
# More than a real authorized_keys holds (an RSA 16384-bit key is about 3 KB): a larger file is
# not one this module rewrites.
MAX_FILE_BYTES = 1024 * 1024
# One pasted key line: an RSA 16384-bit key plus a long comment fits.
MAX_KEY_CHARS = 16 * 1024
MAX_COMMENT_CHARS = 1024
# OpenSSH's own lower bound for RSA keys (SSH_RSA_MINIMUM_MODULUS_SIZE).
MIN_RSA_BITS = 1024

# The key types OpenSSH's sshd accepts as a plain authorized key, with the curve an ECDSA key names.
EC_CURVES = {
    "ecdsa-sha2-nistp256": ("nistp256", 65, 256),
    "ecdsa-sha2-nistp384": ("nistp384", 97, 384),
    "ecdsa-sha2-nistp521": ("nistp521", 133, 521),
    "sk-ecdsa-sha2-nistp256@openssh.com": ("nistp256", 65, 256),
}
KEY_TYPES = ("ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ssh-rsa", *EC_CURVES)
# What ssh-keygen -l prints in parentheses for each type.
TYPE_NAMES = {
    "ssh-ed25519": "ED25519",
    "sk-ssh-ed25519@openssh.com": "ED25519-SK",
    "ssh-rsa": "RSA",
    "ecdsa-sha2-nistp256": "ECDSA",
    "ecdsa-sha2-nistp384": "ECDSA",
    "ecdsa-sha2-nistp521": "ECDSA",
    "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK",
}


class KeyRefused(ValueError):
    """A key line is refused; ``code`` says why (``private_key``, ``options``, ``multiple_lines``,
    ``unsupported_type``, ``malformed``), the message says it to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class PublicKey(NamedTuple):
    """One public key: its type, SSH wire blob, size in bits and comment."""

    type: str
    blob: bytes
    bits: int
    comment: str

    @property
    def fingerprint(self) -> str:
        """As ``ssh-keygen -l`` prints it: ``SHA256:`` and the unpadded base64 of the blob's SHA-256."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")

    def line(self) -> str:
        """The line written to authorized_keys (``type base64 comment``)."""
        text = f"{self.type} {base64.b64encode(self.blob).decode('ascii')}"
        return f"{text} {self.comment}" if self.comment else text

    def describe(self) -> dict:
        """What the routes answer for it."""
        return {
            "type": self.type,
            "typeName": TYPE_NAMES[self.type],
            "bits": self.bits,
            "fingerprint": self.fingerprint,
            "comment": self.comment,
        }


def _read_string(blob: bytes, at: int) -> Tuple[bytes, int]:
    if at + 4 > len(blob):
        raise KeyRefused("malformed", "the key is cut short")
    size = int.from_bytes(blob[at : at + 4], "big")
    end = at + 4 + size
    if end > len(blob):
        raise KeyRefused("malformed", "the key is cut short")
    return blob[at + 4 : end], end


def _mpint_bits(value: bytes) -> int:
    if value[:1] and value[0] & 0x80:
        raise KeyRefused("malformed", "the RSA key holds a negative number")
    return int.from_bytes(value, "big").bit_length()


def parse_blob(key_type: str, blob: bytes) -> int:
    """Checks that ``blob`` is a whole ``key_type`` public key, nothing more; returns its bits."""
    name, at = _read_string(blob, 0)
    if name.decode("ascii", "replace") != key_type:
        raise KeyRefused("malformed", f"the key data is of type {name.decode('ascii', 'replace')!r}, not {key_type}")
    if key_type in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com"):
        point, at = _read_string(blob, at)
        if len(point) != 32:
            raise KeyRefused("malformed", "an Ed25519 key is 32 bytes")
        bits = 256
    elif key_type == "ssh-rsa":
        exponent, at = _read_string(blob, at)
        modulus, at = _read_string(blob, at)
        bits = _mpint_bits(modulus)
        if _mpint_bits(exponent) < 2 or bits < MIN_RSA_BITS:
            raise KeyRefused("malformed", f"an RSA key must have at least {MIN_RSA_BITS} bits (this one has {bits})")
    else:
        curve, size, bits = EC_CURVES[key_type]
        named, at = _read_string(blob, at)
        point, at = _read_string(blob, at)
        if named.decode("ascii", "replace") != curve or len(point) != size or point[0] != 4:
            raise KeyRefused("malformed", f"the key is not a valid {curve} point")
    if key_type.startswith("sk-"):
        application, at = _read_string(blob, at)
        if not application:
            raise KeyRefused("malformed", "a security-key key names its application")
    if at != len(blob):
        raise KeyRefused("malformed", "the key data has bytes after the key")
    return bits


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 and c != "\t" or ord(c) == 127 for c in text)


def parse_public_key(text: str) -> PublicKey:
    """The one OpenSSH public key ``text`` holds (a ``.pub`` file's content: ``type base64
    [comment]``, one line, a final line break allowed), or KeyRefused saying why it is refused."""
    if len(text) > MAX_KEY_CHARS:
        raise KeyRefused("malformed", f"a public key line is at most {MAX_KEY_CHARS} characters")
    if "PRIVATE KEY" in text or "PuTTY-User-Key-File" in text:
        raise KeyRefused(
            "private_key",
            "This is a private key: never share it. Paste the public key (the .pub file) instead.",
        )
    stripped = text.strip(" \t\r\n")
    if not stripped:
        raise KeyRefused("malformed", "Paste a public key (the content of a .pub file)")
    if "\n" in stripped or "\r" in stripped:
        raise KeyRefused("multiple_lines", "Add one key at a time: this text has more than one line")
    if "\x00" in stripped or _has_control(stripped):
        raise KeyRefused("malformed", "the key holds control characters")
    parts = stripped.split(None, 2)
    key_type = parts[0]
    if key_type not in KEY_TYPES:
        if "=" in key_type or "," in key_type or key_type in OPTION_WORDS or any(p in KEY_TYPES for p in parts[1:2]):
            raise KeyRefused(
                "options",
                "Options before the key (such as command=, from=, restrict) are not accepted here: paste the key alone",
            )
        if key_type in ("ssh-dss",) or key_type.endswith("-cert-v01@openssh.com"):
            raise KeyRefused("unsupported_type", f"{key_type} keys are not accepted: use an ed25519 key")
        raise KeyRefused(
            "malformed", "This is not an OpenSSH public key: it starts with its type, such as ssh-ed25519 or ssh-rsa"
        )
    if len(parts) < 2:
        raise KeyRefused("malformed", "the key data after the type is missing")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise KeyRefused("malformed", "the key data is not base64") from None
    bits = parse_blob(key_type, blob)
    comment = parts[2].strip() if len(parts) > 2 else ""
    if len(comment) > MAX_COMMENT_CHARS:
        raise KeyRefused("malformed", f"the comment is longer than {MAX_COMMENT_CHARS} characters")
    return PublicKey(key_type, blob, bits, comment)


# authorized_keys options a pasted line might start with (sshd(8) AUTHORIZED_KEYS FILE FORMAT).
OPTION_WORDS = {
    "agent-forwarding",
    "cert-authority",
    "no-agent-forwarding",
    "no-port-forwarding",
    "no-pty",
    "no-user-rc",
    "no-X11-forwarding",
    "port-forwarding",
    "pty",
    "restrict",
    "touch-required",
    "user-rc",
    "verify-required",
    "X11-forwarding",
}


def key_of_line(line: str) -> Optional[PublicKey]:
    """The key an authorized_keys line holds, options before it allowed (the user may have written
    them, and sshd applies them); None for a comment, a blank or an unreadable line."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    words = text.split()
    for i, word in enumerate(words):
        if word in KEY_TYPES and i + 1 < len(words):
            try:
                return parse_public_key(" ".join(words[i:]))
            except KeyRefused:
                return None
    return None


class AuthorizedKeysError(Exception):
    """The file cannot be used; ``code``: ``link`` (a link on the way), ``not_found`` (no such key),
    ``too_large``, ``unreadable``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class AuthorizedKeys:
    """``<home>/.ssh/authorized_keys``; ``home`` is the notebook's home (opened as given)."""

    def __init__(self, home: str):
        self.home = home

    @property
    def path(self) -> str:
        return os.path.join(self.home, SSH_DIR, FILE)

    @contextmanager
    def _ssh_dir(self, create: bool) -> Iterator[Optional[int]]:
        """``~/.ssh`` opened without following a link and locked (None when missing and not ``create``)."""
        try:
            with nofollow.directory(self.home, []) as home_fd:
                if create:
                    fd = nofollow.make_directory(SSH_DIR, home_fd, 0o700)
                else:
                    try:
                        fd = nofollow.open_directory(SSH_DIR, home_fd)
                    except FileNotFoundError:
                        fd = None
        except nofollow.LinkError:
            raise AuthorizedKeysError("link", f"{os.path.join(self.home, SSH_DIR)} is a symbolic link: not followed") from None
        except NotADirectoryError:
            raise AuthorizedKeysError("unreadable", f"{os.path.join(self.home, SSH_DIR)} is not a folder") from None
        if fd is None:
            yield None
            return
        try:
            if create and os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o700)
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # releases the lock

    def _open_file(self, ssh_fd: int, create: bool) -> Optional[int]:
        try:
            if create:
                fd = nofollow.open_appendable(FILE, ssh_fd, 0o600)
            else:
                fd = nofollow.open_file(FILE, ssh_fd)
        except FileNotFoundError:
            return None
        except nofollow.LinkError:
            raise AuthorizedKeysError("link", f"{self.path} is a symbolic link: not followed") from None
        except OSError as err:
            raise AuthorizedKeysError("unreadable", f"{self.path}: {err.strerror or err}") from None
        return fd

    def _read(self, fd: int) -> bytes:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise AuthorizedKeysError("too_large", f"{self.path} is larger than {MAX_FILE_BYTES} bytes")
        chunks = []
        offset = 0
        while True:
            chunk = os.pread(fd, 65536, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
            if offset > MAX_FILE_BYTES:
                raise AuthorizedKeysError("too_large", f"{self.path} is larger than {MAX_FILE_BYTES} bytes")
        return b"".join(chunks)

    @staticmethod
    def _lines(data: bytes) -> List[bytes]:
        """The file's lines, each with its own line break (the last may have none)."""
        lines = data.split(b"\n")
        out = [line + b"\n" for line in lines[:-1]]
        if lines[-1]:
            out.append(lines[-1])
        return out

    @staticmethod
    def _key(line: bytes) -> Optional[PublicKey]:
        return key_of_line(line.decode("utf-8", "replace"))

    def list(self) -> List[PublicKey]:
        """The keys the file holds, in its order (one entry per key, however often it is listed)."""
        with self._ssh_dir(create=False) as ssh_fd:
            if ssh_fd is None:
                return []
            fd = self._open_file(ssh_fd, create=False)
            if fd is None:
                return []
            try:
                data = self._read(fd)
            finally:
                os.close(fd)
        keys: List[PublicKey] = []
        for line in self._lines(data):
            key = self._key(line)
            if key and all(k.blob != key.blob for k in keys):
                keys.append(key)
        return keys

    def add(self, key: PublicKey) -> bool:
        """Appends ``key``'s line unless the file holds the same key already; True when added.
        Makes ``~/.ssh`` (0700) and the file (0600) when missing, and sets those modes when looser."""
        with self._ssh_dir(create=True) as ssh_fd:
            fd = self._open_file(ssh_fd, create=True)
            try:
                if os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                data = self._read(fd)
                if any((k := self._key(line)) is not None and k.blob == key.blob for line in self._lines(data)):
                    return False
                text = key.line().encode("utf-8") + b"\n"
                # a last line without its line break is ended first, so the key starts a line of its own
                if data and not data.endswith(b"\n"):
                    text = b"\n" + text
                written = 0
                while written < len(text):
                    written += os.write(fd, text[written:])
                os.fsync(fd)
                return True
            finally:
                os.close(fd)

    def remove(self, fingerprint: str) -> int:
        """Removes every line holding the key with ``fingerprint``; every other byte stays. The new
        file replaces the old one at once (written beside it, then renamed over it). Returns how
        many lines went; AuthorizedKeysError ``not_found`` when none holds it."""
        with self._ssh_dir(create=False) as ssh_fd:
            fd = None if ssh_fd is None else self._open_file(ssh_fd, create=False)
            if fd is None:
                raise AuthorizedKeysError("not_found", f"no key {fingerprint} is authorized")
            try:
                data = self._read(fd)
            finally:
                os.close(fd)
            kept = []
            removed = 0
            for line in self._lines(data):
                key = self._key(line)
                if key is not None and key.fingerprint == fingerprint:
                    removed += 1
                else:
                    kept.append(line)
            if not removed:
                raise AuthorizedKeysError("not_found", f"no key {fingerprint} is authorized")
            self._replace(ssh_fd, b"".join(kept))
            return removed

    def _replace(self, ssh_fd: int, data: bytes) -> None:
        """``data`` as the file's new content (mode 0600), in one rename."""
        temp = f".{FILE}.{secrets.token_hex(8)}.tmp"
        fd = nofollow.create_file(temp, ssh_fd, 0o600)
        try:
            try:
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(temp, FILE, src_dir_fd=ssh_fd, dst_dir_fd=ssh_fd)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=ssh_fd)
            except OSError:
                pass
            raise
        os.fsync(ssh_fd)
