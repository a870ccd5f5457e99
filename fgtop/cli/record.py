"""``fgtop record -o FILE``: poll like the dashboard, headless, writing every snapshot."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from fgtop.cli.settings import live_options
from fgtop.engine.build import build_engine
from fgtop.errors import SetupError, fail
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
        engine = await build_engine(live_options(args))
        recorder = Recorder(out, redact=args.redact, meta={"source": "fgtop record"})
        frames = 0

        def write(snapshot) -> None:  # noqa: ANN001
            nonlocal frames
            recorder.write_snapshot(snapshot)
            frames += 1

        engine.subscribe(write)
        print(f"fgtop: recording to {out} (Ctrl-C stops)", file=sys.stderr)
        logs = None
        try:
            await engine.start()
            if not args.no_logs:
                logs = asyncio.create_task(record_logs(engine, recorder))
            await asyncio.sleep(duration if duration is not None else float("inf"))
        except asyncio.CancelledError:
            pass
        finally:
            if logs is not None:
                logs.cancel()
            await engine.stop()
            recorder.close()
            print(f"fgtop: wrote {frames} frames to {out}", file=sys.stderr)
        return 0

    try:
        return asyncio.run(go())
    except SetupError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 0


async def record_logs(engine, recorder, interval: float = 5.0) -> None:  # noqa: ANN001
    """Tail the CloudWatch Logs of the recorded tasks into the recording.

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
                recorder.write_logs(batch.lines)
            if batch.more:
                continue
        await asyncio.sleep(interval)
