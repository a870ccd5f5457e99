"""Pure parsing of Kubernetes JSON into the model: pods, events, Deployments, error reasons.

Split out of :mod:`fgtop.sources.kube` (which re-exports the public names); no I/O here.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException

from fgtop.model.kube import ContainerState, KubeEvent, KubeWorkload, Pod, PodContainer
from fgtop.sources.errors import one_line
from fgtop.sources.podlogs import parse_k8s_time

__all__ = ["kube_reason", "parse_deployment", "parse_event", "parse_pod"]


def _named(obj: Any, what: str) -> dict[str, Any]:
    """The ``metadata`` of an object that must have a name.

    Raises:
        TypeError: When the object or its metadata is not a map.
        ValueError: When it has no name (it would show as a nameless phantom).
    """
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        raise TypeError(f"{what} metadata is not a map")
    if not meta.get("name"):
        raise ValueError(f"{what} without a name")
    return meta


def _state(raw: dict[str, Any] | None) -> ContainerState | None:
    for name in ("running", "waiting", "terminated"):
        detail = (raw or {}).get(name)
        if detail is not None:
            code = detail.get("exitCode")
            return ContainerState(
                state=name,
                reason=detail.get("reason"),
                message=detail.get("message"),
                exit_code=int(code) if code is not None else None,
                started_at=parse_k8s_time(detail.get("startedAt")),
                finished_at=parse_k8s_time(detail.get("finishedAt")),
            )
    return None


def _containers(spec: list[dict], statuses: list[dict], init: bool) -> list[PodContainer]:
    by_name = {s.get("name"): s for s in statuses or ()}
    out = []
    for c in spec or ():
        status = by_name.get(c.get("name"), {})
        resources = c.get("resources") or {}
        out.append(
            PodContainer(
                name=str(c.get("name", "")),
                image=str(c.get("image", "")),
                ready=bool(status.get("ready", False)),
                restarts=int(status.get("restartCount", 0) or 0),
                state=_state(status.get("state")) or ContainerState("unknown"),
                last_state=_state(status.get("lastState")),
                requests={k: str(v) for k, v in (resources.get("requests") or {}).items()},
                limits={k: str(v) for k, v in (resources.get("limits") or {}).items()},
                init=init,
            )
        )
    return out


def parse_pod(
    obj: dict[str, Any],
    cluster: str,
    context: str | None,
    region: str | None,
    account: str | None = None,
) -> Pod:
    """A :class:`Pod` from the Kubernetes JSON of a pod (as the API returns it).

    Raises ``TypeError``, ``ValueError`` or ``AttributeError`` for a malformed pod (callers
    skip and count it).

    Args:
        obj: The pod object (``metadata``, ``spec``, ``status``); kept as ``raw``.
        cluster: The cluster's display name.
        context: The kubeconfig context, or None for EKS discovery.
        region: The AWS region, when known.
        account: The AWS account id of the EKS cluster, when known.
    """
    meta = _named(obj, "pod")
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    owners = meta.get("ownerReferences") or []
    owner = next((o for o in owners if o.get("controller")), owners[0] if owners else None)
    containers = _containers(
        spec.get("initContainers") or [], status.get("initContainerStatuses") or [], True
    ) + _containers(spec.get("containers") or [], status.get("containerStatuses") or [], False)
    return Pod(
        namespace=str(meta.get("namespace", "default")),
        name=str(meta.get("name", "")),
        cluster=cluster,
        context=context,
        uid=str(meta.get("uid", "")),
        phase=str(status.get("phase") or "Unknown"),
        scheduler=str(spec.get("schedulerName") or "default-scheduler"),
        node=spec.get("nodeName") or None,
        ip=status.get("podIP") or None,
        created_at=parse_k8s_time(meta.get("creationTimestamp")),
        started_at=parse_k8s_time(status.get("startTime")),
        deleted_at=parse_k8s_time(meta.get("deletionTimestamp")),
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
        owner=f"{owner.get('kind')}/{owner.get('name')}" if owner else None,
        containers=tuple(containers),
        conditions=tuple(
            (str(c.get("type")), str(c.get("status")), c.get("reason"), c.get("message"))
            for c in status.get("conditions") or ()
        ),
        region=region,
        raw=obj,
        account=account,
    )


def parse_event(obj: dict[str, Any], cluster: str, account: str | None = None) -> KubeEvent:
    """A :class:`KubeEvent` from a core/v1 Event about a pod."""
    meta = obj.get("metadata") or {}
    involved = obj.get("involvedObject") or {}
    series = obj.get("series") or {}
    last = (
        parse_k8s_time(series.get("lastObservedTime"))
        or parse_k8s_time(obj.get("lastTimestamp"))
        or parse_k8s_time(obj.get("eventTime"))
        or parse_k8s_time(obj.get("firstTimestamp"))
        or parse_k8s_time(meta.get("creationTimestamp"))
    )
    return KubeEvent(
        cluster=cluster,
        namespace=str(involved.get("namespace") or meta.get("namespace", "")),
        involved=str(involved.get("name", "")),
        reason=str(obj.get("reason") or ""),
        message=str(obj.get("message") or ""),
        type=str(obj.get("type") or "Normal"),
        count=int(series.get("count") or obj.get("count") or 1),
        last_seen=last,
        first_seen=parse_k8s_time(obj.get("firstTimestamp"))
        or parse_k8s_time(obj.get("eventTime")),
        account=account,
    )


def parse_deployment(obj: dict[str, Any], cluster: str, account: str | None = None) -> KubeWorkload:
    """A :class:`KubeWorkload` from an apps/v1 Deployment."""
    meta = _named(obj, "deployment")
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    replicas = spec.get("replicas")
    return KubeWorkload(
        cluster=cluster,
        namespace=str(meta.get("namespace", "default")),
        name=str(meta.get("name", "")),
        kind="Deployment",
        desired=int(1 if replicas is None else replicas),
        ready=int(status.get("readyReplicas") or 0),
        available=int(status.get("availableReplicas") or 0),
        updated=int(status.get("updatedReplicas") or 0),
        account=account,
    )


def kube_reason(exc: BaseException, kind: str = "pods", endpoint: str | None = None) -> str:
    """A one-line reason for a failed Kubernetes request."""
    status = getattr(exc, "status", None)
    if isinstance(exc, ApiException) and status == 403:
        return f"Kubernetes: forbidden by RBAC (needs get/list/watch on {kind})"
    if isinstance(exc, ApiException) and status == 410:
        return f"Kubernetes: {kind} watch expired (410 Gone)"
    if isinstance(exc, aiohttp.ClientConnectionError | OSError) and not isinstance(
        exc, aiohttp.ClientPayloadError
    ):
        return f"Kubernetes: cannot reach {endpoint or 'the API server'} ({one_line(exc)})"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"Kubernetes: {kind} watch dropped"
    return one_line(exc)
