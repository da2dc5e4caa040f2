"""The PrimeHub API paths the proxy may reach, checked on the path as the browser sent it (still
percent-encoded): tornado's decoded path can no longer tell ``a%2Fb`` from ``a/b``, and a raw-path
pattern is beaten by ``files/../../admin``."""

import urllib.parse
from typing import Iterator, List

# The first segment and whether more segments must follow: GraphQL, PHFS files, job and deployment logs,
# PrimeHub Local's MLflow UI sign-in tickets (``mlflow-ui/tickets``) and its notebook SSH switch
# (``ssh/notebooks/<user>``, nothing else under ``ssh``).
ALLOWED = {"graphql": False, "files": True, "logs": True, "mlflow-ui": True, "ssh": True}
# Characters no segment may hold once decoded: an encoded separator, a Windows one, NUL.
FORBIDDEN_CHARS = ("/", "\\", "\x00")


class ApiPathError(ValueError):
    """The path is refused; the message says why (for a 400 answer)."""


def _decoded(raw: str) -> str:
    try:
        return urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise ApiPathError("the API path is not valid UTF-8 once decoded") from None


def _decodings(segment: str) -> Iterator[str]:
    """The segment decoded again and again until that changes nothing (each round shortens it)."""
    while True:
        # Only looked at for the characters above: a name with a literal "%ff" stays allowed.
        again = urllib.parse.unquote(segment, errors="replace")
        if again == segment:
            return
        yield again
        segment = again


def _check(segment: str, shown: str) -> None:
    if segment in (".", ".."):
        raise ApiPathError(f"the API path must not contain a '.' or '..' segment (got {shown!r})")
    for char in FORBIDDEN_CHARS:
        if char in segment:
            what = "NUL" if char == "\x00" else f"an encoded {char!r}"
            raise ApiPathError(f"an API path segment must not contain {what} (got {shown!r})")


def api_segments(raw_path: str) -> List[str]:
    """The decoded segments of ``raw_path`` (what follows ``proxy/api/``, as sent), or ApiPathError.

    Each segment is checked as decoded once and, since a server further on may decode again, as
    decoded any number of times (``%252e%252e`` is ``..`` to one that decodes twice); then the first
    segment must be one of :data:`ALLOWED`."""
    segments = []
    for raw in raw_path.split("/"):
        once = _decoded(raw)
        _check(once, raw)
        for again in _decodings(once):
            _check(again, raw)
        segments.append(once)
    head = segments[0]
    ssh_ok = head != "ssh" or (len(segments) == 3 and segments[1] == "notebooks" and segments[2] != "")
    if head not in ALLOWED or ALLOWED[head] != (len(segments) > 1) or not ssh_ok:
        raise ApiPathError(f"{'/'.join(segments)!r} is not a PrimeHub API path this proxy serves")
    return segments


def encode(segments: List[str]) -> str:
    """The path to send on, each segment percent-encoded again ("a b.csv" and "50%.csv" stay one name)."""
    return "/".join(urllib.parse.quote(s, safe="") for s in segments)
