"""Recordings hold the why parts (deployments and revisions, target health, alarms and their
history, scaling) exactly, as item deltas; a recording written before they existed still
replays (its frames have none of them)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

from fgtop.model import (
    Alarm,
    AlarmChange,
    ContainerImage,
    LoadBalancerRef,
    NotScaled,
    RevisionCount,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ServiceDeployment,
    ServiceRevision,
    Snapshot,
    TargetHealth,
)
from fgtop.model.codec import encode
from fgtop.recording import format as fmt
from fgtop.recording.reader import open_recording
from fgtop.recording.redact import Redactor
from fgtop.recording.writer import Recorder
from tests.unit.test_recording_roundtrip import make_frames

T0 = 1_795_859_280.0
ACCOUNT = "210987654321"
SVC = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/shop-prod/shop-search"
TG = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/shop-search-tg/5c1f0e7a9b3d2e41"
OLD = Path(__file__).resolve().parents[1] / "data" / "recordings" / "before-why.fgrec"


def why_frames(n: int) -> list[Snapshot]:
    """``n`` snapshots in which a deployment fails and rolls back, a target turns unhealthy,
    an alarm fires and the service scales out."""
    rev = [
        ServiceRevision(
            f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service-revision/shop-prod/shop-search/{i}",
            SVC,
            "",
            "eu-west-1",
            f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/shop-search:{i}",
            images=(ContainerImage("shop-search", f"x:{i}", "sha256:" + "a" * 64),),
            load_balancers=(LoadBalancerRef(TG, "shop-search", 8080),),
            account=ACCOUNT,
        )
        for i in (17, 18)
    ]
    frames = []
    for f in range(n):
        t = T0 + 5 * f
        failing = f >= 3
        dep = ServiceDeployment(
            f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service-deployment/shop-prod/shop-search/x",
            SVC,
            "",
            "eu-west-1",
            "ROLLBACK_IN_PROGRESS" if failing else "IN_PROGRESS",
            created_at=T0,
            target=RevisionCount(rev[1].arn, 4, 0, 0),
            sources=(RevisionCount(rev[0].arn, 4, 4, 0),),
            failure_count=min(f, 3),
            failure_threshold=3,
            rollback_started_at=T0 + 15 if failing else None,
            rollback_revision=rev[0].arn if failing else None,
            described=True,
            account=ACCOUNT,
        )
        health = TargetHealth(
            TG,
            "10.20.44.7",
            8080,
            "eu-west-1",
            "unhealthy" if f >= 2 else "healthy",
            "Target.ResponseCodeMismatch" if f >= 2 else None,
            "Health checks failed with these codes: [503]" if f >= 2 else None,
            checked_at=t,
            unhealthy_since=T0 + 10 if f >= 2 else None,
        )
        alarm = Alarm(
            "shop-search-5xx",
            f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:shop-search-5xx",
            "eu-west-1",
            "ALARM" if f >= 4 else "OK",
            dimensions=(("TargetGroup", "targetgroup/shop-search-tg/5c1f0e7a9b3d2e41"),),
        )
        changes = (AlarmChange("shop-search-5xx", "eu-west-1", T0 + 20, "OK", "ALARM", "x"),)
        activities = tuple(
            ScalingActivity(
                f"a{i}",
                "service/shop-prod/shop-search",
                "eu-west-1",
                T0 + i,
                "Failed" if i == 4 else "Successful",
                not_scaled=(NotScaled("AlreadyAtMaxCapacity", 10, None, 10),) if i == 4 else (),
            )
            for i in range(f)
        )
        frames.append(
            Snapshot(
                t,
                service_deployments=(dep,),
                service_revisions=tuple(rev),
                target_health=(health,),
                alarms=(alarm,),
                alarm_history=changes if f >= 4 else (),
                scalable_targets=(
                    ScalableTarget("service/shop-prod/shop-search", "eu-west-1", 4, 10),
                ),
                scaling_policies=(
                    ScalingPolicy(
                        "arn:p",
                        "cpu70",
                        "service/shop-prod/shop-search",
                        "eu-west-1",
                        "TargetTrackingScaling",
                        70.0,
                    ),
                ),
                scaling_activities=tuple(reversed(activities)),
            )
        )
    return frames


def test_the_why_parts_round_trip_exactly(tmp_path: Path) -> None:
    frames = why_frames(8)
    path = tmp_path / "why.fgrec"
    with Recorder(path, meta={"t": "why"}) as rec:
        for snap in frames:
            rec.write_snapshot(snap)
    back = open_recording(path)
    try:
        assert [back.frame(i) for i in range(len(back))] == frames
    finally:
        back.close()
    # Unchanged revisions and targets are references to the previous frame, not repeated.
    delta = fmt.diff(encode(frames[5]), encode(frames[6]))
    assert "service_revisions" not in delta.get("s", {}) and "service_revisions" not in delta.get(
        "l", {}
    )
    assert "scaling_activities" in delta["l"]  # one new activity: an item op, not the whole list


def test_a_recording_made_before_the_why_sources_still_replays() -> None:
    rec = open_recording(OLD)
    try:
        frames = [rec.frame(i) for i in range(len(rec))]
    finally:
        rec.close()
    expected, _ = make_frames(6)
    # Made before objects carried their account: each is read as the recording's one account.
    assert frames == [in_its_account(f) for f in expected]
    assert all(
        f.service_deployments == () and f.target_health == () and f.alarms == () for f in frames
    )


def test_redaction_masks_the_accounts_and_ips_of_the_why_parts() -> None:
    snap = why_frames(5)[4]
    red = Redactor().snapshot(snap)
    text = repr(encode(red))
    assert ACCOUNT not in text and "10.20.44.7" not in text
    assert red.target_health[0].reason == "Target.ResponseCodeMismatch"
    assert replace(red.alarms[0], arn="", name="") == replace(snap.alarms[0], arn="", name="")


def in_its_account(snap: Snapshot) -> Snapshot:
    """What a reader gives for a frame written before objects carried their account: each
    object with no account is the frame's one account (``Snapshot.account``)."""
    changes = {}
    for f in dataclasses.fields(snap):
        value = getattr(snap, f.name)
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            changes[f.name] = tuple(
                dataclasses.replace(item, account=snap.account)
                if "account" in {x.name for x in dataclasses.fields(item)} and item.account is None
                else item
                for item in value
            )
    return dataclasses.replace(snap, **changes)
