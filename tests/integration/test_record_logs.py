"""`fgtop record` keeps the tasks' CloudWatch log lines in the recording, with the frames."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from fgtop.recording.reader import open_recording
from tests.fakes.aws_world import network, register, run


def test_record_writes_frames_and_log_lines(moto: str, boto, tmp_path: Path) -> None:
    ecs = boto("ecs")
    logs = boto("logs")
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="rec")
    td = register(ecs, "web")
    (arn,) = run(ecs, "rec", td, net, 1, group="service:web")
    task_id = arn.rsplit("/", 1)[-1]
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName=f"ecs/app/{task_id}")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName="/ecs/web",
        logStreamName=f"ecs/app/{task_id}",
        logEvents=[{"timestamp": now - 5000 + i, "message": f"line {i}"} for i in range(5)],
    )
    out = tmp_path / "live.fgrec"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fgtop",
            "record",
            "-o",
            str(out),
            "--duration",
            "6s",
            "--region",
            "us-east-1",
            "--refresh",
            "1",
            "--no-metrics",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    with open_recording(out) as recording:
        assert len(recording) >= 2
        assert {t.arn for t in recording.frame(-1).tasks} == {arn}
        lines = recording.logs(arn)
    assert [ln.message for ln in lines] == [f"line {i}" for i in range(5)]
    assert {ln.container for ln in lines} == {"app"}
