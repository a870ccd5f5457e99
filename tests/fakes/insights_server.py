"""A small fake of CloudWatch Logs Insights over HTTP: StartQuery, GetQueryResults, StopQuery.

moto answers StartQuery and GetQueryResults, but every query completes at once, with no
statistics, no failure and no timeout, and it has no StopQuery. This fake speaks what the real
client sends, awsJson1_1 (``POST /`` with ``X-Amz-Target: Logs_20140328.<Operation>`` and a
JSON body), answers shaped like the real API (``status``, ``statistics``, ``results`` as lists
of ``{"field", "value"}``; errors as ``{"__type", "message"}``) and records every request.
Point the real client at it with ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.aws_json import JsonServiceFake

PREFIX = "Logs_20140328."


@dataclass
class Request:
    """One request the fake answered."""

    region: str
    operation: str
    body: dict[str, Any]


@dataclass
class Query:
    """A query the fake started."""

    id: str
    region: str
    body: dict[str, Any]
    status: str = "Running"
    polls: int = 0


@dataclass
class FakeState:
    """What the fake answers; tests set it before the query starts."""

    groups: set[str] | None = None
    """Log groups that exist (None: any)."""
    rows: list[dict[str, str]] = field(default_factory=list)
    """The result rows (field -> value), in the order Logs Insights gives them."""
    running_polls: int = 1
    """GetQueryResults answers ``Running`` this many times, then ``final``."""
    final: str = "Complete"
    """``Complete``, ``Failed``, ``Cancelled`` or ``Timeout``; ``never`` keeps it Running."""
    bytes_scanned: float = 0.0
    records_scanned: float = 0.0
    start_error: tuple[int, str, str] | None = None
    """(HTTP status, ``__type``, message) StartQuery answers with instead of starting."""
    poll_error: tuple[int, str, str] | None = None
    """The same for GetQueryResults."""
    stop_delay: float = 0.0
    """Seconds StopQuery is held before it is answered (a slow endpoint)."""
    requests: list[Request] = field(default_factory=list)
    queries: dict[str, Query] = field(default_factory=dict)
    stopped: list[str] = field(default_factory=list)
    """Query ids StopQuery was called with."""

    def calls(self, operation: str) -> list[Request]:
        """The requests of one operation (``StartQuery``...)."""
        return [r for r in self.requests if r.operation == operation]


class FakeInsights(JsonServiceFake[FakeState]):
    """Start with :meth:`start`; ``url`` is its endpoint; :meth:`reset` between tests."""

    content_type = "application/x-amz-json-1.1"
    signing_name = "logs"

    def new_state(self) -> FakeState:
        """Any group exists, no rows, complete after one poll."""
        return FakeState()

    def snapshot(self) -> FakeState:
        """The state (read it under the lock: the server thread writes it)."""
        with self._lock:
            return self.state

    def answer(self, region: str, target: str, body: dict) -> tuple[int, dict]:
        """The status and JSON body for one request."""
        with self._lock:
            state = self.state
            op = target.removeprefix(PREFIX)
            state.requests.append(Request(region, op, body))
            if op == "StartQuery":
                return self._start(state, region, body)
            if op == "GetQueryResults":
                return self._results(state, body)
            if op != "StopQuery":
                return 400, {"__type": "UnknownOperationException", "message": op}
            delay = state.stop_delay
        if delay:
            time.sleep(delay)  # this request's own thread: the others are still answered
        with self._lock:
            return self._stop(self.state, body)

    def _start(self, state: FakeState, region: str, body: dict) -> tuple[int, dict]:
        if state.start_error is not None:
            status, kind, message = state.start_error
            return status, {"__type": kind, "message": message}
        for group in body.get("logGroupNames") or ():
            if state.groups is not None and group not in state.groups:
                return 400, {
                    "__type": "ResourceNotFoundException",
                    "message": f"Log group '{group}' does not exist for account ID '123456789012'",
                }
        query = Query(str(uuid.uuid4()), region, body)
        state.queries[query.id] = query
        return 200, {"queryId": query.id}

    def _results(self, state: FakeState, body: dict) -> tuple[int, dict]:
        if state.poll_error is not None:
            status, kind, message = state.poll_error
            return status, {"__type": kind, "message": message}
        query = state.queries.get(body.get("queryId", ""))
        if query is None:
            return 400, {"__type": "ResourceNotFoundException", "message": "Query does not exist"}
        query.polls += 1
        running = query.status == "Running" and state.final != "never"
        if running and query.polls > state.running_polls:
            query.status = state.final
        fraction = 1.0 if query.status != "Running" else min(1.0, query.polls / 4)
        answer: dict[str, Any] = {
            "status": query.status,
            "statistics": {
                "recordsMatched": float(len(state.rows)) if query.status == "Complete" else 0.0,
                "recordsScanned": state.records_scanned * fraction,
                "bytesScanned": state.bytes_scanned * fraction,
            },
            "results": [],
        }
        if query.status == "Complete":
            answer["results"] = [
                [{"field": k, "value": v} for k, v in row.items()]
                + [{"field": "@ptr", "value": "p"}]
                for row in state.rows
            ]
        return 200, answer

    def _stop(self, state: FakeState, body: dict) -> tuple[int, dict]:
        query_id = body.get("queryId", "")
        state.stopped.append(query_id)
        query = state.queries.get(query_id)
        if query is None or query.status != "Running":
            return 400, {
                "__type": "InvalidParameterException",
                "message": "Query is not running",
            }
        query.status = "Cancelled"
        return 200, {"success": True}
