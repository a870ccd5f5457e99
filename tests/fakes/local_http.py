"""A local aiohttp listener for the test fakes and proxies: every path to one handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web


async def listen(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]], **app_options: Any
) -> tuple[web.AppRunner, str]:
    """Serve ``handler`` on 127.0.0.1 on a free port; returns the runner and the base URL."""
    app = web.Application(**app_options)
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
    return runner, f"http://127.0.0.1:{port}"
