"""HTTP handlers under ``<base_url>/primehub-suite/``. Jupyter's own auth and XSRF check
protect every route; the PrimeHub token stays on the server."""

import asyncio
import json
import os
import sys
import urllib.parse
from typing import Optional

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPRequest
from tornado.ioloop import PeriodicCallback
from tornado.simple_httpclient import SimpleAsyncHTTPClient

from . import context, primehub, sdk_config
from .snapshots import SnapshotError, SnapshotRegistry, create_snapshot, original_of

NAMESPACE = "primehub-suite"
# Only the PrimeHub API paths the client uses: GraphQL, PHFS files, job and deployment logs.
PROXY_PATHS = r"(graphql|files/.*|logs/.*)"
# Request headers passed on to PrimeHub; the browser's cookies and Jupyter auth never are.
FORWARD_REQUEST_HEADERS = ("Content-Type", "Accept", "Range", "If-None-Match", "If-Modified-Since")
FORWARD_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified", "ETag", "Content-Range")
PROXY_METHODS = ("GET", "POST", "PUT", "DELETE")
BODY_METHODS = ("POST", "PUT")
# Uploads (PHFS files, artifacts) can be many GB and are streamed, never held: the limit only
# keeps out absurd sizes; PrimeHub applies its own (PrimeHub Local's default is the same 64 GiB).
MAX_UPLOAD_BYTES = 64 * 1024**3
# Downloads and followed logs are streamed too; their size is PrimeHub's business.
MAX_DOWNLOAD_BYTES = sys.maxsize
NO_TOKEN = "Context creation failed: no PrimeHub API token is set; sign in to PrimeHub first"
SWEEP_SECONDS = 5


class BaseHandler(APIHandler):
    @property
    def root_dir(self) -> str:
        return os.path.expanduser(self.settings["server_root_dir"])

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
        self.finish(json.dumps(context.notebook_context(self.root_dir)))


class TokenHandler(BaseHandler):
    @tornado.web.authenticated
    async def put(self):
        token = self.body().get("token")
        token = token.strip() if isinstance(token, str) else ""
        if not token:
            return self.fail(400, "Paste an API token", "empty_token")
        endpoint = sdk_config.api_endpoint()
        try:
            user = await primehub.me(endpoint, token)
        except primehub.PrimeHubCallError as err:
            return self.fail(401 if err.auth else 502, str(err), "invalid_token" if err.auth else "unreachable")
        name = os.environ.get("GROUP_NAME")
        group = {"id": os.environ.get("GROUP_ID", ""), "name": name, "displayName": name} if name else None
        sdk_config.save_token(token, endpoint, group)
        self.finish(json.dumps({"tokenSet": True, "user": user.get("username")}))

    @tornado.web.authenticated
    def delete(self):
        sdk_config.clear_token()
        self.finish(json.dumps({"tokenSet": sdk_config.api_token() is not None}))


