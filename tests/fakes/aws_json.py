"""The HTTP side of a small fake AWS JSON-protocol service (what moto does not serve).

The real client sends ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and a JSON body;
the region comes from the SigV4 credential scope. A subclass names its protocol's content
type and the signing name in the scope, makes its state and answers each request.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

State = TypeVar("State")


class JsonServiceFake(Generic[State]):
    """Start with :meth:`start`; ``url`` is its endpoint; :meth:`reset` between tests."""

    content_type = "application/x-amz-json-1.1"
    """``application/x-amz-json-1.0`` or ``-1.1``, as the service's protocol says."""
    signing_name = ""
    """The service's name in the SigV4 credential scope (``logs``, ``compute-optimizer``)."""

    def __init__(self) -> None:
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

    def answer(self, region: str, target: str, body: dict) -> tuple[int, dict]:
        """The status and JSON body for one request."""
        raise NotImplementedError

    def start(self) -> str:
        """Listen on 127.0.0.1 on a free port, in a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                target = self.headers.get("X-Amz-Target", "")
                match = fake._scope.search(self.headers.get("Authorization", ""))
                region = match.group(1) if match else ""
                status, body = fake.answer(region, target, json.loads(raw or b"{}"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", fake.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "fake-0000")
                self.end_headers()
                self.wfile.write(data)

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
