"""What the UI programs against: a :class:`Feed` of frames and a :class:`LogFeed` of log lines.

``LiveFeed`` (fgtop.engine.live_feed: the engine plus CloudWatch and Kubernetes log tails) and
``ReplayFeed`` (fgtop.recording.replay_feed: a player plus the recorded log lines) implement
them. The UI imports this module, never the engine, the recording or the sources, so it cannot
tell live from replay: it renders frames, asks for log lines and drives the clock.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from fgtop.derive.pipeline import Derived
from fgtop.model import Hints, LogLine, Pod, Service, Snapshot, Task


@dataclass(frozen=True)
class Frame:
    """One snapshot with everything derived from it, as every sink receives it."""

    snapshot: Snapshot
    derived: Derived
    complete: bool = True
    """Every source has answered at least once (the first poll is over): landing decisions
    wait for a complete frame."""
    jumped: bool = False
    """The clock jumped (a seek, a step back, start or end): not a step of playback."""


@dataclass(frozen=True)
class Clock:
    """Where a feed's clock is: the replay position, or live time."""

    now: float
    """The time of what is shown (POSIX seconds)."""
    playing: bool = True
    speed: float = 1.0
    position: float = 1.0
    """From 0.0 (start of the recording) to 1.0 (its end); live is always 1.0."""
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class LogRequest:
    """Which lines a log view wants."""

    snapshot: Snapshot
    tasks: tuple[Task, ...] = ()
    """The ECS tasks whose lines are wanted (a service's tasks are merged by time)."""
    pod: Pod | None = None
    container: str | None = None
    """Only this container's lines (None: all)."""
    at: float | None = None
    """Lines around this moment (POSIX seconds) instead of following."""


@dataclass(frozen=True)
class LogBatch:
    """Lines (and notices) for a log view."""

    lines: tuple[LogLine, ...] = ()
    message: str | None = None
    """A one-line notice to show (None keeps the current one; "" clears it)."""
    jump_to: float | None = None
    """The moment the view was opened for (POSIX seconds): once the lines are shown, the last
    one at or before it sits on the view's bottom row (following, when it is the newest)."""
    done: bool = False
    """No more lines will come for this request."""


@runtime_checkable
class LogFeed(Protocol):
    """Log lines for a log view, live or recorded."""

    def lines(self, request: LogRequest) -> AsyncGenerator[LogBatch, None]:
        """Batches of lines for ``request`` until cancelled (or ``done``); the caller closes
        the generator (``aclose``) when it stops reading."""
        ...


@dataclass(frozen=True)
class InsightsRequest:
    """A CloudWatch Logs Insights query over the log groups of some tasks and services."""

    snapshot: Snapshot
    query: str
    start: float
    """Start of the time range (POSIX seconds)."""
    end: float
    tasks: tuple[Task, ...] = ()
    services: tuple[Service, ...] = ()
    """Services whose task definitions (current and in deployment) name the log groups."""


@dataclass(frozen=True)
class InsightsPlan:
    """What a request would query, shown before it runs (no AWS call made)."""

    groups: tuple[tuple[str, str], ...] = ()
    """``(region, log group)`` pairs."""
    notes: tuple[str, ...] = ()
    """Containers whose logs are not covered (another log driver...)."""


@dataclass(frozen=True)
class InsightsBatch:
    """Where a query stands: progress while it runs, the result rows as log lines when done."""

    lines: tuple[LogLine, ...] = ()
    status: str = "Running"
    """``Scheduled``, ``Running``, ``Complete``, ``Failed``, ``Cancelled`` or ``Timeout``."""
    message: str | None = None
    """One-line problems (access denied, a malformed query, the deadline), if any."""
    bytes_scanned: float = 0.0
    records_matched: float = 0.0
    records_scanned: float = 0.0
    cost: float = 0.0
    """USD billed for the bytes scanned."""
    elapsed: float = 0.0
    done: bool = False
    table: bool = False
    """The rows are a ``stats`` table (in the query's order), not log lines by time."""


