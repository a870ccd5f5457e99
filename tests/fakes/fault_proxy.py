"""A fault-injecting HTTP proxy in front of moto: deny, delay, fail or throttle one operation.

Real AWS answers a call the caller's policy does not allow with ``AccessDeniedException``
(HTTP 400), overload with ``ThrottlingException``, trouble with a 5xx; moto's IAM enforcement
cannot deny one operation while allowing the next. The proxy forwards every request to moto
and, for the operations it is told about, answers the way AWS does instead (or after a delay).
Operations are named as in the API (``DescribeServices``, ``GetMetricData``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from urllib.parse import parse_qs

from aiohttp import ClientSession, web

from tests.fakes.local_http import listen

HOP_BY_HOP = frozenset(
    {"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"}
)


def operation(request: web.Request, body: bytes) -> str:
    """The API operation of a request (JSON target, smithy RPC v2 path, or query Action)."""
    target = request.headers.get("X-Amz-Target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in request.path:
        return request.path.rsplit("/operation/", 1)[-1]
    if body and request.content_type == "application/x-www-form-urlencoded":
        return parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
    return ""


class FaultProxy:
    """Start with ``await proxy.start()``; ``proxy.url`` is its endpoint.

    Set :attr:`deny`, :attr:`delay`, :attr:`fail` or :attr:`throttle` at any time; clearing
    them lets the calls through again (recovery).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.deny: set[str] = set()
        """Operations answered with AccessDeniedException."""
        self.delay: dict[str, float] = {}
        """Operation -> seconds to wait before forwarding it."""
        self.delay_step: dict[str, float] = {}
        """Operation -> seconds each further call waits longer (calls land one by one)."""
        self.delay_first: dict[str, int] = {}
        """Operation -> how many of its calls (counted from now) :attr:`delay` holds; the
        later ones pass at once (a call slow once, then fine). Absent: every call."""
        self.fail: set[str] = set()
        """Operations answered with HTTP 503."""
        self.throttle: set[str] = set()
        """Operations answered with ThrottlingException."""
        self.calls: Counter[str] = Counter()
        """Requests seen per operation."""
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._stopping = asyncio.Event()

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> str:
        """Listen on 127.0.0.1 on a free port."""
        self._runner, url = await listen(self._handle, client_max_size=64 * 1024 * 1024)
        self._session = ClientSession()
        self.url = url
        return self.url

    async def stop(self) -> None:
        """Close the listener and the upstream session (delayed requests end at once)."""
        self._stopping.set()
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    def _error(self, status: int, code: str, message: str) -> web.Response:
        body = json.dumps({"__type": code, "message": message})
        return web.Response(
            body=body.encode(),
            status=status,
            headers={"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code},
        )

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        op = operation(request, body)
        self.calls[op] += 1
        if op in self.deny:
            service = request.headers.get("X-Amz-Target", "ecs").split("V2", 1)[0]
            prefix = "ecs" if "EC2ContainerService" in service else "cloudwatch"
            return self._error(
                400,
                "AccessDeniedException",
                f"User: arn:aws:iam::123456789012:user/fgtop is not authorized to perform: "
                f"{prefix}:{op} because no identity-based policy allows the {prefix}:{op} action",
            )
        if op in self.throttle:
            return self._error(400, "ThrottlingException", "Rate exceeded")
        if op in self.fail:
            return self._error(503, "ServiceUnavailableException", "Service Unavailable")
        if op in self.delay and self.delay_first.get(op, 1) > 0:
            if op in self.delay_first:
                self.delay_first[op] -= 1
            wait = self.delay[op] + self.delay_step.get(op, 0.0) * (self.calls[op] - 1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)
            if self._stopping.is_set():
                return self._error(503, "ServiceUnavailableException", "proxy stopping")
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}
        }
        assert self._session is not None
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers
        ) as resp:
            data = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(body=data, status=resp.status, headers=out)
