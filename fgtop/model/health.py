"""The health of each data source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceHealth:
    """How one source is doing: its last success, its last error, its API calls."""

    name: str
    ok: bool = True
    stale: bool = False
    """True when the data shown is the last good data, not fresh."""
    error: str | None = None
    """A one-line reason when the last poll failed."""
    api_calls: int = 0
    last_success: float | None = None
    state: str | None = None
    """Free-form state for streaming sources (e.g. ``watching``)."""
    loaded: int | None = None
    """During a first poll whose rows stream in: the tasks described so far."""
    expected: int | None = None
    """During a first poll whose rows stream in: about how many there will be (ListTasks)."""
    essential: bool = True
    """ECS and Kubernetes: what the screen is about. An optional source (metrics, Compute
    Optimizer...) never holds them: ``fgtop snapshot`` waits for it only a short while."""
    late: bool = False
    """A one-off poll (``fgtop snapshot``) stopped waiting for this optional source."""
    account: str | None = None
    """The AWS account id the source reads (None: no account, or the only one)."""

    @property
    def answered(self) -> bool:
        """Whether the source has answered at least once (with data or an error)."""
        return self.last_success is not None or self.error is not None


@dataclass
class Hints:
    """What the UI is looking at, so sources ask only for what is shown."""

    visible_tasks: tuple[str, ...] = ()
    """ARNs of the tasks on screen."""
    selected: str | None = None
    """ARN or key of the selected service, task or pod."""
