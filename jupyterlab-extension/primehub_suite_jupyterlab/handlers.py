"""HTTP handlers under ``<base_url>/primehub-suite/``. Jupyter's own auth and XSRF check
protect every route; the PrimeHub token stays on the server."""

import asyncio
import json
import os
import re
from typing import List, Optional

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.iostream import StreamClosedError

from . import api_path, context, primehub, sdk_config
from .authorized_keys import AuthorizedKeys, AuthorizedKeysError, KeyRefused, parse_public_key
from .snapshots import SnapshotError, SnapshotRegistry, create_snapshot
from .upstream import BODY_METHODS, Upstream

NAMESPACE = "primehub-suite"
# Routes the PrimeHub API paths the client uses (GraphQL, PHFS files, job and deployment logs, MLflow UI
# tickets, PrimeHub Local's notebook SSH switch) to the proxy, which checks each one again on its decoded
# segments (api_path) before anything is sent.
PROXY_PATHS = r"(graphql|files/.*|logs/.*|mlflow-ui/tickets|ssh|ssh/.*)"
# Request headers passed on to PrimeHub; the browser's cookies and Jupyter auth never are.
FORWARD_REQUEST_HEADERS = ("Content-Type", "Accept", "Range", "If-None-Match", "If-Modified-Since")
# Content-Length too: a client shows a download's size and progress, and a response PrimeHub cuts short
# then ends as a broken one rather than as a complete shorter file.
FORWARD_RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Disposition",
    "Last-Modified",
    "ETag",
    "Content-Range",
)
PROXY_METHODS = ("GET", "POST", "PUT", "DELETE")
# A deployment's prediction route under ``proxy/deployment/`` (ids as PrimeHub makes them).
DEPLOYMENT_PATH = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]/api/v(1\.0|0\.1)/predictions")
# The header a private endpoint's client credentials come in from the browser.
CLIENT_AUTHORIZATION = "X-PrimeHub-Client-Authorization"
NO_TOKEN = "Context creation failed: no PrimeHub API token is set; sign in to PrimeHub first"
# The key of the extension app (PrimeHubSuiteApp) in the web app's settings.
APP_SETTING = "primehub_suite_jupyterlab"


class BaseHandler(APIHandler):
    @property
    def root_dir(self) -> str:
        return os.path.expanduser(self.settings["server_root_dir"])

    @property
    def tokens(self) -> sdk_config.TokenFile:
        return self.settings[APP_SETTING].tokens

    def fail(self, status: int, message: str, code: Optional[str] = None) -> "asyncio.Future[None]":
        self.set_status(status)
        return self.finish(json.dumps({"message": message, "code": code}))

    def body(self) -> dict:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "the request body must be a JSON object")
        return data


class ConfigHandler(BaseHandler):
    @tornado.web.authenticated
    def get(self):
        self.finish(json.dumps(context.notebook_context(self.root_dir, self.tokens)))


class TokenHandler(BaseHandler):
    """Signs this Lab in and out. Both answers name the file the token is kept in (``tokenFile``)."""

    @tornado.web.authenticated
    async def put(self):
        token = self.body().get("token")
        token = token.strip() if isinstance(token, str) else ""
        if not token:
            return self.fail(400, "Paste an API token", "empty_token")
        problem = sdk_config.token_problem(token)
        if problem:
            return self.fail(400, f"This is not an API token: {problem}", "malformed_token")
        endpoint = self.tokens.endpoint()
        try:
            user = await primehub.me(endpoint, token)
        except primehub.PrimeHubCallError as err:
            return self.fail(401 if err.auth else 502, str(err), "invalid_token" if err.auth else "unreachable")
        self.tokens.save_token(token, endpoint, context.current_group().as_sdk_group())
        self.finish(json.dumps({"tokenSet": True, "user": user.get("username"), "tokenFile": self.tokens.path}))

    @tornado.web.authenticated
    def delete(self):
        """Forgets the token in this Lab's token file, and nowhere else."""
        self.tokens.clear_token()
        self.finish(json.dumps({"tokenSet": self.tokens.token() is not None, "tokenFile": self.tokens.path}))


