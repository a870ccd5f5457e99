"""Kubernetes model: pods (EKS Fargate first), their containers, events, Fargate profiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fgtop.model.ecs import LABELS, RAW_DOCUMENT

_PHASE_KINDS = {
    "Running": "running",
    "Pending": "pending",
    "Succeeded": "stopped",
    "Failed": "failed",
}


@dataclass(frozen=True)
class ContainerState:
    """A container's current or last state, flattened."""

    state: str
    """running, waiting, terminated or unknown."""
    reason: str | None = None
    message: str | None = None
    exit_code: int | None = None
    started_at: float | None = None
    finished_at: float | None = None


@dataclass(frozen=True)
class PodContainer:
    """One container of a pod, spec and status merged."""

    name: str
    image: str = ""
    ready: bool = False
    restarts: int = 0
    state: ContainerState = ContainerState("unknown")
    last_state: ContainerState | None = None
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    init: bool = False
    """An init container (counts for Fargate sizing, not for readiness)."""


@dataclass(frozen=True)
class Pod:
    """A Kubernetes pod, as the dashboard shows it."""

    namespace: str
    name: str
    cluster: str
    """The cluster's display name (EKS cluster name or kube context name)."""
    context: str | None
    """The kubeconfig context it came from, or None for EKS discovery."""
    uid: str = ""
    phase: str = "Unknown"
    scheduler: str = "default-scheduler"
    node: str | None = None
    ip: str | None = None
    created_at: float | None = None
    started_at: float | None = None
    deleted_at: float | None = None
    labels: dict[str, str] = field(default_factory=dict, metadata=LABELS)
    annotations: dict[str, str] = field(default_factory=dict, metadata=LABELS)
    owner: str | None = None
    """``Kind/name`` of the controlling owner (ReplicaSet/..., Job/...)."""
    containers: tuple[PodContainer, ...] = ()
    conditions: tuple[tuple[str, str, str | None, str | None], ...] = ()
    """(type, status, reason, message)."""
    region: str | None = None
    raw: dict[str, Any] | None = field(default=None, repr=False, metadata=RAW_DOCUMENT)
    account: str | None = None
    """The AWS account id of its EKS cluster, when known."""

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return f"{self.cluster}/{self.namespace}/{self.name}"

    @property
    def target(self) -> str:
        """``namespace/name``, as used by ``fgtop logs``."""
        return f"{self.namespace}/{self.name}"

    @property
    def fargate_profile(self) -> str | None:
        """The Fargate profile that admitted the pod (label set by EKS)."""
        return self.labels.get("eks.amazonaws.com/fargate-profile")

    @property
    def capacity_provisioned(self) -> str | None:
        """The ``CapacityProvisioned`` annotation, e.g. ``0.5vCPU 1GB``."""
        return self.annotations.get("CapacityProvisioned")

    @property
    def is_fargate(self) -> bool:
        """Scheduled by fargate-scheduler or placed on a fargate- node."""
        return self.scheduler == "fargate-scheduler" or (self.node or "").startswith("fargate-")

    @property
    def ready(self) -> str:
        """``ready/total`` of the regular containers."""
        regular = [c for c in self.containers if not c.init]
        return f"{sum(c.ready for c in regular)}/{len(regular)}"

    @property
    def restarts(self) -> int:
        """Total restarts of the regular containers."""
        return sum(c.restarts for c in self.containers if not c.init)

    @property
    def phase_kind(self) -> str:
        """The pod's phase (and reason) as a status kind: ``running``, ``pending``,
        ``stopped`` (Succeeded), ``failed`` or ``unknown``: the one definition of it."""
        reason = self.reason
        if reason and self.phase != "Succeeded":
            return "failed" if self.phase != "Pending" else "pending"
        return _PHASE_KINDS.get(self.phase, "unknown")

    @property
    def last_death(self) -> float | None:
        """When a container of the pod last died (its last state's finish), if any."""
        ends = [
            c.last_state.finished_at
            for c in self.containers
            if c.last_state and c.last_state.finished_at
        ]
        return max(ends) if ends else None

    @property
    def reason(self) -> str | None:
        """The reason that matters for a human, or None when all is well."""
        for c in self.containers:
            if c.state.state == "waiting" and c.state.reason:
                last = c.last_state
                if last is not None and last.reason:
                    code = f" exit {last.exit_code}" if last.exit_code is not None else ""
                    return f"{c.state.reason} ({last.reason}{code})"
                return c.state.reason
            if c.state.state == "terminated" and c.state.reason not in (
                None,
                "Completed",
            ):
                code = f" exit {c.state.exit_code}" if c.state.exit_code is not None else ""
                return f"{c.state.reason}{code}"
        if self.phase == "Pending":
            for ctype, status, reason, message in self.conditions:
                if ctype == "PodScheduled" and status == "False":
                    return f"{reason or 'Pending'}: {message}" if message else reason or "Pending"
            return "Pending"
        if self.phase == "Failed":
            return "Failed"
        return None


@dataclass(frozen=True)
class KubeEvent:
    """A Kubernetes event about a pod."""

    cluster: str
    namespace: str
    involved: str
    """The involved object's name (the pod)."""
    reason: str
    message: str
    type: str = "Normal"
    count: int = 1
    last_seen: float | None = None
    first_seen: float | None = None
    """When it was first seen (``firstTimestamp`` or ``eventTime``), if the API said."""
    account: str | None = None
    """The AWS account id of its EKS cluster, when known."""


@dataclass(frozen=True)
class FargateSelector:
    """One selector of a Fargate profile: a namespace and optional labels."""

    namespace: str
    labels: dict[str, str] = field(default_factory=dict)

    def matches(self, namespace: str, labels: dict[str, str]) -> bool:
        """Whether a pod with this namespace and labels is selected.

        Namespaces and label values accept ``*`` and ``?`` wildcards, as EKS does.
        """
        from fnmatch import fnmatchcase

        if not fnmatchcase(namespace, self.namespace):
            return False
        return all(
            fnmatchcase(labels.get(k, ""), v) and k in labels for k, v in self.labels.items()
        )


@dataclass(frozen=True)
class FargateProfile:
    """An EKS Fargate profile."""

    name: str
    cluster: str
    status: str = "ACTIVE"
    selectors: tuple[FargateSelector, ...] = ()

    def matches(self, namespace: str, labels: dict[str, str]) -> bool:
        """Whether any selector of the profile selects the pod."""
        return any(s.matches(namespace, labels) for s in self.selectors)


@dataclass(frozen=True)
class KubeWorkload:
    """A Deployment (or StatefulSet) with its replica counts."""

    cluster: str
    namespace: str
    name: str
    kind: str = "Deployment"
    desired: int = 0
    ready: int = 0
    available: int = 0
    updated: int = 0
    account: str | None = None
    """The AWS account id of its EKS cluster, when known."""

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return f"{self.cluster}/{self.namespace}/{self.kind}/{self.name}"


@dataclass(frozen=True)
class KubeCluster:
    """A Kubernetes cluster fgtop watches, with the state of its watch."""

    name: str
    context: str | None = None
    region: str | None = None
    endpoint: str | None = None
    watch_state: str = "connecting"
    """connecting, listing, watching, backoff, error."""
    error: str | None = None
    fargate_profiles: tuple[FargateProfile, ...] = ()
    account: str | None = None
    """The AWS account id of the EKS cluster (its ARN's, or the account it was discovered in)."""
