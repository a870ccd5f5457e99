"""A small fake AWS Compute Optimizer over HTTP (moto does not serve compute-optimizer).

It speaks what the real client sends, awsJson1_0: ``POST /`` with
``X-Amz-Target: ComputeOptimizerService.GetECSServiceRecommendations`` and a JSON body, and
answers shaped like the real API (``ecsServiceRecommendations`` pages with ``nextToken``,
errors as ``{"__type": ..., "message": ...}``). The region of each request is read from its
SigV4 credential scope. Point the real client at it with ``AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TARGET = "ComputeOptimizerService.GetECSServiceRecommendations"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/compute-optimizer/")

OK, NOT_ENROLLED, DENIED, BROKEN = "ok", "not_enrolled", "denied", "broken"


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
    """``ok``, ``not_enrolled`` (OptInRequiredException), ``denied``, ``broken`` (HTTP 500)."""
    modes: dict[str, str] = field(default_factory=dict)
    """A mode per region, over ``mode``."""
    recommendations: dict[str, list[dict]] = field(default_factory=dict)
    """Raw ``ecsServiceRecommendations`` entries per region."""
    page_size: int = 1000
    """Entries per page at most (the real API pages at ``maxResults``, up to 1000)."""
    requests: list[Request] = field(default_factory=list)


class FakeComputeOptimizer:
    """Start with :meth:`start`; ``url`` is its endpoint; :meth:`reset` between tests."""

    def __init__(self) -> None:
        self.state = FakeState()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def start(self) -> str:
        """Listen on 127.0.0.1 on a free port, in a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                target = self.headers.get("X-Amz-Target", "")
                match = _SCOPE.search(self.headers.get("Authorization", ""))
                region = match.group(1) if match else ""
                status, body = fake.answer(region, target, json.loads(raw or b"{}"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "fake-0000")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> FakeState:
        """Back to a fresh state (not enrolled, no recommendations)."""
        with self._lock:
            self.state = FakeState()
        return self.state

    def answer(self, region: str, target: str, body: dict) -> tuple[int, dict]:
        """The status and JSON body for one request."""
        with self._lock:
            state = self.state
            state.requests.append(Request(region, target, body))
            if target != TARGET:
                return 400, {"__type": "UnknownOperationException", "message": target}
            mode = state.modes.get(region, state.mode)
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
