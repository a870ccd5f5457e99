"""Fakes for what moto does not serve of the "why" APIs, each in front of moto.

- :class:`FakeEcsDeployments` (ECS, JSON 1.1): ``ListServiceDeployments``,
  ``DescribeServiceDeployments`` and ``DescribeServiceRevisions`` as the AWS API reference
  shapes them (paging with ``nextToken``, ``maxResults`` 1-100, at most 20 ARNs a describe,
  ``failures`` for unknown ARNs); every other ECS call goes to moto.
- :class:`FakeScalingActivities` (Application Auto Scaling, JSON 1.1):
  ``DescribeScalingActivities`` (``MaxResults`` 1-50, ``NextToken``,
  ``IncludeNotScaledActivities``); scalable targets and policies go to moto.
- :class:`FakeAlarmHistory` (CloudWatch, JSON 1.0): ``DescribeAlarmHistory``, and
  ``DescribeAlarms`` with real paging (``MaxRecords``, ``NextToken``) when given alarms;
  everything else goes to moto.
- :class:`FakeTargetHealth` (ELB v2, query protocol, XML answers): ``DescribeTargetHealth``
  of the target groups it is given states for (unhealthy, with reason codes moto cannot
  produce); other target groups and calls go to moto.

Each can deny or throttle an operation, as AWS answers it. Point the real client at one with
``AWS_ENDPOINT_URL_<SERVICE>`` (``ECS``, ``APPLICATION_AUTO_SCALING``, ``CLOUDWATCH``,
``ELASTIC_LOAD_BALANCING_V2``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from tests.fakes.aws_json import JsonServiceFake


@dataclass
class Request:
    """One request a fake answered (or forwarded)."""

    region: str
    op: str
    body: dict[str, Any]


@dataclass
class Faults:
    """Operations to deny or throttle (named as in the API: ``DescribeAlarms``)."""

    deny: set[str] = field(default_factory=set)
    throttle: set[str] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)

    def ops(self) -> list[str]:
        """The operations asked, in order."""
        return [r.op for r in self.requests]


def _denied_message(prefix: str, op: str) -> str:
    return (
        f"User: arn:aws:iam::123456789012:user/fgtop is not authorized to perform: "
        f"{prefix}:{op} because no identity-based policy allows the {prefix}:{op} action"
    )


# -- ECS: the deployments API ---------------------------------------------------------------


@dataclass
class EcsState(Faults):
    """Described deployments (the list's summaries come from them) and revisions."""

    deployments: dict[str, list[dict]] = field(default_factory=dict)
    """Service ARN -> its deployments as DescribeServiceDeployments gives them, newest first."""
    revisions: dict[str, dict] = field(default_factory=dict)
    """Service revision ARN -> DescribeServiceRevisions entry."""
    page_size: int | None = None
    """Entries per page at most (else ``maxResults``, default 20)."""
    gone: set[str] = field(default_factory=set)
    """Service ARNs answered with ServiceNotFoundException (deleted since listed)."""


_BRIEF = (
    "serviceDeploymentArn",
    "serviceArn",
    "clusterArn",
    "startedAt",
    "createdAt",
    "finishedAt",
    "status",
    "statusReason",
)


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value)).timestamp()


