"""``fgtop``: the live dashboard (``fgtop demo`` and ``fgtop replay`` are in ``replay.py``)."""

from __future__ import annotations

import argparse
import asyncio

from fgtop.cli.settings import live_options
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.build import build_engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.errors import SetupError, fail
from fgtop.ui.app import create_app


def run_dashboard(args: argparse.Namespace) -> int:
    """``fgtop``: the live dashboard."""

    async def go() -> int:
        # One event loop for the setup and the app: the AWS clients belong to it.
        opts = live_options(args)
        engine = await build_engine(opts)
        deriver = Deriver.from_config(opts.config, load_price_table())
        feed = LiveFeed(engine, deriver)
        app = create_app(feed, config=opts.config, service=opts.service)
        await app.run_async()
        return app.return_code or 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))
