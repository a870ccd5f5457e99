"""Recording round trip: the reader reproduces exactly the Snapshots and log lines written."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fgtop.model import (
    ContainerState,
    Deployment,
    KubeEvent,
    LogLine,
    MetricSeries,
    Pod,
    PodContainer,
    Service,
    ServiceEvent,
    Snapshot,
    SourceHealth,
    Task,
)
from fgtop.recording import format as fmt
from fgtop.recording.reader import open_recording
from fgtop.recording.writer import Recorder

T0 = 1_795_859_280.0


def make_frames(n: int, seed: int = 7) -> tuple[list[Snapshot], list[list[LogLine]]]:
    """``n`` evolving snapshots (tasks come and go, series slide, events prepend) and logs."""
    rng = random.Random(seed)
    tasks: dict[str, Task] = {}
    points = [(T0 - 3600 + 60 * i, round(rng.uniform(5, 90), 1)) for i in range(60)]
    events: list[ServiceEvent] = []
    frames, logs = [], []
    restarts = 0
    for f in range(n):
        t = T0 + 5 * f
        if f % 3 == 0:
            arn = f"arn:aws:ecs:eu-west-1:210987654321:task/c/{rng.getrandbits(128):032x}"
            tasks[arn] = Task(
                arn,
                "c",
                "eu-west-1",
                "arn:td/x:1",
                "PENDING",
                "RUNNING",
                service="svc",
                cpu=256,
                memory=512,
                arch="arm64",
                private_ip=f"10.0.{f % 7}.{f % 250}",
                created_at=t,
                tags={"team": "shop"},
            )
        for arn, task in list(tasks.items()):
            r = rng.random()
            if r < 0.1 and task.last_status == "PENDING":
                tasks[arn] = dataclasses.replace(task, last_status="RUNNING", started_at=t)
            elif r < 0.03:
                del tasks[arn]
        if f % 12 == 0:
            points = [*points[1:], (points[-1][0] + 60, round(rng.uniform(5, 90), 1))]
        if f % 5 == 0:
            events.insert(0, ServiceEvent(f"e{f}", t, f"(service svc) event {f}"))
            del events[10:]
        if f % 17 == 0:
            restarts += 1
        dep = Deployment(
            "ecs-svc/1",
            "PRIMARY",
            "arn:td/x:1",
            3,
            f % 4,
            0,
            rollout_state="IN_PROGRESS" if f < n // 2 else "COMPLETED",
        )
        service = Service(
            "svc",
            "arn:svc",
            "c",
            "eu-west-1",
            "ACTIVE",
            3,
            f % 4,
            0,
            deployments=(dep,),
            events=tuple(events),
            raw={"serviceName": "svc", "runningCount": f % 4, "list": [1, 2.5]},
        )
        pod = Pod(
            "shop",
            "p",
            "eks",
            None,
            phase="Running",
            containers=(
                PodContainer(
                    "p",
                    restarts=restarts,
                    state=ContainerState("waiting", "CrashLoopBackOff"),
                    last_state=ContainerState("terminated", "OOMKilled", exit_code=137),
                ),
            ),
            conditions=(("Ready", "False", "ContainersNotReady", None),),
        )
        frames.append(
            Snapshot(
                taken_at=t,
                account="210987654321",
                regions=("eu-west-1",),
                services=(service,),
                tasks=tuple(tasks.values()),
                pods=(pod,),
                kube_events=(
                    KubeEvent("eks", "shop", "p", "BackOff", "back-off", "Warning", count=f + 1),
                ),
                metrics=(MetricSeries("arn:svc", "cpu", "AWS/ECS", tuple(points)),),
                sources=(SourceHealth("ecs:eu-west-1", api_calls=f * 3, last_success=t),),
                notes=("note",) if f % 50 < 10 else (),
            )
        )
        logs.append(
            [
                LogLine(arn, "app", t - 1 + i * 0.1, f"line {f}.{i}\n\tat x", str(f * 10 + i))
                for i, arn in enumerate(list(tasks)[: rng.randint(0, 3)])
            ]
        )
    return frames, logs


def write(path: Path, frames: list[Snapshot], logs: list[list[LogLine]], **kw: object) -> None:
    with Recorder(path, meta={"who": "test"}, **kw) as rec:
        for snap, lines in zip(frames, logs, strict=True):
            rec.write_snapshot(snap)
            rec.write_logs(lines)


def test_round_trip_every_frame_in_any_order(tmp_path: Path) -> None:
    frames, logs = make_frames(150)
    path = tmp_path / "r.fgrec"
    write(path, frames, logs, keyframe_interval=40)
    with open_recording(path) as rec:
        assert rec.meta == {"who": "test"}
        assert len(rec) == rec.len == 150
        assert rec.times == tuple(s.taken_at for s in frames)
        assert (rec.start, rec.end) == (frames[0].taken_at, frames[-1].taken_at)
        order = list(range(150))
        random.Random(3).shuffle(order)
        for i in order + list(range(150)) + list(reversed(range(150))):
            assert rec.frame(i) == frames[i], i
        assert rec.frame(-1) == frames[-1]
        all_lines = sorted((line for batch in logs for line in batch), key=lambda x: x.timestamp)
        assert rec.logs() == all_lines
        target = all_lines[5].target
        mid = frames[75].taken_at
        assert rec.logs(target=target, until=mid) == [
            x for x in all_lines if x.target == target and x.timestamp <= mid
        ]
        assert rec.logs(since=mid) == [x for x in all_lines if x.timestamp >= mid]


def test_index_at_bisects(tmp_path: Path) -> None:
    frames, logs = make_frames(30)
    path = tmp_path / "r.fgrec"
    write(path, frames, logs)
    rec = open_recording(path)
    assert rec.index_at(T0 - 100) == 0
    assert rec.index_at(T0 + 5 * 10) == 10
    assert rec.index_at(T0 + 5 * 10 + 4.9) == 10
    assert rec.index_at(T0 + 1e6) == 29
    rec.close()


def test_compact_compared_with_plain_json(tmp_path: Path) -> None:
    frames, logs = make_frames(200)
    path = tmp_path / "r.fgrec"
    write(path, frames, logs)
    plain = sum(len(fmt.dumps(fmt_encode(s))) + 1 for s in frames)
    assert plain / path.stat().st_size > 5


def fmt_encode(snapshot: Snapshot) -> object:
    from fgtop.model.codec import encode

    return encode(snapshot)


def test_readable_while_being_written(tmp_path: Path) -> None:
    frames, _logs = make_frames(20)
    path = tmp_path / "r.fgrec"
    rec = Recorder(path)
    for snap in frames[:5]:
        rec.write_snapshot(snap)
    reader = open_recording(path)
    assert len(reader) == 5
    for snap in frames[5:]:
        rec.write_snapshot(snap)
    assert reader.refresh() == 15
    assert reader.frame(19) == frames[19]
    rec.close()
    reader.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=10,
)
items = st.lists(
    st.fixed_dictionaries(
        {
            "arn": st.sampled_from("abcdef"),
            "v": json_values,
            "p": st.lists(st.integers(0, 9), max_size=6),
        }
    ),
    max_size=6,
)
states = st.fixed_dictionaries(
    {"taken_at": st.floats(0, 1e9)},
    optional={
        "tasks": items,
        "notes": st.lists(st.text(max_size=3), max_size=3),
        "account": st.text(max_size=4),
    },
)


@settings(max_examples=300, deadline=None)
@given(states, states)
def test_diff_apply_reproduces_any_state(a: dict, b: dict) -> None:
    delta = fmt.loads(fmt.dumps(fmt.diff(a, b)))
    assert fmt.apply(a, delta) == b
