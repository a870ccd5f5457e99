"""The estate's cost worked out from what changed is the cost worked out afresh.

:class:`fgtop.cost.estate.EstatePricer` keeps each task's and pod's price by identity from one
snapshot to the next; over random sequences of tasks added, removed and changed (status, size,
capacity, stop), pods and services coming and going, time moving on, its summary must be
identical to a fresh :func:`estate_cost` of the same snapshot: every figure, and every
breakdown in the same order.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fgtop.cost.estate import EstatePricer, estate_cost
from fgtop.cost.estimate import task_cost_so_far
from fgtop.cost.prices import load_price_table
from fgtop.cost.summary import CostSummary
from fgtop.model import Pod, PodContainer, Service, Snapshot, Task

T0 = 1_800_000_000.0
TABLE = load_price_table()
REGIONS = ("eu-west-1", "us-east-1", "xx-nowhere-1")
SERVICES = ("api", "web", "worker")


def _arn(region: str, kind: str, rest: str) -> str:
    return f"arn:aws:ecs:{region}:123456789012:{kind}/{rest}"


@st.composite
def tasks(draw: st.DrawFn, n: int) -> Task:
    """A task numbered ``n`` (its ARN), of any size, capacity, state and owner."""
    region = draw(st.sampled_from(REGIONS[:2]))
    service = draw(st.sampled_from((*SERVICES, None)))
    started = T0 - draw(st.integers(0, 7200))
    stopped = draw(st.sampled_from((None, None, started + 30, started + 4000)))
    return Task(
        arn=_arn(region, "task", f"prod/{n:08x}"),
        cluster="prod",
        region=draw(st.sampled_from((region, region, "xx-nowhere-1"))),
        task_definition=_arn(region, "task-definition", f"{service or 'batch'}:1"),
        last_status="STOPPED"
        if stopped is not None
        else draw(st.sampled_from(("RUNNING", "PENDING"))),
        desired_status="STOPPED" if stopped is not None else "RUNNING",
        service=service,
        group=f"service:{service}" if service else "family:batch",
        capacity_provider=draw(st.sampled_from(("FARGATE", "FARGATE_SPOT", None))),
        launch_type=draw(st.sampled_from(("FARGATE", "FARGATE", "EC2"))),
        cpu=draw(st.sampled_from((256, 1024, None))),
        memory=draw(st.sampled_from((512, 2048, None))),
        arch=draw(st.sampled_from(("x86_64", "arm64", None))),
        os=draw(st.sampled_from(("LINUX", "LINUX", "WINDOWS_SERVER_2022_CORE"))),
        ephemeral_storage_gib=draw(st.sampled_from((20, 50))),
        started_at=started,
        stopped_at=stopped,
        account=draw(st.sampled_from(("123456789012", "210987654321", None))),
    )


@st.composite
def pods(draw: st.DrawFn, n: int) -> Pod:
    """A pod numbered ``n``, running or gone, sized or not."""
    phase = draw(st.sampled_from(("Running", "Running", "Succeeded")))
    return Pod(
        namespace="ns",
        name=f"web-{n}",
        cluster="eks",
        context=None,
        phase=phase,
        node="fargate-ip-10-0-0-1.ec2.internal",
        started_at=T0 - draw(st.integers(0, 600)),
        deleted_at=None if phase == "Running" else T0 - 10,
        annotations=draw(
            st.sampled_from(
                (
                    {"CapacityProvisioned": "0.25vCPU 0.5GB"},
                    {"CapacityProvisioned": "1vCPU 2GB"},
                    {},
                )
            )
        ),
        region=draw(st.sampled_from((None, "eu-west-1"))),
        containers=(PodContainer("app"),),
    )


def _service(name: str, region: str) -> Service:
    return Service(
        name=name,
        arn=_arn(region, "service", f"prod/{name}"),
        cluster="prod",
        region=region,
        status="ACTIVE",
        desired=1,
        running=1,
        pending=0,
        task_definition=_arn(region, "task-definition", f"{name}:1"),
    )


def _assert_same(got: CostSummary, want: CostSummary) -> None:
    """Equal figures, and every mapping in the same order."""
    assert got == want
    for f in dataclasses.fields(CostSummary):
        value = getattr(got, f.name)
        if isinstance(value, dict):
            assert list(value.items()) == list(getattr(want, f.name).items()), f.name


STEP = st.tuples(
    st.sampled_from(("add", "remove", "change", "replace", "keep", "pods", "services")),
    st.integers(0, 1000),
    st.integers(1, 900),
)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    steps=st.lists(STEP, min_size=1, max_size=12),
    discount=st.sampled_from((0, Decimal("0.2"))),
)
def test_the_incremental_cost_is_the_fresh_cost(
    data: st.DataObject, steps: list, discount: Decimal
) -> None:
    pricer = EstatePricer(TABLE, discount)
    current: list[Task] = [data.draw(tasks(n)) for n in range(data.draw(st.integers(0, 6)))]
    next_id = len(current)
    pod_list = [data.draw(pods(n)) for n in range(2)]
    services = [_service(name, "eu-west-1") for name in SERVICES]
    now = T0
    for op, pick, seconds in steps:
        now += seconds
        if op == "add":
            current.append(data.draw(tasks(next_id)))
            next_id += 1
        elif op == "remove" and current:
            current.pop(pick % len(current))
        elif op == "change" and current:  # the same task, one thing about it different
            i = pick % len(current)
            t = current[i]
            current[i] = data.draw(
                st.sampled_from(
                    (
                        dataclasses.replace(t, last_status="STOPPED", stopped_at=now - 1),
                        dataclasses.replace(t, capacity_provider="FARGATE_SPOT"),
                        dataclasses.replace(t, cpu=2048, memory=4096),
                        dataclasses.replace(t, service="web", group="service:web"),
                        dataclasses.replace(t, health="UNHEALTHY"),
                    )
                )
            )
        elif op == "replace" and current:  # a new object equal to the old one
            i = pick % len(current)
            current[i] = dataclasses.replace(current[i])
        elif op == "pods":
            pod_list[pick % 2] = data.draw(pods(pick % 2))
        elif op == "services":
            services = [s for s in services if s.name != SERVICES[pick % 3]] or [
                _service(name, "us-east-1") for name in SERVICES
            ]
        snap = Snapshot(
            taken_at=now,
            account="123456789012",
            regions=("eu-west-1",),
            services=tuple(services),
            tasks=tuple(current),
            pods=tuple(pod_list),
        )
        _assert_same(pricer.price(snap, now), estate_cost(snap, TABLE, now, discount=discount))


def test_an_unchanged_task_is_not_priced_again() -> None:
    """The point of the pricer: a second snapshot with the same task objects prices none."""
    t = Task(
        arn=_arn("eu-west-1", "task", "prod/1"),
        cluster="prod",
        region="eu-west-1",
        task_definition=_arn("eu-west-1", "task-definition", "api:1"),
        last_status="RUNNING",
        desired_status="RUNNING",
        cpu=256,
        memory=512,
        started_at=T0,
    )
    pricer = EstatePricer(TABLE)
    first = pricer.price(Snapshot(taken_at=T0 + 60, tasks=(t,)), T0 + 60)
    kept = pricer._tasks[t.arn]  # noqa: SLF001 - what the pricer keeps is the point
    later = pricer.price(Snapshot(taken_at=T0 + 120, tasks=(t,)), T0 + 120)
    assert pricer._tasks[t.arn] is kept  # noqa: SLF001
    assert later.task_costs[t.arn] == task_cost_so_far(t, TABLE, T0 + 120)
    assert later.task_costs[t.arn] > first.task_costs[t.arn]
    changed = dataclasses.replace(t, cpu=1024, memory=2048)
    pricer.price(Snapshot(taken_at=T0 + 180, tasks=(changed,)), T0 + 180)
    assert pricer._tasks[t.arn] is not kept  # noqa: SLF001
