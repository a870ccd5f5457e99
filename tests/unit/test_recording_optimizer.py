"""Recordings carry Compute Optimizer's recommendations and status; older ones read without."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fgtop.model import EcsRecommendation, OptimizerOption, OptimizerStatus, Snapshot
from fgtop.recording.reader import open_recording
from fgtop.recording.redact import Redactor
from fgtop.recording.writer import Recorder
from fgtop.resources import demo_recording

T0 = 1_800_000_000.0
ARN = "arn:aws:ecs:eu-west-1:210987654321:service/shop/{}"


def rec(name: str, savings: float | None = 12.5) -> EcsRecommendation:
    return EcsRecommendation(
        service_arn=ARN.format(name),
        region="eu-west-1",
        cluster="shop",
        service_name=name,
        finding="Overprovisioned",
        current_cpu=1024,
        current_memory=2048,
        options=(OptimizerOption(512, 1024, savings, 50.0, None, "USD"),),
        reasons=("CPUOverprovisioned",),
        refreshed_at=T0 - 86400,
        account="210987654321",
    )


def test_round_trip_keyframes_and_deltas(tmp_path: Path) -> None:
    status = OptimizerStatus(regions=("eu-west-1",), skipped=1, checked_at=T0)
    frames = [
        Snapshot(taken_at=T0),
        Snapshot(taken_at=T0 + 5, ecs_recommendations=(rec("api"),), compute_optimizer=status),
        Snapshot(
            taken_at=T0 + 10,
            ecs_recommendations=(rec("api", 9.0), rec("web")),
            compute_optimizer=dataclasses.replace(status, skipped=0),
        ),
        Snapshot(
            taken_at=T0 + 15,
            compute_optimizer=OptimizerStatus(regions=("eu-west-1",), not_enrolled=("eu-west-1",)),
        ),
    ]
    path = tmp_path / "co.fgrec"
    recorder = Recorder(path, meta={}, keyframe_interval=10)
    for f in frames:
        recorder.write_snapshot(f)
    recorder.close()
    with open_recording(path) as recording:
        assert [recording.frame(i) for i in range(len(frames))] == frames
        assert [recording.frame(i) for i in reversed(range(len(frames)))] == frames[::-1]


def test_a_recording_made_before_the_field_reads_with_defaults() -> None:
    with open_recording(demo_recording()) as recording:
        for i in (0, len(recording) - 1):
            snap = recording.frame(i)
            assert snap.ecs_recommendations == () and snap.compute_optimizer is None
            assert snap.tasks  # the rest is there


def test_redaction_reaches_the_recommendations() -> None:
    snap = Snapshot(taken_at=T0, ecs_recommendations=(rec("api"),))
    red = Redactor().snapshot(snap)
    assert "210987654321" not in repr(red)
    assert red.ecs_recommendations[0].service_name == "api"
