"""Alert rules driven by a sequence of snapshots: fire once, clear, fire again; no sleeping."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fgtop.derive.alerts import (
    DEFAULT_RULES,
    AlertEvaluator,
    AlertRule,
    parse_rules,
    with_defaults,
)
from fgtop.model import (
    Container,
    ContainerState,
    MetricSeries,
    Pod,
    PodContainer,
    Service,
    Snapshot,
    Task,
)

T0 = 1_795_860_000.0
ACCT = "210987654321"
SVC = f"arn:aws:ecs:eu-west-1:{ACCT}:service/shop-prod/shop-api"
TASK = f"arn:aws:ecs:eu-west-1:{ACCT}:task/shop-prod/4c2b7e1d9a0f4e3b8c6d5a4b3c2d1e0f"


def cpu(values: list[float], end: float, target: str = SVC, metric: str = "cpu") -> MetricSeries:
    """A per-minute series ending at ``end`` (CloudWatch timestamps lag about a minute)."""
    n = len(values)
    points = tuple((end - 60 * (n - i), v) for i, v in enumerate(values))
    return MetricSeries(target, metric, "AWS/ECS", points, 60)


def service(running: int, desired: int = 3) -> Service:
    return Service("shop-api", SVC, "shop-prod", "eu-west-1", "ACTIVE", desired, running, 0)


def test_cpu_fires_once_after_n_minutes_and_clears() -> None:
    ev = AlertEvaluator([AlertRule("cpu-high", "cpu_above", threshold=90, minutes=5)])
    history: list[float] = [40, 50, 95, 96, 97, 98]
    fired = []
    for step in range(6):  # one snapshot a minute, one more high point each time
        now = T0 + 60 * step
        history.append(99 if step < 4 else 30)
        snap = Snapshot(taken_at=now, services=(service(3),), metrics=(cpu(history, now),))
        fired.append([a.message for a in ev.feed(snap)])
    # five high points are needed: 95..98 + the first 99 arrive at step 0
    assert [len(f) for f in fired] == [1, 0, 0, 0, 0, 0]
    assert fired[0][0] == "CPU above 90% for 5 min on shop-api (now 99%)"
    assert ev.active == []  # cleared when the 30% point arrived
    assert [a.rule for a in ev.cleared] == [] and not ev.is_active(SVC)


def test_cpu_refires_after_clearing_and_ignores_stale_or_gappy_data() -> None:
    ev = AlertEvaluator([AlertRule("cpu", "cpu_above", threshold=80, minutes=2)])
    high = Snapshot(taken_at=T0, metrics=(cpu([85, 90], T0),))
    low = Snapshot(taken_at=T0 + 60, metrics=(cpu([85, 90, 10], T0 + 60),))
    again = Snapshot(taken_at=T0 + 180, metrics=(cpu([85, 90, 10, 85, 90], T0 + 180),))
    assert len(ev.feed(high)) == 1
    assert ev.is_active(SVC)
    assert ev.feed(high) == []  # same condition: no second alert
    assert ev.feed(low) == [] and [a.target for a in ev.cleared] == [SVC]
    assert len(ev.feed(again)) == 1
    stale = AlertEvaluator([AlertRule("cpu", "cpu_above", threshold=80, minutes=2)])
    assert stale.feed(Snapshot(taken_at=T0 + 900, metrics=(cpu([85, 90], T0),))) == []
    gap = MetricSeries(SVC, "cpu", "AWS/ECS", ((T0 - 600, 99.0), (T0 - 60, 99.0)), 60)
    assert stale.feed(Snapshot(taken_at=T0 + 901, metrics=(gap,))) == []


def test_memory_scope_task_only() -> None:
    ev = AlertEvaluator([AlertRule("mem", "memory_above", threshold=90, minutes=1, scope="task")])
    snap = Snapshot(
        taken_at=T0,
        metrics=(cpu([95], T0, SVC, "memory"), cpu([97], T0, TASK, "memory"), cpu([99], T0, TASK)),
    )
    fired = ev.feed(snap)
    assert [a.target for a in fired] == [TASK]
    assert fired[0].message.startswith("Memory above 90% for 1 min")


def test_running_below_desired_for_n_minutes() -> None:
    ev = AlertEvaluator([AlertRule("below", "running_below_desired", minutes=3, severity=1)])
    counts = [3, 1, 1, 1, 2, 3, 1, 1, 1, 1]
    fired_at = []
    for i, running in enumerate(counts):
        for a in ev.feed(Snapshot(taken_at=T0 + 60 * i, services=(service(running),))):
            fired_at.append((i, a.message, a.severity))
    # below from i=1: fires at i=4 (3 min later), still below (2<3) then clears at i=5 and
    # fires again 3 minutes after it dropped again at i=6
    assert fired_at == [
        (4, "shop-api: 2 of 3 tasks running for 3 min", 1),
        (9, "shop-api: 1 of 3 tasks running for 3 min", 1),
    ]


def pod(restarts: int, reason: str | None = "OOMKilled") -> Pod:
    last = ContainerState("terminated", reason, exit_code=137) if restarts else None
    return Pod(
        namespace="shop",
        name="checkout-55c8d7f9b-m7q2z",
        cluster="shop-eks",
        context=None,
        phase="Running",
        containers=(
            PodContainer(
                "checkout", restarts=restarts, state=ContainerState("running"), last_state=last
            ),
        ),
    )


def test_restarts_increasing_window() -> None:
    ev = AlertEvaluator([AlertRule("restarts", "restarts_increasing", threshold=1, minutes=10)])
    seq = [(0, 2), (60, 2), (120, 3), (180, 4), (400, 4), (900, 4), (1000, 5)]
    fired = {t: ev.feed(Snapshot(taken_at=T0 + t, pods=(pod(r),))) for t, r in seq}
    assert [t for t, f in fired.items() if f] == [120, 1000]
    assert fired[120][0].message == (
        "shop/checkout-55c8d7f9b-m7q2z: 1 restart(s) in 10 min (total 3, last: OOMKilled)"
    )
    assert fired[120][0].target == "shop/checkout-55c8d7f9b-m7q2z"


def test_restarts_between_consecutive_snapshots() -> None:
    ev = AlertEvaluator([AlertRule("r", "restarts_increasing", threshold=2)])
    results = [
        len(ev.feed(Snapshot(taken_at=T0 + i, pods=(pod(r),))))
        for i, r in enumerate([0, 1, 3, 3, 5, 6])
    ]
    assert results == [0, 0, 1, 0, 1, 0]


def stopped_task(arn: str, stopped_at: float, exit_code: int, status: str = "STOPPED") -> Task:
    return Task(
        arn=arn,
        cluster="shop-prod",
        region="eu-west-1",
        task_definition=f"arn:aws:ecs:eu-west-1:{ACCT}:task-definition/shop-worker:12",
        last_status=status,
        desired_status="STOPPED" if status == "STOPPED" else "RUNNING",
        service="shop-worker",
        stopped_at=stopped_at if status == "STOPPED" else None,
        stop_code="EssentialContainerExited" if status == "STOPPED" else None,
        stopped_reason="Essential container in task exited" if status == "STOPPED" else None,
        containers=(Container("worker", exit_code=exit_code if status == "STOPPED" else None),),
    )


def test_task_stopped_abnormally_fires_once_per_task() -> None:
    ev = AlertEvaluator([AlertRule("stopped", "task_stopped_abnormally", max_severity=2)])
    old = stopped_task(TASK[:-4] + "0001", T0 - 600, 137)  # stopped before we started watching
    a_run = stopped_task(TASK[:-4] + "000a", 0, 0, status="RUNNING")
    b_zero = stopped_task(TASK[:-4] + "000b", T0 + 50, 0)
    assert ev.feed(Snapshot(taken_at=T0, tasks=(old, a_run))) == []
    a_stop = stopped_task(a_run.arn, T0 + 55, 137)
    fired = ev.feed(Snapshot(taken_at=T0 + 60, tasks=(old, a_stop, b_zero)))
    assert [f.target for f in fired] == [a_run.arn]  # exit 0 of a service task is only medium
    assert "shop-worker" in fired[0].title and "exit 137" in fired[0].message
    assert ev.feed(Snapshot(taken_at=T0 + 120, tasks=(old, a_stop))) == []
    ev.feed(Snapshot(taken_at=T0 + 180, tasks=()))
    assert ev.active == [] and [a.target for a in ev.cleared] == [a_run.arn]
    assert ev.feed(Snapshot(taken_at=T0 + 240, tasks=(a_stop,))) == []  # never twice
    default = AlertEvaluator(DEFAULT_RULES)
    default.feed(Snapshot(taken_at=T0))
    spot = replace(
        b_zero,
        arn=TASK[:-4] + "000c",
        stop_code="SpotInterruption",
        stopped_reason="Your Spot Task was interrupted.",
    )
    fired = default.feed(Snapshot(taken_at=T0 + 60, tasks=(b_zero, spot)))
    assert [f.target for f in fired] == [b_zero.arn]  # spot (low) is below max_severity


def test_replay_is_deterministic_and_seek_back_resets() -> None:
    frames = [
        Snapshot(
            taken_at=T0 + 60 * i,
            services=(service(1 if i >= 2 else 3),),
            metrics=(cpu([95] * (i + 1), T0 + 60 * i),),
            pods=(pod(i),),
        )
        for i in range(8)
    ]

    def run(ev: AlertEvaluator) -> list[tuple[str, str, float]]:
        return [(a.rule, a.target, a.at) for f in frames for a in ev.feed(f)]

    first = run(AlertEvaluator(DEFAULT_RULES))
    assert first == run(AlertEvaluator(DEFAULT_RULES))
    assert {r for r, _, _ in first} == {"cpu-high", "below-desired", "pod-restarts"}
    ev = AlertEvaluator(DEFAULT_RULES)
    run(ev)
    assert run(ev) == first  # feeding from the start again (seek back) resets the state


def test_parse_rules_valid() -> None:
    rules = parse_rules(
        [
            {"kind": "cpu_above", "threshold": 75, "minutes": 10, "severity": "critical"},
            {"name": "api-down", "kind": "running_below_desired", "minutes": 1, "scope": "any"},
            {"name": "pod-restarts", "kind": "restarts_increasing", "enabled": False},
        ]
    )
    assert rules[0] == AlertRule("cpu_above", "cpu_above", 75.0, 10.0, severity=1)
    assert rules[2].threshold == 1.0 and rules[2].enabled is False
    merged = with_defaults(rules)
    assert [r.name for r in merged][:5] == [r.name for r in DEFAULT_RULES]
    assert next(r for r in merged if r.name == "pod-restarts").enabled is False
    assert {"cpu_above", "api-down"} <= {r.name for r in merged}
    assert AlertEvaluator(merged).rules == tuple(r for r in merged if r.enabled)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({"kind": "cpu_above"}, "alerts: expected a list of tables, got dict"),
        (["cpu"], "alerts[0]: expected a table, got str"),
        ([{"kind": "cpu_above", "treshold": 5}], "alerts[0]: unknown key 'treshold'"),
        ([{"threshold": 5}], "alerts[0].kind: missing"),
        ([{"kind": "cpu"}], "alerts[0].kind: 'cpu' is not valid"),
        ([{"kind": "cpu_above", "threshold": "high"}], "alerts[0].threshold: expected a number"),
        ([{"kind": "cpu_above", "threshold": 150}], "alerts[0].threshold: a percentage"),
        (
            [{"kind": "cpu_above"}, {"kind": "memory_above", "minutes": -1}],
            "alerts[1].minutes: expected a number >= 0",
        ),
        ([{"kind": "cpu_above", "severity": "urgent"}], "alerts[0].severity: expected one of"),
        ([{"kind": "cpu_above", "scope": "cluster"}], "alerts[0].scope: 'cluster' is not one of"),
        ([{"kind": "cpu_above", "enabled": "yes"}], "alerts[0].enabled: expected true or false"),
        ([{"kind": "cpu_above"}, {"kind": "cpu_above"}], "alerts[1].name: duplicate rule name"),
        ([{"kind": "cpu_above", "name": ""}], "alerts[0].name: expected a non-empty string"),
    ],
)
def test_parse_rules_errors_name_the_key(items: object, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_rules(items)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)
