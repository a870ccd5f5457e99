"""What each ``fgtop`` subcommand does, given its parsed arguments."""

from __future__ import annotations

import argparse
import asyncio
import sys

from fgtop.cli import fail
from fgtop.live import LiveOptions, build_engine
from fgtop.sources.errors import SetupError


def live_options(args: argparse.Namespace) -> LiveOptions:
    """LiveOptions from the command line (flags override the config file)."""
    opts = LiveOptions()
    for name in ("profile", "service"):
        value = getattr(args, name, None)
        if value is not None:
            setattr(opts, name, value)
    for name in ("regions", "clusters", "contexts"):
        value = getattr(args, name, None)
        if value:
            setattr(opts, name, list(value))
    if getattr(args, "refresh", None) is not None:
        if args.refresh < 1:
            raise SetupError("--refresh must be at least 1 second")
        opts.refresh = args.refresh
    if getattr(args, "api_budget", None) is not None:
        if args.api_budget <= 0:
            raise SetupError("--api-budget must be positive")
        opts.api_budget = args.api_budget
    for name in ("include_ec2", "eks", "all_pods"):
        if getattr(args, name, None):
            setattr(opts, name, True)
    if getattr(args, "no_metrics", False):
        opts.metrics = False
    return opts


def run_snapshot(args: argparse.Namespace) -> int:
    """``fgtop snapshot``: poll once, print, exit 0."""
    from fgtop.printer import print_json, print_table

    async def go() -> int:
        engine = await build_engine(live_options(args))
        try:
            snapshot = await engine.poll_once()
        finally:
            await engine.stop()
        if args.format == "table":
            print_table(snapshot, sys.stdout)
        else:
            print_json(snapshot, sys.stdout)
        return 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))


def run_dashboard(args: argparse.Namespace) -> int:
    """``fgtop``: the live dashboard."""
    from fgtop.ui.app import create_app

    async def go() -> int:
        # One event loop for the setup and the app: the AWS clients belong to it.
        engine = await build_engine(live_options(args))
        app = create_app(engine=engine, mode="live", theme=getattr(args, "theme", None))
        await app.run_async()
        return app.return_code or 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))
