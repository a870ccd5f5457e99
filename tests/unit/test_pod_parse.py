"""parse_pod and friends on Kubernetes JSON shaped like EKS Fargate's (shared samples)."""

from __future__ import annotations

import json

import pytest

from fgtop.model.kube import FargateProfile, FargateSelector
from fgtop.sources.kube import parse_deployment, parse_event, parse_pod
from fgtop.sources.podlogs import parse_k8s_time
from tests.fakes.snapshots import SAMPLES as SAMPLES_DIR

SAMPLES = SAMPLES_DIR / "eks-fargate-pods.json"


@pytest.fixture(scope="module")
def items() -> list[dict]:
    if not SAMPLES.exists():
        pytest.skip("shared samples not available")
    return json.loads(SAMPLES.read_text())["items"]


def test_running_fargate_pod(items: list[dict]) -> None:
    pod = parse_pod(items[0], "shop-prod", "ctx", "eu-west-1")
    assert (pod.namespace, pod.name, pod.cluster, pod.context) == (
        "shop",
        "cart-7d9f6c5b8-x2k4p",
        "shop-prod",
        "ctx",
    )
    assert pod.key == "shop-prod/shop/cart-7d9f6c5b8-x2k4p" and pod.region == "eu-west-1"
    assert pod.phase == "Running" and pod.is_fargate and pod.reason is None
    assert pod.fargate_profile == "fp-shop" and pod.capacity_provisioned == "0.5vCPU 1GB"
    assert pod.node == "fargate-ip-10-30-4-18.eu-west-1.compute.internal"
    assert pod.ip == "10.30.4.18" and pod.ready == "1/1" and pod.restarts == 0
    assert pod.owner == "ReplicaSet/cart-7d9f6c5b8"
    assert pod.created_at == parse_k8s_time("2026-11-28T08:02:11Z")
    assert pod.started_at == parse_k8s_time("2026-11-28T08:03:02Z")
    [c] = pod.containers
    assert c.state.state == "running" and c.last_state is None and c.ready
    assert c.requests == {"cpu": "250m", "memory": "512Mi"} and c.limits == {"memory": "768Mi"}
    assert ("Ready", "True", None, None) in pod.conditions
    assert pod.raw is items[0]


def test_crash_looping_pod_shows_oom_and_exit_code(items: list[dict]) -> None:
    pod = parse_pod(items[1], "shop-prod", None, None)
    assert pod.reason == "CrashLoopBackOff (OOMKilled exit 137)"
    assert pod.restarts == 9 and pod.ready == "0/1"
    [c] = pod.containers
    assert c.state.state == "waiting" and c.state.reason == "CrashLoopBackOff"
    assert c.last_state is not None and c.last_state.exit_code == 137
    assert c.last_state.finished_at == parse_k8s_time("2026-11-28T10:12:40Z")


def test_pending_pod_no_profile_matches(items: list[dict]) -> None:
    pod = parse_pod(items[2], "shop-prod", None, None)
    assert pod.phase == "Pending" and pod.node is None and not pod.is_fargate
    assert pod.reason == "Unschedulable: no nodes available to schedule pods"
    assert pod.fargate_profile is None and pod.capacity_provisioned is None
    profile = FargateProfile("fp-shop", "shop-prod", selectors=(FargateSelector("shop"),))
    assert not profile.matches(pod.namespace, pod.labels)
    assert pod.containers[0].state.state == "unknown"


def test_init_containers_do_not_count_for_ready() -> None:
    obj = {
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {
            "initContainers": [{"name": "migrate", "image": "m"}],
            "containers": [{"name": "app", "image": "a"}],
        },
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {
                    "name": "migrate",
                    "restartCount": 2,
                    "state": {"terminated": {"reason": "Error", "exitCode": 1}},
                }
            ],
            "containerStatuses": [
                {"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}
            ],
        },
    }
    pod = parse_pod(obj, "c", None, None)
    assert [c.init for c in pod.containers] == [True, False]
    assert pod.ready == "0/1" and pod.restarts == 0
    assert pod.containers[0].state.exit_code == 1
    assert pod.scheduler == "default-scheduler"


def test_missing_sections_do_not_break_parsing() -> None:
    pod = parse_pod({"metadata": {"name": "bare"}}, "c", None, None)
    assert (pod.namespace, pod.phase, pod.containers) == ("default", "Unknown", ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T08:02:11Z", 1795852931.0),
        ("2026-11-28T08:02:11.123456789Z", 1795852931.123456),
        ("2026-11-28T08:02:11.5Z", 1795852931.5),
        ("2026-11-28T09:02:11+01:00", 1795852931.0),
        ("nonsense", None),
        (None, None),
    ],
)
def test_kubernetes_times(text: str | None, expected: float | None) -> None:
    got = parse_k8s_time(text)
    assert got == (pytest.approx(expected, abs=1e-5) if expected is not None else None)


def test_event_and_deployment() -> None:
    event = parse_event(
        {
            "metadata": {"namespace": "shop", "uid": "e1"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "checkout-1"},
            "reason": "BackOff",
            "message": "Back-off restarting failed container",
            "type": "Warning",
            "count": 14,
            "lastTimestamp": "2026-11-28T10:12:41Z",
        },
        "c",
    )
    assert (event.involved, event.reason, event.type, event.count) == (
        "checkout-1",
        "BackOff",
        "Warning",
        14,
    )
    assert event.last_seen == parse_k8s_time("2026-11-28T10:12:41Z")
    newer = parse_event(
        {
            "metadata": {"namespace": "shop"},
            "involvedObject": {"name": "p"},
            "eventTime": "2026-11-28T10:00:00.000001Z",
            "series": {"count": 3, "lastObservedTime": "2026-11-28T10:05:00.000000Z"},
        },
        "c",
    )
    assert newer.count == 3 and newer.last_seen == parse_k8s_time("2026-11-28T10:05:00Z")
    dep = parse_deployment(
        {
            "metadata": {"name": "cart", "namespace": "shop"},
            "spec": {"replicas": 3},
            "status": {"readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 3},
        },
        "c",
    )
    assert (dep.desired, dep.ready, dep.available, dep.updated) == (3, 2, 2, 3)
    assert dep.key == "c/shop/Deployment/cart"
