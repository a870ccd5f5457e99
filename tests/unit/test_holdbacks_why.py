"""Hold-backs from the why sources (issue 23): a target failing its load balancer's health
checks now, an alarm about the service in ALARM, a rollback the deployments API tells of. Each
holds every saving back with its reason; what the older rules already say is not said twice."""

from __future__ import annotations

from dataclasses import replace

from fgtop.cost.holdbacks import hold_reasons
from fgtop.cost.holdbacks_why import alarm_in_alarm, deployment_rolled_back, target_health_failing
from fgtop.cost.prices import PriceTable
from fgtop.cost.rightsizing import rightsize
from fgtop.model import (
    Alarm,
    LoadBalancerRef,
    RevisionCount,
    ServiceDeployment,
    ServiceEvent,
    TargetHealth,
)
from tests.unit.test_cost_holdbacks import NOW, REGION, TG, estate, service, table, task, window

__all__ = ["table"]  # the price table fixture, shared

SVC = service(load_balancers=(LoadBalancerRef(TG, "app", 8080),))


def target(ip: str, state: str = "unhealthy") -> TargetHealth:
    reason = "Target.Timeout" if state == "unhealthy" else None
    return TargetHealth(TG, ip, 8080, REGION, state, reason, unhealthy_since=NOW - 60)


def test_a_target_failing_now_holds_back(table: PriceTable) -> None:
    tasks = [task(i, private_ip=f"10.0.0.{i}") for i in (1, 2, 3)]
    snap = replace(
        estate(svc=SVC),
        tasks=tuple(tasks),
        target_health=(target("10.0.0.2"), target("10.0.0.3", "healthy")),
    )
    reason = target_health_failing(window(snap))
    assert (
        reason
        == "1 task failing the load balancer's health checks now (target group api-tg: Target.Timeout)"
    )
    out = rightsize(snap, table)
    assert out.suggestions == () and reason in out.held[0].reasons
    # Once ECS reports the task in its events, the load-balancer rule says it, this one not.
    event = ServiceEvent(
        "e",
        NOW - 30,
        f"(service api) (task {tasks[1].id}) is unhealthy in (target-group {TG}) due to (reason Request timed out).",
    )
    told = replace(snap, services=(replace(SVC, events=(event,)),))
    assert target_health_failing(window(told)) is None
    assert len([r for r in hold_reasons(window(told)) if "load balancer" in r]) == 1


def test_an_alarm_in_alarm_holds_back() -> None:
    def alarm(name: str, state: str = "ALARM") -> Alarm:
        dims = (("ClusterName", "prod"), ("ServiceName", "api"))
        return Alarm(
            name,
            f"arn:aws:cloudwatch:{REGION}:1:alarm:{name}",
            REGION,
            state,
            metric="CPUUtilization",
            dimensions=dims,
            threshold=70.0,
            comparison="GreaterThanThreshold",
        )

    quiet = replace(
        estate(),
        alarms=(alarm("api-cpu", "OK"), alarm("TargetTracking-service/prod/api-AlarmLow-1")),
    )
    assert alarm_in_alarm(window(quiet)) is None  # OK, and the scale-in alarm is no trouble
    loud = replace(quiet, alarms=(*quiet.alarms, alarm("api-cpu-high")))
    assert alarm_in_alarm(window(loud)) == "alarm api-cpu-high in ALARM (CPUUtilization > 70)"


def test_a_rollback_only_the_deployments_api_remembers_holds_back() -> None:
    svc = service()
    rolled = ServiceDeployment(
        f"arn:aws:ecs:{REGION}:1:service-deployment/prod/api/Xy12",
        svc.arn,
        "",
        REGION,
        "ROLLBACK_SUCCESSFUL",
        created_at=NOW - 1800,
        target=RevisionCount("arn:rev/8"),
        rollback_started_at=NOW - 1500,
    )
    snap = replace(estate(), service_deployments=(rolled,))
    assert (
        deployment_rolled_back(window(snap))
        == "deployment Xy12 rollback successful in the last 1 h (ECS deployments API)"
    )
    old = replace(snap, service_deployments=(replace(rolled, created_at=NOW - 7200),))
    assert deployment_rolled_back(window(old)) is None  # before the window
    event = ServiceEvent(
        "e",
        NOW - 1500,
        "(service api) (deployment ecs-svc/8) deployment failed: tasks failed to start.",
    )
    told = replace(snap, services=(replace(svc, events=(event,)),))
    assert deployment_rolled_back(window(told)) is None  # the deployment rule says it
    assert any("deployment" in r for r in hold_reasons(window(told)))
