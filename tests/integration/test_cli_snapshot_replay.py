"""``fgtop snapshot --replay FILE_OR_DIR --at TIME``: the document of a moment of a recording.

The command as a user runs it (a subprocess, no AWS variable at all): its JSON is the document
the screens are held to (tests/ui/test_one_truth.py), its errors are one line and exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.derive.replay import ReplayDeriver
from fgtop.printer.documents import snapshot_json
from fgtop.recording.reader import open_recording
from fgtop.recording.segments import SegmentedRecorder
from fgtop.resources import demo_recording

DEMO = str(demo_recording())


def fgtop(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "fgtop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )


def clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


def expected(path: str, t: float) -> dict:
    """The document as the code the screens are held to builds it."""
    with open_recording(path) as rec:
        snapshot, derived = ReplayDeriver(Deriver(load_price_table()), rec).derive_at(t)
        return json.loads(json.dumps(snapshot_json(snapshot, derived)))


def test_the_json_of_a_moment_is_the_document_the_screens_show() -> None:
    with open_recording(DEMO) as rec:
        start, end = rec.start, rec.end
    t = start + 21 * 60 + 2  # 10:09:02 of the demo: between two frames
    proc = fgtop("snapshot", "--replay", DEMO, "--at", clock(t))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc == expected(DEMO, t)
    assert doc["taken_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t - 2))
    # What only the history knows is there: the timeline, the alerts, a crash loop's SINCE.
    assert len(doc["timeline"]) > 150 and doc["alerts"]
    loop = next(p for p in doc["problems"] if p["title"].startswith("pricing-engine-"))
    assert loop["since"] < t - 20 * 60
    # "-5m": five minutes before the end (the dash is not taken for an option).
    proc = fgtop("snapshot", "--replay", DEMO, "--at", "-5m")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected(DEMO, end - 300)


def test_the_table_of_a_moment_rounds_as_the_screens_do() -> None:
    proc = fgtop("snapshot", "--replay", DEMO, "--at", "+20m", "--format", "table")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "DEPLOYMENT" in out and "$/H" in out
    assert "data-prod/backfill-orders (standalone): $0.1975/h" in out
    line = next(x for x in out.splitlines() if x.startswith("data-api "))
    assert " 0.0593 " in line  # 0.05925 $/h: the cost panel's digits
    assert "shop/pricing-engine" in out and "steady" not in next(
        x for x in out.splitlines() if x.startswith("shop/pricing-engine")
    )


def test_a_directory_of_segments_is_one_recording(tmp_path: Path) -> None:
    now = [0.0]
    with open_recording(DEMO) as rec:
        recorder = SegmentedRecorder(tmp_path, segment=120, clock=lambda: now[0])
        for i in range(80):
            snapshot = rec.frame(i)
            now[0] = snapshot.taken_at
            recorder.write_snapshot(snapshot)
        recorder.close()
        t = rec.times[75]
    assert len(list(tmp_path.iterdir())) >= 3
    proc = fgtop("snapshot", "--replay", str(tmp_path), "--at", clock(t))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected(DEMO, t)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--at", "tomorrow"], "--at: cannot read the time 'tomorrow': use HH:MM[:SS]"),
        (["--at", "07:00"], "is outside the recording: "),
        (["--at", "+2h"], "is outside the recording: "),
        ([], "--replay needs --at TIME"),
    ],
)
def test_bad_time_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    proc = fgtop("snapshot", "--replay", DEMO, *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and says in proc.stderr, proc.stderr
    if "outside" in says:
        with open_recording(DEMO) as rec:
            assert f"runs from {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(rec.start))}" in (
                proc.stderr
            )
            assert time.strftime("%H:%M:%S", time.localtime(rec.end)) in proc.stderr


def test_a_bad_recording_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cut = tmp_path / "cut.fgrec"
    cut.write_bytes(Path(DEMO).read_bytes()[:300])
    garbage = tmp_path / "garbage.fgrec"
    garbage.write_bytes(b"not a recording at all" * 20)
    for path, says in (
        (cut, "no complete frame"),
        (garbage, "is not an fgtop recording"),
        (tmp_path / "missing.fgrec", "no such file"),
    ):
        proc = fgtop("snapshot", "--replay", str(path), "--at", "+1m")
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert proc.stderr.count("\n") == 1 and says in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = fgtop("snapshot", "--at", "+1m")  # --at alone: a live snapshot is of now
    assert proc.returncode == 2 and "--at needs --replay" in proc.stderr
