"""What each ``fgtop`` subcommand does, given its parsed arguments."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from fgtop.cli import fail
from fgtop.config import Config, load_config, merge_cli
from fgtop.live import LiveOptions, build_engine
from fgtop.sources.errors import SetupError


def load_settings(args: argparse.Namespace) -> Config:
    """The config file (``--config`` or the default path) with the command line over it."""
    path = getattr(args, "config", None)
    config = load_config(Path(path) if path else None)
    overrides = {
        "profile": getattr(args, "profile", None),
        "regions": getattr(args, "regions", None),
        "contexts": getattr(args, "contexts", None),
        "refresh": getattr(args, "refresh", None),
        "api_budget": getattr(args, "api_budget", None),
        "include_ec2": getattr(args, "include_ec2", None),
        "eks": getattr(args, "eks", None),
        "all_pods": getattr(args, "all_pods", None),
        "theme": getattr(args, "theme", None),
    }
    config = merge_cli(config, **{k: v for k, v in overrides.items() if v is not None})
    alert_rules(config)  # a bad [[alerts]] table is a config error at start, not at run time
    return config


def alert_rules(config: Config) -> list:
    """The alert rules of the config file (with the defaults unless turned off).

    Raises:
        ConfigError: Naming the file, the line of the bad ``[[alerts]]`` table and the key.
    """
    import re

    from fgtop.alerts import parse_rules, with_defaults
    from fgtop.config import ConfigError

    try:
        rules = parse_rules(config.alerts)
    except ValueError as exc:
        where = str(config.source or "config.toml")
        found = re.match(r"alerts\[(\d+)\]", str(exc))
        if found and int(found.group(1)) < len(config.alert_lines):
            where += f":{config.alert_lines[int(found.group(1))]}"
        raise ConfigError(f"{where}: {exc}") from None
    return with_defaults(rules) if config.default_alerts else rules


def live_options(args: argparse.Namespace) -> LiveOptions:
    """LiveOptions from the config file and the command line."""
    return LiveOptions(
        config=load_settings(args),
        clusters=list(getattr(args, "clusters", None) or ()),
        service=getattr(args, "service", None),
        metrics=not getattr(args, "no_metrics", False),
    )


def run_snapshot(args: argparse.Namespace) -> int:
    """``fgtop snapshot``: poll once, print, exit 0."""
    from fgtop.cost.prices import load_price_table
    from fgtop.insights import analyse
    from fgtop.printer import print_json, print_table

    async def go() -> int:
        opts = live_options(args)
        engine = await build_engine(opts)
        try:
            snapshot = await engine.poll_once()
        finally:
            await engine.stop()
        insights = analyse(snapshot, load_price_table(), headroom=opts.config.headroom)
        if args.format == "table":
            print_table(snapshot, sys.stdout, insights)
        else:
            print_json(snapshot, sys.stdout, insights)
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


def run_record(args: argparse.Namespace) -> int:
    """``fgtop record -o FILE``: poll like the dashboard, headless, writing every snapshot."""
    from fgtop.cli import parse_duration
    from fgtop.recording.writer import Recorder

    try:
        duration = parse_duration(args.duration)
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


def run_logs(args: argparse.Namespace) -> int:
    """``fgtop logs TARGET``: sanitised log lines to stdout."""
    from fgtop.logs_cli import run

    return run(args)


def run_pricing(args: argparse.Namespace) -> int:
    """``fgtop pricing update|show``."""
    from fgtop.pricing_cli import run

    return run(args)


async def record_logs(engine, recorder, interval: float = 5.0) -> None:  # noqa: ANN001
    """Tail the CloudWatch Logs of the recorded tasks into the recording.

    The tail follows the tasks of the latest snapshot; when they change, a new tail takes over
    the old one's position (no line twice, none skipped).
    """
    from fgtop.sources.logs import CloudWatchTail, resolve_targets

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