class FakeEcsDeployments(JsonServiceFake[EcsState]):
    """The ECS deployments API, moto for the rest of ECS."""

    content_type = "application/x-amz-json-1.1"
    signing_name = "ecs"
    prefix = "AmazonEC2ContainerServiceV20141113."

    def new_state(self) -> EcsState:
        """No deployments."""
        return EcsState()

    def answer(self, region: str, target: str, body: dict) -> tuple[int, Any] | None:
        """The deployments API's three operations; None (moto) for the others."""
        op = target.removeprefix(self.prefix)
        if op not in (
            "ListServiceDeployments",
            "DescribeServiceDeployments",
            "DescribeServiceRevisions",
        ):
            return None
        with self._lock:
            state = self.state
            state.requests.append(Request(region, op, body))
            if op in state.deny:
                return 400, {
                    "__type": "AccessDeniedException",
                    "message": _denied_message("ecs", op),
                }
            if op in state.throttle:
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
            if op == "ListServiceDeployments":
                return self._list(body)
            key, found_in = (
                ("serviceDeploymentArns", self._all_deployments())
                if op == "DescribeServiceDeployments"
                else ("serviceRevisionArns", state.revisions)
            )
            arns = body.get(key) or []
            if len(arns) > 20:
                return 400, {
                    "__type": "InvalidParameterException",
                    "message": f"{key} can have at most 20 items.",
                }
            found = [found_in[a] for a in arns if a in found_in]
            failures = [
                {"arn": a, "reason": "MISSING", "detail": "not found"}
                for a in arns
                if a not in found_in
            ]
            out = "serviceDeployments" if op == "DescribeServiceDeployments" else "serviceRevisions"
            return 200, {out: found, "failures": failures}

    def _all_deployments(self) -> dict[str, dict]:
        return {d["serviceDeploymentArn"]: d for ds in self.state.deployments.values() for d in ds}

    def _list(self, body: dict) -> tuple[int, dict]:
        size = int(body.get("maxResults") or 20)
        if not 1 <= size <= 100:
            return 400, {"__type": "InvalidParameterException", "message": "maxResults 1-100"}
        if self.state.page_size:
            size = min(size, self.state.page_size)
        service = body.get("service", "")
        mine = next(
            (
                ds
                for arn, ds in self.state.deployments.items()
                if service in (arn, arn.rsplit("/", 1)[-1])
            ),
            None,
        )
        if service in self.state.gone:
            return 400, {"__type": "ServiceNotFoundException", "message": "Service not found."}
        mine = mine or []  # a service without deployments in the last 90 days
        after = (body.get("createdAt") or {}).get("after")
        items = [d for d in mine if after is None or _epoch(d["createdAt"]) >= float(after)]
        start = int(body.get("nextToken") or 0)
        page = items[start : start + size]
        out: dict[str, Any] = {
            "serviceDeployments": [
                {k: d[k] for k in _BRIEF if k in d} | _brief_target(d) for d in page
            ]
        }
        if start + size < len(items):
            out["nextToken"] = str(start + size)
        return 200, out


def _brief_target(d: dict) -> dict:
    target = d.get("targetServiceRevision") or {}
    return {"targetServiceRevisionArn": target["arn"]} if target.get("arn") else {}


def deployment(
    service_arn: str,
    ident: str,
    *,
    created: float,
    status: str = "SUCCESSFUL",
    target: str,
    source: str | None = None,
    failures: int = 0,
    threshold: int = 3,
    rollback: tuple[float, str] | None = None,
    reason: str | None = None,
    alarms: tuple[str, ...] = (),
    finished: float | None = None,
) -> dict:
    """One DescribeServiceDeployments entry shaped like the API reference's."""
    region, account = service_arn.split(":")[3:5]
    _, cluster, name = service_arn.rsplit(":", 1)[-1].split("/")
    doc: dict[str, Any] = {
        "serviceDeploymentArn": f"arn:aws:ecs:{region}:{account}:service-deployment/{cluster}/{name}/{ident}",
        "serviceArn": service_arn,
        "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
        "createdAt": created,
        "startedAt": created + 0.3,
        "updatedAt": finished or created + 1,
        "sourceServiceRevisions": [
            {"arn": source, "requestedTaskCount": 2, "runningTaskCount": 2, "pendingTaskCount": 0}
        ]
        if source
        else [],
        "targetServiceRevision": {
            "arn": target,
            "requestedTaskCount": 2,
            "runningTaskCount": 0,
            "pendingTaskCount": 0,
        },
        "status": status,
        "lifecycleStage": "CLEAN_UP" if finished else "SCALE_UP",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": list(alarms), "rollback": True, "enable": bool(alarms)},
        },
        "deploymentCircuitBreaker": {
            "status": "TRIGGERED" if failures >= threshold else "MONITORING",
            "failureCount": failures,
            "threshold": threshold,
        },
        "alarms": {
            "status": "MONITORING" if alarms else "DISABLED",
            "alarmNames": list(alarms),
            "triggeredAlarmNames": [],
        },
    }
    if reason:
        doc["statusReason"] = reason
    if finished:
        doc["finishedAt"] = finished
    if rollback:
        doc["rollback"] = {
            "reason": reason or "rolled back",
            "startedAt": rollback[0],
            "serviceRevisionArn": rollback[1],
        }
    return doc


def revision(service_arn: str, number: int, task_definition: str, images: dict[str, str]) -> dict:
    """One DescribeServiceRevisions entry shaped like the API reference's."""
    region, account = service_arn.split(":")[3:5]
    _, cluster, name = service_arn.rsplit(":", 1)[-1].split("/")
    return {
        "serviceRevisionArn": f"arn:aws:ecs:{region}:{account}:service-revision/{cluster}/{name}/{number}",
        "serviceArn": service_arn,
        "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
        "taskDefinition": task_definition,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "platformVersion": "1.4.0",
        "containerImages": [
            {
                "containerName": c,
                "image": image,
                "imageDigest": "sha256:" + f"{abs(hash(image)):x}".rjust(64, "0"),
            }
            for c, image in images.items()
        ],
        "createdAt": 1_800_000_000.0,
    }


