"""Estimators: known figures, discounts, storage, Windows licence, billing minimums, totals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fgtop.cost.estate import estate_cost
from fgtop.cost.estimate import (
    HOURS_PER_MONTH,
    billed_seconds,
    pod_cost_so_far,
    pod_rate,
    service_rate,
    task_cost_so_far,
    task_rate,
)
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.model import Pod, PodContainer, Service, Snapshot, Task

T0 = 1_800_000_000.0


@pytest.fixture
def table(tmp_path: Path) -> PriceTable:
    return load_price_table(tmp_path)


def task(n: int = 1, **kw: object) -> Task:
    base: dict[str, object] = dict(
        arn=f"arn:aws:ecs:us-east-1:1:task/prod/{n:032x}",
        cluster="arn:aws:ecs:us-east-1:1:cluster/prod",
        region="us-east-1",
        task_definition="arn:aws:ecs:us-east-1:1:task-definition/web:3",
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


def test_known_figure(table: PriceTable) -> None:
    # 0.5 x 0.04048 + 1 x 0.004445 = 0.02024 + 0.004445
    assert task_rate(task(), table) == Decimal("0.024685")


def test_arm_discount(table: PriceTable) -> None:
    # 0.5 x 0.03238 + 1 x 0.00356
    assert task_rate(task(arch="arm64"), table) == Decimal("0.01975")


def test_spot_is_cheaper_and_uses_the_spot_figures(table: PriceTable) -> None:
    spot = table.regions["us-east-1"].spot_x86
    rate = task_rate(task(capacity_provider="FARGATE_SPOT"), table)
    assert rate == Decimal("0.5") * spot.vcpu_hour + spot.gb_hour
    assert rate is not None and rate < Decimal("0.024685")


def test_ephemeral_storage_above_20_gb(table: PriceTable) -> None:
    # 50 GB configured: 30 GB charged at 0.000111
    assert task_rate(task(ephemeral_storage_gib=50), table) == Decimal("0.024685") + Decimal(
        "0.00333"
    )
    assert task_rate(task(ephemeral_storage_gib=20), table) == Decimal("0.024685")


def test_windows_pays_the_licence(table: PriceTable) -> None:
    # 1 vCPU x (0.09148 + 0.046) + 2 GB x 0.01005
    rate = task_rate(task(cpu=1024, memory=2048, os="WINDOWS_SERVER_2022_CORE"), table)
    assert rate == Decimal("0.09148") + Decimal("0.046") + 2 * Decimal("0.01005")


def test_other_region(table: PriceTable) -> None:
    r = table.regions["eu-central-1"].linux_x86
    rate = task_rate(task(region="eu-central-1", cpu=1024, memory=2048), table)
    assert rate == r.vcpu_hour + 2 * r.gb_hour
    assert rate != Decimal("0.04048") + 2 * Decimal("0.004445")


@pytest.mark.parametrize(
    "kw",
    [
        {"cpu": None},
        {"memory": None},
        {"region": "xx-nowhere-1"},
        {"launch_type": "EC2"},
        {"capacity_provider": "my-asg-provider", "launch_type": ""},
    ],
)
def test_unpriceable(table: PriceTable, kw: dict[str, object]) -> None:
    assert task_rate(task(**kw), table) is None


def test_billing_seconds() -> None:
    assert billed_seconds(T0, T0 + 30) == 60
    assert billed_seconds(T0, T0 + 90.2) == 91
    assert billed_seconds(None, T0) == 0
    assert billed_seconds(T0, T0 - 5) == 0
    assert billed_seconds(T0, T0 + 30, minimum=900) == 900


def test_30_second_task_bills_one_minute(table: PriceTable) -> None:
    t = task(stopped_at=T0 + 30, last_status="STOPPED")
    assert task_cost_so_far(t, table, now=T0 + 3600) == Decimal("0.024685") / 60


def test_cost_so_far_runs_to_now(table: PriceTable) -> None:
    assert task_cost_so_far(task(), table, now=T0 + 7200) == Decimal("0.049370")
    # no start known yet: nothing billed
    assert task_cost_so_far(task(started_at=None), table, now=T0) == 0


def test_windows_minimum_is_15_minutes(table: PriceTable) -> None:
    t = task(os="WINDOWS_SERVER_2019_FULL", stopped_at=T0 + 30)
    rate = task_rate(t, table)
    assert rate is not None
    assert task_cost_so_far(t, table, now=T0 + 3600) == rate / 4


def pod(name: str = "p", **kw: object) -> Pod:
    base: dict[str, object] = dict(
        namespace="shop",
        name=name,
        cluster="eks-prod",
        context=None,
        scheduler="fargate-scheduler",
        phase="Running",
        started_at=T0,
        labels={"pod-template-hash": "abc12"},
        owner="ReplicaSet/cart-abc12",
    )
    base.update(kw)
    return Pod(**base)  # type: ignore[arg-type]


def test_pod_priced_from_annotation(table: PriceTable) -> None:
    p = pod(annotations={"CapacityProvisioned": "0.5vCPU 1GB"}, region="us-east-1")
    assert pod_rate(p, table) == Decimal("0.024685")


def test_pod_priced_from_requests_in_default_region(table: PriceTable) -> None:
    # 300m, 700Mi + 256 -> 956 MiB -> 0.5 vCPU 1 GB
    p = pod(containers=(PodContainer("a", requests={"cpu": "300m", "memory": "700Mi"}),))
    assert pod_rate(p, table, default_region="us-east-1") == Decimal("0.024685")
    eu = table.regions["eu-central-1"].linux_x86
    assert pod_rate(p, table, default_region="eu-central-1") == eu.vcpu_hour / 2 + eu.gb_hour


def test_pod_not_on_fargate_is_not_priced(table: PriceTable) -> None:
    p = pod(scheduler="default-scheduler", node="ip-10-0-0-1")
    assert pod_rate(p, table) is None


def test_pod_cost_so_far(table: PriceTable) -> None:
    p = pod(annotations={"CapacityProvisioned": "0.5vCPU 1GB"}, deleted_at=T0 + 1800)
    assert pod_cost_so_far(p, table, now=T0 + 7200) == Decimal("0.0123425")


def snapshot() -> Snapshot:
    cluster = "arn:aws:ecs:us-east-1:1:cluster/prod"
    web = Service(
        name="web",
        arn="arn:aws:ecs:us-east-1:1:service/prod/web",
        cluster=cluster,
        region="us-east-1",
        status="ACTIVE",
        desired=3,
        running=3,
        pending=0,
    )
    tasks = (
        task(1),
        task(2),
        task(3, capacity_provider="FARGATE_SPOT"),
        task(4, last_status="STOPPED", stopped_at=T0 + 30),
        task(5, service=None, group="family:batch", cpu=None),
        task(6, service=None, group="family:batch", cpu=1024, memory=2048),
    )
    pods = (
        pod("a", annotations={"CapacityProvisioned": "0.5vCPU 1GB"}, region="us-east-1"),
        pod("b", annotations={"CapacityProvisioned": "0.5vCPU 1GB"}, region="us-east-1"),
        pod("gone", annotations={"CapacityProvisioned": "4vCPU 8GB"}, phase="Succeeded"),
    )
    return Snapshot(
        taken_at=T0 + 3600, regions=("us-east-1",), services=(web,), tasks=tasks, pods=pods
    )


def test_estate_cost(table: PriceTable) -> None:
    snap = snapshot()
    s = estate_cost(snap, table, now=T0 + 3600)
    od = Decimal("0.024685")
    spot = task_rate(snap.tasks[2], table)
    assert spot is not None
    big = Decimal("0.04048") + 2 * Decimal("0.004445")
    assert s.per_hour == 2 * od + spot + big + 2 * od
    assert s.per_month_projected == s.per_hour * HOURS_PER_MONTH
    cluster = "arn:aws:ecs:us-east-1:1:cluster/prod"
    assert s.by_cluster == {cluster: 2 * od + spot + big, "eks-prod": 2 * od}
    assert s.labels[cluster] == "prod"
    web = "arn:aws:ecs:us-east-1:1:service/prod/web"
    assert s.by_service[web] == 2 * od + spot
    assert s.by_service["k8s:eks-prod/shop/cart"] == 2 * od
    assert s.labels["k8s:eks-prod/shop/cart"] == "shop/cart"
    assert s.by_capacity_provider == {
        "FARGATE": 2 * od + big,
        "FARGATE_SPOT": spot,
        "EKS_FARGATE": 2 * od,
    }
    assert s.spot_savings_per_hour == od - spot
    assert s.unpriced == (snap.tasks[4].arn,)
    # stopped task: priced, cost of its one billed minute, but not in the burn rate
    assert s.task_costs[snap.tasks[3].arn] == od / 60
    assert s.task_costs[snap.tasks[0].arn] == od
    assert s.service_rates[web] == service_rate(snap.services[0], snap, table)
    assert s.service_costs[web] == 2 * od + spot + od / 60
    assert s.pod_costs["eks-prod/shop/a"] == od
    assert s.price_table_date == table.taken_at
    doc = s.as_json()
    assert doc["per_hour"] == float(s.per_hour.quantize(Decimal("0.000001")))
    assert doc["price_table_date"] == table.taken_at


def test_estate_cost_uses_the_time_given(table: PriceTable) -> None:
    snap = snapshot()
    early = estate_cost(snap, table, now=T0 + 60)
    late = estate_cost(snap, table, now=T0 + 7200)
    arn = snap.tasks[0].arn
    assert late.task_costs[arn] == 120 * early.task_costs[arn]
    assert early.per_hour == late.per_hour
