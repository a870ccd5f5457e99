"""``fgtop``: the live dashboard (``fgtop demo`` and ``fgtop replay`` are in ``replay.py``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from typing import NoReturn

from fgtop.cli.settings import live_options
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.build import build_engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.engine.poller import Poller
from fgtop.errors import SetupError, fail
from fgtop.ui.app import create_app


def run_dashboard(args: argparse.Namespace) -> int:
    """``fgtop``: the live dashboard.

    The engine is built and runs on a poller thread of its own (the AWS clients belong to its
    event loop); the app runs Textual's loop on this thread and receives finished frames.
    """
    poller = Poller()
    try:
        opts = live_options(args)
        engine = poller.run(build_engine(opts))
        deriver = Deriver.from_config(opts.config, load_price_table())
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
