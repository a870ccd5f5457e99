"""``fgtop record -o FILE``: poll like the dashboard, headless, writing every snapshot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

from fgtop.cli.settings import live_options
from fgtop.engine.build import build_engine
from fgtop.errors import EXIT_USAGE, SetupError, fail
from fgtop.recording.format import RecordingError
from fgtop.recording.writer import Recorder
from fgtop.sources.logs import CloudWatchTail, resolve_targets
from fgtop.text.durations import parse_duration


def run(args: argparse.Namespace) -> int:
    """``fgtop record -o FILE``: poll like the dashboard, headless, writing every snapshot."""
    try:
        duration = parse_duration(args.duration) if args.duration else None
    except ValueError as exc:
        return fail(str(exc))
    out = Path(args.output)
    if out.is_dir():
        return fail(f"{out} is a directory; give a file name with -o")

    async def go() -> int:
        # The file first: a path that cannot be written fails before any AWS call.
        try:
            recorder = Recorder(out, redact=args.redact, meta={"source": "fgtop record"})
        except RecordingError as exc:
            print(_last_line(out, 0, [f"{exc} (give -o a writable file)"]), file=sys.stderr)
            return EXIT_USAGE
        failed: list[str] = []
        stop = asyncio.Event()

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
        engine = None
        try:
            engine = await build_engine(live_options(args))
            engine.subscribe(write)
            print(f"fgtop: recording to {out} (Ctrl-C stops)", file=sys.stderr)
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
            if engine is not None:
                await engine.stop()
            recorder.close()
            if engine is not None or failed:
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
    aws = next((s.aws for s in engine.sources if getattr(s, "aws", None) is not None), None)
    if aws is None:
        return
    tail: CloudWatchTail | None = None
    keys: frozenset[str] = frozenset()
    while True:
        snapshot = engine.snapshot
        targets = []
        for task in snapshot.tasks:
            found, _ = resolve_targets(task, snapshot.task_definition(task.task_definition))
            targets += found
        wanted = frozenset(t.key for t in targets)
        if wanted != keys:
            state = tail.state() if tail is not None else None
            tail = CloudWatchTail(aws, targets, since=300)
            if state is not None:
                tail.restore(state)
            keys = wanted
        if tail is not None and targets:
            batch = await tail.poll()
            if batch.lines:
                try:
                    recorder.write_logs(batch.lines)
                except RecordingError as exc:
                    if on_error is not None:
                        on_error(exc)
                    return
            if batch.more:
                continue
        await asyncio.sleep(interval)
