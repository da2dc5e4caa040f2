"""The official PrimeHub SDK's config file (``~/.primehub/config.json``): endpoint, API token
and group, written with mode 0600 and keys this package does not know kept as they were."""

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


def config_path() -> str:
    """``PRIMEHUB_CONFIG`` (``npm start`` points it at PrimeHub Local's file), else the SDK's default."""
    return os.environ.get("PRIMEHUB_CONFIG") or os.path.join(os.path.expanduser("~"), ".primehub", "config.json")


def read_config() -> Dict[str, Any]:
    """The file's content; ``{}`` when it is missing or not a JSON object."""
    try:
        with open(config_path(), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_config(data: Dict[str, Any]) -> None:
    """Writes atomically (temporary file + rename) with mode 0600."""
    path = config_path()
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".json", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def api_endpoint() -> str:
    """``PRIMEHUB_API_ENDPOINT``, else the config file's endpoint, else PrimeHub's in-cluster GraphQL."""
    env = os.environ.get("PRIMEHUB_API_ENDPOINT", "").strip()
    if env:
        return env
    endpoint = read_config().get("endpoint")
    if isinstance(endpoint, str) and endpoint.strip():
        return endpoint.strip()
    return IN_CLUSTER_ENDPOINT


def api_token() -> Optional[str]:
    """The token the user stored (config file), else ``PRIMEHUB_API_TOKEN``; never sent to the browser."""
    token = read_config().get("api-token")
    if not (isinstance(token, str) and token):
        token = os.environ.get("PRIMEHUB_API_TOKEN") or None
    # One edited by hand into something no header can carry counts as none.
    return token if token and token_problem(token) is None else None


def save_token(token: str, endpoint: str, group: Optional[Dict[str, str]]) -> None:
    data = read_config()
    data["api-token"] = token
    data.setdefault("endpoint", endpoint)
    if group and not isinstance(data.get("group"), dict):
        data["group"] = group
    write_config(data)


def clear_token() -> None:
    data = read_config()
    if "api-token" in data:
        del data["api-token"]
        write_config(data)


def api_base(endpoint: str) -> str:
    """``https://host/api`` for ``https://host/api/graphql``: the prefix of the files and logs APIs."""
    base = endpoint.rstrip("/")
    return base[: -len("/graphql")] if base.endswith("/graphql") else base
