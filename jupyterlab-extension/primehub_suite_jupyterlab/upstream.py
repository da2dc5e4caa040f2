"""One HTTP/1.1 request of the API proxy to PrimeHub, on its own connection. The request body is
written chunk by chunk while the response is already being read, so an answer PrimeHub gives
before it reads the body (a refusal such as 403, 409 or 413) comes back as it is rather than as a
broken connection; tornado's HTTP clients read the response only once the body is sent."""

import asyncio
import socket
import ssl
import sys
import urllib.parse
from typing import Awaitable, Callable, Dict, Optional

from tornado import httputil
from tornado.http1connection import HTTP1Connection, HTTP1ConnectionParameters
from tornado.tcpclient import TCPClient

BODY_METHODS = ("POST", "PUT")
CONNECT_TIMEOUT = 20
# Downloads and followed logs are streamed through, never held: their size is PrimeHub's business.
MAX_RESPONSE_BYTES = sys.maxsize


class Upstream(httputil.HTTPMessageDelegate):
    """The response goes to ``on_start(code, reason, headers)`` and ``on_chunk(bytes)``, which may
    return an awaitable: the next chunk is read from PrimeHub once it is done."""

    def __init__(
        self,
        on_start: Callable[[int, str, httputil.HTTPHeaders], None],
        on_chunk: Callable[[bytes], Optional[Awaitable[None]]],
    ):
        loop = asyncio.get_running_loop()
        self._on_start = on_start
        self._on_chunk = on_chunk
        self._connection: Optional[HTTP1Connection] = None
        self._reading: Optional[asyncio.Future] = None
        self.write_failed = False
        # PrimeHub's response has begun: a body not yet complete by then is not read any more.
        self.answered = False
        # True once the request line and headers are sent (the body can follow); False if that failed.
        self.opened: "asyncio.Future[bool]" = loop.create_future()
        # Done when the whole response has arrived; fails when the connection ends before that.
        self.ended: "asyncio.Future[None]" = loop.create_future()

    async def start(self, url: str, method: str, headers: Dict[str, str]) -> None:
        """Connects and sends the request head (and, without a body, the end of the request)."""
        try:
            parts = urllib.parse.urlsplit(url)
            https = parts.scheme == "https"
            stream = await TCPClient().connect(
                parts.hostname or "",
                parts.port or (443 if https else 80),
                ssl_options=ssl.create_default_context() if https else None,
                timeout=CONNECT_TIMEOUT,
            )
            if self.ended.done():  # aborted while connecting
                stream.close()
                return
            stream.set_nodelay(True)
            params = HTTP1ConnectionParameters(no_keep_alive=True, max_body_size=MAX_RESPONSE_BYTES)
            self._connection = HTTP1Connection(stream, True, params)
            head = httputil.HTTPHeaders(headers)
            head["Host"] = parts.netloc.rpartition("@")[2]
            head["Connection"] = "close"
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            self._connection.write_headers(httputil.RequestStartLine(method, target, "HTTP/1.1"), head)
            if method not in BODY_METHODS:
                self._connection.finish()
            self._reading = asyncio.ensure_future(self._connection.read_response(self))
            self._reading.add_done_callback(self._read_done)
        except Exception as err:
            self._fail(err)
            raise
        finally:
            if not self.opened.done():
                self.opened.set_result(self._connection is not None)

    def has_answered(self) -> bool:
        """True once PrimeHub began its response or hung up, also when tornado has not read it yet:
        writing on could then meet the connection reset that follows, which loses the answer."""
        if self.answered or self.write_failed:
            return True
        stream = self._connection.stream if self._connection is not None else None
        sock = getattr(stream, "socket", None)
        if sock is None or isinstance(sock, ssl.SSLSocket):
            return False
        try:
            sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            pass  # reset: nothing more goes through
        return True

    def write(self, chunk: bytes) -> "asyncio.Future[None]":
        """Sends a piece of the body; resolves once it is on its way (the pace PrimeHub reads at)."""
        assert self._connection is not None
        return self._connection.write(chunk)

    def end_body(self) -> None:
        if self._connection is not None and not self.ended.done() and not self.write_failed and not self.answered:
            self._connection.finish()

    def stop_writing(self) -> None:
        """PrimeHub stopped taking the body (it answered early and closed): the rest is dropped
        while its answer, already on the way, is still read."""
        self.write_failed = True

    def close(self) -> None:
        """Aborts the request (PrimeHub sees the connection drop, an upload ends incomplete)."""
        if self._connection is not None:
            self._connection.close()
        self._fail(IOError("the request to PrimeHub was aborted"))

    def _fail(self, err: BaseException) -> None:
        if not self.ended.done():
            self.ended.set_exception(err)
            self.ended.exception()  # retrieved: nobody may be waiting any more

    def _read_done(self, reading: asyncio.Future) -> None:
        if reading.cancelled():
            self._fail(IOError("reading PrimeHub's response was cancelled"))
        elif reading.exception() is not None:
            self._fail(reading.exception())
        else:
            self._fail(IOError("PrimeHub closed the connection before the response was complete"))

    # httputil.HTTPMessageDelegate

    def headers_received(self, start_line, headers):
        if start_line.code >= 200:  # a 1xx is followed by the real response
            self.answered = True
            self._on_start(start_line.code, start_line.reason, headers)

    def data_received(self, chunk):
        return self._on_chunk(chunk)

    def finish(self):
        if not self.ended.done():
            self.ended.set_result(None)

    def on_connection_close(self):
        self._fail(IOError("PrimeHub closed the connection before the response was complete"))
