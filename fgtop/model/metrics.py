"""Metric series (CPU and memory over time) and the dashboard's own CloudWatch usage."""

from __future__ import annotations

from dataclasses import dataclass

# GetMetricData price: $0.01 per 1,000 metrics requested.
USD_PER_METRIC = 0.00001


@dataclass(frozen=True)
class MetricSeries:
    """One metric over time for one service or task.

    ``points`` are (POSIX seconds, value) pairs, oldest first, one per period.
    """

    target: str
    """The service or task ARN the series belongs to."""
    metric: str
    """``cpu`` or ``memory`` (percent of reserved), or ``net_rx``/``net_tx``/``storage_read``/
    ``storage_write`` (bytes per period)."""
    source: str
    """``AWS/ECS`` or ``ECS/ContainerInsights``."""
    points: tuple[tuple[float, float], ...] = ()
    period: int = 60
    account: str | None = None
    """The AWS account id of the target (None: the one account of an older recording)."""

    @property
    def last(self) -> float | None:
        """The latest value, or None when the series is empty."""
        return self.points[-1][1] if self.points else None

    def window(self, seconds: float, now: float) -> tuple[tuple[float, float], ...]:
        """The points within ``seconds`` before ``now``."""
        start = now - seconds
        return tuple(p for p in self.points if p[0] >= start)


@dataclass(frozen=True)
class MetricsUsage:
    """What fgtop itself has asked CloudWatch for, and what that costs."""

    metrics_requested: int = 0
    calls: int = 0
    since: float | None = None
    """When counting started (POSIX seconds)."""
    per_hour_projected: int = 0
    """Metrics per hour at the current rate of asking."""

    @property
    def cost_usd(self) -> float:
        """Dollars spent on GetMetricData so far."""
        return self.metrics_requested * USD_PER_METRIC

    @property
    def cost_per_hour_usd(self) -> float:
        """Projected dollars per hour of keeping fgtop open."""
        return self.per_hour_projected * USD_PER_METRIC
