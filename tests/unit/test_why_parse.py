"""The "why" parsers on the real-shaped samples (``../shared/samples``): ECS service
deployments and revisions, target health, alarms and their history, Service Auto Scaling.
Each entry is parsed on its own: a malformed one is skipped and counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fgtop.model import Snapshot
from fgtop.sources.alarms_parse import parse_alarm, parse_change
from fgtop.sources.deployments_parse import parse_brief, parse_deployment, parse_revision
from fgtop.sources.ecs import parse_service
from fgtop.sources.elb_parse import parse_target
from fgtop.sources.parse_common import Malformed, parse_each
from fgtop.sources.scaling_parse import parse_activity, parse_policy
from fgtop.sources.scaling_parse import parse_target as parse_scalable_target
from tests.fakes.snapshots import sample

TG = (
    "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/"
    "shop-search-tg/5c1f0e7a9b3d2e41"
)


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_service_deployments_list_describe_and_revisions() -> None:
    doc = sample("ecs-service-deployments.json")
    briefs, skipped = parse_each(doc["ListServiceDeployments"]["serviceDeployments"], parse_brief)
    assert skipped == 0 and [b.status for b in briefs] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    newest = briefs[0]
    assert newest.id == "xV2Rz0hK7cQm1pLs3dYt9" and not newest.described
    assert newest.region == "eu-west-1" and newest.account == "210987654321"
    assert newest.target is not None and newest.target.arn.endswith("/4105839922175331846")
    assert newest.rolled_back and newest.terminal and not newest.in_progress

    (dep,) = [parse_deployment(d) for d in doc["DescribeServiceDeployments"]["serviceDeployments"]]
    assert dep.described and dep.lifecycle_stage == "CLEAN_UP"
    assert (dep.breaker_status, dep.failure_count, dep.failure_threshold) == ("TRIGGERED", 3, 3)
    assert dep.alarm_names == ("shop-search-5xx",) and dep.triggered_alarms == ()
    assert dep.rollback_started_at == ts("2026-11-28T09:55:48.771000")
    assert dep.rollback_revision is not None and dep.rollback_revision.endswith(
        "7730291856641002917"
    )
    assert dep.source_revision == dep.rollback_revision
    assert dep.rollback_reason is not None and "circuit breaker" in dep.rollback_reason
    assert dep.finished_at == ts("2026-11-28T09:58:12.904000")

    (rev,) = [parse_revision(r) for r in doc["DescribeServiceRevisions"]["serviceRevisions"]]
    assert rev.family_revision == "shop-search:18"
    assert [(i.container, i.digest is not None) for i in rev.images] == [
        ("shop-search", True),
        ("otel-collector", True),
    ]
    assert rev.images[0].image.endswith(":2026.11.28-bad")
    assert rev.load_balancers[0].target_group == TG
    assert rev.load_balancers[0].container_port == 8080
    assert rev.capacity_provider_strategy == (("FARGATE", 1, 0),)


def test_deployments_of_a_service_are_found_newest_first() -> None:
    doc = sample("ecs-service-deployments.json")
    briefs, _ = parse_each(doc["ListServiceDeployments"]["serviceDeployments"], parse_brief)
    services = sample("ecs-describe-services.json")["services"]
    service = parse_service(services[0], "shop-prod", "eu-west-1")
    search = type(service)(
        "shop-search",
        "arn:aws:ecs:eu-west-1:210987654321:service/shop-prod/shop-search",
        "shop-prod",
        "eu-west-1",
        "ACTIVE",
        4,
        4,
        0,
    )
    snap = Snapshot(0.0, services=(service, search), service_deployments=tuple(reversed(briefs)))
    assert [d.status for d in snap.deployments_of(search)] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    assert snap.deployments_of(service) == ()


def test_target_health_states_and_reasons() -> None:
    doc = sample("elbv2-describe-target-health.json")
    found, skipped = parse_each(
        doc["TargetHealthDescriptions"], lambda r: parse_target(r, TG, "eu-west-1", 100.0)
    )
    assert skipped == 0
    by_ip = {t.target_id: t for t in found}
    assert by_ip["10.20.12.34"].healthy and by_ip["10.20.12.34"].reason is None
    bad = by_ip["10.20.44.7"]
    assert bad.unhealthy and bad.reason == "Target.ResponseCodeMismatch"
    assert bad.description == "Health checks failed with these codes: [503]"
    assert (bad.port, bad.az, bad.health_check_port) == (8080, "eu-west-1b", "8080")
    assert by_ip["10.20.45.19"].reason == "Target.Timeout"
    assert by_ip["10.20.13.250"].state == "initial"
    assert by_ip["10.20.14.3"].reason == "Target.DeregistrationInProgress"
    assert bad.target_group_name == "shop-search-tg" and bad.checked_at == 100.0


def test_alarms_and_their_history() -> None:
    doc = sample("cloudwatch-alarms.json")
    alarms = [parse_alarm(a, "eu-west-1") for a in doc["DescribeAlarms"]["MetricAlarms"]]
    cpu, errors = alarms
    assert cpu.firing and cpu.dimension("ServiceName") == "shop-api"
    assert cpu.condition == "CPUUtilization > 70" and cpu.updated_at == ts(
        "2026-11-28T10:07:08.118"
    )
    assert cpu.reason is not None and cpu.reason.startswith("Threshold Crossed: 3 datapoints")
    assert cpu.actions[0].endswith(":policyName/cpu70")
    assert errors.state == "OK" and errors.dimension("TargetGroup") == TG.rsplit(":", 1)[-1]
    (change,) = [
        parse_change(c, "eu-west-1") for c in doc["DescribeAlarmHistory"]["AlarmHistoryItems"]
    ]
    assert (change.old_state, change.new_state, change.alarm) == ("OK", "ALARM", cpu.name)
    assert change.at == cpu.updated_at and change.reason == cpu.reason


def test_alarm_history_without_data_reads_its_summary() -> None:
    item = {
        "AlarmName": "a",
        "Timestamp": "2026-11-28T10:00:00+00:00",
        "HistoryItemType": "StateUpdate",
        "HistorySummary": "Alarm updated from ALARM to OK",
        "HistoryData": "{not json",
    }
    change = parse_change(item, "eu-west-1")
    assert (change.old_state, change.new_state, change.reason) == ("ALARM", "OK", None)
    with pytest.raises(Malformed):
        parse_change({**item, "HistoryItemType": "Action"}, "eu-west-1")


def test_scaling_target_policy_and_activities() -> None:
    doc = sample("application-autoscaling-ecs.json")
    (target,) = [
        parse_scalable_target(t, "eu-west-1")
        for t in doc["DescribeScalableTargets"]["ScalableTargets"]
    ]
    assert (target.resource_id, target.min_capacity, target.max_capacity) == (
        "service/shop-prod/shop-api",
        4,
        10,
    )
    assert target.suspended == () and target.account == "210987654321"
    (policy,) = [
        parse_policy(p, "eu-west-1") for p in doc["DescribeScalingPolicies"]["ScalingPolicies"]
    ]
    assert (policy.name, policy.target_value, policy.metric) == (
        "cpu70",
        70.0,
        "ECSServiceAverageCPUUtilization",
    )
    assert policy.alarms[0].startswith("TargetTracking-service/shop-prod/shop-api-AlarmHigh")
    out, held = (
        parse_activity(a, "eu-west-1")
        for a in doc["DescribeScalingActivities"]["ScalingActivities"]
    )
    assert out.status == "Successful" and out.at_max is None
    assert out.cause is not None and "triggered policy cpu70" in out.cause
    assert held.status == "Failed" and held.at_max is not None
    assert (held.at_max.max_capacity, held.at_max.current_capacity) == (10, 10)


@pytest.mark.parametrize(
    ("parse", "good", "bad"),
    [
        (
            parse_brief,
            {
                "serviceDeploymentArn": "arn:aws:ecs:r:1:service-deployment/c/s/x",
                "serviceArn": "arn:aws:ecs:r:1:service/c/s",
                "status": "SUCCESSFUL",
            },
            [
                {"serviceArn": "arn:aws:ecs:r:1:service/c/s", "status": "SUCCESSFUL"},
                {"serviceDeploymentArn": "x", "serviceArn": "y", "status": "SUCCESSFUL"},
                {
                    "serviceDeploymentArn": "arn:aws:ecs:r:1:service-deployment/c/s/y",
                    "serviceArn": "arn:aws:ecs:r:1:service/c/s",
                    "status": "SUCCESSFUL",
                    "createdAt": "yesterday",
                },
                "a string",
            ],
        ),
        (
            lambda r: parse_target(r, TG, "eu-west-1", 0.0),
            {"Target": {"Id": "10.0.0.1", "Port": 80}, "TargetHealth": {"State": "healthy"}},
            [
                {"Target": {"Port": 80}, "TargetHealth": {"State": "healthy"}},
                {"Target": {"Id": "10.0.0.2", "Port": "80"}, "TargetHealth": {"State": "x"}},
                {"Target": {"Id": "10.0.0.3"}, "TargetHealth": []},
            ],
        ),
        (
            lambda r: parse_alarm(r, "eu-west-1"),
            {"AlarmName": "a", "AlarmArn": "arn:aws:cloudwatch:r:1:alarm:a", "StateValue": "OK"},
            [
                {"AlarmName": "a", "StateValue": "OK"},
                {"AlarmName": "b", "AlarmArn": "arn:b", "StateValue": "OK", "Threshold": "x"},
                {"AlarmName": "c", "AlarmArn": "arn:c", "StateValue": "OK", "Dimensions": {}},
            ],
        ),
        (
            lambda r: parse_activity(r, "eu-west-1"),
            {
                "ActivityId": "1",
                "ResourceId": "service/c/s",
                "StartTime": 5.0,
                "StatusCode": "Successful",
            },
            [
                {"ActivityId": "2", "ResourceId": "service/c/s", "StatusCode": "Successful"},
                {"ActivityId": "3", "ResourceId": "service/c/s", "StartTime": 5.0},
                {
                    "ActivityId": "4",
                    "ResourceId": "service/c/s",
                    "StartTime": 5.0,
                    "StatusCode": "Failed",
                    "NotScaledReasons": [{"MaxCapacity": 3}],
                },
            ],
        ),
    ],
)
def test_malformed_entries_are_skipped_and_counted(parse, good: dict, bad: list) -> None:
    found, skipped = parse_each([bad[0], good, *bad[1:]], parse)
    assert len(found) == 1 and skipped == len(bad)


def test_a_service_names_its_target_groups_and_deployment_alarms() -> None:
    raw = sample("ecs-describe-services.json")["services"][0]
    raw = {
        **raw,
        "loadBalancers": [
            *raw["loadBalancers"],
            {"loadBalancerName": "classic", "containerName": "api", "containerPort": 80},
            "junk",
        ],
        "deploymentConfiguration": {
            **raw.get("deploymentConfiguration", {}),
            "alarms": {"alarmNames": ["api-5xx", 7], "enable": True, "rollback": True},
        },
    }
    service = parse_service(raw, "shop-prod", "eu-west-1")
    assert [lb.target_group.rsplit("/", 2)[-2] for lb in service.load_balancers] == ["shop-api"]
    assert service.load_balancers[0].container_port == 8080
    assert service.deployment_alarms == ("api-5xx",)
