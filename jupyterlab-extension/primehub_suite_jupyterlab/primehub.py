"""The few PrimeHub API calls the server side makes itself: checking a token before it is
saved and reading a job's phase to know when its snapshot can go. Everything else the
browser does through ``@primehub-suite/client`` over the proxy."""

import json
from typing import Any, Dict, Optional

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest


class PrimeHubCallError(Exception):
    """A call failed; ``auth`` is True when PrimeHub rejected the token."""

    def __init__(self, message: str, auth: bool = False):
        super().__init__(message)
        self.auth = auth


def _auth_failure(status: int, errors: Any) -> Optional[str]:
    if status in (401, 403):
        return f"HTTP {status}"
    for e in errors if isinstance(errors, list) else []:
        msg = str(e.get("message", "")) if isinstance(e, dict) else ""
        code = (e.get("extensions") or {}).get("code") if isinstance(e, dict) else None
        if msg.startswith("Context creation failed") or code in ("ACCESS_TOKEN_EXPIRED", "REFRESH_TOKEN_EXPIRED"):
            return msg
    return None


async def graphql(endpoint: str, token: str, query: str, variables: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Runs one GraphQL operation with the token; returns ``data`` or raises PrimeHubCallError."""
    request = HTTPRequest(
        endpoint,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        body=json.dumps({"query": query, "variables": variables or {}}),
        connect_timeout=15,
        request_timeout=30,
    )
    try:
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
    except (OSError, HTTPClientError) as err:
        raise PrimeHubCallError(f"cannot reach PrimeHub at {endpoint}: {err}") from None
    if response.code == 599:
        raise PrimeHubCallError(f"cannot reach PrimeHub at {endpoint}: {response.error}")
    try:
        body = json.loads(response.body or b"{}")
    except ValueError:
        body = {}
    errors = body.get("errors") if isinstance(body, dict) else None
    failure = _auth_failure(response.code, errors)
    if failure:
        raise PrimeHubCallError(f"PrimeHub rejected the API token ({failure})", auth=True)
    if errors:
        first = errors[0].get("message") if isinstance(errors[0], dict) else errors[0]
        raise PrimeHubCallError(f"PrimeHub answered with an error: {first}")
    if response.code >= 400 or not isinstance(body, dict) or "data" not in body:
        raise PrimeHubCallError(f"PrimeHub answered HTTP {response.code}")
    return body["data"] or {}


ME = "query { me { id username } }"
JOB_PHASE = "query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { id phase } }"


async def me(endpoint: str, token: str) -> Dict[str, Any]:
    data = await graphql(endpoint, token, ME)
    if not isinstance(data.get("me"), dict):
        raise PrimeHubCallError("PrimeHub did not return the user of this token", auth=True)
    return data["me"]


async def job_phase(endpoint: str, token: str, job_id: str) -> Optional[str]:
    """The job's phase, or None when the job no longer exists."""
    try:
        data = await graphql(endpoint, token, JOB_PHASE, {"where": {"id": job_id}})
    except PrimeHubCallError as err:
        if "not found" in str(err).lower():
            return None
        raise
    job = data.get("phJob")
    return job.get("phase") if isinstance(job, dict) else None
