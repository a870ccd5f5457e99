"""The Textual app and the one factory shared by the CLI and the tests.

The app renders frames from a :class:`~fgtop.feed.Feed`; it cannot tell live from replay. It
keeps the latest frame, toasts the alerts each frame fired, asks the visible screen to render,
and owns the global keys (replay controls, ``esc`` back, ``?``, ``:``, ``!``).
"""

from __future__ import annotations

import dataclasses
import gc
import threading
import time
from collections import deque
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.driver import Driver
from textual.message import Message
from textual.notifications import Notification, SeverityLevel
from textual.screen import ModalScreen, Screen

from fgtop.config import Config
from fgtop.cost.estate import EstatePricer
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.derive.alerts import Alert
from fgtop.derive.insights import Insights
from fgtop.derive.narrow import Narrowing, narrow_derived, narrow_snapshot
from fgtop.derive.timeline import TimelineView
from fgtop.errors import FeedError
from fgtop.feed import Feed, Frame
from fgtop.kinds.base import View
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe_str
from fgtop.ui.command_palette import FgtopCommands
from fgtop.ui.heap import FREEZER
from fgtop.ui.navigation import Navigation
from fgtop.ui.palette import Palette
from fgtop.ui.screens.base import FgtopScreen, clock_text
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.seek import SeekScreen
from fgtop.ui.themes import (
    as_fgtop_theme,
    available_themes,
    next_theme_name,
    register_themes,
    resolve_theme,
    theme_variable_defaults,
)

ESC_RULE = "on every screen: clears the filter or search if one is set, else goes back"
"""The one rule of ``esc`` (the help screen and the README say it once, from here)."""
TOASTS_PER_FRAME = 3
"""Alerts told at most in a frame's one toast (every one is on the timeline)."""
TOLD_KEPT = 100
"""Notices kept in :attr:`FgtopApp.told`."""
DASHBOARD_AFTER = 0.4
"""Seconds after opening on the problems before the deferred dashboard beneath composes."""


def freeze_startup_heap() -> None:
    """Keep what the start built out of Python's later full garbage collections.

    Modules, classes, Textual's widgets and the first frame are some 100,000 tracked objects;
    every full collection walked them all: 40-160 ms on the event loop at random moments (at
    5,000 tasks the filter keys' p95 was 146 ms, 51 ms frozen; docs/performance.md). One full
    collection first, so no garbage is frozen. Frozen objects are still freed when no longer
    referenced, but a cycle of them is never collected: what the start built and later drops
    in a cycle (the landing screen, once popped) stays, a bounded amount, once. From then on,
    what each full collection leaves is frozen too (:mod:`fgtop.ui.heap`)."""
    gc.collect()
    gc.freeze()
    FREEZER.install()


class FrameArrived(Message):
    """A new frame from the feed (a newer one replaces one not yet handled)."""

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame

    def can_replace(self, message: Message) -> bool:
        """Only the newest frame matters (alerts are kept aside, never lost)."""
        return isinstance(message, FrameArrived)


