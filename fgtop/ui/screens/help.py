"""The help screen: every key."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, str, str]] = [
    (
        "Everywhere",
        ":",
        "command line: :svc :tasks :pods :problems :timeline :cost :logs :insights :region :ctx "
        ":theme :q",
    ),
    ("Everywhere", "!", "problems: everything unhealthy, most severe first"),
    ("Everywhere", "e", "timeline of events, stops, deployments and alerts"),
    ("Everywhere", "c", "cost panel"),
    ("Everywhere", "esc", "back (clears a filter or search first)"),
    ("Everywhere", "T", "next theme"),
    ("Everywhere", "ctrl+s", "save the screen as SVG"),
    ("Everywhere", "ctrl+p", "command palette"),
    ("Everywhere", "? / q", "this help / quit"),
    ("Dashboard", "tab / shift+tab", "move between services, chart, tasks and pods"),
    ("Dashboard", "enter", "details of the selected service, task or pod"),
    ("Dashboard", "/", "filter rows (substring over the visible columns); esc clears"),
    ("Dashboard", "s / S", "sort by the next column on screen / reverse (or click a header)"),
    (
        "Dashboard",
        "shift+letter, $",
        "sort by the column whose letter is underlined in its header; again: reverse",
    ),
    ("Dashboard", "l / d", "logs / describe the selected resource"),
    ("Dashboard", "i", "Logs Insights queries over the selected service's log groups"),
    ("Dashboard", "W or ctrl+w", "wide: every column at full width, scroll sideways"),
    ("Dashboard", "w (1-4 on the chart)", "chart window 15m / 1h / 3h / 12h"),
    ("Chart", "← / →", "a cursor over the points, read out under the chart (→ at the end: latest)"),
    ("Chart", "n", "network bytes on the right axis"),
    ("Live", "r / p / R", "refresh now / pause / record to a file"),
    ("Replay (every screen)", "p", "pause / play"),
    ("Replay (every screen)", ", / .", "one frame back / forward"),
    ("Replay (every screen)", "x", "speed 1x, 2x, 5x, 10x"),
    ("Replay (every screen)", "[ / ]", "jump to the start / end"),
    ("Replay (every screen)", "G", "seek to HH:MM[:SS] or +5m / -90s"),
    ("Details", "l / t / d", "logs / logs at the stop / describe"),
    ("Problems", "enter / l / g / d", "details / logs at the failure / dashboard / describe"),
    ("Problems", "i", "Logs Insights over the service's log groups around the failure"),
    ("Problems", "/", "filter the problems"),
    ("Timeline", "/ l g", "filter / logs at that moment / go to it on the dashboard"),
    ("Timeline", "1-5", "show or hide services, tasks, deployments, pods, alerts"),
    ("Logs", "/ n N", "search, next / previous match"),
    ("Logs", "f + -", "filter with more / fewer context lines"),
    ("Logs", "j w t", "JSON pretty-print / wrap / timestamps"),
    ("Logs", "end / c", "follow again / pick a container"),
    ("Logs", "i", "Logs Insights: errors, or the filter across all tasks"),
    ("Cost", "m / enter", 'show every row of the breakdowns and savings (the "N more")'),
    ("Describe", "y t c", "JSON or YAML / task or task definition / copy"),
]


class HelpScreen(ModalScreen):
    """A modal list of keys; any of esc, q or ? closes it."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self.keys = keys or KEYS

    def compose(self) -> ComposeResult:
        """The table of keys."""
        table = Table(title="fgtop keys", expand=True)
        table.add_column("Area", style="dim")
        table.add_column("Key", style="bold")
        table.add_column("What it does")
        for area, key, what in self.keys:
            table.add_row(area, key, Text(what))
        with VerticalScroll(id="help"):
            yield Static(table)
