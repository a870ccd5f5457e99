"""``fgtop``: the live dashboard (``fgtop demo`` and ``fgtop replay`` are in ``replay.py``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from fgtop.cli.settings import live_options
from fgtop.engine.poller import Poller
from fgtop.errors import SetupError, fail

if TYPE_CHECKING:
    from fgtop.engine.build import LiveOptions
    from fgtop.engine.core import Engine


async def _build(opts: LiveOptions) -> Engine:
    """The live composition, built on the poller's loop (its clients belong there)."""
    from fgtop.engine.build import build_engine  # aiobotocore: imported on the poller's thread

    return await build_engine(opts)


def run_dashboard(args: argparse.Namespace) -> int:
    """``fgtop``: the live dashboard.

    The engine is built and runs on a poller thread of its own (the AWS clients belong to its
    event loop); while it checks the credentials and the clusters, this thread imports the UI.
    The app runs Textual's loop on this thread and receives finished frames.
    """
    poller = Poller()
    try:
        opts = live_options(args)
        building = poller.submit(_build(opts))
        # Meanwhile (network round trips on the poller's thread): Textual, the app, the prices.
        from fgtop.cost.prices import load_price_table
        from fgtop.derive.pipeline import Deriver
        from fgtop.engine.live_feed import LiveFeed
        from fgtop.ui.app import create_app

        deriver = Deriver.from_config(opts.config, load_price_table())
        engine = building.result()
    except SetupError as exc:
        poller.shutdown()
        return fail(str(exc))
    except BaseException:
        poller.shutdown()
        raise
    feed = LiveFeed(engine, deriver, poller=poller)
    app = create_app(feed, config=opts.config, service=opts.service)
    app.run()
    feed.finish()
    leave(app.return_code or 0)


def leave(code: int) -> NoReturn:
    """Exit now: the terminal is restored and the engine has stopped what matters (the feed's
    ``finish``). Tearing the interpreter down would free a 20,000-task session object by object
    and wait for the poller's clients to close, holding the shell prompt for up to a second."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
