"""Estimators against hand-computed bills: billing window, minimum, Spot by region, ARM on
Spot, EKS sizing and the Savings Plan discount.

Every expected figure is worked out by hand from the bundled table's published prices
(us-east-1 on-demand x86 $0.04048/vCPU-h and $0.004445/GB-h; us-east-1 Spot x86 $0.01288871
and $0.00141527, ARM $0.01030969 and $0.00113349; eu-west-1 Spot x86 $0.01224056 and $0.0013441,
ARM $0.00979124 and $0.00107649; sa-east-1 Spot x86 $0.02337032 and $0.00255193, ARM
$0.01870297 and $0.00205498; ...), written as the arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest

from fgtop.cost.estate import estate_cost
from fgtop.cost.estimate import (
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


# --- Spot: per region from the table, x86 and ARM ---------------------------------------


@pytest.mark.parametrize(
    ("region", "spot", "on_demand"),
    [
        # published eu-west-1 Spot (2026-09-28): 1 vCPU + 2 GB; on-demand 0.04048 + 2 x 0.004445
        ("eu-west-1", D("0.01224056") + 2 * D("0.0013441"), D("0.04048") + 2 * D("0.004445")),
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
    # neither is more than AWS's "up to 70%" off
    assert spot / on_demand > D("0.30")


def test_a_derived_spot_figure_is_marked(table: PriceTable) -> None:
    t = task(region="eu-west-2", capacity_provider="FARGATE_SPOT")
    cost = estate_cost(Snapshot(taken_at=T0, tasks=(t,)), table, now=T0)
    assert cost.derived_figures == ("eu-west-2 spot_x86",)
    assert table.regions["eu-west-2"].spot_is_derived
    assert "derived" in table.regions["eu-west-2"].spot_source


@pytest.mark.parametrize(
    ("region", "spot", "on_demand", "derived"),
    [
        # published us-east-1 ARM Spot (2026-09-28): 1 vCPU + 2 GB; ARM on-demand 0.03238 + 2 x
        # 0.00356
        ("us-east-1", D("0.01030969") + 2 * D("0.00113349"), D("0.03238") + 2 * D("0.00356"), ()),
        # derived eu-west-2 ARM Spot: its (derived) ARM on-demand x the eu-west-1 ratio 0.302385,
        # 0.03725 x 0.302385 = 0.01126384, 0.00409 x 0.302385 = 0.00123675 (8 places)
        (
            "eu-west-2",
            D("0.01126384") + 2 * D("0.00123675"),
            D("0.03725") + 2 * D("0.00409"),
            ("eu-west-2 spot_arm",),
        ),
    ],
)
def test_arm_on_spot_in_two_regions(
    table: PriceTable, region: str, spot: D, on_demand: D, derived: tuple[str, ...]
) -> None:
    t = task(region=region, cpu=1024, memory=2048, arch="arm64", capacity_provider="FARGATE_SPOT")
    assert task_rate(t, table) == spot and unpriced_reason(t, table) is None
    snap = Snapshot(taken_at=T0 + 60, regions=(region,), tasks=(t,))
    cost = estate_cost(snap, table, now=snap.taken_at)
    assert cost.task_rates[t.arn] == spot and not cost.unpriced
    assert cost.by_capacity_provider == {"FARGATE_SPOT": spot}
    # saved against ARM on FARGATE, not against x86
    assert cost.spot_savings_per_hour == on_demand - spot
    # a published ARM Spot rate is dated; a derived one listed as derived
    assert cost.derived_figures == derived
    assert cost.spot_arm_dates == ({} if derived else {region: "2026-09-28"})
    assert cost.spot_dates == {}  # no x86 Spot task
    doc = cost.as_json()
    assert doc["spot_arm_dates"] == cost.spot_arm_dates


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "sa-east-1", "eu-west-2"])
def test_arm_spot_costs_less_than_x86_spot_of_the_same_size(table: PriceTable, region: str) -> None:
    x86 = task(1, region=region, cpu=2048, memory=4096, capacity_provider="FARGATE_SPOT")
    arm = replace(x86, arn=x86.arn[:-1] + "2", arch="arm64")
    x86_rate, arm_rate = task_rate(x86, table), task_rate(arm, table)
    assert x86_rate is not None and arm_rate is not None
    assert arm_rate < x86_rate
    if region == "us-east-1":  # 2 x 0.01030969 + 4 x 0.00113349 against 2 x 0.01288871 + ...
        assert arm_rate == 2 * D("0.01030969") + 4 * D("0.00113349")
        assert x86_rate == 2 * D("0.01288871") + 4 * D("0.00141527")


def test_windows_on_a_spot_strategy_stays_on_demand_with_a_note(table: PriceTable) -> None:
    # Windows has no Fargate Spot: a Windows task placed under FARGATE_SPOT is priced on-demand
    t = task(cpu=1024, memory=2048, os="WINDOWS_SERVER_2022_CORE", capacity_provider="FARGATE_SPOT")
    windows = D("0.09148") + 2 * D("0.01005") + D("0.046")
    assert task_rate(t, table) == windows
    cost = estate_cost(Snapshot(taken_at=T0, tasks=(t,)), table, now=T0)
    assert cost.task_rates[t.arn] == windows and cost.spot_savings_per_hour == 0
    assert cost.notes == (
        "1 Windows task on FARGATE_SPOT priced on-demand: Windows has no Fargate Spot",
    )
    assert cost.as_json()["notes"] == list(cost.notes)
    assert not cost.spot_dates and not cost.spot_arm_dates
    # a Linux task on the same strategy gets no note
    linux = estate_cost(Snapshot(taken_at=T0, tasks=(replace(t, os="LINUX"),)), table, now=T0)
    assert linux.notes == ()


def test_every_region_has_dated_or_derived_arm_spot_rates(table: PriceTable) -> None:
    raw = json.loads(Path(table_path()).read_text())
    for name, region in raw["regions"].items():
        prices = table.regions[name]
        assert "spot_arm" in region, name
        assert prices.spot_arm.vcpu_hour < prices.linux_arm.vcpu_hour, name
        assert prices.spot_arm.gb_hour < prices.linux_arm.gb_hour, name
        # ARM Spot is dated when published, marked derived otherwise, and says where from
        assert prices.spot_arm_is_derived != bool(prices.spot_arm_as_of) or name == "sa-east-1"
        assert prices.spot_arm_source, name


def table_path() -> str:
    from fgtop.cost.prices import BUNDLED_PATH

    return str(BUNDLED_PATH)


# --- right-sizing: ARM and Spot, alone or together ---------------------------------------


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
        # x86 on Spot already: a move to ARM on Spot
        ({"capacity_provider": "FARGATE_SPOT"}, {"resize", ARM}),
        # ARM on FARGATE: a move to Spot
        ({"arch": "arm64"}, {"resize", SPOT}),
        # ARM on Spot: only a smaller size is left
        ({"arch": "arm64", "capacity_provider": "FARGATE_SPOT"}, {"resize"}),
        # Windows: no ARM, no Spot
        ({"os": "WINDOWS_SERVER_2022_CORE"}, {"resize"}),
    ],
)
def test_arm_and_spot_advice(
    table: PriceTable, task_kw: dict[str, object], kinds: set[str]
) -> None:
    found = suggest(_service_estate(3, **task_kw), table)
    assert {s.kind for s in found} == kinds


def test_spot_advice_for_an_arm_service_uses_the_arm_spot_rate(table: PriceTable) -> None:
    (spot,) = [s for s in suggest(_service_estate(3, arch="arm64"), table) if s.kind == SPOT]
    # 2 of 3 tasks of 2 vCPU / 8 GB from ARM on-demand to ARM Spot, us-east-1
    per_task = 2 * (D("0.03238") - D("0.01030969")) + 8 * (D("0.00356") - D("0.00113349"))
    assert spot.per_hour_savings == 2 * per_task
    assert "ARM64" in spot.detail and "1.4.0" in spot.detail


def test_arm_advice_for_a_spot_service_moves_it_to_arm_on_spot(table: PriceTable) -> None:
    estate = _service_estate(3, capacity_provider="FARGATE_SPOT")
    (arm,) = [s for s in suggest(estate, table) if s.kind == ARM]
    per_task = 2 * (D("0.01288871") - D("0.01030969")) + 8 * (D("0.00141527") - D("0.00113349"))
    assert arm.per_hour_savings == 3 * per_task
    assert "ARM on FARGATE_SPOT" in arm.detail


def test_arm_advice_says_to_check_the_image_manifest(table: PriceTable) -> None:
    (arm,) = [s for s in suggest(_service_estate(3), table) if s.kind == ARM]
    assert "multi-arch" in arm.detail and "manifest" in arm.detail


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


def test_an_eks_pod_is_never_spot_or_arm(table: PriceTable) -> None:
    # EKS Fargate has neither Spot nor ARM: labels asking for them change nothing
    p = pod(
        PodContainer("a", requests={"cpu": "250m", "memory": "512Mi"}),
        labels={"kubernetes.io/arch": "arm64", "eks.amazonaws.com/capacityType": "SPOT"},
        annotations={"CapacityProvisioned": "0.5vCPU 1GB"},
    )
    assert pod_rate(p, table) == US_X86  # Linux x86 on-demand, 0.5 vCPU 1 GB
    cost = estate_cost(Snapshot(taken_at=T0 + 60, pods=(p,)), table, now=T0 + 60)
    assert cost.by_capacity_provider == {"EKS_FARGATE": US_X86}
    assert cost.spot_savings_per_hour == 0 and not cost.spot_dates and not cost.spot_arm_dates
    # right-sizing advises ECS services only: a pod gets no Spot and no ARM
    assert suggest(Snapshot(taken_at=T0 + 3600, pods=(p,)), table) == []


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
        # Spot is never discounted: us-east-1 Spot 0.5 x 0.01288871 + 0.00141527
        (task(capacity_provider="FARGATE_SPOT"), D("0.5") * D("0.01288871") + D("0.00141527")),
        # nor ARM Spot: 0.5 x 0.01030969 + 0.00113349
        (
            task(arch="arm64", capacity_provider="FARGATE_SPOT"),
            D("0.5") * D("0.01030969") + D("0.00113349"),
        ),
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
    spot_rate = D("0.5") * D("0.01288871") + D("0.00141527")
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
