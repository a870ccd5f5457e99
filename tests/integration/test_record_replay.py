"""Record the live path against moto, replay the file: the very same Snapshots come back."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from fgtop.config import Config
from fgtop.engine.build import LiveOptions, build_engine
from fgtop.model import Snapshot
from fgtop.model.codec import encode
from fgtop.recording.reader import open_recording
from fgtop.recording.writer import Recorder
from tests.fakes.aws_world import World, build_world

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
"""moto's account ID."""


def east_tasks(world: World) -> set[str]:
    """The task ARNs the world holds in us-east-1."""
    return {arn for cluster in world.clusters["us-east-1"] for arn in world.tasks[cluster]}


async def test_round_trip_of_the_live_path_is_exact(moto: str, tmp_path: Path) -> None:
    world = build_world(moto, big_cluster_tasks=10, services=2)
    config = Config(regions=["us-east-1"], refresh=1.0, api_budget=50.0)
    engine = await build_engine(LiveOptions(config=config))
    path = tmp_path / "live.fgrec"
    recorder = Recorder(path, meta={"source": "test"}, keyframe_interval=3)
    seen: list[Snapshot] = []
    engine.subscribe(recorder.write_snapshot)
    engine.subscribe(seen.append)
    try:
        await engine.start()
        await asyncio.sleep(3.2)
    finally:
        await engine.stop()
        recorder.close()
    assert len(seen) >= 3, "the live path published too few snapshots to test anything"
    assert recorder.frames == len(seen)
    assert east_tasks(world) <= {t.arn for t in seen[-1].tasks}
    assert {s.name for s in seen[-1].services} == set(world.services["prod"])
    assert seen[-1].account == ACCOUNT
    with open_recording(path) as rec:
        assert len(rec) == len(seen)
        assert rec.times == tuple(s.taken_at for s in seen)
        assert rec.meta == {"source": "test"} and not rec.truncated
        for i, snapshot in enumerate(seen):
            assert rec.frame(i) == snapshot, f"frame {i} differs"
        # Random access (keyframes and deltas) gives the same frames as reading in order.
        for i in reversed(range(len(seen))):
            assert rec.frame(i) == seen[i]
        assert rec.frame(rec.index_at(seen[1].taken_at + 0.001)) == seen[1]


def record(moto: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    """Start ``fgtop record`` against moto for 4 seconds."""
    env = dict(os.environ)  # the moto fixture's AWS_* variables, a temporary HOME
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fgtop",
            "record",
            "-o",
            str(out),
            "--duration",
            "4s",
            "--region",
            "us-east-1",
            "--refresh",
            "1",
            "--no-metrics",
            "--api-budget",
            "50",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=out.parent,
    )


def strings(value: object) -> list[str]:
    """Every string inside an encoded snapshot."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def test_record_command_plain_and_redacted(moto: str, tmp_path: Path) -> None:
    world = build_world(moto, big_cluster_tasks=10, services=2)
    plain_path, redacted_path = tmp_path / "plain.fgrec", tmp_path / "redacted.fgrec"
    procs = [record(moto, plain_path), record(moto, redacted_path, "--redact")]
    results = [p.communicate(timeout=40) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert "wrote" in err and "frames" in err
    arns = east_tasks(world)

    with open_recording(plain_path) as rec:
        assert len(rec) >= 2
        assert not rec.redacted and rec.meta.get("source") == "fgtop record"
        last = rec.frame(len(rec) - 1)
        assert arns <= {t.arn for t in last.tasks}
        assert last.account == ACCOUNT
        assert any(ACCOUNT in t.arn for t in last.tasks)

    with open_recording(redacted_path) as rec:
        assert len(rec) >= 2 and rec.redacted
        masks: set[str] = set()
        ids = {arn.rsplit("/", 1)[-1] for arn in arns}
        for i in range(len(rec)):
            frame = rec.frame(i)
            text = json.dumps(encode(frame))
            assert ACCOUNT not in text, f"account id left in frame {i}"
            assert "hunter2" not in text, f"secret env value left in frame {i}"
            arn_strings = [s for s in strings(encode(frame)) if s.startswith("arn:aws:")]
            assert arn_strings
            masks |= {s.split(":")[4] for s in arn_strings if s.split(":")[4]}
        # The same account always maps to the same mask; the tasks are still all there.
        assert masks == {"000000000001"}
        assert ids <= {t.arn.rsplit("/", 1)[-1] for t in frame.tasks}
        assert frame.account == "000000000001"
