"""Every key and ``:`` command, generated from the bindings and the command declarations.

A binding's help text is its ``tooltip``; bindings of one area with the same text are one row
(``s / S``). The sort letters come from the kinds' columns, the commands from
:func:`fgtop.ui.commands.commands`. The help screen (the current screen's keys first) and the
README's Keys and commands tables (``bench/keys_table.py --write``) are made from here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from fgtop.kinds import registry
from fgtop.ui.commands import commands
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.describe import DescribeScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen
from fgtop.ui.widgets.log_view import LogView
from fgtop.ui.widgets.metric_chart import MetricChart
from fgtop.ui.widgets.resource_table import ResourceTable


@dataclass(frozen=True)
class KeyRow:
    """One row of help: where, which keys, what they do."""

    area: str
    keys: str
    what: str


EVERYWHERE = "everywhere"
AREAS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("dashboard", (DashboardScreen,)),
    ("dashboard, problems, timeline", (ResourceTable,)),
    ("dashboard, on the chart", (MetricChart,)),
    ("details", (DetailsScreen,)),
    ("problems", (ProblemsScreen,)),
    ("timeline", (TimelineScreen,)),
    ("logs", (LogsScreen, LogView)),
    ("cost", (CostScreen,)),
    ("describe", (DescribeScreen,)),
)
"""Where keys work, and the classes whose bindings they are (in the order help lists them)."""
TEXTUAL: tuple[KeyRow, ...] = (
    KeyRow(EVERYWHERE, "ctrl+p", "command palette: the `:` commands (and Textual's own)"),
    KeyRow(
        "dashboard",
        "tab / shift+tab",
        "move between the services table, the chart and the grid (`:tasks`, `:pods` switch tabs)",
    ),
)
"""Textual's own keys fgtop relies on (not bindings of fgtop's)."""
_NAMES = {
    "question_mark": "?",
    "exclamation_mark": "!",
    "colon": ":",
    "slash": "/",
    "comma": ",",
    "full_stop": ".",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "dollar_sign": "$",
    "escape": "esc",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "left": "←",
    "right": "→",
}


def key_name(key: str) -> str:
    """A binding's key as help shows it (``question_mark`` -> ``?``; ``a,b`` -> ``a / b``)."""
    return " / ".join(_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


def binding_rows(
    area: str, bindings: Iterable[BindingType], hidden: Collection[str] = ()
) -> list[KeyRow]:
    """The rows of some bindings: those with a help text, one row per text (none for the
    actions in ``hidden``: not offered here)."""
    rows: dict[str, list[str]] = {}
    for b in bindings:
        if isinstance(b, Binding) and b.tooltip and b.action not in hidden:
            keys = rows.setdefault(b.tooltip, [])
            name = key_name(b.key)
            if name not in keys:
                keys.append(name)
    return [KeyRow(area, " / ".join(keys), what) for what, keys in rows.items()]


def own_bindings(cls: type) -> list[BindingType]:
    """The bindings a class declares itself (a table's letters are told apart)."""
    return [
        b
        for b in cls.__dict__.get("BINDINGS", ())
        if not (isinstance(b, Binding) and b.action.startswith("sort_by_letter("))
    ]


def letter_rows() -> list[KeyRow]:
    """The sort letters of each dashboard table, from its kinds' columns."""
    parts = []
    for owner, _ in registry.tables():
        letters = ", ".join(f"`{c.letter}` {c.label.lower()}" for c in owner.columns if c.letter)
        parts.append(f"{owner.plural.capitalize()}: {letters}")
    what = (
        "sort by that column, k9s-style (the letter is underlined in the column's header); "
        "again: reverse. " + ". ".join(parts)
    )
    return [KeyRow("dashboard", "shift+letter, $", what)]


def area_rows(area: str, classes: Sequence[type], hidden: Collection[str] = ()) -> list[KeyRow]:
    """The rows of one area: its classes' bindings, Textual's keys, the letters."""
    rows = [r for r in TEXTUAL if r.area == area]
    for cls in classes:
        rows += binding_rows(area, own_bindings(cls), hidden)
    if area == "dashboard":
        rows += letter_rows()
    return rows


def command_rows(hidden: Collection[str] = ()) -> list[KeyRow]:
    """One row per ``:`` command: ``:name ARG``, its aliases, its help (none for the commands
    in ``hidden``)."""
    out = []
    for spec in commands():
        if spec.name in hidden:
            continue
        arg = spec.arg_help or ("[FILTER]" if spec.arg == "filter" else "")
        words = f":{spec.name}" + (f" {arg}" if arg else "")
        aliases = ", ".join(f":{a}" for a in spec.aliases)
        out.append(KeyRow(aliases, words, spec.help))
    return out


def _shows(screen: object, classes: tuple[type, ...]) -> bool:
    """Whether ``screen`` is one of ``classes`` or shows a widget of one."""
    if isinstance(screen, classes):
        return True
    query = getattr(screen, "query", None)
    return query is not None and any(query(c) for c in classes if c is not type(screen))


def key_rows(
    app_bindings: Iterable[BindingType], screen: object = None, hidden: Collection[str] = ()
) -> list[KeyRow]:
    """Every key: the areas of ``screen`` (the current screen and its widgets) first, then
    everywhere's (the app's bindings), then every other area; none for the actions in
    ``hidden`` (`insights` where the feed cannot answer it)."""
    mine = [a for a in AREAS if screen is not None and _shows(screen, a[1])]
    # The screen's own area first, then the areas of the widgets it shows (a chart...).
    mine.sort(key=lambda a: not isinstance(screen, a[1]))
    rest = [a for a in AREAS if a not in mine]
    everywhere = binding_rows(EVERYWHERE, app_bindings, hidden)
    everywhere += [r for r in TEXTUAL if r.area == EVERYWHERE]
    rows = [r for area, classes in mine for r in area_rows(area, classes, hidden)]
    rows += everywhere
    rows += [r for area, classes in rest for r in area_rows(area, classes, hidden)]
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(keys: str) -> str:
    """Keys as Markdown code: ``s / S`` -> ```s` / `S```."""
    if keys.startswith("shift+letter"):
        return "shift+letter, `$`"
    return " / ".join(f"`{k}`" for k in keys.split(" / "))


def keys_markdown(app_bindings: Iterable[BindingType]) -> str:
    """The README's Keys table."""
    lines = ["| where | key | what it does |", "|---|---|---|"]
    for row in key_rows(app_bindings):
        lines.append(f"| {row.area} | {_code(row.keys)} | {_cell(row.what)} |")
    return "\n".join(lines)


def commands_markdown() -> str:
    """The README's table of ``:`` commands."""
    lines = ["| command | aliases | what it does |", "|---|---|---|"]
    for row in command_rows():
        aliases = ", ".join(f"`{a}`" for a in row.area.split(", ")) if row.area else ""
        lines.append(f"| `{row.keys}` | {aliases} | {_cell(row.what)} |")
    return "\n".join(lines)
