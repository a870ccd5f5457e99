"""When Fargate bills, and how much time: the billing window, per-second rounding, minimums.

Pure functions of the model and a time ``now`` passed in (a replay passes the recording's).
"""

from __future__ import annotations

import math
from decimal import Decimal

from fgtop.model.ecs import Task
from fgtop.model.kube import Pod

LINUX_MINIMUM_SECONDS = 60
WINDOWS_MINIMUM_SECONDS = 15 * 60

_HOUR = Decimal(3600)


def is_windows(os_family: str | None) -> bool:
    """Whether an ECS ``operatingSystemFamily`` is a Windows one."""
    return (os_family or "").upper().startswith("WINDOWS")


def billed_seconds(start: float | None, end: float | None, minimum: int = 60) -> int:
    """Seconds Fargate bills between ``start`` and ``end``: per second, rounded up, minimum.

    Returns 0 when the start is unknown or the end comes first.
    """
    if start is None or end is None or end < start:
        return 0
    return max(minimum, math.ceil(end - start))


def cost_for(rate: Decimal, seconds: int) -> Decimal:
    """Dollars for ``seconds`` at ``rate`` dollars per hour."""
    return rate * Decimal(seconds) / _HOUR


def task_billing_window(task: Task, now: float) -> tuple[float | None, float | None]:
    """(start, end) of the billed time.

    AWS bills "from the time you start to download your container image until the task
    terminates": from ``pullStartedAt`` (else ``startedAt``, else ``createdAt``) until
    ``stoppedAt`` (else ``executionStoppedAt``, else ``now``), never past ``now``.
    """
    start = next(
        (t for t in (task.pull_started_at, task.started_at, task.created_at) if t is not None),
        None,
    )
    stop = task.stopped_at if task.stopped_at is not None else task.execution_stopped_at
    end = min(stop, now) if stop is not None else now
    return start, end


def task_minimum_seconds(task: Task) -> int:
    """The minimum Fargate bills a task: 15 minutes on Windows, one minute on Linux."""
    return WINDOWS_MINIMUM_SECONDS if is_windows(task.os) else LINUX_MINIMUM_SECONDS


def minimum_surcharge_seconds(start: float | None, end: float | None, minimum: int) -> int:
    """Seconds billed only because of the minimum (0 when the run was long enough)."""
    if start is None or end is None or end < start:
        return 0
    return max(0, minimum - math.ceil(end - start))


def pod_billing_window(pod: Pod, now: float) -> tuple[float | None, float | None]:
    """(start, end) of a pod's billed time: started (else created) until deleted or ``now``."""
    start = pod.started_at if pod.started_at is not None else pod.created_at
    end = min(pod.deleted_at, now) if pod.deleted_at is not None else now
    return start, end
