"""The problems view (``!``, ``:problems``): everything broken, most severe first.

Each row says what is broken, why (in plain language) and what to do next; one key opens the
logs at the moment it failed. The app lands here when something is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fgtop.derive.problems import Problem, following_change
from fgtop.kinds import registry
from fgtop.kinds.base import View
from fgtop.kinds.common import SEVERITY_CELLS
from fgtop.kinds.problem import KIND as PROBLEM
from fgtop.kinds.problem import RESOLVED_CELL, problem_key, problem_keys
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.kind_table import KindTable
from fgtop.ui.widgets.resource_table import ResourceTable

DETAIL_CHARS = 1_000
"""Cap on outside text in the detail pane."""


def problem_times(problem: Problem, now: float) -> str:
    """The detail pane's time line: when it began (the row's SINCE), and when it ended."""
    if problem.since is None:
        began = "began at an unreported time"
    else:
        began = f"since {fmt.when(problem.since)} ({fmt.age(problem.since, now)} ago)"
    if problem.resolved_at is not None:
        began += f", resolved {fmt.clock(problem.resolved_at)}"
    if problem.at is not None and problem.at != problem.since:
        began += f" · last at {fmt.clock(problem.at)}"
    if problem.at is not None or problem.related_task:
        began += " (l opens the logs there)"
    return began


class ProblemsTable(KindTable):
    """The problems, in the order given (most severe first) unless sorted by a column.

    The rows depend on the time shown (SINCE, "resolved 3m ago"), so every row's text is
    worked out again when that moves; there are tens of problems, not thousands.
    """

    KINDS: ClassVar = (PROBLEM,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key_of: dict[int, str] = {}

    def show_problems(self, problems: Sequence[Problem], keys: Sequence[str], view: View) -> None:
        """Show ``problems`` (row keys ``keys``) as of ``view``; the cursor stays on its key."""
        self._key_of = {id(p): k for p, k in zip(problems, keys, strict=True)}
        self._seen.clear()
        self.show_view(view, problems)

    def item_key(self, item: Problem) -> str:
        """The row key given with the problem (unique even when two share kind and title)."""
        return self._key_of.get(id(item)) or problem_key(item)


def _matches(problem: Problem, terms: list[str]) -> bool:
    hay = " ".join(
        (
            problem.severity_name,
            problem.kind,
            problem.title,
            problem.target,
            problem.cluster,
            problem.region or "",
            problem.reason,
            problem.next_step,
        )
    ).lower()
    return all(t in hay for t in terms)


class ProblemsScreen(FgtopScreen):
    """Everything broken, most severe first, with the reason and the next step."""

    DEFAULT_CSS = """
    ProblemsScreen #problems-summary { height: 1; padding: 0 1; }
    ProblemsScreen #problems { height: 1fr; }
    ProblemsScreen #problems-empty { height: 1fr; content-align: center middle; }
    ProblemsScreen #problem-detail {
        height: auto;
        max-height: 12;
        padding: 0 1;
        border-top: solid $primary-darken-2;
    }
    """

    BINDINGS: ClassVar = [
        Binding("l", "logs", "Logs at failure", tooltip="logs at the moment it failed"),
        Binding("g", "goto", "Go to", tooltip="show it on the dashboard"),
        Binding("d", "describe", "Describe", tooltip="describe (a Deployment: its unhealthy pod)"),
        Binding(
            "i",
            "insights",
            "Insights",
            tooltip="Logs Insights over the broken service's log groups, around the moment it failed",
        ),
        Binding("slash", "filter", "Filter", tooltip="filter the problems"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[Problem] = []
        """The problems shown (after the filter), in row order."""
        self.filter_text = ""
        self._keys: list[str] = []

    def compose(self) -> ComposeResult:
        """Header, summary, filter, the table, the empty state, the detail pane, footer."""
        yield HeaderBar()
        yield Static(id="problems-summary")
        yield FilterBar(
            placeholder="filter problems (all words must match) — esc clears", id="pfilter"
        )
        yield ProblemsTable(id="problems")
        yield Static(id="problems-empty")
        yield Static(id="problem-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the table (the frame is rendered by the catch-up)."""
        self.query_one(ProblemsTable).focus()

    def show_empty(self) -> None:
        """Before the first frame: the empty state."""
        self._render_rows()

    # -- rendering -----------------------------------------------------------------------

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Re-render the problems of this snapshot in place, keeping the selected row."""
        self._render_rows()

    def _all_problems(self) -> tuple[Problem, ...]:
        insights = self.fgtop.insights
        return insights.problems if insights is not None else ()

    def _render_rows(self) -> None:
        everything = self._all_problems()
        terms = self.filter_text.lower().split()
        self.problems = [p for p in everything if _matches(p, terms)]
        palette = self.fgtop.palette
        table = self.query_one("#problems", ProblemsTable)
        self._keys = problem_keys(self.problems)
        table.palette = palette
        view = self.fgtop.view(clock=True)
        if view is None:
            view = View(Snapshot(self.fgtop.now), now=self.fgtop.now, glyph=palette.glyph)
        table.show_problems(self.problems, self._keys, view)
        empty = self.query_one("#problems-empty", Static)
        table.display = bool(self.problems)
        empty.display = not self.problems
        if not everything:
            empty.update(Text("✔ nothing is broken", style=palette.style("healthy")))
        elif not self.problems:
            empty.update(Text("no problem matches “") + safe(self.filter_text) + Text("”"))
        self._render_summary(everything)
        self._render_detail()

    def _render_summary(self, everything: Sequence[Problem]) -> None:
        text = Text()
        count = (
            f"{len(self.problems)} of {len(everything)}" if self.filter_text else len(everything)
        )
        text.append(f"{count} problem{'s' if len(everything) != 1 else ''}", "bold")
        palette = self.fgtop.palette
        for sev, (glyph, word, kind) in SEVERITY_CELLS.items():
            n = sum(1 for p in everything if p.severity == sev and not p.resolved)
            if n:
                text.append("  ·  ")
                text.append(f"{glyph} {n} {word.lower()}", palette.style(kind))
        ended = sum(1 for p in everything if p.resolved)
        if ended:
            text.append("  ·  ")
            text.append(f"{RESOLVED_CELL[0]} {ended} resolved ({RESOLVED_CELL[1]})", "dim")
        if self.filter_text:
            text.append("  ·  filter: ")
            text.append_text(safe(self.filter_text))
        self.query_one("#problems-summary", Static).update(text)

    def _render_detail(self) -> None:
        detail = self.query_one("#problem-detail", Static)
        problem = self.selected_problem()
        detail.display = problem is not None
        if problem is None:
            return
        glyph, word, kind = SEVERITY_CELLS.get(problem.severity, SEVERITY_CELLS[4])
        palette = self.fgtop.palette
        text = Text()
        text.append(f"{glyph} {word} ", palette.style(kind))
        text.append_text(safe(problem.title, style="bold"))
        text.append_text(safe(f"  {problem.kind} · {problem.cluster}"))
        if problem.region:
            text.append_text(safe(f" · {problem.region}"))
        text.append("\nwhy:  ", "bold")
        text.append_text(safe(problem.reason, max_chars=DETAIL_CHARS))
        text.append("\nnext: ", "bold")
        text.append_text(safe(problem.next_step, max_chars=DETAIL_CHARS))
        change = following_change(
            problem, self.fgtop.timeline.deployments_of(problem.service, self.fgtop.until)
        )
        if change is not None:
            text.append("\nchange: ", "bold")
            text.append_text(safe(change, max_chars=DETAIL_CHARS))
        text.append("\n")
        text.append_text(safe(problem.target, style="dim"))
        text.append(f"  · {problem_times(problem, self.fgtop.now)}", "dim")
        detail.update(text)

    # -- selection -----------------------------------------------------------------------

    def selected_problem(self) -> Problem | None:
        """The problem under the cursor."""
        return self.query_one("#problems", ProblemsTable).selected_item

    def select_problem(self, problem: Problem) -> bool:
        """Put the cursor on a problem's row."""
        return self.query_one("#problems", ProblemsTable).select_key(problem_key(problem))

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """The detail pane follows the cursor; Enter opens the details of the broken resource."""
        event.stop()
        if event.opened:
            self.action_details()
        else:
            self._render_detail()

    # -- actions -------------------------------------------------------------------------

    def _resource(self, problem: Problem) -> Any:
        snapshot = self.fgtop.snapshot
        if snapshot is None:
            return None
        return registry.resource_of(snapshot, problem)

    def action_details(self) -> None:
        """Details of the selected problem's task, service or pod (workloads: the dashboard)."""
        problem = self.selected_problem()
        if problem is None:
            return
        item = self._resource(problem)
        if item is None:
            self.notify(
                f"{safe_str(problem.title)} is no longer reported", severity="warning", markup=False
            )
        else:
            self.fgtop.open_details(item.key, item)

    def logs_target(self, problem: Problem) -> str | None:
        """What to open the logs of for a problem: its task, its pod, or its service."""
        snapshot = self.fgtop.snapshot
        if snapshot is None:
            return problem.related_task
        return registry.log_key(snapshot, problem)

    def action_logs(self) -> None:
        """The logs at the moment the selected problem failed."""
        problem = self.selected_problem()
        if problem is None:
            return
        target = self.logs_target(problem)
        if target is None:
            self.notify("no logs for this problem: open its pods", severity="warning")
            return
        self.fgtop.open_logs(target, at=PROBLEM.log_moment(problem))

    def action_insights(self) -> None:
        """Logs Insights over the broken service's log groups, around when it failed."""
        problem = self.selected_problem()
        if problem is None:
            return
        item: object = self._resource(problem)
        snapshot = self.fgtop.snapshot
        if problem.related_task and snapshot is not None:
            item = registry.find(snapshot, problem.related_task) or item
        at = problem.at if problem.at is not None else problem.since
        self.fgtop.open_insights(item, at=at)

    def action_goto(self) -> None:
        """The broken resource, selected on the dashboard."""
        problem = self.selected_problem()
        if problem is None:
            return
        item = self._resource(problem)
        self.fgtop.go_dashboard(item.key if item is not None else problem.target)

    def action_describe(self) -> None:
        """The raw document of the broken resource (a workload: its first unhealthy pod)."""
        problem = self.selected_problem()
        snapshot = self.fgtop.snapshot
        key = None
        if problem is not None and snapshot is not None:
            key = registry.describe_key(snapshot, problem)
        if key is not None:
            self.fgtop.open_describe(key)
        elif problem is not None:
            self.notify(
                f"nothing to describe for {safe_str(problem.title)}",
                severity="warning",
                markup=False,
            )

    # -- filter --------------------------------------------------------------------------

    def esc_clears(self) -> bool:
        """A filter is set (``esc`` clears it)."""
        return bool(self.filter_text)

    def esc_clear(self) -> None:
        """Clear the filter."""
        bar = self.query_one("#pfilter", FilterBar)
        bar.value = ""
        bar.display = False
        self.set_filter("")

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#pfilter", FilterBar).open()

    def set_filter(self, text: str) -> None:
        """Show only problems matching every word of ``text``."""
        self.filter_text = text
        self._render_rows()

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter as the user types (and clear with esc)."""
        self.set_filter(event.text)

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the table."""
        self.query_one("#problems", ProblemsTable).focus()
