"""An HTTP proxy in front of moto that pages ECS list calls the way real AWS does.

moto returns every ListClusters/ListServices/ListTasks result in one page; real ECS pages at
``maxResults`` (at most 100) with a ``nextToken``. The proxy forwards every request to moto
and cuts list responses into real-sized pages, so pagination is tested over real HTTP.
"""

from __future__ import annotations

import json
from collections import Counter

from aiohttp import ClientSession, web

from tests.fakes.local_http import listen

LIST_KEYS = {
    "ListClusters": "clusterArns",
    "ListServices": "serviceArns",
    "ListTasks": "taskArns",
}
MAX_PAGE = 100


class PagingProxy:
    """Start with ``await proxy.start()``; ``proxy.url`` is its endpoint."""

    def __init__(self, upstream: str, max_page: int = MAX_PAGE) -> None:
        self.upstream = upstream
        self.max_page = max_page
        self.pages: Counter[str] = Counter()
        """Pages served per list operation."""
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        """Listen on 127.0.0.1 on a free port."""
        self._runner, url = await listen(self._handle)
        self._session = ClientSession()
        self.url = url
        return self.url

    async def stop(self) -> None:
        """Close the listener and the upstream session."""
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        target = request.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1]
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}
        }
        params = json.loads(body or b"{}") if op in LIST_KEYS else {}
        if op in LIST_KEYS:
            # Ask moto for everything, then serve one real-sized page.
            upstream_params = {
                k: v for k, v in params.items() if k not in {"maxResults", "nextToken"}
            }
            body = json.dumps(upstream_params).encode()
        assert self._session is not None
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers
        ) as resp:
            data = await resp.read()
            status = resp.status
            ctype = resp.headers.get("Content-Type", "application/x-amz-json-1.1")
        if op in LIST_KEYS and status == 200:
            key = LIST_KEYS[op]
            doc = json.loads(data)
            items = doc.get(key, [])
            size = min(
                int(params.get("maxResults") or (10 if op == "ListServices" else 100)),
                self.max_page,
            )
            start = int(params.get("nextToken") or 0)
            page = items[start : start + size]
            out = {key: page}
            if start + size < len(items):
                out["nextToken"] = str(start + size)
            self.pages[op] += 1
            data = json.dumps(out).encode()
        return web.Response(body=data, status=status, headers={"Content-Type": ctype})
