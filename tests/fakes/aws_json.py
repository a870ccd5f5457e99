"""The HTTP side of a small fake AWS JSON-protocol service (what moto does not serve).

The real client sends ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and a JSON body;
the region comes from the SigV4 credential scope. A subclass names its protocol's content
type and the signing name in the scope, makes its state and answers each request. A fake in
front of moto (``upstream``) answers only the operations moto lacks and forwards the others
(``answer`` returns None); one of another protocol (smithy RPC v2 CBOR, query) overrides how
a request names its operation and how bodies are read and written.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlsplit

State = TypeVar("State")


class JsonServiceFake(Generic[State]):
    """Start with :meth:`start`; ``url`` is its endpoint; :meth:`reset` between tests."""

    content_type = "application/x-amz-json-1.1"
    """``application/x-amz-json-1.0`` or ``-1.1``, as the service's protocol says."""
    signing_name = ""
    """The service's name in the SigV4 credential scope (``logs``, ``compute-optimizer``)."""

    extra_headers: ClassVar[dict[str, str]] = {}
    """Headers every answer of the fake carries (``smithy-protocol`` for CBOR)."""

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        """Where requests the fake does not answer go (moto), or None."""
        self.state = self.new_state()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._scope = re.compile(
            rf"Credential=[^/]+/\d{{8}}/([^/]+)/{re.escape(self.signing_name)}/"
        )
        self.url = ""

    def new_state(self) -> State:
        """A fresh state (what the fake answers; tests change it)."""
        raise NotImplementedError

    def answer(self, region: str, target: str, body: dict) -> tuple[int, Any] | None:
        """The status and body (a dict to encode, or bytes) for one request; None forwards it
        to ``upstream``."""
        raise NotImplementedError

    def operation(self, path: str, headers: Any, raw: bytes) -> str:
        """What a request asks for (the ``X-Amz-Target`` of a JSON protocol)."""
        return headers.get("X-Amz-Target", "")

    def decode(self, raw: bytes) -> dict:
        """A request body as a dict."""
        return json.loads(raw or b"{}")

    def encode(self, body: Any) -> bytes:
        """An answer's body as bytes."""
        return json.dumps(body).encode()

    def forward(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, list, bytes]:
        """Send a request on to ``upstream``: its status, headers and body."""
        assert self.upstream is not None
        url = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in {"host", "content-length"}}
            conn.request(method, path, raw, sent)
            resp = conn.getresponse()
            data = resp.read()
            kept = [
                (k, v)
                for k, v in resp.getheaders()
                if k.lower()
                not in {"content-length", "transfer-encoding", "connection", "server", "date"}
            ]
            return resp.status, kept, data
        finally:
            conn.close()

    def start(self) -> str:
        """Listen on 127.0.0.1 on a free port, in a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                target = fake.operation(self.path, self.headers, raw)
                match = fake._scope.search(self.headers.get("Authorization", ""))
                region = match.group(1) if match else ""
                result = fake.answer(region, target, fake.decode(raw))
                if result is None and fake.upstream:
                    status, headers, data = fake.forward("POST", self.path, self.headers, raw)
                    self.send_response(status)
                    for k, v in headers:
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                status, body = result if result is not None else (400, {"__type": "Unknown"})
                data = body if isinstance(body, bytes) else fake.encode(body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", fake.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("x-amzn-RequestId", "fake-0000")
                    for k, v in fake.extra_headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a held answer): nobody to answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> State:
        """Back to a fresh state."""
        with self._lock:
            self.state = self.new_state()
        return self.state
