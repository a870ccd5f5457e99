"""``fgtop record -o FILE|DIR``: poll like the dashboard, headless, writing every snapshot.

``-o FILE`` writes one recording. ``-o DIR`` (an existing directory, a path ending in ``/``, or
any path with ``--retain`` or ``--segment``) is the flight recorder: one segment file per
``--segment`` in DIR, the segments older than ``--retain`` deleted, one stderr line per segment
finished (fgtop.recording.segments).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from fgtop.cli.settings import live_options
from fgtop.engine.build import build_engine
from fgtop.errors import EXIT_USAGE, SetupError, fail
from fgtop.recording.format import RecordingError
from fgtop.recording.segments import SegmentedRecorder
from fgtop.recording.writer import Recorder
from fgtop.sources.logs import CloudWatchTail, resolve_targets
from fgtop.text.durations import parse_duration

SEGMENT = "1h"
"""The default ``--segment``."""


def directory_mode(args: argparse.Namespace) -> bool:
    """Whether ``-o`` names a flight recorder's directory rather than one file."""
    out = str(args.output)
    return bool(
        getattr(args, "retain", None)
        or getattr(args, "segment", None)
        or out.endswith(("/", os.sep))
        or Path(out).is_dir()
    )


def _durations(args: argparse.Namespace) -> tuple[float, float | None]:
    """The flight recorder's ``--segment`` and ``--retain`` in seconds.

    Raises:
        ValueError: a bad duration, or ``--retain`` shorter than a segment (one line).
    """
    segment = parse_duration(getattr(args, "segment", None) or SEGMENT)
    retain = parse_duration(args.retain) if getattr(args, "retain", None) else None
    if retain is not None and retain < segment:
        raise ValueError(f"--retain ({args.retain}) must be at least one --segment ({segment:g}s)")
    return segment, retain


def check_output(args: argparse.Namespace) -> None:
    """What can be told about ``-o`` without creating anything: a file's directory must exist.

    Raises:
        RecordingError: it cannot be written (the same words as when opening it fails).
    """
    out = Path(args.output)
    if directory_mode(args):
        return  # the flight recorder makes its directory
    parent = out.parent
    if not parent.is_dir():
        why = "Not a directory" if parent.exists() else "No such file or directory"
        raise RecordingError(f"cannot write {out}: {why}")


def open_recorder(args: argparse.Namespace) -> Recorder | SegmentedRecorder:
    """The file (or directory) writer ``-o`` asks for.

    Raises:
        RecordingError: the path cannot be written.
        ValueError: a bad ``--retain`` or ``--segment`` (one line).
    """
    out = Path(args.output)
    meta = {"source": "fgtop record"}
    if not directory_mode(args):
        return Recorder(out, redact=args.redact, meta=meta)
    segment, retain = _durations(args)
    return SegmentedRecorder(
        out,
        segment=segment,
        retain=retain,
        redact=args.redact,
        meta={**meta, "segment": segment, "retain": retain},
        on_rotate=lambda line: print(line, file=sys.stderr, flush=True),
    )


def run(args: argparse.Namespace) -> int:
    """``fgtop record -o FILE|DIR``: poll like the dashboard, headless, writing every snapshot.

    Everything is checked before the file (or directory) is made: the durations and ``-o``'s
    directory first (no AWS call), then the config, region, credentials, clusters and
    contexts (the engine is built); a bad one leaves nothing behind.
    """
    try:
        duration = parse_duration(args.duration) if args.duration else None
        if directory_mode(args):
            _durations(args)
    except ValueError as exc:
        return fail(str(exc))
    out = Path(args.output)
    what = "directory" if directory_mode(args) else "file"

    def unwritable(exc: RecordingError) -> int:
        print(_last_line(out, 0, [f"{exc} (give -o a writable {what})"]), file=sys.stderr)
        return EXIT_USAGE

    try:
        check_output(args)
    except RecordingError as exc:
        return unwritable(exc)

    async def go() -> int:
        engine = await build_engine(live_options(args))
        try:
            recorder = open_recorder(args)
        except RecordingError as exc:
            await engine.stop()
            return unwritable(exc)
        except BaseException:
            await engine.stop()
            raise
        failed: list[str] = []
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            # SIGTERM (fgtop serve stopping its recorder) ends the recording like Ctrl-C.
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

        def give_up(exc: RecordingError) -> None:
            if not failed:
                failed.append(str(exc))
            stop.set()

        def write(snapshot) -> None:  # noqa: ANN001
            if failed:
                return
            try:
                recorder.write_snapshot(snapshot)
            except RecordingError as exc:
                give_up(exc)

        logs = None
        try:
            engine.subscribe(write)
            if isinstance(recorder, SegmentedRecorder):
                keep = f", keeping {args.retain}" if getattr(args, "retain", None) else ""
                print(
                    f"fgtop: recording to {out}/ in segments of "
                    f"{getattr(args, 'segment', None) or SEGMENT}{keep} (Ctrl-C stops)",
                    file=sys.stderr,
                    flush=True,
                )
            else:
                print(f"fgtop: recording to {out} (Ctrl-C stops)", file=sys.stderr, flush=True)
            await engine.start()
            if not args.no_logs:
                logs = asyncio.create_task(record_logs(engine, recorder, on_error=give_up))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
        except asyncio.CancelledError:
            pass
        finally:
            if logs is not None:
                logs.cancel()
            await engine.stop()
            recorder.close()
            print(_last_line(out, recorder.frames, failed), file=sys.stderr)
        return EXIT_USAGE if failed else 0

    try:
        return asyncio.run(go())
    except (SetupError, RecordingError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 0


def _last_line(out: Path, frames: int, failed: list[str]) -> str:
    """The one line ``fgtop record`` ends with: how many frames, and why it stopped early."""
    written = f"wrote {frames} frame{'' if frames == 1 else 's'} to {out}"
    if failed:
        return f"fgtop: {failed[0]}; recording stopped, {written}"
    return f"fgtop: {written}"


async def record_logs(engine, recorder, interval: float = 5.0, on_error=None) -> None:  # noqa: ANN001
    """Tail the CloudWatch Logs of the recorded tasks into the recording.

    A failed write (full disk) is handed to ``on_error`` and ends the tail.

    The tail follows the tasks of the latest snapshot; when they change, a new tail takes over
    the old one's position (no line twice, none skipped).
    """
    if engine.aws_of() is None:
        return
    # One tail per account: each reads its own account's logs with its own credentials.
    tails: dict[str | None, CloudWatchTail] = {}
    keys: dict[str | None, frozenset[str]] = {}
    while True:
        snapshot = engine.snapshot
        targets: dict[str | None, list] = {}
        for task in snapshot.tasks:
            found, _ = resolve_targets(task, snapshot.task_definition(task.task_definition))
            targets.setdefault(task.account, []).extend(found)
        more = False
        for account, mine in targets.items():
            wanted = frozenset(t.key for t in mine)
            tail = tails.get(account)
            if wanted != keys.get(account):
                state = tail.state() if tail is not None else None
                tail = tails[account] = CloudWatchTail(engine.aws_of(account), mine, since=300)
                if state is not None:
                    tail.restore(state)
                keys[account] = wanted
            if tail is None or not mine:
                continue
            batch = await tail.poll()
            if batch.lines:
                try:
                    recorder.write_logs(batch.lines)
                except RecordingError as exc:
                    if on_error is not None:
                        on_error(exc)
                    return
            more = more or batch.more
        if more:
            continue
        await asyncio.sleep(interval)
