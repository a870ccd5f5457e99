"""``fgtop``, ``fgtop demo`` and ``fgtop replay FILE``: the dashboard on a live or replay feed."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from fgtop.cli.settings import live_options, load_settings
from fgtop.engine.build import build_engine
from fgtop.errors import SetupError, fail


def run_dashboard(args: argparse.Namespace) -> int:
    """``fgtop``: the live dashboard."""
    from fgtop.ui.app import create_app

    async def go() -> int:
        # One event loop for the setup and the app: the AWS clients belong to it.
        opts = live_options(args)
        engine = await build_engine(opts)
        app = create_app(engine=engine, mode="live", config=opts.config, service=opts.service)
        await app.run_async()
        return app.return_code or 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))


def _open(path: Path):  # noqa: ANN202 - a Recording
    from fgtop.recording.reader import open_recording

    return open_recording(path)


def _replay(path: Path, args: argparse.Namespace, *, mode: str, loop: bool) -> int:
    from fgtop.recording.format import RecordingError
    from fgtop.recording.player import Player
    from fgtop.ui.app import create_app

    try:
        recording = _open(path)
        config = load_settings(args)
    except (RecordingError, SetupError) as exc:
        return fail(str(exc))
    player = Player(recording, loop=loop)
    app = create_app(player=player, recording=recording, mode=mode, config=config)
    try:
        app.run()
    finally:
        recording.close()
    return app.return_code or 0


def run_demo(args: argparse.Namespace) -> int:
    """``fgtop demo``: replay the bundled incident, offline, looping."""
    from fgtop.resources import demo_recording

    return _replay(demo_recording(), args, mode="demo", loop=True)


def run_replay(args: argparse.Namespace) -> int:
    """``fgtop replay FILE``: the dashboard on a recording."""
    return _replay(Path(args.file), args, mode="replay", loop=args.loop)
