"""Parsing Compute Optimizer's GetECSServiceRecommendations answers into the model.

Each recommendation is parsed on its own: a malformed one is skipped and counted, never
allowed to hide the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fgtop.model.optimizer import EcsRecommendation, OptimizerOption, service_key
from fgtop.sources.parse_common import Malformed, parse_each
from fgtop.sources.parse_common import integer as _int
from fgtop.sources.parse_common import items as _list
from fgtop.sources.parse_common import number as _float
from fgtop.sources.parse_common import obj as _dict
from fgtop.sources.parse_common import text as _text
from fgtop.sources.parse_common import when as _time

__all__ = ["Malformed", "parse_option", "parse_page", "parse_recommendation"]


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
    return parse_each(items, lambda raw: parse_recommendation(raw, region))
