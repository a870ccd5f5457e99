"""``fgtop demo`` and ``fgtop replay FILE``: the dashboard on a recording.

The replay path imports only what its first frame needs: never the live composition
(``fgtop.engine.build``), the sources, or the AWS and Kubernetes clients
(``tests/unit/test_start_imports.py`` holds it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fgtop.cli.settings import load_settings
from fgtop.config import Config
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.errors import SetupError, fail
from fgtop.recording.format import RecordingError
from fgtop.recording.player import Player
from fgtop.recording.reader import Recording, open_recording
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.resources import demo_recording
from fgtop.ui.app import create_app


def replay_feed(
    recording: Recording, config: Config, *, label: str = "REPLAY", loop: bool = False
) -> ReplayFeed:
    """The feed over a recording, derived with the config's rules and the price table."""
    deriver = Deriver.from_config(config, load_price_table())
    return ReplayFeed(recording, Player(recording, loop=loop), deriver, label=label)


def _replay(path: Path, args: argparse.Namespace, *, label: str, loop: bool) -> int:
    try:
        recording = open_recording(path)
        config = load_settings(args)
    except (RecordingError, SetupError) as exc:
        return fail(str(exc))
    try:
        app = create_app(replay_feed(recording, config, label=label, loop=loop), config=config)
        app.run()
    except SetupError as exc:
        return fail(str(exc))
    finally:
        recording.close()
    return app.return_code or 0


def run_demo(args: argparse.Namespace) -> int:
    """``fgtop demo``: replay the bundled incident, offline, looping."""
    return _replay(demo_recording(), args, label="DEMO", loop=True)


def run_replay(args: argparse.Namespace) -> int:
    """``fgtop replay FILE``: the dashboard on a recording."""
    return _replay(Path(args.file), args, label="REPLAY", loop=args.loop)
