"""API token files in the official PrimeHub SDK's format (``{endpoint, "api-token", group}``),
written with mode 0600 and keys this package does not know kept as they were."""

import json
import os
import tempfile
from typing import Any, Dict, Optional

IN_CLUSTER_ENDPOINT = "http://primehub-graphql/api/graphql"
# PrimeHub's tokens are JWTs (a few hundred characters); this only keeps out what no header can carry.
MAX_TOKEN_LENGTH = 4096


def token_problem(token: str) -> Optional[str]:
    """Why ``token`` cannot be an API token (it goes into an ``Authorization`` header), or None."""
    if len(token) > MAX_TOKEN_LENGTH:
        return f"the token is {len(token)} characters long; an API token has at most {MAX_TOKEN_LENGTH}"
    bad = next((c for c in token if not "!" <= c <= "~"), None)
    if bad is not None:
        return f"the token holds {bad!r}; an API token has only printable ASCII characters and no spaces"
    return None


def sdk_default_path() -> str:
    """The official SDK's own file, ``~/.primehub/config.json``."""
    return os.path.join(os.path.expanduser("~"), ".primehub", "config.json")


def default_token_file() -> str:
    """Where the Lab keeps its token unless configured: ``PRIMEHUB_CONFIG`` (``npm start`` points it
    at the Lab's own copy), else the SDK's file, which the Lab and the SDK share in a PrimeHub notebook."""
    return os.environ.get("PRIMEHUB_CONFIG") or sdk_default_path()


def api_base(endpoint: str) -> str:
    """``https://host/api`` for ``https://host/api/graphql``: the prefix of the files and logs APIs."""
    base = endpoint.rstrip("/")
    return base[: -len("/graphql")] if base.endswith("/graphql") else base


class TokenFile:
    """The one file this Lab reads its endpoint and API token from and writes the token to. Signing
    out removes ``api-token`` from this file only; no other file is ever written."""

    def __init__(self, path: str):
        self.path = os.path.abspath(os.path.expanduser(path))

    def read(self) -> Dict[str, Any]:
        """The file's content; ``{}`` when it is missing or not a JSON object."""
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, data: Dict[str, Any]) -> None:
        """Writes atomically (temporary file + rename) with mode 0600."""
        folder = os.path.dirname(self.path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        write_private_json(self.path, data, prefix=".config-", indent=2)

    def endpoint(self) -> str:
        """``PRIMEHUB_API_ENDPOINT``, else the file's endpoint, else PrimeHub's in-cluster GraphQL."""
        env = os.environ.get("PRIMEHUB_API_ENDPOINT", "").strip()
        if env:
            return env
        endpoint = self.read().get("endpoint")
        if isinstance(endpoint, str) and endpoint.strip():
            return endpoint.strip()
        return IN_CLUSTER_ENDPOINT

    def token(self) -> Optional[str]:
        """The token the user stored here, else ``PRIMEHUB_API_TOKEN``; never sent to the browser."""
        token = self.read().get("api-token")
        if not (isinstance(token, str) and token):
            token = os.environ.get("PRIMEHUB_API_TOKEN") or None
        # One edited by hand into something no header can carry counts as none.
        return token if token and token_problem(token) is None else None

    def save_token(self, token: str, endpoint: str, group: Optional[Dict[str, Optional[str]]]) -> None:
        data = self.read()
        data["api-token"] = token
        data.setdefault("endpoint", endpoint)
        if group and not isinstance(data.get("group"), dict):
            data["group"] = group
        self.write(data)

    def clear_token(self) -> None:
        """Forgets the token here, keeping the file's other keys."""
        data = self.read()
        if "api-token" in data:
            del data["api-token"]
            self.write(data)


def write_private_json(path: str, data: Any, prefix: str, indent: Optional[int] = None) -> None:
    """Replaces ``path`` atomically (temporary file beside it + rename) with ``data`` as JSON, mode 0600.

    With ``indent`` the file is pretty-printed and ends with a newline (files people read).
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".json", dir=os.path.dirname(path))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=indent)
            if indent is not None:
                f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
