"""``fgtop demo`` and ``fgtop replay FILE|DIR [--follow]``: the dashboard on a recording.

A directory (the flight recorder's segments) is one timeline; ``--follow`` shows new frames as
the recorder writes them (fgtop.recording.follow).

The replay path imports only what its first frame needs: never the live composition
(``fgtop.engine.build``), the sources, or the AWS and Kubernetes clients
(``tests/unit/test_start_imports.py`` holds it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fgtop.cli.settings import load_settings
from fgtop.config import Config
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.errors import SetupError, fail
from fgtop.recording.follow import POLL, FollowFeed
from fgtop.recording.format import RecordingError
from fgtop.recording.player import Player
from fgtop.recording.reader import Frames, open_recording
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.recording.segments import Timeline, open_timeline
from fgtop.resources import demo_recording
from fgtop.ui.app import create_app


def opens_at(recording: Frames) -> float | None:
    """Where the recording asks a replay to open (its meta's ``opens_at``: the demo opens at
    its worst moment, with the night behind it), if it asks and the time is inside it."""
    value = getattr(recording, "meta", {}).get("opens_at")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if recording.start <= value <= recording.end else None


def replay_feed(
    recording: Frames, config: Config, *, label: str = "REPLAY", loop: bool = False
) -> ReplayFeed:
    """The feed over a recording, derived with the config's rules and the price table, opening
    where the recording asks (:func:`opens_at`)."""
    deriver = Deriver.from_config(config, load_price_table())
    player = Player(recording, loop=loop, opens_at=opens_at(recording))
    return ReplayFeed(recording, player, deriver, label=label)


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
    """``fgtop replay FILE|DIR [--follow]``: the dashboard on a recording."""
    path = Path(args.file)
    if getattr(args, "follow", False):
        return _follow(path, args)
    if not path.is_dir():
        return _replay(path, args, label="REPLAY", loop=args.loop)
    try:
        timeline = open_timeline(path)
        config = load_settings(args)
    except (RecordingError, SetupError) as exc:
        return fail(str(exc))
    for line in timeline.skipped:
        print(f"fgtop: {line}", file=sys.stderr)
    feed = replay_feed(timeline, config, loop=args.loop)
    feed.warnings = (*feed.warnings, *timeline.skipped)  # shown once in the app as well
    return _run_app(timeline, config, feed)


def _run_app(timeline: Timeline, config: Config, feed: ReplayFeed) -> int:
    try:
        app = create_app(feed, config=config)
        app.run()
    except SetupError as exc:
        return fail(str(exc))
    finally:
        timeline.close()
    return app.return_code or 0


def follow_timeline(path: Path, *, wait: float | None = None) -> Timeline:
    """The timeline to follow, waiting (up to ``wait`` seconds; None: forever) for its first
    frame when the recorder has not written one yet.

    Raises:
        RecordingError: ``path`` cannot be a recording, or no frame came in time.
    """
    if not path.exists() and not path.parent.is_dir():
        raise RecordingError(f"{path}: no such file or directory")
    deadline = None if wait is None else time.monotonic() + wait
    said = False
    while True:
        if path.exists():
            timeline = Timeline(path, pending_ok=True)
            if len(timeline):
                return timeline
            timeline.close()
        if deadline is not None and time.monotonic() >= deadline:
            raise RecordingError(f"{path} holds no complete frame yet")
        if not said:
            print(f"fgtop: waiting for the recorder's first frame in {path}…", file=sys.stderr)
            said = True
        time.sleep(POLL)


def _follow(path: Path, args: argparse.Namespace) -> int:
    try:
        config = load_settings(args)
        timeline = follow_timeline(path)
    except (RecordingError, SetupError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    deriver = Deriver.from_config(config, load_price_table())
    feed = FollowFeed(timeline, Player(timeline, autoplay=False), deriver)
    return _run_app(timeline, config, feed)
