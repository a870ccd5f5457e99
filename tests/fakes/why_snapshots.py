"""Snapshots holding the why parts, built from the model (test data, not fgtop code)."""

from __future__ import annotations

from dataclasses import replace

from fgtop.model import (
    Alarm,
    AlarmChange,
    ContainerDefinition,
    LoadBalancerRef,
    MetricSeries,
    NotScaled,
    RevisionCount,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    Service,
    ServiceDeployment,
    ServiceEvent,
    ServiceRevision,
    Snapshot,
    SourceHealth,
    TargetHealth,
    Task,
    TaskDefinition,
)

REGION = "eu-west-1"
ACCOUNT = "210987654321"
T = 1_795_859_280.0
SVC = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop-prod/shop-search"
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/shop-search-tg/5c1f0e7a9b3d2e41"


def td(rev: int, tag: str, memory: int) -> TaskDefinition:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shop-search:{rev}"
    return TaskDefinition(
        arn,
        "shop-search",
        rev,
        cpu=1024,
        memory=memory,
        containers=(
            ContainerDefinition(
                "shop-search", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop-search:{tag}"
            ),
        ),
    )


TD17 = td(17, "2026.11.21-2", 2048)
TD18 = td(18, "2026.11.28-bad", 1024)


def revision(n: int, task_definition: TaskDefinition) -> ServiceRevision:
    return ServiceRevision(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/shop-prod/shop-search/{n}",
        SVC,
        "",
        REGION,
        task_definition.arn,
        load_balancers=(LoadBalancerRef(TG, "shop-search", 8080),),
    )


R17, R18 = revision(17, TD17), revision(18, TD18)


def service(**changes) -> Service:
    base = Service(
        "shop-search",
        SVC,
        "shop-prod",
        REGION,
        "ACTIVE",
        4,
        4,
        0,
        task_definition=TD17.arn,
        load_balancers=(LoadBalancerRef(TG, "shop-search", 8080),),
    )
    return replace(base, **changes)


def task(
    ip: str, *, stopped: bool = False, health: str = "HEALTHY", definition: TaskDefinition = TD17
) -> Task:
    return Task(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/shop-prod/{ip.replace('.', ''):0>32}",
        "shop-prod",
        REGION,
        definition.arn,
        "STOPPED" if stopped else "RUNNING",
        "STOPPED" if stopped else "RUNNING",
        service="shop-search",
        group="service:shop-search",
        health=health,
        private_ip=ip,
        created_at=T - 600,
        started_at=T - 590,
        stopped_at=T - 10 if stopped else None,
        stop_code="ServiceSchedulerInitiated" if stopped else None,
        stopped_reason="Task failed ELB health checks in (target-group x)" if stopped else None,
    )


def target(
    ip: str,
    state: str = "healthy",
    reason: str | None = None,
    description: str | None = None,
    since: float | None = None,
    at: float = T,
) -> TargetHealth:
    return TargetHealth(
        TG, ip, 8080, REGION, state, reason, description, checked_at=at, unhealthy_since=since
    )


def rolled_back(**changes) -> ServiceDeployment:
    """shop-search:18 rolled back to :17 by the circuit breaker (3 of 3 failed tasks)."""
    base = ServiceDeployment(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/shop-prod/shop-search/xV2Rz0hK7cQm1pLs3dYt9",
        SVC,
        "",
        REGION,
        "ROLLBACK_SUCCESSFUL",
        status_reason="Service deployment rolled back because the circuit breaker threshold was exceeded.",
        created_at=T - 900,
        started_at=T - 899,
        finished_at=T - 300,
        target=RevisionCount(R18.arn, 0, 0, 0),
        sources=(RevisionCount(R17.arn, 4, 4, 0),),
        breaker_status="TRIGGERED",
        failure_count=3,
        failure_threshold=3,
        rollback_reason="Service deployment rolled back because the circuit breaker threshold was exceeded.",
        rollback_started_at=T - 600,
        rollback_revision=R17.arn,
        described=True,
    )
    return replace(base, **changes)


def deployments_health(error: str | None = None, answered: bool = True) -> SourceHealth:
    return SourceHealth(
        f"deployments:{REGION}",
        ok=error is None,
        stale=error is not None,
        error=error,
        last_success=T if answered else None,
    )


def cpu_alarm(state: str = "ALARM", name: str = "shop-search-cpu", at: float = T - 120) -> Alarm:
    return Alarm(
        name,
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        REGION,
        state,
        "Threshold Crossed: 3 datapoints [91.0, 88.4, 84.7] were greater than the threshold (70.0).",
        at,
        "CPUUtilization",
        "AWS/ECS",
        (("ClusterName", "shop-prod"), ("ServiceName", "shop-search")),
        threshold=70.0,
        comparison="GreaterThanThreshold",
    )


def scaling(desired_max: int = 10, cpu: float = 91.0, held_at: float | None = None) -> dict:
    """Snapshot fields of a service scaled out to ``desired_max`` by a CPU target-tracking policy."""
    rid = "service/shop-prod/shop-search"
    activities = [
        ScalingActivity(
            "out",
            rid,
            REGION,
            T - 200,
            "Successful",
            f"Setting desired count to {desired_max}.",
            "monitor alarm x in state ALARM triggered policy cpu70",
            ended_at=T - 170,
        )
    ]
    if held_at is not None:
        activities.insert(
            0,
            ScalingActivity(
                "held",
                rid,
                REGION,
                held_at,
                "Failed",
                f"Setting desired count to {desired_max + 1}.",
                "monitor alarm x in state ALARM triggered policy cpu70",
                not_scaled=(NotScaled("AlreadyAtMaxCapacity", desired_max, None, desired_max),),
            ),
        )
    return {
        "scalable_targets": (ScalableTarget(rid, REGION, 4, desired_max),),
        "scaling_policies": (
            ScalingPolicy(
                "arn:policy",
                "cpu70",
                rid,
                REGION,
                "TargetTrackingScaling",
                70.0,
                "ECSServiceAverageCPUUtilization",
            ),
        ),
        "scaling_activities": tuple(activities),
        "metrics": (
            MetricSeries(SVC, "cpu", "AWS/ECS", ((T - 60, cpu),)),
            MetricSeries(SVC, "memory", "AWS/ECS", ((T - 60, 40.0),)),
        ),
    }


def snapshot(at: float = T, **fields) -> Snapshot:
    return Snapshot(at, task_definitions=(TD17, TD18), service_revisions=(R17, R18), **fields)


def alarm_change(at: float, old: str, new: str) -> AlarmChange:
    return AlarmChange("shop-search-cpu", REGION, at, old, new, "Threshold Crossed")


def failure_events() -> tuple[ServiceEvent, ...]:
    """The events DescribeServices keeps of a failed deployment (what the inference reads)."""
    return (
        ServiceEvent(
            "e3", T - 300, "(service shop-search) (deployment ecs-svc/2) deployment completed."
        ),
        ServiceEvent(
            "e2",
            T - 600,
            "(service shop-search) (deployment ecs-svc/1) deployment failed: tasks failed to start.",
        ),
    )
