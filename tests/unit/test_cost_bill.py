"""Estimators against hand-computed bills: billing window, minimum, Spot by region, ARM on
Spot, EKS sizing and the Savings Plan discount.

Every expected figure is worked out by hand from the bundled table's published prices
(us-east-1 on-demand x86 $0.04048/vCPU-h and $0.004445/GB-h; eu-west-1 Spot $0.01334053 and
$0.00146489; sa-east-1 Spot $0.02337032 and $0.00255193; ...), written as the arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest

from fgtop.cost.estimate import (
    estate_cost,
    pod_rate,
    task_billing_window,
    task_cost_so_far,
    task_rate,
    unpriced_reason,
)
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.cost.rightsizing import ARM, SPOT, suggest
from fgtop.model import MetricSeries, Pod, PodContainer, Service, Snapshot, Task
from fgtop.sources.ecs import parse_task
from tests.fakes.snapshots import SAMPLES

T0 = 1_800_000_000.0
H = D(3600)
US_X86 = D("0.5") * D("0.04048") + D("0.004445")  # 0.5 vCPU, 1 GB on-demand, us-east-1


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> PriceTable:
    return load_price_table(tmp_path_factory.mktemp("cache"))


def task(n: int = 1, region: str = "us-east-1", **kw: object) -> Task:
    base: dict[str, object] = dict(
        arn=f"arn:aws:ecs:{region}:1:task/prod/{n:032x}",
        cluster=f"arn:aws:ecs:{region}:1:cluster/prod",
        region=region,
        task_definition=f"arn:aws:ecs:{region}:1:task-definition/web:3",
        last_status="RUNNING",
        desired_status="RUNNING",
        service="web",
        cpu=512,
        memory=1024,
        arch="x86_64",
        started_at=T0,
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def stopped(**kw: object) -> dict[str, object]:
    return dict(last_status="STOPPED", desired_status="STOPPED", **kw)


# --- the billing window: image pull to stop, per second, one-minute minimum ---------------


@pytest.mark.parametrize(
    ("kw", "seconds"),
    [
        # pulls for 40 s before it starts, runs 10 minutes: 640 s billed, not 600
        (stopped(pull_started_at=T0 - 40, stopped_at=T0 + 600), 640),
        # no pullStartedAt: from startedAt
        (stopped(stopped_at=T0 + 600), 600),
        # neither: from createdAt
        (stopped(started_at=None, created_at=T0 - 5, stopped_at=T0 + 600), 605),
        # still stopping: the containers have exited (executionStoppedAt), no stoppedAt yet
        (dict(pull_started_at=T0 - 10, execution_stopped_at=T0 + 300), 310),
        # stoppedAt wins over executionStoppedAt
        (stopped(execution_stopped_at=T0 + 300, stopped_at=T0 + 320), 320),
        # rounded up to the second: 61.2 s bills 62 s
        (stopped(pull_started_at=T0, stopped_at=T0 + 61.2), 62),
        # under a minute bills a minute: 25.3 s -> 60 s
        (stopped(pull_started_at=T0, stopped_at=T0 + 25.3), 60),
        # failed during the pull (never started): still billed from the pull, minimum applies
        (stopped(started_at=None, pull_started_at=T0, stopped_at=T0 + 8), 60),
    ],
)
def test_billed_seconds_of_a_task(table: PriceTable, kw: dict[str, object], seconds: int) -> None:
    t = task(**kw)
    assert task_cost_so_far(t, table, now=T0 + 7200) == US_X86 * seconds / H


def test_a_running_task_bills_to_now_from_its_pull() -> None:
    t = task(pull_started_at=T0 - 40)
    assert task_billing_window(t, now=T0 + 100) == (T0 - 40, T0 + 100)


def test_the_sample_task_is_billed_from_pull_started_at_to_stopped_at(
    table: PriceTable,
) -> None:
    raw = json.loads((SAMPLES / "ecs-describe-tasks.json").read_text())["tasks"][1]
    t = parse_task(raw, "shop-prod", "eu-west-1", None)
    # the sample: pullStartedAt 10:02:20.511, startedAt 10:02:31.402,
    # executionStoppedAt 10:09:47.330, stoppedAt 10:10:04.118
    assert t.pull_started_at is not None and t.started_at is not None
    assert t.started_at - t.pull_started_at == pytest.approx(10.891)
    assert t.execution_stopped_at is not None and t.stopped_at is not None
    assert t.stopped_at - t.execution_stopped_at == pytest.approx(16.788)
    start, end = task_billing_window(t, now=t.stopped_at + 3600)
    assert (start, end) == (t.pull_started_at, t.stopped_at)
    # 10:02:20.511 -> 10:10:04.118 is 463.607 s: 464 s billed
    rate = task_rate(t, table)
    assert rate is not None
    assert task_cost_so_far(t, table, now=t.stopped_at + 3600) == rate * 464 / H


def test_short_tasks_show_what_the_minimum_adds(table: PriceTable) -> None:
    snap = Snapshot(
        taken_at=T0 + 3600,
        regions=("us-east-1",),
        tasks=(
            task(1, **stopped(pull_started_at=T0, stopped_at=T0 + 20)),  # 40 s added
            task(2, **stopped(pull_started_at=T0, stopped_at=T0 + 59.5)),  # 0 s: bills 60
            task(3, **stopped(pull_started_at=T0, stopped_at=T0 + 300)),  # over: nothing
            task(4, started_at=T0 + 3590),  # running for 10 s: not ended, not counted
            task(5, os="WINDOWS_SERVER_2022_CORE", **stopped(stopped_at=T0 + 600)),  # 300 s
        ),
    )
    cost = estate_cost(snap, table, now=snap.taken_at)
    windows = D("0.5") * (D("0.09148") + D("0.046")) + D("0.01005")
    assert cost.minimum_charged == 2
    assert cost.minimum_charge == US_X86 * 40 / H + windows * 300 / H
    assert cost.as_json()["minimum_charged"] == 2


# --- Spot: per region from the table, x86 only -----------------------------------------


@pytest.mark.parametrize(
    ("region", "spot", "on_demand"),
    [
        # published eu-west-1 Spot: 1 vCPU + 2 GB; on-demand 0.04048 + 2 x 0.004445
        ("eu-west-1", D("0.01334053") + 2 * D("0.00146489"), D("0.04048") + 2 * D("0.004445")),
        # published sa-east-1 Spot; on-demand 0.0696 + 2 x 0.0076
        ("sa-east-1", D("0.02337032") + 2 * D("0.00255193"), D("0.0696") + 2 * D("0.0076")),
    ],
)
def test_spot_in_two_regions(table: PriceTable, region: str, spot: D, on_demand: D) -> None:
    t = task(region=region, cpu=1024, memory=2048, capacity_provider="FARGATE_SPOT")
    assert task_rate(t, table) == spot
    snap = Snapshot(taken_at=T0 + 60, regions=(region,), tasks=(t,))
    cost = estate_cost(snap, table, now=snap.taken_at)
    assert cost.spot_savings_per_hour == on_demand - spot
    # published, so dated rather than marked derived
    assert region in cost.spot_dates and not cost.derived_figures
    # neither is AWS's "up to 70%" ceiling
    assert spot / on_demand > D("0.32")


def test_a_derived_spot_figure_is_marked(table: PriceTable) -> None:
    t = task(region="eu-west-2", capacity_provider="FARGATE_SPOT")
    cost = estate_cost(Snapshot(taken_at=T0, tasks=(t,)), table, now=T0)
    assert cost.derived_figures == ("eu-west-2 spot_x86",)
    assert table.regions["eu-west-2"].spot_is_derived
    assert "derived" in table.regions["eu-west-2"].spot_source


def test_arm_on_spot_is_not_priced_and_says_why(table: PriceTable) -> None:
    t = task(arch="arm64", capacity_provider="FARGATE_SPOT")
    assert task_rate(t, table) is None
    assert "FARGATE_SPOT" in (unpriced_reason(t, table) or "")
    cost = estate_cost(Snapshot(taken_at=T0, tasks=(t,)), table, now=T0)
    assert cost.unpriced == (t.arn,)
    assert "x86 only" in cost.unpriced_reasons[t.arn]
    # the same task on FARGATE is priced at the ARM rate: 0.5 x 0.03238 + 0.00356
    assert task_rate(replace(t, capacity_provider="FARGATE"), table) == D("0.01975")


def test_no_region_has_an_arm_spot_figure(table: PriceTable) -> None:
    raw = json.loads(Path(table_path()).read_text())
    for name, region in raw["regions"].items():
        assert "spot_arm" not in region, name


def table_path() -> str:
    from fgtop.cost.prices import BUNDLED_PATH

    return str(BUNDLED_PATH)


# --- right-sizing never proposes ARM with Spot -------------------------------------------


def _service_estate(n: int, **task_kw: object) -> Snapshot:
    svc = Service(
        name="api",
        arn="arn:aws:ecs:us-east-1:1:service/prod/api",
        cluster="arn:aws:ecs:us-east-1:1:cluster/prod",
        region="us-east-1",
        status="ACTIVE",
        desired=n,
        running=n,
        pending=0,
        task_definition="arn:aws:ecs:us-east-1:1:task-definition/web:3",
    )
    tasks = tuple(task(i, service="api", cpu=2048, memory=8192, **task_kw) for i in range(n))
    flat = [(T0 + i * 60, 10.0) for i in range(61)]
    metrics = tuple(
        MetricSeries(target=svc.arn, metric=m, source="AWS/ECS", points=tuple(flat), period=60)
        for m in ("cpu", "memory")
    )
    return Snapshot(taken_at=T0 + 3600, services=(svc,), tasks=tasks, metrics=metrics)


@pytest.mark.parametrize(
    ("task_kw", "kinds"),
    [
        # x86 on FARGATE: resize, ARM and Spot are all offered, as alternatives
        ({}, {"resize", ARM, SPOT}),
        # on Spot already: no move to ARM (Spot is x86 only)
        ({"capacity_provider": "FARGATE_SPOT"}, {"resize"}),
        # on ARM already: no move to Spot
        ({"arch": "arm64"}, {"resize"}),
        # ARM on Spot (not offered by Fargate): nothing can be priced, nothing advised
        ({"arch": "arm64", "capacity_provider": "FARGATE_SPOT"}, set()),
    ],
)
def test_advice_never_combines_arm_and_spot(
    table: PriceTable, task_kw: dict[str, object], kinds: set[str]
) -> None:
    found = suggest(_service_estate(3, **task_kw), table)
    assert {s.kind for s in found} == kinds


def test_arm_advice_says_to_check_the_image_manifest(table: PriceTable) -> None:
    (arm,) = [s for s in suggest(_service_estate(3), table) if s.kind == ARM]
    assert "multi-arch" in arm.detail and "manifest" in arm.detail
    assert "not together with Spot" in arm.detail


# --- EKS pods: requests, init containers, +256 MB, CapacityProvisioned wins --------------


def pod(*containers: PodContainer, **kw: object) -> Pod:
    base: dict[str, object] = dict(
        namespace="shop",
        name="p",
        cluster="eks",
        context=None,
        phase="Running",
        scheduler="fargate-scheduler",
        node="fargate-ip-10-0-0-1.ec2.internal",
        region="us-east-1",
        containers=containers,
        started_at=T0,
    )
    base.update(kw)
    return Pod(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("p", "rate"),
    [
        # requests below limits: 1 vCPU, 2 GiB + 256 MiB -> 1 vCPU 3 GB (limits of 4 ignored)
        (
            pod(PodContainer("a", requests={"cpu": "1", "memory": "2Gi"}, limits={"cpu": "4"})),
            D("0.04048") + 3 * D("0.004445"),
        ),
        # an init container larger than the app: 2 vCPU 4 GiB + 256 -> 2 vCPU 5 GB
        (
            pod(
                PodContainer("init", requests={"cpu": "2", "memory": "4Gi"}, init=True),
                PodContainer("a", requests={"cpu": "250m", "memory": "512Mi"}),
            ),
            2 * D("0.04048") + 5 * D("0.004445"),
        ),
        # the CapacityProvisioned annotation wins over the requests
        (
            pod(
                PodContainer("a", requests={"cpu": "1", "memory": "2Gi"}),
                annotations={"CapacityProvisioned": "0.5vCPU 1GB"},
            ),
            US_X86,
        ),
    ],
)
def test_eks_pod_rates(table: PriceTable, p: Pod, rate: D) -> None:
    assert pod_rate(p, table) == rate


# --- Savings Plans: on-demand compute only ---------------------------------------------


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        # on-demand x86: compute less 20%
        (task(), US_X86 * D("0.8")),
        # storage above 20 GB is not discounted: 10 GB x 0.000111
        (task(ephemeral_storage_gib=30), US_X86 * D("0.8") + 10 * D("0.000111")),
        # ARM on-demand: 0.01975 less 20%
        (task(arch="arm64"), D("0.01975") * D("0.8")),
        # Spot is never discounted: derived us-east-1 Spot 0.5 x 0.01334053 + 0.00146489
        (task(capacity_provider="FARGATE_SPOT"), D("0.5") * D("0.01334053") + D("0.00146489")),
        # Windows: compute discounted, the OS licence not
        (
            task(cpu=1024, memory=2048, os="WINDOWS_SERVER_2022_CORE"),
            (D("0.09148") + 2 * D("0.01005")) * D("0.8") + D("0.046"),
        ),
    ],
)
def test_savings_plan_discount_applies_to_on_demand_compute_only(
    table: PriceTable, t: Task, expected: D
) -> None:
    assert task_rate(t, table, discount=D("0.2")) == expected


def test_savings_plan_in_the_estate_and_its_json(table: PriceTable) -> None:
    on_demand = task(1)
    spot = task(2, capacity_provider="FARGATE_SPOT")
    eks = pod(PodContainer("a"), annotations={"CapacityProvisioned": "0.5vCPU 1GB"})
    snap = Snapshot(taken_at=T0 + 3600, tasks=(on_demand, spot), pods=(eks,))
    spot_rate = D("0.5") * D("0.01334053") + D("0.00146489")
    cost = estate_cost(snap, table, now=snap.taken_at, discount=0.2)
    assert cost.discount == D("0.2")
    assert cost.per_hour == US_X86 * D("0.8") + spot_rate + US_X86 * D("0.8")
    assert cost.per_hour_list == US_X86 + spot_rate + US_X86
    assert cost.task_rates[spot.arn] == cost.task_rates_list[spot.arn] == spot_rate
    assert cost.pod_rates[eks.key] == US_X86 * D("0.8")
    # Spot saves less against a discounted on-demand price
    assert cost.spot_savings_per_hour == US_X86 * D("0.8") - spot_rate
    # an hour of the on-demand task: after the discount, and at list price
    assert cost.task_costs[on_demand.arn] == US_X86 * D("0.8")
    assert cost.task_costs_list[on_demand.arn] == US_X86
    doc = cost.as_json()
    assert doc["discount"] == 0.2
    assert doc["per_hour_list"] == float((US_X86 * 2 + spot_rate).quantize(D("0.000001")))


def test_no_discount_means_list_price(table: PriceTable) -> None:
    snap = Snapshot(taken_at=T0 + 60, tasks=(task(),))
    cost = estate_cost(snap, table, now=snap.taken_at)
    assert cost.discount == 0 and cost.per_hour == cost.per_hour_list == US_X86


@pytest.mark.parametrize("bad", [-0.01, 0.73, 1])
def test_discount_outside_savings_plans_is_refused(table: PriceTable, bad: float) -> None:
    with pytest.raises(ValueError, match="Savings Plan"):
        estate_cost(Snapshot(taken_at=T0), table, now=T0, discount=bad)
