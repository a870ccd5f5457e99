"""A small fake AWS Compute Optimizer over HTTP (moto does not serve compute-optimizer).

It speaks what the real client sends, awsJson1_0: ``POST /`` with
``X-Amz-Target: ComputeOptimizerService.GetECSServiceRecommendations`` and a JSON body, and
answers shaped like the real API (``ecsServiceRecommendations`` pages with ``nextToken``,
errors as ``{"__type": ..., "message": ...}``). The region of each request is read from its
SigV4 credential scope. Point the real client at it with ``AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.aws_json import JsonServiceFake

TARGET = "ComputeOptimizerService.GetECSServiceRecommendations"

OK, NOT_ENROLLED, DENIED, BROKEN, HANG = "ok", "not_enrolled", "denied", "broken", "hang"


@dataclass
class Request:
    """One request the fake answered."""

    region: str
    target: str
    body: dict[str, Any]


@dataclass
class FakeState:
    """What the fake answers; tests change it between polls."""

    mode: str = NOT_ENROLLED
    """``ok``, ``not_enrolled`` (OptInRequiredException), ``denied``, ``broken`` (HTTP 500),
    ``hang`` (never answers: the request is held for ``hang_seconds``)."""
    modes: dict[str, str] = field(default_factory=dict)
    """A mode per region, over ``mode``."""
    recommendations: dict[str, list[dict]] = field(default_factory=dict)
    """Raw ``ecsServiceRecommendations`` entries per region."""
    hang_seconds: float = 3600.0
    """How long a ``hang`` request is held before the fake answers 500."""
    page_size: int = 1000
    """Entries per page at most (the real API pages at ``maxResults``, up to 1000)."""
    requests: list[Request] = field(default_factory=list)


class FakeComputeOptimizer(JsonServiceFake[FakeState]):
    """Start with :meth:`start`; ``url`` is its endpoint; :meth:`reset` between tests."""

    content_type = "application/x-amz-json-1.0"
    signing_name = "compute-optimizer"

    def new_state(self) -> FakeState:
        """Not enrolled, no recommendations."""
        return FakeState()

    def answer(self, region: str, target: str, body: dict) -> tuple[int, dict]:
        """The status and JSON body for one request."""
        with self._lock:
            state = self.state
            state.requests.append(Request(region, target, body))
            if target != TARGET:
                return 400, {"__type": "UnknownOperationException", "message": target}
            mode = state.modes.get(region, state.mode)
            hang = state.hang_seconds
        if mode == HANG:
            time.sleep(hang)  # this request's own thread: the others are still answered
            return 500, {"__type": "InternalServerException", "message": "held"}
        with self._lock:
            if mode == NOT_ENROLLED:
                return 403, {
                    "__type": "OptInRequiredException",
                    "message": "The account is not opted in to AWS Compute Optimizer.",
                }
            if mode == DENIED:
                return 403, {
                    "__type": "AccessDeniedException",
                    "message": "User: arn:aws:iam::123456789012:user/ro is not authorized to "
                    "perform: compute-optimizer:GetECSServiceRecommendations",
                }
            if mode == BROKEN:
                return 500, {"__type": "InternalServerException", "message": "try again"}
            items = state.recommendations.get(region, [])
            size = min(state.page_size, int(body.get("maxResults") or 1000))
            start = int(body.get("nextToken") or 0)
            page: dict[str, Any] = {"ecsServiceRecommendations": items[start : start + size]}
            if start + size < len(items):
                page["nextToken"] = str(start + size)
            page["errors"] = []
            return 200, page


def recommendation(
    arn: str,
    *,
    finding: str = "Overprovisioned",
    cpu: int = 1024,
    memory: int = 2048,
    options: tuple[tuple[int, int, float | None], ...] = ((512, 1024, 14.6),),
    refreshed: float = 1_800_000_000.0,
) -> dict[str, Any]:
    """One ``ecsServiceRecommendations`` entry shaped like the real API's.

    ``options`` are ``(cpu, memory, estimated monthly savings in USD or None)``.
    """
    account = arn.split(":")[4]
    return {
        "serviceArn": arn,
        "accountId": account,
        "currentServiceConfiguration": {
            "memory": memory,
            "cpu": cpu,
            "containerConfigurations": [
                {
                    "containerName": "app",
                    "memorySizeConfiguration": {"memory": memory, "memoryReservation": None},
                    "cpu": cpu,
                }
            ],
            "autoScalingConfiguration": "TargetTrackingScalingCpu",
            "taskDefinitionArn": arn.replace(":service/", ":task-definition/").rsplit("/", 2)[0]
            + "/app:3",
        },
        "utilizationMetrics": [
            {"name": "Cpu", "statistic": "Maximum", "value": 21.5},
            {"name": "Memory", "statistic": "Maximum", "value": 30.1},
        ],
        "lookbackPeriodInDays": 14.0,
        "launchType": "Fargate",
        "lastRefreshTimestamp": refreshed,
        "finding": finding,
        "findingReasonCodes": ["CPUOverprovisioned", "MemoryOverprovisioned"]
        if finding == "Overprovisioned"
        else (["CPUUnderprovisioned"] if finding == "Underprovisioned" else []),
        "serviceRecommendationOptions": [
            {
                "memory": m,
                "cpu": c,
                **(
                    {
                        "savingsOpportunity": {
                            "savingsOpportunityPercentage": 50.0,
                            "estimatedMonthlySavings": {"currency": "USD", "value": s},
                        },
                        "savingsOpportunityAfterDiscounts": {
                            "savingsOpportunityPercentage": 40.0,
                            "estimatedMonthlySavings": {"currency": "USD", "value": s * 0.8},
                        },
                    }
                    if s is not None
                    else {}
                ),
                "projectedUtilizationMetrics": [
                    {
                        "name": "Cpu",
                        "statistic": "Maximum",
                        "lowerBoundValue": 30.0,
                        "upperBoundValue": 43.0,
                    }
                ],
                "containerRecommendations": [
                    {
                        "containerName": "app",
                        "memorySizeConfiguration": {"memory": m, "memoryReservation": None},
                        "cpu": c,
                    }
                ],
            }
            for c, m, s in options
        ],
        "currentPerformanceRisk": "VeryLow",
        "effectiveRecommendationPreferences": {
            "savingsEstimationMode": {"source": "PublicPricing"},
            "lookBackPeriod": "DAYS_14",
        },
        "tags": [{"key": "team", "value": "shop"}],
    }
