"""The Textual app and the one factory shared by the CLI and the tests.

The app renders only from Snapshots (plus log lines): from the live engine or from a
recording's player, it cannot tell the difference.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from fgtop.config import Config
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.derive.alerts import AlertEvaluator, alert_rules
from fgtop.derive.insights import Insights, analyse
from fgtop.derive.timeline import Timeline
from fgtop.engine.core import Engine
from fgtop.model import Pod, Service, Snapshot, Task
from fgtop.ui.palette import Palette
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.help import HelpScreen
from fgtop.ui.themes import (
    as_fgtop_theme,
    available_themes,
    next_theme_name,
    register_themes,
    resolve_theme,
    theme_variable_defaults,
)


class FgtopApp(App):
    """fgtop's dashboard. It renders only from Snapshots, live or replayed."""

    CSS_PATH = "fgtop.tcss"
    TITLE = "fgtop"
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("colon", "command_line", "Command", show=False),
        Binding("exclamation_mark", "problems", "Problems"),
        Binding("e", "timeline", "Timeline"),
        Binding("c", "cost", "Cost"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("p", "pause", "Pause"),
        Binding("R", "record", "Record", show=False),
        Binding("T", "cycle_theme", "Theme", show=False),
        Binding("ctrl+s", "screenshot_svg", "Screenshot", show=False),
    ]

    def __init__(
        self,
        *,
        engine: Engine | None = None,
        player: Any = None,
        mode: str = "live",
        config: Config | None = None,
        theme: str | None = None,
        service: str | None = None,
        price_table: PriceTable | None = None,
        recording: Any = None,
        land_on_problems: bool = True,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.player = player
        """A :class:`fgtop.recording.player.Player` in replay and demo modes."""
        self.recording = recording
        """The open recording (replay/demo), for its log lines."""
        self.mode = mode
        self.config = config or Config()
        self.snapshot: Snapshot | None = None
        self.insights: Insights | None = None
        self.paused = False
        self.palette = Palette()
        self.price_table = price_table if price_table is not None else load_price_table()
        self.timeline = Timeline()
        self.alerts = AlertEvaluator(alert_rules(self.config))
        self.recorder: Any = None
        self.start_service = service
        self._wanted_theme = theme or self.config.theme
        self._theme_names: list[str] = []
        self._landed = not land_on_problems
        """The first snapshot lands on the problems view when something is wrong."""

    # -- lifecycle -----------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Defaults for fgtop's own theme variables (status colours)."""
        return {**super().get_theme_variable_defaults(), **theme_variable_defaults()}

    def on_mount(self) -> None:
        """Load themes, push the dashboard and start the data."""
        errors: list[str] = []
        themes = available_themes(errors=errors)
        register_themes(self, themes)
        self._theme_names = list(themes)
        name, err = resolve_theme(self._wanted_theme, self._theme_names)
        self.theme = name
        for line in [*errors, *([err] if err else [])]:
            self.notify(line, severity="warning", timeout=8)
        for warning in self.price_table.warnings:
            self.notify(warning, severity="warning", timeout=8)
        self.push_screen(DashboardScreen())
        if self.engine is not None:
            self.engine.subscribe(self.apply_snapshot)
            self.run_worker(self.engine.start(), exit_on_error=False)
        if self.player is not None:
            self.apply_snapshot(self.player.current)
            self.set_interval(0.1, self._tick)

    async def on_unmount(self) -> None:
        """Stop the engine and the recorder; close every client."""
        if self.recorder is not None:
            with contextlib.suppress(Exception):
                self.recorder.close()
        if self.engine is not None:
            await self.engine.stop()

    def watch_theme(self, name: str) -> None:
        """Follow the theme: status colours and glyphs come from it."""
        theme = as_fgtop_theme(self.current_theme)
        self.palette = Palette(styles=dict(theme.status), glyphs=dict(theme.glyphs))
        self.palette.styles.setdefault("warning", theme.warning or "yellow")
        self.palette.glyphs.setdefault("warning", "▲")
        if self.snapshot is not None:
            self._show(self.snapshot)

    # -- snapshots -----------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The time of what is shown: the snapshot's (live) or the replay clock's."""
        if self.player is not None:
            return self.player.now
        return self.snapshot.taken_at if self.snapshot else time.time()

    def _tick(self) -> None:
        frame = self.player.tick()
        if frame is not None:
            self.apply_snapshot(frame)
        else:
            self._update_replay_badge()

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Take a new snapshot: derive insights, feed alerts and timeline, show it."""
        if self.paused and self.mode == "live":
            return
        self.snapshot = snapshot
        self.insights = analyse(snapshot, self.price_table, headroom=self.config.headroom)
        fired = self.alerts.feed(snapshot)
        self.timeline.feed(snapshot)
        if fired:
            self.timeline.add_alerts(fired)
            for alert in fired[:3]:
                self.notify(
                    alert.message, title=f"alert: {alert.rule}", severity="warning", timeout=6
                )
        if self.recorder is not None:
            self.recorder.write_snapshot(snapshot)
        self._show(snapshot)
        if not self._landed and self.dashboard is not None:
            self._landed = True
            self._land(snapshot)

    def _show(self, snapshot: Snapshot) -> None:
        self._update_replay_badge()
        for screen in self.screen_stack:
            show = getattr(screen, "show_snapshot", None)
            if show is not None and screen.is_mounted:
                show(snapshot)

    def _land(self, snapshot: Snapshot) -> None:
        """First snapshot: open on --service, else on the problems when something is wrong."""
        if self.start_service:
            dash = self.dashboard
            if dash is not None:
                dash.focus_service(self.start_service)
            return
        if self.insights and any(p.severity <= 2 for p in self.insights.problems):
            self.action_problems()

    def _update_replay_badge(self) -> None:
        if self.player is None:
            return
        from fgtop.ui import fmt

        speed = getattr(self.player, "speed", 1)
        state = "▶" if getattr(self.player, "playing", False) else "⏸"
        info = f"{fmt.when(self.player.now)} {state} {speed:g}x"
        dash = self.dashboard
        if dash is not None:
            dash.set_replay(info, self.player.position)
        from fgtop.ui.widgets.header_bar import HeaderBar

        for screen in self.screen_stack:
            if screen.is_mounted:
                for header in screen.query(HeaderBar):
                    header.replay_info = info

    @property
    def dashboard(self) -> DashboardScreen | None:
        """The dashboard screen (always at the bottom of the stack)."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen) and screen.is_mounted:
                return screen
        return None

    # -- navigation ----------------------------------------------------------------------

    def open_details(self, key: str, item: Any) -> None:
        """Open the details of a task, service or pod."""
        if isinstance(item, Task):
            self.push_screen(DetailsScreen("task", key))
        elif isinstance(item, Service):
            self.push_screen(DetailsScreen("service", key))
        elif isinstance(item, Pod):
            self.push_screen(DetailsScreen("pod", key))

    def open_logs(
        self, target: str, *, at: float | None = None, container: str | None = None
    ) -> None:
        """Open the logs of a task ARN, service ARN or pod key, optionally around a moment."""
        from fgtop.ui.screens.logs import LogsScreen

        self.push_screen(LogsScreen(target, at=at, container=container))

    def open_describe(self, key: str) -> None:
        """Open the raw document of a task, service, task definition or pod."""
        from fgtop.ui.screens.describe import DescribeScreen

        self.push_screen(DescribeScreen(key))

    def go_dashboard(self, key: str | None = None) -> None:
        """Back to the dashboard, optionally selecting a resource."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        dash = self.dashboard
        if dash is not None and key:
            dash.select(key)

    def _push_unique(self, screen_type: type[Screen], factory: Any) -> None:
        if isinstance(self.screen, screen_type):
            return
        for screen in self.screen_stack:
            if isinstance(screen, screen_type):
                while self.screen is not screen:
                    self.pop_screen()
                return
        self.push_screen(factory())

    # -- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen())

    def action_problems(self) -> None:
        """Everything unhealthy, most severe first."""
        from fgtop.ui.screens.problems import ProblemsScreen

        self._push_unique(ProblemsScreen, ProblemsScreen)

    def action_timeline(self) -> None:
        """The merged chronology of events."""
        from fgtop.ui.screens.timeline import TimelineScreen

        self._push_unique(TimelineScreen, TimelineScreen)

    def action_cost(self) -> None:
        """The cost panel."""
        from fgtop.ui.screens.cost import CostScreen

        self._push_unique(CostScreen, CostScreen)

    def action_command_line(self) -> None:
        """Open the ``:`` command line of the current screen, or the dashboard's."""
        from fgtop.ui.widgets.command_line import CommandLine

        lines = list(self.screen.query(CommandLine))
        if not lines:
            self.go_dashboard()
            dash = self.dashboard
            lines = list(dash.query(CommandLine)) if dash else []
        if lines:
            lines[0].open()

    def run_command(self, command: str, argument: str | None) -> None:
        """Carry out a ``:`` command (already resolved from its alias)."""
        dash = self.dashboard
        if command in {"services", "tasks", "pods"}:
            self.go_dashboard()
            if dash is not None:
                dash.show_tab(command, argument)
        elif command == "problems":
            self.action_problems()
        elif command == "timeline":
            self.action_timeline()
        elif command == "cost":
            self.action_cost()
        elif command == "logs":
            dash_target = dash.selected_target() if dash else None
            if dash_target:
                self.open_logs(dash_target)
            else:
                self.notify("select a task, service or pod first", severity="warning")
        elif command in {"region", "context"}:
            self.go_dashboard()
            if dash is not None:
                dash.set_filter(argument or "")
            self.notify(f"showing {command} {argument}" if argument else f"showing every {command}")
        elif command == "theme":
            if argument:
                name, err = resolve_theme(argument, self._theme_names)
                self.theme = name
                if err:
                    self.notify(err, severity="warning")
            else:
                self.action_cycle_theme()
        elif command == "help":
            self.action_help()
        elif command == "quit":
            self.exit()

    def action_refresh(self) -> None:
        """Poll every source now."""
        if self.engine is not None:
            self.paused = False
            self.engine.paused = False
            self._set_paused_badge()
            self.engine.refresh_now()
            self.notify("refreshing…", timeout=1.5)

    def action_pause(self) -> None:
        """Pause or resume live polling, or the replay."""
        if self.player is not None:
            self.player.toggle()
            self.paused = not self.player.playing
        else:
            self.paused = not self.paused
            if self.engine is not None:
                self.engine.paused = self.paused
                if not self.paused:
                    self.engine.refresh_now()
        self._set_paused_badge()
        self._update_replay_badge()

    def _set_paused_badge(self) -> None:
        from fgtop.ui.widgets.header_bar import HeaderBar

        for screen in self.screen_stack:
            for header in screen.query(HeaderBar):
                header.paused = self.paused

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
            self.notify(f"screenshot not saved: {exc}", severity="error")
            return
        self.notify(f"screenshot saved to {path}")

    def action_record(self) -> None:
        """Start or stop recording the live session to a file."""
        from fgtop.ui.widgets.header_bar import HeaderBar

        if self.mode != "live":
            self.notify("recording works on a live session", severity="warning")
            return
        if self.recorder is not None:
            path = self.recorder.path
            self.recorder.close()
            self.recorder = None
            self.notify(f"recording saved to {path}")
        else:
            from fgtop.recording.writer import Recorder

            path = Path.cwd() / f"fgtop-{time.strftime('%Y%m%d-%H%M%S')}.fgrec"
            self.recorder = Recorder(path, meta={"source": "dashboard"})
            if self.snapshot is not None:
                self.recorder.write_snapshot(self.snapshot)
            self.notify(f"recording to {path} (R stops)")
        for screen in self.screen_stack:
            for header in screen.query(HeaderBar):
                header.recording = str(self.recorder.path) if self.recorder else None

    # -- replay controls (bound on the dashboard in replay mode) ---------------------------

    def replay(self, action: str, value: float | None = None) -> None:
        """Drive the player: step, seek, speed, start, end."""
        if self.player is None:
            return
        p = self.player
        if action == "step":
            p.step(int(value or 1))
        elif action == "seek" and value is not None:
            p.seek(value)
        elif action == "speed":
            speed = p.cycle_speed()
            self.notify(f"speed {speed}x", timeout=1.5)
        elif action == "start":
            p.to_start()
        elif action == "end":
            p.to_end()
        self.paused = not p.playing
        self.apply_snapshot(p.current)


def create_app(**kwargs: Any) -> FgtopApp:
    """Build the app. The CLI and the tests both use this one factory.

    Keyword arguments are those of :class:`FgtopApp`: ``engine`` (live), ``player`` and
    ``recording`` (replay, demo), ``mode``, ``config``, ``theme``, ``service``, ``price_table``.
    """
    return FgtopApp(**kwargs)
