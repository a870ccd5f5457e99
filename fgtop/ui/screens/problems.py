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
from textual.widgets import DataTable, Static

from fgtop.derive.problems import Problem
from fgtop.model import KubeWorkload, Pod, Service, Snapshot, Task
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui import fmt
from fgtop.ui.cells import SEVERITY_CELLS
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("SEV", "sev", 6),
    ("KIND", "kind", 18),
    ("TARGET", "target", 30),
    ("CLUSTER", "cluster", 12),
    ("SINCE", "since", 6),
    ("COUNT", "count", 5),
    ("REASON", "reason", 58),
    ("NEXT STEP", "next", 40),
)
"""(label, key, width) of the problems table."""

Resource = Task | Service | Pod | KubeWorkload


def problem_key(problem: Problem) -> str:
    """The identity of a problem row across snapshots: kind and what is broken.

    The title (service, ``family:rev``, pod or workload name) rather than the target: a group
    of crashing tasks points its target at the newest stopped task, which changes each crash.
    """
    return f"{problem.kind}\x00{problem.cluster}\x00{problem.region}\x00{problem.title}"


def problem_keys(problems: Sequence[Problem]) -> list[str]:
    """Row keys for problems, unique even when two share kind and title (stopped/unhealthy)."""
    seen: dict[str, int] = {}
    keys = []
    for p in problems:
        key = problem_key(p)
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}\x00{seen[key]}")
    return keys


def find_resource(snapshot: Snapshot, target: str, cluster: str | None = None) -> Resource | None:
    """The task, service, pod or workload a problem or timeline entry points at.

    Args:
        snapshot: Where to look.
        target: A task or service ARN, ``namespace/pod``, ``namespace/kind/name`` (a workload)
            or a pod key ``cluster/namespace/pod``.
        cluster: The cluster of a pod or workload target, if known.
    """
    if target.startswith("arn:"):
        item = snapshot.find(target)
        return item if isinstance(item, Task | Service) else None
    parts = target.split("/")
    if len(parts) == 2:
        for pod in snapshot.pods:
            if pod.target == target and (cluster is None or pod.cluster == cluster):
                return pod
    elif len(parts) == 3:
        ns, kind, name = parts
        for w in snapshot.workloads:
            if (
                w.namespace == ns
                and w.kind.lower() == kind
                and w.name == name
                and (cluster is None or w.cluster == cluster)
            ):
                return w
        for pod in snapshot.pods:
            if pod.key == target:
                return pod
    return None


def resource_key(item: Resource) -> str:
    """The dashboard key of a resource (ARN, pod key or workload key)."""
    return item.key


def workload_pod(snapshot: Snapshot, workload: KubeWorkload) -> Pod | None:
    """A pod of a workload, the least healthy first (by restarts, then not ready)."""
    pods = [
        p
        for p in snapshot.pods
        if p.cluster == workload.cluster
        and p.namespace == workload.namespace
        and p.name.startswith(workload.name + "-")
    ]
    pods.sort(key=lambda p: (p.phase == "Running", -p.restarts))
    return pods[0] if pods else None


CELL_CHARS = 200
"""Cap on outside text in a problems cell (the detail pane shows more)."""
DETAIL_CHARS = 1_000
"""Cap on outside text in the detail pane."""


def _cell(value: str, style: str = "") -> Text:
    text = safe(value, max_chars=CELL_CHARS, style=style)
    text.overflow = "ellipsis"
    return text


def problem_cells(problem: Problem, now: float, palette: Any) -> tuple[Text, ...]:
    """The cells of one problem row (outside text as Text, never markup).

    SINCE is the age of the problem's one time (when it began); a problem that has ended says
    ``resolved 3m ago`` before its reason, and the row is dimmed.
    """
    glyph, word, kind = SEVERITY_CELLS.get(problem.severity, SEVERITY_CELLS[4])
    dim = "dim" if problem.resolved else ""
    reason = problem.reason
    if problem.resolved_at is not None:
        reason = f"resolved {fmt.age(problem.resolved_at, now)} ago: {reason}"
    return (
        _cell(f"{glyph} {word}", dim or palette.style(kind)),
        _cell(problem.kind, dim),
        _cell(problem.title, dim),
        _cell(problem.cluster, dim),
        _cell(fmt.age(problem.since, now), dim),
        _cell(str(problem.count), dim),
        _cell(reason, dim),
        _cell(problem.next_step, dim),
    )


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