@tornado.web.stream_request_body
class ProxyHandler(BaseHandler):
    """Streams one request to the PrimeHub API with the stored token, both ways: an upload's body
    goes on chunk by chunk as it arrives, at the pace PrimeHub takes it, and the response comes back
    at the pace the browser takes it (logs with ``follow`` stay open as long as PrimeHub keeps them
    open). Neither body is ever held whole, whatever its size."""

    _closed = False
    _started = False
    # The request to PrimeHub, opened in prepare() once Jupyter's auth and XSRF check passed.
    _upstream: Optional[Upstream] = None
    # Sends it and reads PrimeHub's answer into this response; its result is the failure that cut it short.
    _exchange: "Optional[asyncio.Future]" = None
    # The decoded segments of the API path, checked in prepare().
    _segments: List[str] = []

    # The URL the request goes to, set in prepare().
    _url = ""

    def initialize(self, namespace: str):
        # This route's path up to ``proxy/api/``, as the browser sends it.
        self._prefix = url_path_join(self.base_url, namespace, "proxy", "api") + "/"

    def target(self, raw_path: str) -> str:
        """The URL a request for ``raw_path`` (what follows the route's prefix, as sent) goes to, or
        ApiPathError."""
        self._segments = api_path.api_segments(raw_path)
        return f"{sdk_config.api_base(self.tokens.endpoint())}/{api_path.encode(self._segments)}"

    def credentials(self, token: str) -> dict:
        """The headers that authenticate the request upstream."""
        return {"Authorization": f"Bearer {token}"}

    async def prepare(self):
        await super().prepare()
        if self._finished:
            return
        # With a streamed body prepare() runs before the body arrives and the methods' @authenticated
        # only after it: refuse here, before anything reaches PrimeHub.
        if self.current_user is None:
            raise tornado.web.HTTPError(403)
        if self.request.method not in PROXY_METHODS:
            return
        raw = self.request.path
        try:
            if not raw.startswith(self._prefix):
                raise api_path.ApiPathError("the request path does not start with this proxy's route")
            self._url = self.target(raw[len(self._prefix) :])
        except api_path.ApiPathError as err:
            self.fail(400, str(err), "invalid_path")
            return
        token = self.tokens.token()
        if token is None:
            self.set_status(401)
            self.finish(json.dumps({"errors": [{"message": NO_TOKEN}], "message": NO_TOKEN}))
            return
        if self.request.method in BODY_METHODS:
            limit = self.settings[APP_SETTING].max_upload_bytes
            length = self.request.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                # Refused before anything reaches PrimeHub; a chunked body is cut at the limit below.
                self.fail(413, f"the upload is {length} bytes; this server passes on at most {limit}", "too_large")
                return
            set_max_body_size = getattr(self.request.connection, "set_max_body_size", None)
            if set_max_body_size:
                set_max_body_size(limit)
        self._upstream = Upstream(self._on_start, self._on_chunk)
        self._exchange = asyncio.ensure_future(self._run(token))

    async def data_received(self, chunk: bytes):
        upstream = self._upstream
        # Once PrimeHub answered (or is gone) the rest of the body has nowhere to go: it is read and
        # dropped, and the browser gets the answer when it has sent it all, as from PrimeHub itself.
        if upstream is None or self._exchange.done() or not await upstream.opened or upstream.has_answered():
            return
        try:
            # Resolves once the chunk is on its way to PrimeHub: the browser's next chunk is read then.
            await upstream.write(chunk)
        except Exception:  # noqa: BLE001 - PrimeHub stopped reading: its answer, if any, is still read
            upstream.stop_writing()

    def on_connection_close(self):
        self._closed = True
        if self._upstream is not None:
            # An upload ends incomplete, which PrimeHub drops; a followed log stops.
            self._upstream.close()
        super().on_connection_close()

    def _on_start(self, code: int, reason: str, headers):
        self.set_status(code, reason or None)
        for name in FORWARD_RESPONSE_HEADERS:
            if name in headers:
                self.set_header(name, headers[name])

    async def _on_chunk(self, chunk: bytes):
        if self._closed or self._finished:
            return
        self._started = True
        self.write(chunk)
        try:
            # PrimeHub's next chunk is read once this one reached the browser.
            await self.flush()
        except StreamClosedError:
            pass  # the browser left: on_connection_close aborts the request

    async def _run(self, token: str) -> Optional[Exception]:
        """Sends the request and reads PrimeHub's answer into this response; returns the failure
        that ended it early, if any (the browser is answered once its body is complete)."""
        url = self._url
        if self.request.query:
            url += f"?{self.request.query}"
        headers = {k: self.request.headers[k] for k in FORWARD_REQUEST_HEADERS if k in self.request.headers}
        headers.update(self.credentials(token))
        if self.request.method in BODY_METHODS and "Content-Length" in self.request.headers:
            # Without one (a chunked upload) the body goes on chunked too.
            headers["Content-Length"] = self.request.headers["Content-Length"]
        try:
            await self._upstream.start(url, self.request.method, headers)
            await self._upstream.ended
            return None
        except Exception as err:  # noqa: BLE001 - any transport failure becomes a 502 for the client
            return err
        finally:
            self._upstream.close()

    async def _proxy(self):
        """Runs once the browser's body is complete (at once without one)."""
        if await self._upstream.opened:
            self._upstream.end_body()
        error = await self._exchange
        if self._closed or self._finished:
            return
        if error is not None and not self._started:
            for name in FORWARD_RESPONSE_HEADERS:  # PrimeHub's, if its headers came before the failure
                self.clear_header(name)
            self.fail(502, f"cannot reach PrimeHub: {error}", "unreachable")
        elif error is None:
            self.finish()
        else:
            # Cut short mid-response: the browser sees it broken (shorter than its Content-Length).
            try:
                self.finish()
            except Exception:  # noqa: BLE001 - tornado refuses to end it short, and closes the connection
                self.request.connection.close()

    @tornado.web.authenticated
    async def get(self, path):
        await self._proxy()

    @tornado.web.authenticated
    async def post(self, path):
        await self._proxy()

    @tornado.web.authenticated
    async def put(self, path):
        await self._proxy()

    @tornado.web.authenticated
    async def delete(self, path):
        await self._proxy()