# -- Application Auto Scaling: activities ---------------------------------------------------


@dataclass
class ScalingState(Faults):
    """Activities (newest first); targets and policies live in moto unless given here (the
    benchmark runs without moto)."""

    activities: list[dict] = field(default_factory=list)
    targets: list[dict] | None = None
    policies: list[dict] | None = None


class FakeScalingActivities(JsonServiceFake[ScalingState]):
    """``DescribeScalingActivities``; moto for the rest of Application Auto Scaling."""

    content_type = "application/x-amz-json-1.1"
    signing_name = "application-autoscaling"
    prefix = "AnyScaleFrontendService."

    def new_state(self) -> ScalingState:
        """No activities."""
        return ScalingState()

    def answer(self, region: str, target: str, body: dict) -> tuple[int, Any] | None:
        """Activities here; faults for any operation; None (moto) for the rest."""
        op = target.removeprefix(self.prefix)
        with self._lock:
            state = self.state
            state.requests.append(Request(region, op, body))
            if op in state.deny:
                return 400, {
                    "__type": "AccessDeniedException",
                    "message": _denied_message("application-autoscaling", op),
                }
            if op in state.throttle:
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
            if op == "DescribeScalableTargets" and state.targets is not None:
                ids = set(body.get("ResourceIds") or ())
                found = [t for t in state.targets if not ids or t["ResourceId"] in ids]
                return 200, _page(found, body, "ScalableTargets", 50)
            if op == "DescribeScalingPolicies" and state.policies is not None:
                rid = body.get("ResourceId")
                found = [p for p in state.policies if rid in (None, p["ResourceId"])]
                return 200, _page(found, body, "ScalingPolicies", 10)
            if op != "DescribeScalingActivities":
                return None
            size = int(body.get("MaxResults") or 50)
            if not 1 <= size <= 50:
                return 400, {"__type": "ValidationException", "message": "MaxResults 1-50"}
            items = [
                a
                for a in state.activities
                if body.get("ResourceId") in (None, a["ResourceId"])
                and (body.get("IncludeNotScaledActivities") or not a.get("NotScaledReasons"))
            ]
            start = int(body.get("NextToken") or 0)
            out: dict[str, Any] = {"ScalingActivities": items[start : start + size]}
            if start + size < len(items):
                out["NextToken"] = str(start + size)
            return 200, out


def _page(items: list[dict], body: dict, key: str, most: int) -> dict:
    size = min(int(body.get("MaxResults") or most), most)
    start = int(body.get("NextToken") or 0)
    out: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


def activity(
    ident: str,
    resource: str,
    started: float,
    *,
    desired: int,
    cause: str = "monitor alarm api-cpu-high in state ALARM triggered policy cpu70",
    status: str = "Successful",
    at_max: int | None = None,
) -> dict:
    """One ScalingActivities entry shaped like the API reference's."""
    doc: dict[str, Any] = {
        "ActivityId": ident,
        "ServiceNamespace": "ecs",
        "ResourceId": resource,
        "ScalableDimension": "ecs:service:DesiredCount",
        "Description": f"Setting desired count to {desired}.",
        "Cause": cause,
        "StartTime": started,
        "EndTime": started + 30,
        "StatusCode": status,
        "StatusMessage": f"Successfully set desired count to {desired}.",
    }
    if at_max is not None:
        doc["StatusCode"] = "Failed"
        doc["NotScaledReasons"] = [
            {"Code": "AlreadyAtMaxCapacity", "MaxCapacity": at_max, "CurrentCapacity": at_max}
        ]
    return doc


# -- CloudWatch: alarm history (and paged alarms), JSON 1.0 -----------------------------------


@dataclass
class AlarmState(Faults):
    """History items; alarms answered here (paged) only when set, else moto's."""

    history: list[dict] = field(default_factory=list)
    alarms: list[dict] | None = None