@runtime_checkable
class InsightsFeed(Protocol):
    """Logs Insights queries, where the feed can run them (live only)."""

    @property
    def available(self) -> bool:
        """Whether queries can run here."""
        ...

    @property
    def why(self) -> str:
        """Why not, in one line (when not available)."""
        ...

    def plan(self, request: InsightsRequest) -> InsightsPlan:
        """The log groups the request would query."""
        ...

    def run(self, request: InsightsRequest) -> AsyncGenerator[InsightsBatch, None]:
        """Progress, then the result (``done``); leaving early stops the query."""
        ...


FrameCallback = Callable[[Frame], None]


@runtime_checkable
class Feed(Protocol):
    """Frames for the UI, with the controls of its clock.

    Live feeds answer the replay controls with :class:`fgtop.errors.FeedError`; ``seekable``
    says whether they work.
    """

    @property
    def label(self) -> str:
        """What the header calls the feed: ``LIVE``, ``REPLAY``, ``DEMO``."""
        ...

    @property
    def seekable(self) -> bool:
        """Whether the replay controls (step, seek, speed, start, end) work."""
        ...

    @property
    def logs(self) -> LogFeed:
        """Log lines for the log views."""
        ...

    @property
    def insights(self) -> InsightsFeed:
        """Logs Insights queries (or why they cannot run here)."""
        ...

    @property
    def hints(self) -> Hints:
        """What the UI is looking at, for the sources (updated in place)."""
        ...

    @property
    def warnings(self) -> tuple[str, ...]:
        """One-line notices to show once at start (e.g. an ignored price cache)."""
        ...

    @property
    def recording_path(self) -> str | None:
        """The file this session is being recorded to, if any."""
        ...

    def subscribe(self, callback: FrameCallback) -> None:
        """Call ``callback`` on the event loop with every new frame."""
        ...

    async def start(self) -> None:
        """Start producing frames (returns once started)."""
        ...

    async def stop(self) -> None:
        """Stop and release every client (idempotent)."""
        ...

    @property
    def paused(self) -> bool:
        """Whether polling (live) or the replay clock is paused."""
        ...

    def pause(self) -> None:
        """Pause polling (live) or the replay clock."""
        ...

    def resume(self) -> None:
        """Resume polling or the replay clock."""
        ...

    def refresh(self) -> None:
        """Poll every source now (live; a replay shows its current frame again)."""
        ...

    @property
    def clock(self) -> Clock:
        """Where the feed's clock stands."""
        ...

    def step(self, frames: int = 1) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        ...

    def seek(self, t: float) -> None:
        """Jump to time ``t`` (clamped to the recording)."""
        ...

    def to_start(self) -> None:
        """Jump to the first frame."""
        ...

    def to_end(self) -> None:
        """Jump to the last frame."""
        ...

    def cycle_speed(self) -> float:
        """Next replay speed; returns it."""
        ...

    def toggle_recording(self) -> str:
        """Start or stop recording this session to a file; a one-line message for the user."""
        ...

    def take_notices(self) -> list[str]:
        """One-line notices the feed has for the user since the last call."""
        ...

    async def settled(self) -> None:
        """Wait until every snapshot received so far has been delivered as a frame."""
        ...


@dataclass(frozen=True)
class NoLogs:
    """A log feed with nothing to give (a feed without log lines)."""

    why: str = field(default="no log lines available")

    async def lines(self, request: LogRequest) -> AsyncGenerator[LogBatch, None]:  # noqa: ARG002
        """One batch saying why, then done."""
        yield LogBatch(message=self.why, done=True)


@dataclass(frozen=True)
class NoInsights:
    """Logs Insights where it cannot run (a replay, the demo): every answer says why."""

    why: str = "Logs Insights needs a live session: it queries CloudWatch Logs"
    available: bool = False

    def plan(self, request: InsightsRequest) -> InsightsPlan:  # noqa: ARG002
        """Nothing to query."""
        return InsightsPlan(notes=(self.why,))

    async def run(self, request: InsightsRequest) -> AsyncGenerator[InsightsBatch, None]:  # noqa: ARG002
        """One batch saying why, then done."""
        yield InsightsBatch(status="Failed", message=self.why, done=True)
