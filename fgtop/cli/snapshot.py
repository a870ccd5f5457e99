"""``fgtop snapshot``: poll once, print the whole state as JSON or a table, exit.

With ``--replay FILE_OR_DIR --at TIME`` it prints the same document for a moment of a
recording instead: the frame shown at TIME, derived with the history of every frame before it
(fgtop.derive.replay), exactly as the dashboard shows that moment.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from fgtop.cli.settings import live_options, load_settings
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Derived, Deriver
from fgtop.derive.replay import Frames, ReplayDeriver
from fgtop.errors import SetupError, fail
from fgtop.model import Snapshot
from fgtop.printer.documents import print_json, print_table
from fgtop.recording.format import RecordingError
from fgtop.recording.segments import open_timeline
from fgtop.text.moments import FORMS, parse_moment


def run(args: argparse.Namespace) -> int:
    """``fgtop snapshot``: poll once (or read a recording), print, exit 0."""
    if getattr(args, "replay", None) is not None:
        return run_replay(args)
    if getattr(args, "at", None) is not None:
        return fail("--at needs --replay FILE_OR_DIR (a live snapshot is of now)")

    async def go() -> int:
        from fgtop.engine.build import build_engine  # the live composition, for live only

        opts = live_options(args)
        engine = await build_engine(opts)
        try:
            snapshot = await engine.poll_once(optional_wait=opts.config.optional_wait)
        finally:
            await engine.stop()
        if getattr(args, "redact", False):
            from fgtop.recording.redact import Redactor

            snapshot = Redactor().snapshot(snapshot)
        derived = Deriver.from_config(opts.config, load_price_table()).derive(snapshot)
        _print(args, snapshot, derived)
        return 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))


def _print(
    args: argparse.Namespace, snapshot: Snapshot, derived: Derived, at: float | None = None
) -> None:
    if args.format == "table":
        print_table(snapshot, sys.stdout, derived, at)
    else:
        print_json(snapshot, sys.stdout, derived, at)


class RedactedFrames:
    """A recording read through one :class:`~fgtop.recording.redact.Redactor` (``--redact``):
    every frame masked before it is derived, the masks the same across frames."""

    def __init__(self, recording: Frames) -> None:
        from fgtop.recording.redact import Redactor

        self.recording = recording
        self.redactor = Redactor()
        self.lock = getattr(recording, "lock", None)

    @property
    def times(self) -> tuple[float, ...]:
        """The recording's frame times."""
        return self.recording.times

    def frame(self, i: int) -> Snapshot:
        """Frame ``i``, masked."""
        return self.redactor.snapshot(self.recording.frame(i))


def _clock(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def run_replay(args: argparse.Namespace) -> int:
    """``fgtop snapshot --replay FILE_OR_DIR --at TIME``: the document of that moment.

    Bad TIME, a time outside the recording, a missing or corrupt recording: one line, exit 2.
    """
    if getattr(args, "at", None) is None:
        return fail(f"--replay needs --at TIME ({FORMS})")
    path = Path(args.replay)
    try:
        config = load_settings(args)
        recording = open_timeline(path)
    except (RecordingError, SetupError) as exc:
        return fail(str(exc))
    try:
        start, end = recording.start, recording.end
        try:
            at = parse_moment(args.at, now=start, start=start, end=end, from_ends=True)
        except ValueError as exc:
            return fail(f"--at: {exc}")
        if not start <= at <= end:
            return fail(
                f"--at {args.at.strip()} ({_clock(at)}) is outside the recording: "
                f"{path} runs from {_clock(start)} to {_clock(end)}"
            )
        frames: Frames = recording
        if getattr(args, "redact", False):
            frames = RedactedFrames(recording)
        deriver = ReplayDeriver(Deriver.from_config(config, load_price_table()), frames)
        snapshot, derived = deriver.derive_at(at)
    except RecordingError as exc:
        return fail(str(exc))
    except SetupError as exc:
        return fail(str(exc))
    finally:
        recording.close()
    for line in recording.skipped:
        print(f"fgtop: {line}", file=sys.stderr)
    _print(args, snapshot, derived, at)
    return 0