class DeploymentProxyHandler(ProxyHandler):
    """Sends a prediction to a deployment's endpoint on the PrimeHub this Lab is signed in to,
    ``<server>/deployment/<id>/api/v1.0/predictions``, which the browser cannot call itself (another
    origin). Only that route of the configured PrimeHub is reached. The PrimeHub token is never sent
    to a model: a private endpoint's client credentials come as ``X-PrimeHub-Client-Authorization``
    (the browser's own Authorization is Jupyter's) and go on as its ``Authorization``."""

    # tornado answers any other method 405 before prepare() opens anything upstream
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, namespace: str):
        # This route's path up to ``proxy/deployment/``, as the browser sends it.
        self._prefix = url_path_join(self.base_url, namespace, "proxy", "deployment") + "/"

    def target(self, raw_path: str) -> str:
        match = DEPLOYMENT_PATH.fullmatch(raw_path)
        if not match:
            raise api_path.ApiPathError(
                f"{raw_path!r} is not a deployment's prediction path (<id>/api/v1.0/predictions)"
            )
        root = sdk_config.api_base(self.tokens.endpoint())
        root = root[: -len("/api")] if root.endswith("/api") else root
        return f"{root}/deployment/{raw_path}"

    def credentials(self, token: str) -> dict:
        client = self.request.headers.get(CLIENT_AUTHORIZATION, "")
        return {"Authorization": client} if client.startswith("Basic ") else {}


class SnapshotHandler(BaseHandler):
    """``POST {path}`` makes a snapshot of a notebook; ``DELETE ?path=`` removes one now."""

    @tornado.web.authenticated
    def post(self):
        path = self.body().get("path")
        if not isinstance(path, str) or not path:
            return self.fail(400, "path is required", "invalid_request")
        try:
            made = create_snapshot(self.root_dir, path, context.current_group().name)
        except SnapshotError as err:
            return self.fail(404 if err.code == "not_found" else 400, str(err), err.code)
        self.finish(json.dumps(made))

    @tornado.web.authenticated
    def delete(self):
        path = self.get_query_argument("path", "")
        try:
            removed = self.settings[APP_SETTING].registry.remove(path)
        except SnapshotError as err:
            return self.fail(400, str(err), err.code)
        self.finish(json.dumps({"removed": removed}))


class SnapshotJobsHandler(BaseHandler):
    """``POST {snapshot, jobIds}``: the snapshot is removed once all those jobs ended."""

    @property
    def registry(self) -> SnapshotRegistry:
        return self.settings[APP_SETTING].registry

    @tornado.web.authenticated
    def post(self):
        data = self.body()
        snapshot = data.get("snapshot")
        ids = data.get("jobIds")
        if not isinstance(snapshot, str) or not snapshot:
            return self.fail(400, "snapshot is required", "invalid_request")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            return self.fail(400, "jobIds must be a list of job ids", "invalid_request")
        try:
            self.registry.register(snapshot, ids)
        except SnapshotError as err:
            return self.fail(400, str(err), err.code)
        self.finish(json.dumps({"registered": True}))


