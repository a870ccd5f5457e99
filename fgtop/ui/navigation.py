"""Where the app can go: screens, the ``:`` commands, ``:region`` / ``:ctx`` scopes.

The base of :class:`fgtop.ui.app.FgtopApp` (kept apart so the app module stays small).
The screens the first frame does not show (details, logs, describe, help, timeline, cost)
are imported when first opened: ``fgtop demo`` starts without compiling them.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from fgtop.derive.narrow import Narrowing, accounts_matching, choices
from fgtop.feed import Frame
from fgtop.kinds import registry
from fgtop.kinds.base import Kind
from fgtop.model import Snapshot
from fgtop.text.sanitize import safe_str
from fgtop.ui.commands import find_command
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.themes import resolve_theme


class Navigation(App[None]):
    """Screens and commands: the base of the app, which defines what is declared here."""

    _theme_names: list[str]
    narrowing: Narrowing
    whole: Frame | None

    if TYPE_CHECKING:

        def set_narrowing(self, narrowing: Narrowing) -> None:
            """Narrow every screen (the app re-renders them)."""

        @property
        def snapshot(self) -> Snapshot | None:
            """The snapshot of the latest frame."""

        def action_cycle_theme(self) -> None:
            """Switch to the next theme."""

    @property
    def dashboard(self) -> DashboardScreen | None:
        """The dashboard screen (always at the bottom of the stack)."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen) and screen.is_mounted:
                return screen
        return None

    def open_details(self, key: str, item: Any) -> None:
        """Open the details of a resource (one without details: its row on the dashboard)."""
        from fgtop.ui.screens.details import DetailsScreen

        kind = registry.kind_of(item)
        if kind is None:
            return
        if kind.detailed:
            self.push_screen(DetailsScreen(kind.name, key))
        elif self.screen is not self.dashboard:
            self.go_dashboard(key)

    def open_logs(
        self, target: str, *, at: float | None = None, container: str | None = None
    ) -> None:
        """Open the logs of a task ARN, service ARN or pod key, optionally around a moment."""
        from fgtop.ui.screens.logs import LogsScreen

        self.push_screen(LogsScreen(target, at=at, container=container))

    def open_insights(
        self,
        item: Any,
        *,
        at: float | None = None,
        filter_pattern: str | None = None,
        query: str | None = None,
    ) -> None:
        """Logs Insights over a task's or service's log groups: the canned queries, or ``query``."""
        from fgtop.ui.screens.insights import start_insights

        start_insights(self, item, at=at, filter_pattern=filter_pattern, query=query)

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
            dash.when_built(partial(dash.select, key))

    def _push_unique(self, screen_type: type[Screen[Any]], factory: Any) -> None:
        if isinstance(self.screen, screen_type):
            return
        for screen in self.screen_stack:
            if isinstance(screen, screen_type):
                while self.screen is not screen:
                    self.pop_screen()
                return
        self.push_screen(factory())

    # -- actions -------------------------------------------------------------------------

    def _esc_clears(self) -> bool:
        screen = self.screen
        return isinstance(screen, FgtopScreen) and screen.esc_clears()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``esc`` is one rule on every screen: it clears a filter or search first (``clear``),
        then goes back (``back``; not on the dashboard, the bottom of the stack)."""
        if action == "clear":
            return self._esc_clears()
        if action == "back":
            return not self._esc_clears() and len(self.screen_stack) > 2
        return True

    def action_clear(self) -> None:
        """``esc`` where a filter or search is set: clear it (the screen stays)."""
        screen = self.screen
        if isinstance(screen, FgtopScreen):
            screen.esc_clear()
            self.refresh_bindings()

    async def action_back(self) -> None:
        """``esc``: back to the screen before (the dashboard stays)."""
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        """Show every key."""
        from fgtop.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(context=self.screen))

    def action_problems(self) -> None:
        """Everything unhealthy, most severe first."""
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
        """Open the ``:`` command line over the current screen (``esc`` returns to it)."""
        from fgtop.ui.screens.command import CommandScreen

        if isinstance(self.screen, CommandScreen):
            return
        completions = {
            "accounts": self.scope_values("account"),
            "regions": self.scope_values("region"),
            "clusters": self.scope_values("cluster"),
            "contexts": self.scope_values("context"),
            "themes": self.theme_names,
        }
        self.push_screen(CommandScreen(completions), self._command_done)

    def _command_done(self, result: tuple[str, str | None] | None) -> None:
        if result is not None:
            self.run_command(*result)

    def run_command(self, command: str, argument: str | None) -> None:
        """Carry out a ``:`` command (already resolved from its alias): its handler."""
        spec = find_command(command)
        if spec.run is not None:
            spec.run(self, argument)

    def show_kind(self, kind: Kind[Any], argument: str | None = None) -> None:
        """``:tasks``, ``:problems``...: the view of a kind, filtered by ``argument``."""
        if kind.view == "problems":
            self.action_problems()
            return
        if kind.view == "timeline":
            self.action_timeline()
            return
        self.go_dashboard()
        dash = self.dashboard
        if dash is not None:
            dash.when_built(partial(dash.show_kind, kind, argument))

    def logs_of_selection(self) -> None:
        """``:logs``: the logs of the dashboard's selection."""
        dash = self.dashboard
        target = dash.selected_target() if dash else None
        if target:
            self.open_logs(target)
        else:
            self.notify("select a task, service or pod first", severity="warning")

    def insights_of_selection(self, query: str | None) -> None:
        """``:insights [QUERY]``: Logs Insights over the dashboard's selection."""
        dash = self.dashboard
        self.open_insights(dash.selected_item() if dash else None, query=query)

    def switch_theme(self, name: str | None) -> None:
        """``:theme NAME`` (none: the next theme)."""
        if name:
            found, err = resolve_theme(name, self._theme_names)
            self.theme = found
            if err:
                self.notify(safe_str(err), severity="warning", markup=False)
        else:
            self.action_cycle_theme()

    @property
    def theme_names(self) -> list[str]:
        """fgtop's themes (bundled and the user's)."""
        return list(self._theme_names)

    def scope_values(self, kind: str) -> list[str]:
        """What ``:account`` / ``:region`` / ``:cluster`` / ``:ctx`` accept: the watched
        accounts' names, the regions, the clusters, the contexts (of the whole estate)."""
        snap = self.whole.snapshot if self.whole is not None else None
        if snap is None:
            return []
        if kind in ("account", "region", "cluster"):
            return choices(snap, kind)
        return list(dict.fromkeys(c.context or c.name for c in snap.kube_clusters))

    def narrow(self, kind: str, value: str | None) -> None:
        """``:account`` / ``:region`` / ``:cluster NAME``: every screen shows only that part
        (a real narrowing, not a filter); the command alone widens that part again."""
        whole = self.whole.snapshot if self.whole is not None else None
        current = self.narrowing
        if value is None:
            changed = dataclasses.replace(current, **{kind: None})
        else:
            known = self.scope_values(kind)
            found: str | None = value if value in known else None
            if kind == "account" and whole is not None:
                ids = accounts_matching(whole, value)
                found = ids[0] if len(ids) == 1 else None
            if found is None:
                watching = ", ".join(known) or "none"
                self.notify(
                    safe_str(f"no {kind} {value!r}: watching {watching}"),
                    severity="error",
                    markup=False,
                )
                return
            changed = dataclasses.replace(current, **{kind: found})
        self.set_narrowing(changed)
        said = changed.describe(whole)
        self.notify(
            safe_str(
                f"narrowed to {said} (:{kind} alone widens)"
                if said
                else "every account, region and cluster"
            ),
            markup=False,
        )

    def scope(self, kind: str, value: str) -> None:
        """``:ctx NAME``: show only that context (a filter)."""
        known = self.scope_values(kind)
        word = "context"
        if value not in known:
            watching = ", ".join(known) or "none"
            self.notify(
                safe_str(f"no {word} {value!r}: watching {watching}"),
                severity="error",
                markup=False,
            )
            return
        self.go_dashboard()
        dash = self.dashboard
        if dash is not None:
            dash.when_built(partial(dash.set_filter, value))
        self.notify(safe_str(f"showing {word} {value} (esc clears)"), markup=False)
