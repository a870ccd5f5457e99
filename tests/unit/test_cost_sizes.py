"""Fargate sizes: the table, EKS rounding, CapacityProvisioned parsing, the sample pods."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fgtop.cost.sizes import (
    FARGATE_SIZES,
    is_valid_size,
    parse_capacity_provisioned,
    parse_quantity,
    pod_fargate_size,
    round_up_to_fargate,
)
from fgtop.model import Pod, PodContainer
from tests.fakes.snapshots import SAMPLES as SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "eks-fargate-pods.json"


def test_table_has_the_documented_ranges() -> None:
    by_cpu: dict[int, list[int]] = {}
    for cpu, mem in FARGATE_SIZES:
        by_cpu.setdefault(cpu, []).append(mem)
    assert by_cpu[256] == [512, 1024, 2048]
    assert by_cpu[512] == [1024, 2048, 3072, 4096]
    assert by_cpu[1024][0] == 2048 and by_cpu[1024][-1] == 8192
    assert by_cpu[4096][-1] == 30 * 1024 and len(by_cpu[4096]) == 23
    assert by_cpu[8192] == [g * 1024 for g in range(16, 61, 4)]
    assert by_cpu[16384] == [g * 1024 for g in range(32, 121, 8)]
    assert list(FARGATE_SIZES) == sorted(FARGATE_SIZES)


@pytest.mark.parametrize(
    ("want", "got"),
    [
        ((1, 1), (256, 512)),
        ((256, 513), (256, 1024)),
        ((256, 2049), (512, 3072)),
        ((256, 5 * 1024), (1024, 5120)),
        ((4096, 31 * 1024), (8192, 32 * 1024)),
        ((8192, 17 * 1024), (8192, 20 * 1024)),
        ((9000, 1024), (16384, 32768)),
    ],
)
def test_round_up(want: tuple[int, int], got: tuple[int, int]) -> None:
    assert round_up_to_fargate(*want) == got


def test_too_large_is_refused() -> None:
    with pytest.raises(ValueError, match="no Fargate size"):
        round_up_to_fargate(16384, 121 * 1024)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 16384), st.floats(0, 120 * 1024))
def test_rounding_is_valid_and_never_smaller(cpu: float, mem: float) -> None:
    out_cpu, out_mem = round_up_to_fargate(cpu, mem)
    assert is_valid_size(out_cpu, out_mem)
    assert out_cpu >= cpu and out_mem >= mem


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3000), st.integers(1, 8000), st.booleans(), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_pod_size_covers_every_container(specs: list[tuple[int, int, bool, bool]]) -> None:
    containers = tuple(
        PodContainer(
            name=f"c{i}",
            requests={"cpu": f"{cpu}m", "memory": f"{mem}Mi"},
            limits={"memory": f"{mem * 2}Mi"} if lim else {},
            init=init,
        )
        for i, (cpu, mem, lim, init) in enumerate(specs)
    )
    pod = Pod(namespace="ns", name="p", cluster="c", context=None, containers=containers)
    cpu, mem = pod_fargate_size(pod)
    assert is_valid_size(cpu, mem)
    # requests count, limits do not
    regular_mem = sum(m for _, m, _, init in specs if not init)
    init_mem = max([m for _, m, _, init in specs if init] or [0])
    assert mem >= max(regular_mem, init_mem) + 256
    regular_cpu = sum(c for c, _, _, init in specs if not init) * 1024 / 1000
    assert cpu >= regular_cpu


def test_init_containers_count_by_their_largest() -> None:
    pod = Pod(
        namespace="ns",
        name="p",
        cluster="c",
        context=None,
        containers=(
            PodContainer("init-a", requests={"cpu": "2", "memory": "1Gi"}, init=True),
            PodContainer("init-b", requests={"cpu": "1", "memory": "6Gi"}, init=True),
            PodContainer("app", requests={"cpu": "500m", "memory": "512Mi"}),
            PodContainer("side", requests={"cpu": "500m"}, limits={"memory": "1Gi"}),
        ),
    )
    # regular: 1 vCPU, 1.5 GiB; init: max 2 vCPU, 6 GiB -> 2 vCPU, 6 GiB + 256 MiB -> 2 vCPU 7 GB
    assert pod_fargate_size(pod) == (2048, 7168)


def _pod(*containers: PodContainer) -> Pod:
    return Pod(namespace="ns", name="p", cluster="c", context=None, containers=containers)


def C(name: str, cpu: str | None = None, mem: str | None = None, **kw: object) -> PodContainer:  # noqa: N802
    requests = {k: v for k, v in (("cpu", cpu), ("memory", mem)) if v is not None}
    limits = kw.pop("limits", {})
    return PodContainer(name, requests=requests, limits=limits, init=bool(kw.pop("init", False)))


@pytest.mark.parametrize(
    ("containers", "size"),
    [
        # requests below limits: the request counts. 0.25 vCPU, 512 MiB + 256 -> 0.25 / 1 GB
        ((C("app", "250m", "512Mi", limits={"cpu": "1", "memory": "2Gi"}),), (256, 1024)),
        # a limit with no request stands in for it (the API server's default)
        ((C("app", limits={"cpu": "500m", "memory": "1Gi"}),), (512, 2048)),
        # the EKS guide's example: 1 vCPU 8 GB + 256 MB has no 1 vCPU size -> 2 vCPU 9 GB
        ((C("app", "1", "8Gi"),), (2048, 9216)),
        # long-running containers add up: 0.75 vCPU, 1.5 GiB + 256 -> 1 vCPU 2 GB
        ((C("a", "500m", "1Gi"), C("b", "250m", "512Mi")), (1024, 2048)),
        # an init container larger than the sum wins: 2 vCPU 3 GiB + 256 -> 2 vCPU 4 GB
        ((C("i", "2", "3Gi", init=True), C("a", "250m", "512Mi")), (2048, 4096)),
        # a smaller init container changes nothing: 0.5 vCPU 1 GiB + 256 -> 0.5 vCPU 2 GB
        ((C("i", "250m", "256Mi", init=True), C("a", "500m", "1Gi")), (512, 2048)),
        # init containers count by their largest, not their sum
        (
            (C("i1", "1", "1Gi", init=True), C("i2", "1", "1Gi", init=True), C("a", "100m")),
            (1024, 2048),
        ),
        # exactly 256 MiB of requests + 256 overhead = 512 MiB: the smallest size
        ((C("a", "250m", "256Mi"),), (256, 512)),
        # one MiB over: the next memory size
        ((C("a", "250m", "257Mi"),), (256, 1024)),
    ],
)
def test_eks_sizing_rule(containers: tuple[PodContainer, ...], size: tuple[int, int]) -> None:
    assert pod_fargate_size(_pod(*containers)) == size


def test_a_pod_larger_than_any_fargate_size_is_refused_in_words() -> None:
    # Its requests add up as fractions: the message still says the size (Python 3.11's
    # Fraction has no `:g` format; the type checker found it).
    with pytest.raises(ValueError, match=r"no Fargate size has 20\.5 vCPU and 1\.25 GB"):
        pod_fargate_size(_pod(C("app", "20500m", "1024Mi")))


def test_empty_pod_gets_the_smallest_size() -> None:
    pod = Pod(namespace="ns", name="p", cluster="c", context=None, containers=(PodContainer("a"),))
    assert pod_fargate_size(pod) == (256, 512)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0.5vCPU 1GB", (512, 1024)),
        ("0.25vCPU 0.5GB", (256, 512)),
        ("2vCPU 7GB", (2048, 7168)),
        ("16vCPU 120GB", (16384, 122880)),
    ],
)
def test_parse_capacity_provisioned(text: str, size: tuple[int, int]) -> None:
    assert parse_capacity_provisioned(text) == size


@pytest.mark.parametrize("text", ["", "0.5 CPU 1GB", "vCPU GB", "1GB 0.5vCPU"])
def test_parse_capacity_provisioned_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_capacity_provisioned(text)


def test_quantities() -> None:
    assert parse_quantity("250m") * 1024 == 256
    assert parse_quantity("1.5") == 1.5
    assert parse_quantity("512Mi") == 512 * 2**20
    assert parse_quantity("1G") == 10**9
    with pytest.raises(ValueError):
        parse_quantity("12Q")


def _ts(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def sample_pods() -> list[Pod]:
    """The sample EKS pods, built by hand from the fields fgtop's Kubernetes source reads."""
    data = json.loads(SAMPLE.read_text())
    pods = []
    for item in data["items"]:
        meta, spec, status = item["metadata"], item["spec"], item["status"]
        containers = [
            PodContainer(
                name=c["name"],
                image=c.get("image", ""),
                requests=c.get("resources", {}).get("requests", {}),
                limits=c.get("resources", {}).get("limits", {}),
                init=init,
            )
            for init, key in ((True, "initContainers"), (False, "containers"))
            for c in spec.get(key, [])
        ]
        pods.append(
            Pod(
                namespace=meta["namespace"],
                name=meta["name"],
                cluster="shop-prod",
                context=None,
                uid=meta["uid"],
                phase=status.get("phase", "Unknown"),
                scheduler=spec.get("schedulerName", "default-scheduler"),
                node=spec.get("nodeName"),
                created_at=_ts(meta["creationTimestamp"]),
                started_at=_ts(status["startTime"]) if "startTime" in status else None,
                labels=meta.get("labels", {}),
                annotations=meta.get("annotations", {}),
                containers=tuple(containers),
                region="eu-west-1",
            )
        )
    return pods


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared samples not present")
def test_sample_pods() -> None:
    pods = {p.name: p for p in sample_pods()}
    cart = pods["cart-7d9f6c5b8-x2k4p"]
    assert parse_capacity_provisioned(cart.capacity_provisioned or "") == (512, 1024)
    checkout = pods["checkout-55c8d7f9b-m7q2z"]
    # 100m / max(128Mi, 256Mi) + 256 MiB -> 0.25 vCPU 0.5 GB: the annotation agrees.
    assert pod_fargate_size(checkout) == parse_capacity_provisioned(
        checkout.capacity_provisioned or ""
    )
    driver = pods["spark-driver-0"]
    assert driver.capacity_provisioned is None
    # 2 vCPU, 6 GiB + 256 MiB -> 2 vCPU 7 GB.
    assert pod_fargate_size(driver) == (2048, 7168)