@tornado.web.stream_request_body
class ProxyHandler(BaseHandler):
    """Streams one request to the PrimeHub API with the stored token, both ways: an upload's body
    goes on chunk by chunk as it arrives, at the pace PrimeHub takes it, and the response comes back
    at the pace the browser takes it (logs with ``follow`` stay open as long as PrimeHub keeps them
    open). Neither body is ever held whole, whatever its size."""

    _closed = False
    _failed = False
    _started = False
    # The request to PrimeHub, started in prepare() once Jupyter's auth and XSRF check passed.
    _upstream: "Optional[asyncio.Future]" = None
    # The upstream connection's write() once it is open; None when there is nothing to write to.
    _writer: "Optional[asyncio.Future]" = None
    # Done when the browser has sent the whole body; fails when it goes away before that.
    _body_end: "Optional[asyncio.Future]" = None

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
        token = sdk_config.api_token()
        if token is None:
            self.set_status(401)
            self.finish(json.dumps({"errors": [{"message": NO_TOKEN}], "message": NO_TOKEN}))
            return
        if self.request.method in BODY_METHODS:
            set_max_body_size = getattr(self.request.connection, "set_max_body_size", None)
            if set_max_body_size:
                set_max_body_size(MAX_UPLOAD_BYTES)
            loop = asyncio.get_running_loop()
            self._writer = loop.create_future()
            self._body_end = loop.create_future()
        self._upstream = asyncio.ensure_future(self._fetch(token))
        # Nobody awaits it when the browser left mid-upload: its error is expected then.
        self._upstream.add_done_callback(lambda f: f.cancelled() or f.exception())

    async def data_received(self, chunk: bytes):
        if self._writer is None or self._failed:
            return
        write = await self._writer
        try:
            if write is None:
                raise IOError("the request to PrimeHub ended")
            # Resolves once the chunk is on its way to PrimeHub: the browser's next chunk is read then.
            await write(chunk)
        except Exception:  # noqa: BLE001 - PrimeHub went away mid-upload; its error is reported below
            self._failed = True
            # Ends the upstream request, which still waits for the rest of the body.
            self._end_body(IOError("PrimeHub closed the connection during the upload"))
            written = await self._reply()
            try:
                if written is not None:
                    await written
            except Exception:  # noqa: BLE001 - the browser left too
                pass
            # Closing is the only way not to read the rest of the upload.
            self.request.connection.close()

    def on_connection_close(self):
        self._closed = True
        # Aborts the upload to PrimeHub, which then drops what it received.
        self._end_body(IOError("the browser closed the connection during the upload"))
        super().on_connection_close()

    def _end_body(self, error: Optional[Exception] = None):
        """Tells the upstream request the body is complete or, with ``error``, that it never will be."""
        if self._body_end is None or self._body_end.done():
            return
        if error is None:
            self._body_end.set_result(None)
        else:
            self._body_end.set_exception(error)
            self._body_end.exception()  # retrieved: the upstream request may not have started yet

    async def _fetch(self, token: str):
        try:
            return await self._fetch_upstream(token)
        finally:
            # A failure before the upload started: data_received must not wait for a writer.
            if self._writer is not None and not self._writer.done():
                self._writer.set_result(None)

    async def _fetch_upstream(self, token: str):
        # Tornado hands the path over percent-decoded: encoded again, "a b.csv" or "50%.csv" stay one name.
        path = urllib.parse.quote(self.path_args[0], safe="/")
        url = f"{sdk_config.api_base(sdk_config.api_endpoint())}/{path}"
        if self.request.query:
            url += f"?{self.request.query}"
        headers = {k: self.request.headers[k] for k in FORWARD_REQUEST_HEADERS if k in self.request.headers}
        headers["Authorization"] = f"Bearer {token}"
        method = self.request.method
        if method in BODY_METHODS and "Content-Length" in self.request.headers:
            # Without one (a chunked upload) tornado sends the body on chunked too.
            headers["Content-Length"] = self.request.headers["Content-Length"]

        def on_header(line: str):
            if line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                self.set_status(int(parts[1]), parts[2].strip() if len(parts) > 2 else None)
                return
            name, sep, value = line.partition(":")
            if sep and name.strip().title() in FORWARD_RESPONSE_HEADERS:
                self.set_header(name.strip(), value.strip())

        def on_chunk(chunk: bytes):
            if self._closed:
                raise IOError("the browser closed the connection")
            self._started = True
            self.write(chunk)
            # Tornado >= 6.6 reads PrimeHub's next chunk once this one reached the browser.
            return self.flush()

        async def produce(write):
            self._writer.set_result(write)
            await self._body_end

        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body_producer=produce if method in BODY_METHODS else None,
            header_callback=on_header,
            streaming_callback=on_chunk,
            follow_redirects=False,
            connect_timeout=20,
            # Followed logs stay open while the job runs; the client has its own idle timeout.
            request_timeout=24 * 3600,
            decompress_response=False,
        )
        # One client per request: the shared one caps response bodies at 100 MB and queues
        # requests beyond 10 (open log follows would block the rest).
        client = SimpleAsyncHTTPClient(force_instance=True, max_body_size=MAX_DOWNLOAD_BYTES)
        try:
            return await client.fetch(request, raise_error=False)
        finally:
            client.close()

    async def _reply(self) -> "Optional[asyncio.Future[None]]":
        """Ends the browser's response as PrimeHub's ended (the body has gone on already); returns
        the future of the response's last write, if this ended it."""
        error = None
        try:
            response = await self._upstream
            if response.code == 599:
                error = response.error
        except Exception as err:  # noqa: BLE001 - any transport failure becomes a 502 for the client
            error = err
        if self._closed or self._finished:
            return None
        if error is not None and not self._started:
            self.clear_header("Content-Type")
            return self.fail(502, f"cannot reach PrimeHub: {error}", "unreachable")
        return self.finish()

    async def _proxy(self):
        self._end_body()
        await self._reply()

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