def sync_table(table: DataTable, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
    """Show ``rows`` (key, cells) in ``table``, keeping the cursor on the same key.

    When the keys are those already shown, in the same order, only changed cells are written;
    otherwise the rows are rebuilt and the cursor goes back to its key (or stays in place).
    """
    keys = [k for k, _ in rows]
    current = [rk.value for rk in table.rows]
    if keys == current:
        columns = list(table.columns)
        for key, cells in rows:
            for col, value in zip(columns, cells, strict=False):
                if table.get_cell(key, col) != value:
                    table.update_cell(key, col, value)
        return
    selected: str | None = None
    row = table.cursor_row
    if table.row_count:
        selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if not rows:
        return
    if selected in keys:
        row = keys.index(selected)
    table.move_cursor(row=min(max(row, 0), len(rows) - 1), animate=False)


def selected_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, if any."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


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
        Binding("escape", "app.pop_screen", "Back"),
        Binding("l", "logs", "Logs at failure"),
        Binding("g", "goto", "Go to"),
        Binding("d", "describe", "Describe"),
        Binding("slash", "filter", "Filter"),
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
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="problems")
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield Static(id="problems-empty")
        yield Static(id="problem-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the table (the frame is rendered by the catch-up)."""
        self.query_one(DataTable).focus()

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
        now = self.fgtop.now
        palette = self.app.palette  # type: ignore[attr-defined]
        table = self.query_one("#problems", DataTable)
        self._keys = problem_keys(self.problems)
        cells = [problem_cells(p, now, palette) for p in self.problems]
        sync_table(table, list(zip(self._keys, cells, strict=True)))
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
        text.append(f"{len(everything)} problem{'s' if len(everything) != 1 else ''}", "bold")
        palette = self.app.palette  # type: ignore[attr-defined]
        for sev, (glyph, word, kind) in SEVERITY_CELLS.items():
            n = sum(1 for p in everything if p.severity == sev)
            if n:
                text.append("  ·  ")
                text.append(f"{glyph} {n} {word.lower()}", palette.style(kind))
        if self.filter_text:
            text.append("  ·  filter: ")
            text.append_text(safe(self.filter_text))
            text.append(f" ({len(self.problems)} shown)")
        self.query_one("#problems-summary", Static).update(text)

    def _render_detail(self) -> None:
        detail = self.query_one("#problem-detail", Static)
        problem = self.selected_problem()
        detail.display = problem is not None
        if problem is None:
            return
        glyph, word, kind = SEVERITY_CELLS.get(problem.severity, SEVERITY_CELLS[4])
        palette = self.app.palette  # type: ignore[attr-defined]
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
        text.append("\n")
        text.append_text(safe(problem.target, style="dim"))
        text.append(f"  · {problem_times(problem, self.fgtop.now)}", "dim")
        detail.update(text)

    # -- selection -----------------------------------------------------------------------

    def selected_problem(self) -> Problem | None:
        """The problem under the cursor."""
        key = selected_key(self.query_one("#problems", DataTable))
        if key not in self._keys:
            return None
        return self.problems[self._keys.index(key)]

    def select_problem(self, problem: Problem) -> bool:
        """Put the cursor on a problem's row."""
        table = self.query_one("#problems", DataTable)
        key = problem_key(problem)
        if key not in self._keys:
            return False
        table.move_cursor(row=self._keys.index(key), animate=False)
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor in the detail pane."""
        self._render_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter opens the details of the broken resource."""
        event.stop()
        self.action_details()

    # -- actions -------------------------------------------------------------------------

    def _resource(self, problem: Problem) -> Resource | None:
        snapshot = self.app.snapshot  # type: ignore[attr-defined]
        if snapshot is None:
            return None
        return find_resource(snapshot, problem.target, problem.cluster)

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
        elif isinstance(item, KubeWorkload):
            self.app.go_dashboard(item.key)  # type: ignore[attr-defined]
        else:
            self.app.open_details(item.key, item)  # type: ignore[attr-defined]

    def logs_target(self, problem: Problem) -> str | None:
        """What to open the logs of for a problem: its task, its pod, or its service."""
        if problem.related_task:
            return problem.related_task
        item = self._resource(problem)
        if isinstance(item, KubeWorkload):
            snapshot = self.app.snapshot  # type: ignore[attr-defined]
            item = workload_pod(snapshot, item)
        if isinstance(item, Pod):
            return item.key
        if problem.target.startswith("arn:"):
            return problem.target
        if problem.target.count("/") == 1:
            return f"{problem.cluster}/{problem.target}"
        return None

    def action_logs(self) -> None:
        """The logs at the moment the selected problem failed."""
        problem = self.selected_problem()
        if problem is None:
            return
        target = self.logs_target(problem)
        if target is None:
            self.notify("no logs for this problem: open its pods", severity="warning")
            return
        self.app.open_logs(target, at=problem.at)  # type: ignore[attr-defined]

    def action_goto(self) -> None:
        """The broken resource, selected on the dashboard."""
        problem = self.selected_problem()
        if problem is None:
            return
        item = self._resource(problem)
        self.app.go_dashboard(item.key if item is not None else problem.target)  # type: ignore[attr-defined]

    def action_describe(self) -> None:
        """The raw document of the broken resource (a workload: its first unhealthy pod)."""
        problem = self.selected_problem()
        item = self._resource(problem) if problem is not None else None
        if isinstance(item, KubeWorkload):  # its pods say why: describe the unhealthy one
            item = workload_pod(self.fgtop.snapshot, item)
        if isinstance(item, Task | Service | Pod):
            self.app.open_describe(item.key)  # type: ignore[attr-defined]
        elif problem is not None:
            self.notify(
                f"nothing to describe for {safe_str(problem.title)}",
                severity="warning",
                markup=False,
            )

    # -- filter --------------------------------------------------------------------------

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
        self.query_one("#problems", DataTable).focus()
