"""``fgtop snapshot``: poll once, print the whole state as JSON or a table, exit."""

from __future__ import annotations

import argparse
import asyncio
import sys

from fgtop.cli.settings import live_options
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.build import build_engine
from fgtop.errors import SetupError, fail
from fgtop.printer.documents import print_json, print_table


def run(args: argparse.Namespace) -> int:
    """``fgtop snapshot``: poll once, print, exit 0."""

    async def go() -> int:
        opts = live_options(args)
        engine = await build_engine(opts)
        try:
            snapshot = await engine.poll_once(optional_wait=opts.config.optional_wait)
        finally:
            await engine.stop()
        if getattr(args, "redact", False):
            from fgtop.recording.redact import Redactor

            snapshot = Redactor().snapshot(snapshot)
        insights = Deriver.from_config(opts.config, load_price_table()).derive(snapshot).insights
        if args.format == "table":
            print_table(snapshot, sys.stdout, insights)
        else:
            print_json(snapshot, sys.stdout, insights)
        return 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))
