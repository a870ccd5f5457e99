"""`fgtop record` on a failed write: one line, a non-zero exit, the frames written, no traceback."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fgtop.recording.reader import open_recording
from tests.fakes.aws_world import network, register, run


def record(out: str, *extra: str, limit: int | None = None, duration: str = "20s"):
    def cap() -> None:  # a disk that fills up after `limit` bytes (EFBIG, as ENOSPC would)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fgtop",
            "record",
            "-o",
            out,
            "--duration",
            duration,
            "--region",
            "us-east-1",
            "--refresh",
            "1",
            "--no-metrics",
            "--no-logs",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=90,
        preexec_fn=cap,  # noqa: PLW1509 - only setrlimit
    )
    return proc, time.monotonic() - started


def lines_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/dev/full", "No space left on device"), ("{tmp}/missing/dir/x.fgrec", "No such file")],
)
def test_unwritable_output_is_one_line(moto: str, tmp_path: Path, target: str, reason: str) -> None:
    if not Path("/dev/full").exists() and target == "/dev/full":
        pytest.skip("no /dev/full")
    out = target.format(tmp=tmp_path)
    proc, _ = record(out)
    assert proc.returncode == 2
    (line,) = lines_of(proc.stderr)
    assert line.startswith(f"fgtop: cannot write {out}: {reason}")
    assert line.endswith(f"wrote 0 frames to {out}")


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_disk_filling_up_mid_recording_stops_with_one_line(moto: str, boto, tmp_path: Path) -> None:
    ecs = boto("ecs")
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="rec")
    td = register(ecs, "web")
    run(ecs, "rec", td, net, 3, group="service:web")
    out = tmp_path / "full.fgrec"
    proc, took = record(str(out), limit=1500)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "subscriber failed" not in proc.stderr
    first, last = lines_of(proc.stderr)
    assert first == f"fgtop: recording to {out} (Ctrl-C stops)"
    match = re.fullmatch(
        rf"fgtop: cannot write {re.escape(str(out))}: File too large; "
        rf"recording stopped, wrote (\d+) frames? to {re.escape(str(out))}",
        last,
    )
    assert match, last
    assert took < 18  # stopped at the failure, not at --duration
    frames = int(match.group(1))
    assert frames >= 1
    with open_recording(out) as recording:  # every frame it counted is readable
        assert len(recording) == frames
        assert len(recording.frame(-1).tasks) == 3


def test_a_good_recording_ends_with_the_frame_count(moto: str, tmp_path: Path) -> None:
    out = tmp_path / "ok.fgrec"
    proc, _ = record(str(out), duration="3s")
    assert proc.returncode == 0, proc.stderr
    last = lines_of(proc.stderr)[-1]
    with open_recording(out) as recording:
        n = len(recording)
    assert last == f"fgtop: wrote {n} frame{'' if n == 1 else 's'} to {out}"
