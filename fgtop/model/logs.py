"""Log lines, from CloudWatch Logs or the Kubernetes pod log API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogLine:
    """One log line. ``message`` is raw outside text: data, never markup."""

    target: str
    """The task ARN or pod key (``cluster/namespace/name``) it belongs to."""
    container: str
    timestamp: float
    """POSIX seconds (UTC)."""
    message: str
    event_id: str = ""
    """CloudWatch event id (or a synthetic id), used to drop duplicates across polls."""
    stream: str = ""
