"""Parsing Compute Optimizer's GetECSServiceRecommendations answers into the model.

Each recommendation is parsed on its own: a malformed one is skipped and counted, never
allowed to hide the others.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fgtop.model.optimizer import EcsRecommendation, OptimizerOption, service_key


class Malformed(ValueError):
    """A recommendation lacks what fgtop needs (its service ARN, its finding)."""


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    raise Malformed(f"not a whole number: {value!r}")


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    raise Malformed(f"not a number: {value!r}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"not a string: {value!r}")
    return value


def _time(value: Any) -> float | None:
    """A botocore datetime, an ISO string or POSIX seconds as POSIX seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError as exc:
            raise Malformed(f"not a time: {value!r}") from exc
    return _float(value)


def _dict(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise Malformed(f"{what} is not a list")
    return list(value)


def _savings(raw: Any) -> tuple[float | None, float | None, str | None]:
    """(monthly value, percent, currency) of a ``savingsOpportunity`` object."""
    doc = _dict(raw, "savingsOpportunity")
    monthly = _dict(doc.get("estimatedMonthlySavings"), "estimatedMonthlySavings")
    return (
        _float(monthly.get("value")),
        _float(doc.get("savingsOpportunityPercentage")),
        _text(monthly.get("currency")),
    )


def parse_option(raw: Any) -> OptimizerOption:
    """One ``serviceRecommendationOptions`` entry."""
    doc = _dict(raw, "option")
    value, percent, currency = _savings(doc.get("savingsOpportunity"))
    after, _, after_currency = _savings(doc.get("savingsOpportunityAfterDiscounts"))
    return OptimizerOption(
        cpu=_int(doc.get("cpu")),
        memory=_int(doc.get("memory")),
        monthly_savings=value,
        savings_percent=percent,
        monthly_savings_after_discounts=after,
        currency=currency or after_currency,
    )


def parse_recommendation(raw: Any, region: str) -> EcsRecommendation:
    """One ``ecsServiceRecommendations`` entry.

    Raises:
        Malformed: The entry has no service ARN or finding, or a field of the wrong type.
    """
    doc = _dict(raw, "recommendation")
    arn = _text(doc.get("serviceArn"))
    finding = _text(doc.get("finding"))
    if not arn or not arn.startswith("arn:"):
        raise Malformed("no service ARN")
    if not finding:
        raise Malformed("no finding")
    current = _dict(doc.get("currentServiceConfiguration"), "currentServiceConfiguration")
    arn_region, cluster, name = service_key(arn)
    return EcsRecommendation(
        service_arn=arn,
        region=arn_region or region,
        cluster=cluster,
        service_name=name,
        finding=finding,
        current_cpu=_int(current.get("cpu")),
        current_memory=_int(current.get("memory")),
        options=tuple(
            parse_option(o) for o in _list(doc.get("serviceRecommendationOptions"), "options")
        ),
        reasons=tuple(
            r for r in (_text(c) for c in _list(doc.get("findingReasonCodes"), "reasons")) if r
        ),
        performance_risk=_text(doc.get("currentPerformanceRisk")),
        lookback_days=_float(doc.get("lookbackPeriodInDays")),
        refreshed_at=_time(doc.get("lastRefreshTimestamp")),
        account=_text(doc.get("accountId")),
    )


def parse_page(items: Iterable[Any], region: str) -> tuple[list[EcsRecommendation], int]:
    """The recommendations of one page, and how many were skipped as malformed."""
    out: list[EcsRecommendation] = []
    skipped = 0
    for raw in items:
        try:
            out.append(parse_recommendation(raw, region))
        except (Malformed, TypeError, ValueError, AttributeError):
            skipped += 1
    return out, skipped
