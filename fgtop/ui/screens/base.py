"""What every fgtop screen shares: a typed handle on the app and one way to receive frames.

The app keeps the latest :class:`~fgtop.feed.Frame`; it asks only the visible screens to
render it. A screen brought back (``esc``, or the app going back to it) catches up with the
frame it missed; a hidden screen never re-renders.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from textual.css.query import NoMatches
from textual.screen import Screen

from fgtop.config import Config
from fgtop.derive.insights import Insights
from fgtop.derive.narrow import Narrowing
from fgtop.derive.timeline import TimelineView
from fgtop.feed import Feed, Frame
from fgtop.kinds.base import View
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.ui.palette import Palette
from fgtop.ui.widgets.header_bar import HeaderBar


class AppHandle(Protocol):
    """What screens may use of the app (the app itself implements it)."""

    feed: Feed
    config: Config
    palette: Palette
    frame: Frame | None
    whole: Frame | None
    narrowing: Narrowing

    @property
    def snapshot(self) -> Snapshot | None: ...  # noqa: D102
    @property
    def insights(self) -> Insights | None: ...  # noqa: D102
    @property
    def timeline(self) -> TimelineView: ...  # noqa: D102
    @property
    def now(self) -> float: ...  # noqa: D102
    @property
    def until(self) -> float | None: ...  # noqa: D102
    def view(self, *, clock: bool = False) -> View | None: ...  # noqa: D102
    def open_details(self, key: str, item: Any) -> None: ...  # noqa: D102
    def open_logs(  # noqa: D102
        self, target: str, *, at: float | None = None, container: str | None = None
    ) -> None: ...
    def open_describe(self, key: str) -> None: ...  # noqa: D102
    def open_insights(  # noqa: D102
        self,
        item: Any,
        *,
        at: float | None = None,
        filter_pattern: str | None = None,
        query: str | None = None,
    ) -> None: ...
    def go_dashboard(self, key: str | None = None) -> None: ...  # noqa: D102
    def run_command(self, command: str, argument: str | None) -> None: ...  # noqa: D102
    def scope_values(self, kind: str) -> list[str]: ...  # noqa: D102
    @property
    def theme_names(self) -> list[str]: ...  # noqa: D102


def insights_offered(app: object) -> bool:
    """Whether the app's feed can answer Logs Insights queries (else `i` is not offered)."""
    feed = getattr(app, "feed", None)
    insights = getattr(feed, "insights", None)
    return insights is None or bool(insights.available)


def clock_text(feed: Feed) -> str:
    """The replay clock as the header shows it: time, play state, speed.

    A feed with a ``follow_text`` (a follower of a recording being written) says it itself:
    the lag behind the recorder, or how long ago the recorder stopped."""
    if not feed.seekable:
        return ""
    follow = getattr(feed, "follow_text", None)
    if isinstance(follow, str):
        return follow
    clock = feed.clock
    state = "▶" if clock.playing else "⏸"
    into = _minutes(max(0.0, min(clock.now, clock.end) - clock.start))
    total = _minutes(clock.end - clock.start)
    return f"{fmt.when(clock.now)} {state} {clock.speed:g}x  {into} of {total}"


def history_text(frame: Frame | None) -> str:
    """`` · history 09:52:10…`` while a replay's history is still being built up to the frame
    shown (problems' SINCE, alerts and the timeline are then those of that time)."""
    if frame is None or frame.derived.history_at is None:
        return ""
    return f" · history {fmt.clock(frame.derived.history_at)}…"


def _minutes(seconds: float) -> str:
    """``12:05`` (minutes and seconds), ``1:02:05`` past an hour."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class FgtopScreen(Screen):
    """Base of every full screen: renders the app's frame when visible, catches up on return."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: Frame | None = None
        """The frame this screen last rendered."""

    @property
    def fgtop(self) -> AppHandle:
        """The app, typed."""
        return cast(AppHandle, self.app)

    def on_mount(self) -> None:
        """Render what the app holds once laid out (a newer frame may arrive meanwhile)."""
        self.update_header()
        self.call_after_refresh(self.catch_up)

    def on_screen_resume(self) -> None:
        """Back on top: show the frame missed while hidden."""
        if self.is_mounted:
            self.catch_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`i` (Logs Insights) is offered only where the feed can answer it: live, or a
        replay of a recording that carries query results (the demo)."""
        if action == "insights":
            return insights_offered(self.app)
        return True

    def catch_up(self, *, force: bool = False) -> None:
        """Render the app's current frame if it is not the one shown (or ``force``)."""
        self.update_header()
        frame = self.fgtop.frame
        if frame is None:
            if self.shown is None:
                self.show_empty()
            return
        if frame is self.shown and not force:
            return
        self.shown = frame
        try:
            self.show_frame(frame)
        except NoMatches:  # not composed yet: the mount catches up
            self.shown = None

    def update_header(self) -> None:
        """Badge, clock, pause and recording state, the snapshot's summary."""
        feed = self.fgtop.feed
        frame = self.fgtop.frame
        for header in self.query(HeaderBar):
            header.mode = feed.label.lower()
            header.paused = feed.paused
            header.recording = feed.recording_path
            header.replay_info = clock_text(feed) + history_text(frame)
            header.narrowed = self.fgtop.narrowing.describe(frame.snapshot if frame else None)
            if frame is not None and header.snapshot is not frame.snapshot:
                header.show_snapshot(frame.snapshot)

    def show_frame(self, frame: Frame) -> None:
        """Render ``frame`` (screens override this or :meth:`show_snapshot`)."""
        self.show_snapshot(frame.snapshot)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Render ``snapshot`` (with the app's derived figures)."""

    def show_empty(self) -> None:
        """Render the state before the first frame."""

    # -- esc: clear first, then back (the app's one rule) -----------------------------------

    def esc_clears(self) -> bool:
        """Whether a filter or search is set that ``esc`` clears before it goes back."""
        return False

    def esc_clear(self) -> None:
        """Clear the filter or search (the search first where there are both)."""