class FgtopApp(Navigation):
    """fgtop's dashboard over a feed.

    Args:
        feed: Where frames come from (live or replay: the app cannot tell).
        config: The settings.
        theme: Theme name (else the config's).
        service: ``--service``: open on this service.
        land_on_problems: Open on the problems view when the first complete frame has a
            critical or high problem.
    """

    CSS_PATH = "fgtop.tcss"
    TITLE = "fgtop"
    COMMANDS: ClassVar = {FgtopCommands, *Navigation.COMMANDS}
    """``ctrl+p``: fgtop's ``:`` commands first, then Textual's."""
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit", tooltip="quit"),
        # esc, one rule on every screen: a filter or search set is cleared first, then back.
        Binding("escape", "clear", "Clear", tooltip=ESC_RULE),
        Binding("escape", "back", "Back", tooltip=ESC_RULE),
        Binding(
            "question_mark", "help", "Help", tooltip="this help (the current screen's keys first)"
        ),
        Binding(
            "colon",
            "command_line",
            "Command",
            show=False,
            tooltip="command line (the commands below); history with up/down, completion with tab",
        ),
        Binding(
            "exclamation_mark",
            "problems",
            "Problems",
            tooltip="problems: everything unhealthy, most severe first",
        ),
        Binding(
            "e", "timeline", "Timeline", tooltip="timeline of events, stops, deployments and alerts"
        ),
        Binding("c", "cost", "Cost", tooltip="cost panel"),
        Binding("r", "refresh", "Refresh", show=False, tooltip="live: refresh now"),
        Binding("p", "pause", "Pause", tooltip="live: pause / resume; replay, demo: pause / play"),
        Binding(
            "R",
            "record",
            "Record",
            show=False,
            tooltip="live: start / stop recording the session to fgtop-<time>.fgrec",
        ),
        Binding("T", "cycle_theme", "Theme", show=False, tooltip="next theme"),
        Binding(
            "ctrl+s",
            "screenshot_svg",
            "Screenshot",
            show=False,
            tooltip="save the screen as SVG (for the incident report)",
        ),
        Binding(
            "comma",
            "replay('step', -1)",
            "Step back",
            show=False,
            tooltip="replay, demo: one frame back / forward",
        ),
        Binding(
            "full_stop",
            "replay('step', 1)",
            "Step",
            show=False,
            tooltip="replay, demo: one frame back / forward",
        ),
        Binding(
            "x",
            "replay('speed')",
            "Speed",
            show=False,
            tooltip="replay, demo: speed 1x → 2x → 5x → 10x",
        ),
        Binding(
            "left_square_bracket",
            "replay('start')",
            "Start",
            show=False,
            tooltip="replay, demo: jump to the start / the end",
        ),
        Binding(
            "right_square_bracket",
            "replay('end')",
            "End",
            show=False,
            tooltip="replay, demo: jump to the start / the end",
        ),
        Binding(
            "G",
            "seek",
            "Seek",
            show=False,
            tooltip="replay, demo: seek to a time: HH:MM[:SS] (local), an ISO time"
            " (2026-11-28T10:15:00Z) or +5m / -90s from the replay clock",
        ),
        Binding(
            "end",
            "follow_recorder",
            "Follow",
            show=False,
            priority=True,
            tooltip="replay --follow: follow the recorder again (`,` `[` `G` back pause following)",
        ),
    ]

    def __init__(
        self,
        feed: Feed,
        *,
        config: Config | None = None,
        theme: str | None = None,
        service: str | None = None,
        land_on_problems: bool = True,
    ) -> None:
        super().__init__()
        self.feed = feed
        self.config = config or Config()
        self.frame: Frame | None = None
        """The latest frame (what every screen renders): :attr:`whole`, narrowed."""
        self.whole: Frame | None = None
        """The latest frame as the feed gave it (every account, region and cluster)."""
        self.narrowing = Narrowing()
        """What ``:account`` / ``:region`` / ``:cluster`` narrowed the screens to."""
        self.shown_narrowing = Narrowing()
        """The narrowing of :attr:`frame` (it catches up with :attr:`narrowing` in a thread)."""
        self._prices: PriceTable | None = None
        self._narrow_pricer: EstatePricer | None = None
        """The narrowed frames' prices, kept from frame to frame (only changed tasks priced)."""
        self._narrowing_lock = threading.Lock()
        self.palette = Palette()
        self.start_service = service
        self._wanted_theme = theme or self.config.theme
        self._theme_names: list[str] = []
        self._landed = not land_on_problems and not service
        """The first complete frame decides where the app opens."""
        self.touched = False
        """Whether a key was pressed (or a click made) since launch: from then on fgtop never
        changes the screen by itself (the landing becomes a one-line notice)."""
        self._alerts: list[Alert] = []
        """Alerts fired by frames not yet handled (frames coalesce, alerts never do)."""
        self._frozen = False
        """Whether the heap of the start is frozen (:func:`freeze_startup_heap`)."""
        self.told: deque[Notification] = deque(maxlen=TOLD_KEPT)
        """The latest notices toasted, oldest first (a toast shows only the newest)."""

    # -- what screens read -----------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The snapshot of the latest frame."""
        return self.frame.snapshot if self.frame is not None else None

    @property
    def insights(self) -> Insights | None:
        """The insights of the latest frame."""
        return self.frame.derived.insights if self.frame is not None else None

    @property
    def timeline(self) -> TimelineView:
        """The timeline as of the latest frame."""
        return self.frame.derived.timeline if self.frame is not None else TimelineView()

    @property
    def now(self) -> float:
        """The time of what is shown: the feed's clock."""
        return self.feed.clock.now

    @property
    def until(self) -> float | None:
        """Show nothing after this time (the replay clock); None live."""
        return self.feed.clock.now if self.feed.seekable else None

    @property
    def paused(self) -> bool:
        """Whether the feed is paused."""
        return self.feed.paused

    def view(self, *, clock: bool = False) -> View | None:
        """What the kinds see of the latest frame (None before the first).

        Args:
            clock: Tell rows as of the feed's clock (problems, timeline) rather than as of
                the snapshot (the dashboard's tables).
        """
        frame = self.frame
        if frame is None:
            return None
        now = self.now if clock else None
        return View(frame.snapshot, frame.derived, now, self.palette.glyph, self.until)

    # -- lifecycle -----------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux and macOS one that answers a lone
        ``esc`` in ~25 ms instead of 100-200 ms (:mod:`fgtop.ui.driver`)."""
        chosen = super().get_driver_class()
        if chosen.__name__ != "LinuxDriver":
            return chosen
        from fgtop.ui.driver import driver_for  # termios: only where the Linux driver runs

        return driver_for(chosen)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Defaults for fgtop's own theme variables (status colours)."""
        return {**super().get_theme_variable_defaults(), **theme_variable_defaults()}

    def on_mount(self) -> None:
        """Load themes, push the dashboard and start the feed."""
        errors: list[str] = []
        themes = available_themes(errors=errors)
        register_themes(self, themes)
        self._theme_names = list(themes)
        name, err = resolve_theme(self._wanted_theme, self._theme_names)
        self.theme = name
        for line in [*errors, *([err] if err else []), *self.feed.warnings]:
            self.notify(safe_str(line), severity="warning", timeout=8, markup=False)
        # A replay's first frame is a decode away, and it may open on the problems: then the
        # dashboard composes its widgets once they are painted (or when shown, if it stays).
        may_land = not self._landed and not self.start_service
        self.push_screen(DashboardScreen(deferred=self.feed.seekable and may_land))
        self.feed.subscribe(self._on_frame)
        self.run_worker(self.feed.start(), exit_on_error=False)
        self.set_interval(0.5, self._tick_clock)

    async def on_event(self, event: events.Event) -> None:
        """Note the first key or click: the user has taken the wheel."""
        if not self.touched and isinstance(event, events.Key | events.MouseDown):
            self.touched = True
        await super().on_event(event)

    async def on_unmount(self) -> None:
        """Stop the feed (engine, recorder, clients) if ``q`` has not already."""
        FREEZER.uninstall()
        await self.feed.stop()

    async def action_quit(self) -> None:
        """Leave at once: the feed stops first (nothing more is derived or delivered; a live
        engine shuts down in the background on its own thread), then the app exits."""
        await self.feed.stop()
        self.exit()

    def watch_theme(self, name: str) -> None:
        """Follow the theme: status colours and glyphs come from it."""
        theme = as_fgtop_theme(self.current_theme)
        self.palette = Palette(styles=dict(theme.status), glyphs=dict(theme.glyphs))
        self.palette.styles.setdefault("warning", theme.warning or "yellow")
        self.palette.glyphs.setdefault("warning", "▲")
        self.refresh_screens(force=True)

    # -- frames --------------------------------------------------------------------------

    def _on_frame(self, frame: Frame) -> None:
        self._alerts.extend(frame.derived.fired)
        self.post_message(FrameArrived(frame))

    def set_narrowing(self, narrowing: Narrowing) -> None:
        """Narrow every screen to ``narrowing`` (empty: the whole estate); the screens show
        it as soon as it is worked out."""
        self.narrowing = narrowing
        if self.whole is not None:
            self._show_narrowed(self.whole)

    def _show_narrowed(self, frame: Frame) -> None:
        """Show ``frame`` as the narrowing says: at once when there is none; else narrowed in
        a thread (re-pricing 20,000 tasks takes ~0.3 s: never on the event loop) and shown
        when done, unless a newer frame or narrowing came meanwhile."""
        n = self.narrowing
        if not n:
            self.frame, self.shown_narrowing = frame, n
            self.refresh_screens(force=True)
            return
        self.run_worker(
            partial(self._narrow_in_thread, frame, n),
            thread=True,
            group="narrow",
            exit_on_error=False,
        )

    def _narrow_in_thread(self, frame: Frame, n: Narrowing) -> None:
        with self._narrowing_lock:  # one narrowing at a time: they share the kept prices
            cost = frame.derived.insights.cost
            if self._prices is None and cost is not None:
                self._prices = load_price_table()
            if self._prices is not None and cost is not None:
                pricer = self._narrow_pricer
                if pricer is None or pricer.discount != cost.discount:
                    pricer = self._narrow_pricer = EstatePricer(self._prices, cost.discount)
            snapshot = narrow_snapshot(frame.snapshot, n)
            derived = narrow_derived(
                frame.derived, frame.snapshot, snapshot, n, self._prices, self._narrow_pricer
            )
        narrowed = dataclasses.replace(frame, snapshot=snapshot, derived=derived)
        self.call_from_thread(self._narrowed, frame, n, narrowed)

    def _narrowed(self, frame: Frame, n: Narrowing, narrowed: Frame) -> None:
        if frame is not self.whole or n != self.narrowing:
            return  # a newer frame or narrowing is on its way
        self.frame, self.shown_narrowing = narrowed, n
        self.refresh_screens(force=True)

    def on_frame_arrived(self, message: FrameArrived) -> None:
        """Keep the frame, toast its alerts, render the visible screens, land once."""
        self.whole = message.frame
        if self.narrowing:
            self._show_narrowed(message.frame)  # shown when narrowed
        else:
            self.frame = message.frame
        alerts, self._alerts = self._alerts, []
        for notice in self.feed.take_notices():
            self.notify(safe_str(notice), severity="warning", timeout=10, markup=False)
        if alerts:
            self._toast_alerts(alerts)
        if message.frame.derived.error:
            self.notify(message.frame.derived.error, severity="error", markup=False)
        if not self._landed and message.frame.complete and self.dashboard is not None:
            # Land first: when the app opens on the problems, the dashboard under them is not
            # rendered for this frame (it catches up when brought back), which saves the
            # first frame the dashboard's tables and chart.
            self._landed = True
            self._land(message.frame)
        self.refresh_screens()
        if message.frame.complete and not self._frozen:
            self._frozen = True
            self.call_after_refresh(freeze_startup_heap)

    def _toast_alerts(self, alerts: list[Alert]) -> None:
        """One toast for the alerts of a frame (each is on the timeline, ``e``)."""
        if len(alerts) == 1:
            title = f"alert: {alerts[0].rule}"
        else:
            rules = ", ".join(dict.fromkeys(a.rule for a in alerts))
            title = f"alerts: {rules} (e: timeline)"
        self.notify(
            safe_str(" · ".join(a.message for a in alerts[:TOASTS_PER_FRAME])),
            title=safe_str(title, max_chars=80),
            severity="warning",
            timeout=6,
            markup=False,
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toast one notice at a time (a newer one replaces it), in the header's corner; every
        notice is kept in :attr:`told`. Thread-safe, as Textual's is."""
        if self._thread_id != threading.get_ident():
            self.call_from_thread(
                self.notify,
                message,
                title=title,
                severity=severity,
                timeout=timeout,
                markup=markup,
            )
            return
        self.told.append(Notification(message, title, severity, markup=markup))
        self.clear_notifications()
        for holder in self.screen.query("ToastRack > ToastHolder"):
            if not holder.children:  # Textual leaves the holder of a replaced toast
                holder.remove()
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def visible_screens(self) -> list[Screen]:
        """The current screen and, under modal ones, the screens that still show."""
        shown: list[Screen] = []
        for screen in reversed(self.screen_stack):
            shown.append(screen)
            if not isinstance(screen, ModalScreen):
                break
        return shown

    def refresh_screens(self, *, force: bool = False) -> None:
        """Ask every visible screen to render the latest frame."""
        for screen in self.visible_screens():
            if isinstance(screen, FgtopScreen) and screen.is_mounted:
                screen.catch_up(force=force)

    def _tick_clock(self) -> None:
        """Keep the replay clock in the visible headers moving between frames."""
        if not self.feed.seekable:
            return
        info = clock_text(self.feed)
        for screen in self.visible_screens():
            if isinstance(screen, FgtopScreen) and screen.is_mounted:
                screen.update_header()
        dash = self.dashboard
        if dash is not None and info:
            dash.set_replay(self.feed.clock.position)

    def _land(self, frame: Frame) -> None:
        """First complete frame: open on --service, else on the problems when something is wrong
        (the dashboard beneath composes once they are painted). Once a key was pressed, fgtop
        moves nothing: a one-line notice says what appeared instead."""
        dash = self.dashboard
        if dash is None:
            return
        problems = frame.derived.insights.problems
        if self.touched:
            if self.start_service:
                self.notify(
                    safe_str(f"{self.start_service} is listed: :svc {self.start_service} shows it"),
                    timeout=10,
                    markup=False,
                )
            elif any(p.severity <= 2 for p in problems) and not isinstance(
                self.screen, ProblemsScreen
            ):
                n = len(problems)
                self.notify(
                    f"{n} problem{'s' if n != 1 else ''} — ! to see", timeout=10, markup=False
                )
            return
        if self.start_service:
            dash.when_built(partial(dash.focus_service, self.start_service))
            return
        if any(p.severity <= 2 for p in problems):
            self.action_problems()
            self.set_timer(DASHBOARD_AFTER, dash.build)

    # -- controls ------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Poll every source now."""
        self.feed.refresh()
        self.refresh_screens()
        self.notify("refreshing…", timeout=1.5)

    def action_pause(self) -> None:
        """Pause or resume polling, or the replay."""
        if self.feed.paused:
            self.feed.resume()
        else:
            self.feed.pause()
        self.refresh_screens()

    def action_cycle_theme(self) -> None:
        """Switch to the next theme."""
        self.theme = next_theme_name(self.theme, self._theme_names)
        self.notify(f"theme {self.theme}", timeout=2)

    def action_screenshot_svg(self) -> None:
        """Save the screen as SVG for the incident report."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"fgtop-{stamp}.svg"
        try:
            self.save_screenshot(filename=path.name, path=str(path.parent))
        except OSError as exc:
            self.notify(f"screenshot not saved: {exc}", severity="error", markup=False)
            return
        self.notify(f"screenshot saved to {path}", markup=False)

    def action_record(self) -> None:
        """Start or stop recording the session to a file."""
        try:
            message = self.feed.toggle_recording()
        except FeedError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.notify(message, markup=False)
        self.refresh_screens()

    def action_replay(self, action: str, value: float | None = None) -> None:
        """Replay controls, on every screen: step, speed, start, end."""
        feed = self.feed
        try:
            if action == "step":
                feed.step(int(value or 1))
            elif action == "speed":
                self.notify(f"speed {feed.cycle_speed():g}x", timeout=1.5)
            elif action == "start":
                feed.to_start()
            elif action == "end":
                feed.to_end()
        except FeedError as exc:
            self.notify(str(exc), severity="warning", timeout=3, markup=False)
            return
        self._tick_clock()

    def action_follow_recorder(self) -> None:
        """``end`` in a follower that stepped or sought back: follow the recorder again.

        Anywhere else ``end`` is the focused widget's (a table's last row, the logs' follow).
        """
        from fgtop.ui.widgets.log_view import LogView  # loaded with the logs screen, not before

        if getattr(self.feed, "following", True) or any(
            isinstance(node, LogView)
            for node in (self.focused.ancestors_with_self if self.focused else ())
        ):
            raise SkipAction()
        self.action_replay("end")

    def action_seek(self) -> None:
        """Ask where to jump to in the replay."""
        if not self.feed.seekable:
            self.notify(
                "replay controls work on a recording", severity="warning", timeout=3, markup=False
            )
            return
        self.push_screen(SeekScreen(self.feed), self._seek)

    def _seek(self, target: float | None) -> None:
        if target is None:
            return
        clock = self.feed.clock
        if not clock.start <= target <= clock.end:
            edge = "start" if target < clock.start else "end"
            self.notify(
                f"{fmt.clock(target)} is outside the recording "
                f"({fmt.clock(clock.start)}–{fmt.clock(clock.end)}): showing its {edge}",
                severity="warning",
                timeout=8,
                markup=False,
            )
        self.feed.seek(target)
        self._tick_clock()


def create_app(
    feed: Feed,
    *,
    config: Config | None = None,
    theme: str | None = None,
    service: str | None = None,
    land_on_problems: bool = True,
) -> FgtopApp:
    """Build the app over ``feed``. The CLI and the tests both use this one factory."""
    return FgtopApp(
        feed, config=config, theme=theme, service=service, land_on_problems=land_on_problems
    )