class KeysBaseHandler(BaseHandler):
    """What the authorized-keys routes share: the file and how its refusals are answered."""

    # The status each refusal of the file gets.
    STATUS = {"link": 409, "not_found": 404, "too_large": 413, "unreadable": 409}

    @property
    def keys(self) -> AuthorizedKeys:
        return AuthorizedKeys(self.settings[APP_SETTING].ssh_home)

    def key_text(self) -> Optional[str]:
        text = self.body().get("key")
        return text if isinstance(text, str) else None

    def refuse(self, err: Exception) -> "asyncio.Future[None]":
        if isinstance(err, KeyRefused):
            return self.fail(400, str(err), err.code)
        if isinstance(err, AuthorizedKeysError):
            return self.fail(self.STATUS.get(err.code, 409), str(err), err.code)
        return self.fail(500, f"{self.keys.path}: {getattr(err, 'strerror', None) or err}", "io_error")


class AuthorizedKeysHandler(KeysBaseHandler):
    """The notebook home's ``~/.ssh/authorized_keys`` (the keys its SSH server lets in): ``GET``
    lists them, ``POST {"key"}`` adds one public key line (appended; the same key twice is kept
    once), ``DELETE ?fingerprint=SHA256:…`` removes a key. Each answer lists the keys after it."""

    def answer(self, **extra) -> None:
        keys = self.keys
        self.finish(json.dumps({**extra, "file": keys.path, "keys": [k.describe() for k in keys.list()]}))

    @tornado.web.authenticated
    def get(self):
        try:
            self.answer()
        except (AuthorizedKeysError, OSError) as err:
            self.refuse(err)

    @tornado.web.authenticated
    def post(self):
        text = self.key_text()
        if text is None:
            return self.fail(400, "key must be the text of a public key", "invalid_request")
        try:
            key = parse_public_key(text)
            added = self.keys.add(key)
            self.answer(added=added, key=key.describe())
        except (KeyRefused, AuthorizedKeysError, OSError) as err:
            self.refuse(err)

    @tornado.web.authenticated
    def delete(self):
        fingerprint = self.get_query_argument("fingerprint", "")
        if not fingerprint.startswith("SHA256:"):
            return self.fail(400, "fingerprint must be a key's SHA256:… fingerprint", "invalid_request")
        try:
            removed = self.keys.remove(fingerprint)
            self.answer(removed=removed)
        except (AuthorizedKeysError, OSError) as err:
            self.refuse(err)


class AuthorizedKeyCheckHandler(KeysBaseHandler):
    """``POST {"key"}``: what adding this key would add (its type, fingerprint and comment, and
    whether it is authorized already), without changing anything: the Add dialog shows it to be
    confirmed."""

    @tornado.web.authenticated
    def post(self):
        text = self.key_text()
        if text is None:
            return self.fail(400, "key must be the text of a public key", "invalid_request")
        try:
            key = parse_public_key(text)
            authorized = any(k.blob == key.blob for k in self.keys.list())
        except (KeyRefused, AuthorizedKeysError, OSError) as err:
            return self.refuse(err)
        self.finish(json.dumps({"key": key.describe(), "authorized": authorized, "file": self.keys.path}))


def handlers(namespace: str) -> list:
    """The routes under ``<base_url>/<namespace>/`` (the extension app adds ``base_url``)."""
    return [
        (url_path_join(namespace, "config"), ConfigHandler),
        (url_path_join(namespace, "token"), TokenHandler),
        (url_path_join(namespace, "snapshot"), SnapshotHandler),
        (url_path_join(namespace, "snapshot", "jobs"), SnapshotJobsHandler),
        (url_path_join(namespace, "ssh", "authorized-keys"), AuthorizedKeysHandler),
        (url_path_join(namespace, "ssh", "authorized-keys", "check"), AuthorizedKeyCheckHandler),
        (url_path_join(namespace, "proxy", "api", PROXY_PATHS), ProxyHandler, {"namespace": namespace}),
        (url_path_join(namespace, "proxy", "deployment", "(.*)"), DeploymentProxyHandler, {"namespace": namespace}),
    ]