class FakeAlarmHistory(JsonServiceFake[AlarmState]):
    """``DescribeAlarmHistory`` (and paged ``DescribeAlarms``); moto for the rest.

    aiobotocore speaks CloudWatch's awsJson1_0 protocol (``X-Amz-Target:
    GraniteServiceVersion20100801.<Operation>``), the one of its protocols it supports.
    """

    content_type = "application/x-amz-json-1.0"
    signing_name = "monitoring"
    prefix = "GraniteServiceVersion20100801."

    def new_state(self) -> AlarmState:
        """No history; moto's alarms."""
        return AlarmState()

    def _error(self, code: str, message: str) -> tuple[int, Any]:
        return 400, {"__type": f"com.amazonaws.cloudwatch#{code}", "message": message}

    def answer(self, region: str, target: str, body: dict) -> tuple[int, Any] | None:
        """History (and alarms when set) here; faults for any operation; moto otherwise."""
        op = target.removeprefix(self.prefix)
        with self._lock:
            state = self.state
            state.requests.append(Request(region, op, body))
            if op in state.deny:
                return self._error("AccessDenied", _denied_message("cloudwatch", op))
            if op in state.throttle:
                return self._error("Throttling", "Rate exceeded")
            if op == "DescribeAlarmHistory":
                start = float(body.get("StartDate") or 0)
                end = float(body.get("EndDate") or 1e12)
                return 200, self._page(
                    [
                        h
                        for h in state.history
                        if body.get("AlarmName") in (None, h["AlarmName"])
                        and start <= h["Timestamp"] <= end
                    ],
                    body,
                    "AlarmHistoryItems",
                )
            if op == "DescribeAlarms" and state.alarms is not None:
                items = [
                    a
                    for a in state.alarms
                    if body.get("StateValue") in (None, a["StateValue"])
                    and (not body.get("AlarmNames") or a["AlarmName"] in body["AlarmNames"])
                ]
                page = self._page(items, body, "MetricAlarms")
                page["CompositeAlarms"] = []
                return 200, page
            return None

    @staticmethod
    def _page(items: list[dict], body: dict, key: str) -> dict:
        size = int(body.get("MaxRecords") or 50)
        start = int(body.get("NextToken") or 0)
        out: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out


def history_item(alarm: str, at: float, old: str, new: str, reason: str) -> dict:
    """One AlarmHistoryItems entry (StateUpdate) shaped like the API reference's."""
    return {
        "AlarmName": alarm,
        "AlarmType": "MetricAlarm",
        "Timestamp": at,
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(
            {
                "version": "1.0",
                "oldState": {"stateValue": old},
                "newState": {"stateValue": new, "stateReason": reason},
            }
        ),
    }


# -- ELB v2: target health, query protocol --------------------------------------------------


@dataclass
class HealthState(Faults):
    """Target group ARN -> its targets' (ip, port, state, reason, description)."""

    groups: dict[str, list[tuple[str, int, str, str | None, str | None]]] = field(
        default_factory=dict
    )


_NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"


class FakeTargetHealth(JsonServiceFake[HealthState]):
    """``DescribeTargetHealth`` of the target groups given here; moto for everything else."""

    content_type = "text/xml"
    signing_name = "elasticloadbalancing"

    def new_state(self) -> HealthState:
        """moto's answers only."""
        return HealthState()

    def operation(self, path: str, headers: Any, raw: bytes) -> str:
        """The query protocol's ``Action``."""
        return parse_qs(raw.decode(errors="replace")).get("Action", [""])[0]

    def decode(self, raw: bytes) -> dict:
        """The form fields (first value of each)."""
        return {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}

    def answer(self, region: str, target: str, body: dict) -> tuple[int, Any] | None:
        """Target health here for the groups given; faults for any operation; moto otherwise."""
        with self._lock:
            state = self.state
            state.requests.append(Request(region, target, body))
            if target in state.deny:
                return 403, _xml_error(
                    "AccessDenied", _denied_message("elasticloadbalancing", target)
                )
            if target in state.throttle:
                return 400, _xml_error("Throttling", "Rate exceeded")
            if target != "DescribeTargetHealth" or body.get("TargetGroupArn") not in state.groups:
                return None
            members = "".join(
                "<member>"
                f"<HealthCheckPort>{port}</HealthCheckPort>"
                "<Target>"
                + (f"<Id>{escape(ip)}</Id>" if ip else "")  # no Id: a malformed entry
                + f"<Port>{port}</Port></Target>"
                f"<TargetHealth><State>{escape(st)}</State>"
                + (f"<Reason>{escape(why)}</Reason>" if why else "")
                + (f"<Description>{escape(text)}</Description>" if text else "")
                + "</TargetHealth></member>"
                for ip, port, st, why, text in state.groups[body["TargetGroupArn"]]
            )
            xml = (
                f'<DescribeTargetHealthResponse xmlns="{_NS}"><DescribeTargetHealthResult>'
                f"<TargetHealthDescriptions>{members}</TargetHealthDescriptions>"
                "</DescribeTargetHealthResult><ResponseMetadata><RequestId>fake-0000</RequestId>"
                "</ResponseMetadata></DescribeTargetHealthResponse>"
            )
            return 200, xml.encode()


def _xml_error(code: str, message: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>fake-0000</RequestId></ErrorResponse>"
    ).encode()
