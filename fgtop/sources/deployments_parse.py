"""Parsing the ECS deployments API's answers into the model, one entry at a time.

``ListServiceDeployments`` gives summaries, ``DescribeServiceDeployments`` the whole
deployment, ``DescribeServiceRevisions`` the revisions (immutable). A malformed entry raises
:class:`~fgtop.sources.parse_common.Malformed`; :func:`parse_each` skips and counts it.
"""

from __future__ import annotations

from typing import Any

from fgtop.model.service_deployments import (
    ContainerImage,
    LoadBalancerRef,
    RevisionCount,
    ServiceDeployment,
    ServiceRevision,
)
from fgtop.sources.parse_common import (
    Malformed,
    integer,
    items,
    obj,
    required,
    strings,
    text,
    when,
)


def _region(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise Malformed(f"not an ARN: {arn!r}")
    return parts[3]


def _account(arn: str) -> str | None:
    return arn.split(":")[4] or None


def _count(raw: Any, what: str) -> RevisionCount:
    doc = obj(raw, what)
    return RevisionCount(
        arn=required(doc.get("arn"), f"{what} ARN"),
        requested=integer(doc.get("requestedTaskCount")) or 0,
        running=integer(doc.get("runningTaskCount")) or 0,
        pending=integer(doc.get("pendingTaskCount")) or 0,
    )


def parse_brief(raw: Any) -> ServiceDeployment:
    """One ``ListServiceDeployments`` summary (``described`` False)."""
    doc = obj(raw, "service deployment")
    arn = required(doc.get("serviceDeploymentArn"), "service deployment ARN")
    target = text(doc.get("targetServiceRevisionArn"))
    return ServiceDeployment(
        arn=arn,
        service_arn=required(doc.get("serviceArn"), "service ARN"),
        cluster_arn=text(doc.get("clusterArn")) or "",
        region=_region(arn),
        status=required(doc.get("status"), "status"),
        status_reason=text(doc.get("statusReason")),
        created_at=when(doc.get("createdAt")),
        started_at=when(doc.get("startedAt")),
        finished_at=when(doc.get("finishedAt")),
        target=RevisionCount(target) if target else None,
        account=_account(arn),
    )


def parse_deployment(raw: Any) -> ServiceDeployment:
    """One ``DescribeServiceDeployments`` entry (``described`` True)."""
    doc = obj(raw, "service deployment")
    brief = parse_brief(doc)
    breaker = obj(doc.get("deploymentCircuitBreaker"), "deploymentCircuitBreaker")
    alarms = obj(doc.get("alarms"), "alarms")
    config = obj(doc.get("deploymentConfiguration"), "deploymentConfiguration")
    configured = obj(config.get("alarms"), "deploymentConfiguration.alarms")
    rollback = obj(doc.get("rollback"), "rollback")
    target = doc.get("targetServiceRevision")
    return ServiceDeployment(
        arn=brief.arn,
        service_arn=brief.service_arn,
        cluster_arn=brief.cluster_arn,
        region=brief.region,
        status=brief.status,
        status_reason=brief.status_reason,
        lifecycle_stage=text(doc.get("lifecycleStage")),
        created_at=brief.created_at,
        started_at=brief.started_at,
        finished_at=brief.finished_at,
        stopped_at=when(doc.get("stoppedAt")),
        updated_at=when(doc.get("updatedAt")),
        target=_count(target, "targetServiceRevision") if target is not None else None,
        sources=tuple(
            _count(s, "sourceServiceRevisions")
            for s in items(doc.get("sourceServiceRevisions"), "sourceServiceRevisions")
        ),
        breaker_status=text(breaker.get("status")),
        failure_count=integer(breaker.get("failureCount")),
        failure_threshold=integer(breaker.get("threshold")),
        alarms_status=text(alarms.get("status")),
        alarm_names=strings(alarms.get("alarmNames") or configured.get("alarmNames"), "alarms"),
        triggered_alarms=strings(alarms.get("triggeredAlarmNames"), "triggeredAlarmNames"),
        rollback_reason=text(rollback.get("reason")),
        rollback_started_at=when(rollback.get("startedAt")),
        rollback_revision=text(rollback.get("serviceRevisionArn")),
        described=True,
        account=brief.account,
    )


def load_balancer(raw: Any) -> LoadBalancerRef:
    """One ``loadBalancers`` entry (of a service or a service revision).

    Raises:
        Malformed: A Classic Load Balancer entry (no target group) or a wrong type.
    """
    doc = obj(raw, "loadBalancer")
    return LoadBalancerRef(
        target_group=required(doc.get("targetGroupArn"), "target group ARN"),
        container_name=text(doc.get("containerName")),
        container_port=integer(doc.get("containerPort")),
    )


def load_balancers(raw: Any) -> tuple[LoadBalancerRef, ...]:
    """The target groups of a ``loadBalancers`` list (Classic Load Balancer entries left out)."""
    out = []
    for entry in items(raw, "loadBalancers"):
        if isinstance(entry, dict) and not entry.get("targetGroupArn"):
            continue  # a Classic Load Balancer: no target health to ask
        out.append(load_balancer(entry))
    return tuple(out)


def parse_revision(raw: Any) -> ServiceRevision:
    """One ``DescribeServiceRevisions`` entry."""
    doc = obj(raw, "service revision")
    arn = required(doc.get("serviceRevisionArn"), "service revision ARN")
    images = []
    for entry in items(doc.get("containerImages"), "containerImages"):
        image = obj(entry, "containerImage")
        images.append(
            ContainerImage(
                container=required(image.get("containerName"), "container name"),
                image=text(image.get("image")) or "",
                digest=text(image.get("imageDigest")),
            )
        )
    strategy = []
    for entry in items(doc.get("capacityProviderStrategy"), "capacityProviderStrategy"):
        cp = obj(entry, "capacityProvider")
        strategy.append(
            (
                required(cp.get("capacityProvider"), "capacity provider"),
                integer(cp.get("weight")) or 0,
                integer(cp.get("base")) or 0,
            )
        )
    return ServiceRevision(
        arn=arn,
        service_arn=required(doc.get("serviceArn"), "service ARN"),
        cluster_arn=text(doc.get("clusterArn")) or "",
        region=_region(arn),
        task_definition=required(doc.get("taskDefinition"), "task definition"),
        created_at=when(doc.get("createdAt")),
        images=tuple(images),
        load_balancers=load_balancers(doc.get("loadBalancers")),
        launch_type=text(doc.get("launchType")),
        capacity_provider_strategy=tuple(strategy),
        platform_version=text(doc.get("platformVersion")),
        account=_account(arn),
    )
