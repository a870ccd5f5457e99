"""Right-sizing: smaller sizes from observed peaks, ARM and Spot savings, the evidence."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fgtop.cost.estimate import size_rate
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.cost.rightsizing import (
    ARM,
    RESIZE,
    SPOT,
    cheapest_size,
    evidence_for,
    percentile,
    suggest,
)
from fgtop.cost.sizes import FARGATE_SIZES, is_valid_size
from fgtop.model import MetricSeries, Service, Snapshot, Task, TaskDefinition

T0 = 1_800_000_000.0
CLUSTER = "arn:aws:ecs:us-east-1:1:cluster/prod"


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> PriceTable:
    return load_price_table(tmp_path_factory.mktemp("cache"))


def series(arn: str, metric: str, values: list[float], period: int = 60) -> MetricSeries:
    points = tuple((T0 + i * period, v) for i, v in enumerate(values))
    return MetricSeries(target=arn, metric=metric, source="AWS/ECS", points=points, period=period)


def estate(
    cpu_values: list[float],
    mem_values: list[float],
    *,
    n: int = 3,
    size: tuple[int, int] = (2048, 8192),
    **task_kw: object,
) -> Snapshot:
    svc = Service(
        name="api",
        arn="arn:aws:ecs:us-east-1:1:service/prod/api",
        cluster=CLUSTER,
        region="us-east-1",
        status="ACTIVE",
        desired=n,
        running=n,
        pending=0,
        task_definition="arn:aws:ecs:us-east-1:1:task-definition/api:7",
    )
    tasks = tuple(
        Task(
            arn=f"arn:aws:ecs:us-east-1:1:task/prod/{i:032x}",
            cluster=CLUSTER,
            region="us-east-1",
            task_definition=svc.task_definition,
            last_status="RUNNING",
            desired_status="RUNNING",
            service="api",
            cpu=size[0],
            memory=size[1],
            started_at=T0,
            **{"arch": "x86_64", **task_kw},  # type: ignore[arg-type]
        )
        for i in range(n)
    )
    metrics = (series(svc.arn, "cpu", cpu_values), series(svc.arn, "memory", mem_values))
    return Snapshot(
        taken_at=T0 + 3600, regions=("us-east-1",), services=(svc,), tasks=tasks, metrics=metrics
    )


def test_percentile() -> None:
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2


def test_needs_an_hour_of_data() -> None:
    snap = estate([10.0] * 59, [10.0] * 59)
    arn = snap.services[0].arn
    assert evidence_for(snap.series(arn, "cpu"), snap.series(arn, "memory")) is None
    snap = estate([10.0] * 60, [10.0] * 60)
    ev = evidence_for(snap.series(arn, "cpu"), snap.series(arn, "memory"))
    assert ev is not None and ev.samples == 60 and ev.seconds == 3600


def test_oversized_service_gets_a_smaller_size(table: PriceTable) -> None:
    cpu = [10.0] * 55 + [20.0] * 4 + [30.0]
    mem = [20.0] * 59 + [25.0]
    out = suggest(estate(cpu, mem), table)
    resize = [s for s in out if s.kind == RESIZE]
    assert len(resize) == 1
    s = resize[0]
    # 2048 x 30% / 0.7 = 878 units; 8192 x 25% / 0.7 = 2926 MiB -> 1 vCPU / 3 GB is cheapest
    assert s.proposed == (1024, 3072)
    assert s.current == (2048, 8192)
    prices = table.regions["us-east-1"]
    per_task = size_rate(prices, 2048, 8192) - size_rate(prices, 1024, 3072)
    assert s.per_hour_savings == 3 * per_task
    assert s.monthly_savings == 3 * per_task * 730
    assert s.evidence is not None
    assert (s.evidence.cpu_peak, s.evidence.cpu_p95) == (30.0, 20.0)
    assert s.evidence.memory_peak == 25.0
    assert "peak 30%" in s.detail and "p95 20%" in s.detail


def test_resize_savings_price_each_task_on_its_own_provider(table: PriceTable) -> None:
    snap = estate([10.0] * 60, [10.0] * 60)
    tasks = (*snap.tasks[:2], replace(snap.tasks[2], capacity_provider="FARGATE_SPOT"))
    snap = replace(snap, tasks=tasks)
    out = suggest(snap, table)
    # already on Spot in part: no Spot advice; ARM keeps each task on its provider
    assert {s.kind for s in out} == {RESIZE, ARM}
    prices = table.regions["us-east-1"]
    # 10% of 2 vCPU / 0.7 = 293 units, 10% of 8 GB / 0.7 = 1170 MiB: 0.5 vCPU / 2 GB
    od = size_rate(prices, 2048, 8192) - size_rate(prices, 512, 2048)
    spot = size_rate(prices, 2048, 8192, spot=True) - size_rate(prices, 512, 2048, spot=True)
    (resize,) = [s for s in out if s.kind == RESIZE]
    assert resize.proposed == (512, 2048)
    assert resize.per_hour_savings == 2 * od + spot
    (arm,) = [s for s in out if s.kind == ARM]
    to_arm = size_rate(prices, 2048, 8192) - size_rate(prices, 2048, 8192, arch="arm64")
    arm_spot = size_rate(prices, 2048, 8192, spot=True) - size_rate(
        prices, 2048, 8192, arch="arm64", spot=True
    )
    assert arm.per_hour_savings == 2 * to_arm + arm_spot
    assert "its 1 FARGATE_SPOT task become ARM on FARGATE_SPOT" in arm.detail


def test_busy_service_gets_no_resize(table: PriceTable) -> None:
    out = suggest(estate([70.0] * 60, [75.0] * 60), table)
    assert [s for s in out if s.kind == RESIZE] == []


def test_arm_and_spot_offered_and_sorted(table: PriceTable) -> None:
    out = suggest(estate([70.0] * 60, [75.0] * 60), table)
    assert {s.kind for s in out} == {ARM, SPOT}
    assert [s.monthly_savings for s in out] == sorted(
        (s.monthly_savings for s in out), reverse=True
    )
    spot = next(s for s in out if s.kind == SPOT)
    prices = table.regions["us-east-1"]
    one = size_rate(prices, 2048, 8192) - size_rate(prices, 2048, 8192, spot=True)
    assert spot.per_hour_savings == 2 * one  # base 1 stays on FARGATE


def test_spot_needs_two_tasks_and_not_already_spot(table: PriceTable) -> None:
    one = suggest(estate([70.0] * 60, [75.0] * 60, n=1), table)
    assert {s.kind for s in one} == {ARM}
    spot = suggest(estate([70.0] * 60, [75.0] * 60, capacity_provider="FARGATE_SPOT"), table)
    assert {s.kind for s in spot} == {ARM}  # x86 on Spot: ARM on Spot, no second Spot


def test_windows_gets_no_arm_or_spot_and_arm_gets_spot(table: PriceTable) -> None:
    win = suggest(estate([70.0] * 60, [75.0] * 60, os="WINDOWS_SERVER_2022_CORE"), table)
    assert win == []
    arm = suggest(estate([70.0] * 60, [75.0] * 60, arch="arm64"), table)
    (spot,) = arm
    assert spot.kind == SPOT
    prices = table.regions["us-east-1"]
    one = size_rate(prices, 2048, 8192, arch="arm64") - size_rate(
        prices, 2048, 8192, arch="arm64", spot=True
    )
    assert spot.per_hour_savings == 2 * one  # ARM on-demand to ARM Spot, base 1 kept


def test_size_from_task_definition_when_tasks_lack_it(table: PriceTable) -> None:
    snap = estate([10.0] * 60, [10.0] * 60, size=(0, 0))
    td = TaskDefinition(
        arn=snap.services[0].task_definition, family="api", revision=7, cpu=1024, memory=4096
    )
    snap = replace(snap, task_definitions=(td,))
    resize = [s for s in suggest(snap, table) if s.kind == RESIZE]
    assert resize and resize[0].current == (1024, 4096)
    # 10% of 1024 / 0.7 = 146 units; 10% of 4096 / 0.7 = 585 MiB: 0.25 vCPU / 1 GB
    assert resize[0].proposed == (256, 1024)


@pytest.mark.parametrize(
    ("cpu_peak", "mem_peak", "proposed"),
    [
        # 1 vCPU at a 35% peak is 358.4 units: exactly 70% of 0.5 vCPU, so not under it
        (35.0, 20.0, None),
        # 34.9% is 357.4 units, 69.8% of 0.5 vCPU: the smaller size is advised
        (34.9, 20.0, (512, 1024)),
        # 2 GB at a 35% memory peak is 716.8 MiB: exactly 70% of 1 GB, so not 1 GB
        (10.0, 35.0, (256, 2048)),
        # 34.9% is 714.8 MiB, 69.8% of 1 GB
        (10.0, 34.9, (256, 1024)),
    ],
)
def test_a_smaller_size_only_where_the_peak_stays_under_70_percent(
    table: PriceTable, cpu_peak: float, mem_peak: float, proposed: tuple[int, int] | None
) -> None:
    snap = estate([5.0] * 59 + [cpu_peak], [5.0] * 59 + [mem_peak], size=(1024, 2048))
    resize = [s for s in suggest(snap, table) if s.kind == RESIZE]
    assert [s.proposed for s in resize] == ([proposed] if proposed else [])
    for s in resize:
        assert "each under 70% of the new size" in s.detail


def test_the_default_headroom_is_70_percent() -> None:
    from fgtop.config import Config
    from fgtop.cost.rightsizing import DEFAULT_HEADROOM

    assert DEFAULT_HEADROOM == 0.7 and Config().headroom == 0.7


def test_bad_headroom(table: PriceTable) -> None:
    with pytest.raises(ValueError):
        suggest(estate([1.0], [1.0]), table, headroom=0)


def test_cheapest_size_prefers_price_not_cpu(table: PriceTable) -> None:
    prices = table.regions["us-east-1"]
    size = cheapest_size(prices, 300, 3000)
    assert size == (512, 3072)
    assert cheapest_size(prices, 20000, 1) is None


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(FARGATE_SIZES),
    st.lists(st.floats(0, 100), min_size=60, max_size=90),
    st.lists(st.floats(0, 100), min_size=60, max_size=90),
    st.floats(0.3, 1.0),
)
def test_never_below_peak_over_headroom(
    size: tuple[int, int], cpu: list[float], mem: list[float], headroom: float
) -> None:
    table = load_price_table(Path("/nonexistent-cache"))
    snap = estate(cpu, mem, size=size)
    for s in suggest(snap, table, headroom=headroom):
        assert is_valid_size(*s.proposed)
        assert s.monthly_savings > 0
        if s.kind == RESIZE:  # the peaks stay under headroom of the new size, exactly
            h = Fraction(repr(headroom))
            assert size[0] * Fraction(repr(max(cpu))) / 100 < h * s.proposed[0]
            assert size[1] * Fraction(repr(max(mem))) / 100 < h * s.proposed[1]
            prices = table.regions["us-east-1"]
            assert size_rate(prices, *s.proposed) < size_rate(prices, *size)
        else:
            assert s.proposed == size
    assert all(isinstance(s.per_hour_savings, Decimal) for s in suggest(snap, table))


# -- memory pressure: never cheaper capacity for a service short of memory ----------------


def _stopped(snap: Snapshot, i: int, *, at: float, **kw: object) -> Task:
    from fgtop.model import Container

    base = snap.tasks[0]
    containers = kw.pop("containers", (Container(name="app", exit_code=137),))
    return replace(
        base,
        arn=f"arn:aws:ecs:us-east-1:1:task/prod/{1000 + i:032x}",
        last_status="STOPPED",
        desired_status="STOPPED",
        stopped_at=at,
        stop_code=kw.pop("stop_code", "EssentialContainerExited"),
        containers=containers,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_an_oom_kill_in_the_window_holds_back_every_cheaper_capacity(table: PriceTable) -> None:
    from fgtop.cost.rightsizing import rightsize
    from fgtop.model import Container

    lazy = estate([10.0] * 60, [20.0] * 60)  # would get a smaller size, ARM and Spot
    assert {s.kind for s in suggest(lazy, table)} == {RESIZE, ARM, SPOT}
    oom = Container(name="app", exit_code=137, reason="OutOfMemoryError: Container killed")
    killed = _stopped(lazy, 1, at=T0 + 3000, containers=(oom,))
    snap = replace(lazy, tasks=(*lazy.tasks, killed))
    out = rightsize(snap, table)
    assert out.suggestions == ()
    (held,) = out.held
    assert held.service_name == "api" and held.oom_kills == 1
    assert "1 OOM kill in the last 1 h" in held.reason
    # A kill before the window does not count; a plain exit-137 on a scale-in neither.
    old = _stopped(lazy, 2, at=T0 - 600, containers=(oom,))
    scaled = _stopped(lazy, 3, at=T0 + 3000, stop_code="ServiceSchedulerInitiated")
    snap = replace(lazy, tasks=(*lazy.tasks, old, scaled))
    assert rightsize(snap, table).held == ()
    assert {s.kind for s in suggest(snap, table)} == {RESIZE, ARM, SPOT}
    # An essential container's SIGKILL on its own counts as an OOM kill.
    sigkill = _stopped(lazy, 4, at=T0 + 3000)
    assert rightsize(replace(lazy, tasks=(*lazy.tasks, sigkill)), table).suggestions == ()


def test_memory_above_80_percent_holds_back_including_a_stopped_tasks_last_point(
    table: PriceTable,
) -> None:
    from fgtop.cost.rightsizing import MEMORY_PRESSURE, rightsize
    from fgtop.model import Container

    assert MEMORY_PRESSURE == 80.0
    peak = estate([10.0] * 60, [20.0] * 59 + [81.0])  # the service's own peak
    assert suggest(peak, table) == []
    assert rightsize(peak, table).held[0].memory_peak == 81.0
    at80 = estate([10.0] * 60, [20.0] * 59 + [80.0])  # at the line: still allowed
    assert {s.kind for s in suggest(at80, table)} >= {ARM, SPOT}
    # The service averages fine; one stopped task's last memory point was 97%.
    lazy = estate([10.0] * 60, [20.0] * 60)
    stopped = _stopped(lazy, 5, at=T0 + 3500, containers=(Container(name="app", exit_code=1),))
    task_mem = series(stopped.arn, "memory", [60.0, 75.0, 97.0])
    snap = replace(lazy, tasks=(*lazy.tasks, stopped), metrics=(*lazy.metrics, task_mem))
    out = rightsize(snap, table)
    assert out.suggestions == ()
    (held,) = out.held
    assert held.oom_kills == 0 and held.memory_peak == 97.0
    assert held.peak_of == f"task {stopped.id[:8]}, stopped"
    assert "memory peak 97% (task" in held.reason