class SnapshotHandler(BaseHandler):
    @property
    def registry(self) -> SnapshotRegistry:
        return self.settings["primehub_suite_snapshots"]

    @tornado.web.authenticated
    def post(self):
        """``{path}``: makes a snapshot; ``{snapshot, jobIds}``: removes it once those jobs ended."""
        data = self.body()
        try:
            if "snapshot" in data:
                ids = data.get("jobIds")
                if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
                    return self.fail(400, "jobIds must be a list of job ids", "invalid_request")
                self.registry.register(str(data["snapshot"]), ids)
                return self.finish(json.dumps({"registered": True}))
            path = data.get("path")
            job_path = data.get("jobPath")
            if isinstance(job_path, str) and job_path:
                # A rerun: the notebook a job ran (its snapshot maps back to the original).
                path = context.relative_to_root(job_path, self.root_dir)
                if path is None:
                    return self.fail(404, f"{job_path} is not in this server's files", "not_found")
                path = original_of(path) or path
            if not isinstance(path, str) or not path:
                return self.fail(400, "path is required", "invalid_request")
            group = os.environ.get("GROUP_NAME") or os.environ.get("PRIMEHUB_GROUP") or ""
            self.finish(json.dumps(create_snapshot(self.root_dir, path, group)))
        except SnapshotError as err:
            self.fail(404 if err.code == "not_found" else 400, str(err), err.code)

    @tornado.web.authenticated
    def delete(self):
        path = self.get_query_argument("path", "")
        try:
            removed = self.registry.remove(path)
        except SnapshotError as err:
            return self.fail(400, str(err), err.code)
        self.finish(json.dumps({"removed": removed}))


def setup_handlers(server_app) -> None:
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], NAMESPACE)
    root_dir = os.path.expanduser(web_app.settings["server_root_dir"])
    state = os.path.join(os.path.expanduser("~"), ".primehub", "jupyterlab-snapshots.json")
    registry = SnapshotRegistry(root_dir, state)
    web_app.settings["primehub_suite_snapshots"] = registry
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "config"), ConfigHandler),
            (url_path_join(base, "token"), TokenHandler),
            (url_path_join(base, "snapshot"), SnapshotHandler),
            (url_path_join(base, "proxy", "api", PROXY_PATHS), ProxyHandler),
        ],
    )

    async def sweep():
        token = sdk_config.api_token()
        if not token or not registry.entries:
            return
        endpoint = sdk_config.api_endpoint()
        try:
            removed = await registry.sweep(lambda job_id: primehub.job_phase(endpoint, token, job_id))
        except primehub.PrimeHubCallError as err:
            server_app.log.debug("primehub_suite_jupyterlab: snapshot sweep: %s", err)
            return
        for path in removed:
            server_app.log.info("primehub_suite_jupyterlab: removed snapshot %s (its jobs ended)", path)

    callback = PeriodicCallback(sweep, SWEEP_SECONDS * 1000)
    callback.start()
    web_app.settings["primehub_suite_sweeper"] = callback
