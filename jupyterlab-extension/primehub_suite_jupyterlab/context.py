"""The notebook's PrimeHub context, from the environment a PrimeHub spawner sets."""

import os
from typing import Any, Dict, NamedTuple, Optional

from .sdk_config import TokenFile, api_base


class Group(NamedTuple):
    """The notebook's group: ``id`` may be unknown (None), ``name`` is ``""`` when there is none."""

    id: Optional[str]
    name: str

    def as_sdk_group(self) -> Optional[Dict[str, Optional[str]]]:
        """The SDK config file's ``group`` entry, or None without a group."""
        return {"id": self.id or "", "name": self.name, "displayName": self.name} if self.name else None


def current_group() -> Group:
    """The notebook's group, as the spawner (``GROUP_ID``, ``GROUP_NAME``) or ``npm start``
    (``PRIMEHUB_GROUP``) names it. Every route and the snapshot registry read it here only."""
    env = os.environ
    return Group(env.get("GROUP_ID") or None, env.get("GROUP_NAME") or env.get("PRIMEHUB_GROUP") or "")


def group_path(name: str) -> str:
    """PrimeHub's storage name of a group: lower case, every ``_`` replaced by ``-``."""
    return name.lower().replace("_", "-")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def relative_to_root(path: str, root_dir: str) -> Optional[str]:
    """``path`` as a server path (relative to ``root_dir``, ``/``-separated), or None when outside it."""
    root = os.path.abspath(root_dir)
    candidate = os.path.abspath(path)
    if _inside(candidate, root):
        rel = os.path.relpath(candidate, root)
        return "" if rel == "." else rel.replace(os.sep, "/")
    # The same folder reached through a symlink inside the root (e.g. $HOME/<group> -> /project/<group>).
    real = os.path.realpath(candidate)
    for entry in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        linked = os.path.join(root, entry)
        target = os.path.realpath(linked)
        if os.path.isdir(linked) and _inside(real, target):
            rest = os.path.relpath(real, target)
            return entry if rest == "." else f"{entry}/{rest}".replace(os.sep, "/")
    return None


def group_volume(root_dir: str, group_name: str) -> Optional[str]:
    """The group volume as a server path: ``PRIMEHUB_GROUP_VOLUME_PATH`` if it is under the root,
    else the folder ``<group>`` (PrimeHub's ``$HOME/<group>``) when it exists."""
    env = os.environ.get("PRIMEHUB_GROUP_VOLUME_PATH", "").strip()
    if env:
        rel = relative_to_root(env, root_dir)
        if rel:
            return rel
    for name in dict.fromkeys([group_name, group_path(group_name)]) if group_name else []:
        if os.path.isdir(os.path.join(root_dir, name)):
            return name
    return None


def phfs(root_dir: str) -> Optional[str]:
    env = os.environ.get("PRIMEHUB_PHFS_PATH", "").strip()
    if env:
        rel = relative_to_root(env, root_dir)
        if rel:
            return rel
    return "phfs" if os.path.isdir(os.path.join(root_dir, "phfs")) else None


def notebook_context(root_dir: str, token_file: TokenFile) -> Dict[str, Any]:
    """What ``GET config`` returns: everything but the token itself."""
    env = os.environ
    group = current_group()
    endpoint = token_file.endpoint()
    volume = group_volume(root_dir, group.name)
    primehub_env = {
        k: v for k, v in sorted(env.items()) if k.startswith("PRIMEHUB_") and "TOKEN" not in k and "SECRET" not in k
    }
    return {
        "group": {"id": group.id, "name": group.name or None},
        "instanceType": env.get("INSTANCE_TYPE") or None,
        "image": env.get("IMAGE_NAME") or None,
        "user": env.get("JUPYTERHUB_USER") or env.get("PRIMEHUB_USER") or None,
        "env": primehub_env,
        "apiEndpoint": endpoint,
        "apiBase": api_base(endpoint),
        "consoleUrl": env.get("PRIMEHUB_CONSOLE_URL") or None,
        "isLocal": env.get("PRIMEHUB_LOCAL", "") == "1",
        "groupVolume": volume,
        "phfs": phfs(root_dir),
        "tokenSet": token_file.token() is not None,
        "tokenFile": token_file.path,
    }
