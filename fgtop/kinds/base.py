"""What a resource kind declares, and what it sees of a frame (k9s's DAO + renderer, headless).

A :class:`Kind` says everything fgtop shows of one kind of resource: how to find its items in a
frame, its columns (header, sort letter, width, priority, live or not) and, per item, the
plain text, sort value and headless :class:`Cell` of each column, its JSON document, its
describe document, its log target, its details and its ``:`` command words. Screens and the
printer look a kind up in :mod:`fgtop.kinds.registry` and never switch on the model's class.

No Textual here. Cells are plain strings with a *tone*: a status kind of the palette
(``running``, ``failed``, ...) or ``dim`` / ``flag``, which the UI styles from the theme.
Details are Rich renderables (what the details screen has always shown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from fgtop.derive.pipeline import Derived
from fgtop.kinds.columns import Column
from fgtop.model import Pod, Service, Snapshot, Task

if TYPE_CHECKING:
    from rich.console import RenderableType

T = TypeVar("T")

BY_TEXT: Any = object()
"""What :meth:`Kind.sort_value` returns for a column that sorts by its text (the tables keep
each row's texts, so sorting 5,000 rows by a text column computes no text again)."""


def no_glyph(kind: str) -> str:
    """The glyph of a status kind where none is drawn (the printer's plain tables)."""
    return ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One headless table cell: text in a tone (and more spans), or a figure the UI draws."""

    text: str = ""
    """The text (for a figure: what is shown when it is unknown)."""
    tone: str = ""
    """A palette status kind (``running``, ``failed``...), ``dim``, ``flag`` or '' (none)."""
    sort: Any = None
    """What the cell sorts by (None: its text, lower case)."""
    more: tuple[tuple[str, str], ...] = ()
    """Further (text, tone) spans after :attr:`text`."""
    look: str = ""
    """'' (text), ``bar`` (a utilisation bar of :attr:`value`), ``spark`` (a sparkline of
    :attr:`series`)."""
    value: float | None = None
    series: tuple[float, ...] = ()

    @property
    def plain(self) -> str:
        """The cell as plain text (what the printer prints)."""
        if self.look == "bar":
            return self.text if self.value is None else f"{max(0.0, self.value):.0f}%"
        if self.look == "spark":
            return ""
        return self.text + "".join(t for t, _ in self.more)


@dataclass(frozen=True)
class View:
    """What a kind sees of one frame: the snapshot, what was derived from it, the moment."""

    snapshot: Snapshot
    derived: Derived = field(default_factory=Derived)
    now: float | None = None
    """The moment looked at (the replay clock); None: the snapshot's time."""
    glyph: Callable[[str], str] = no_glyph
    """The glyph of a status kind (the theme's; none in the printer)."""
    until: float | None = None
    """The replay clock's cut-off of the timeline (None: live, everything)."""
    events_filter: str = ""
    """The details view's ``/`` filter: only the events containing every word of it."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Figures worked out once per frame by a kind's accessors."""

    @property
    def at(self) -> float:
        """The moment looked at."""
        return self.snapshot.taken_at if self.now is None else self.now

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """A figure worked out once for this frame (``make`` on first use)."""
        if name not in self.memo:
            self.memo[name] = make()
        return self.memo[name]


@dataclass(frozen=True)
class LogTarget:
    """What the log view of an item shows."""

    title: str
    """``task 4c2b7e1d (shop-api)``: what the title line says after "logs of"."""
    tasks: tuple[Task, ...] = ()
    pod: Pod | None = None
    merged: bool = False
    """Several tasks' lines merged by time (each line names its source)."""
    containers: tuple[str, ...] = ()
    """The containers to pick from."""


@dataclass(frozen=True)
class Chart:
    """A chart of an item's CPU and memory series (details, the dashboard)."""

    title: str
    target: str
    """The ARN the series are of."""
    end: float | None = None
    """The right edge (None: now)."""
    span: float | None = None
    """How long the item ran (a window that holds it is picked; None: the chart's own)."""
    unavailable: str | None = None
    """Why there can be no series (no Container Insights), or None."""


@dataclass(frozen=True)
class Details:
    """An item's details: the body, the decoded reason it is failing, a chart."""

    body: RenderableType
    why: RenderableType | None = None
    chart: Chart | None = None


class Scope:
    """What a Logs Insights query covers: a service's (or a lone task's) log groups."""

    def __init__(self, title: str, tasks: tuple[Task, ...], services: tuple[Service, ...]) -> None:
        self.title = title
        self.tasks = tasks
        self.services = services


@dataclass(frozen=True)
class Words:
    """A kind's ``:`` command: its name, aliases and help line."""

    name: str
    aliases: tuple[str, ...] = ()
    help: str = ""
    filter: bool = True
    """Takes an optional filter argument."""


class Kind(Generic[T]):
    """One resource kind: its model, columns, texts, documents, details, logs and commands.

    Subclass it in a module of its own and register an instance with
    :func:`fgtop.kinds.registry.register`; every screen and the printer find it there.
    """

    name: ClassVar[str] = ""
    """The kind's word (``task``); :attr:`title` capitalised in details."""
    plural: ClassVar[str] = ""
    """The rows' word in a tab or a printed table (``tasks``)."""
    model: ClassVar[type] = object
    """The model class of its items (looked up by ``type(item)``)."""
    columns: ClassVar[tuple[Column, ...]] = ()
    default_sort: ClassVar[tuple[str, bool]] = ("", False)
    table: ClassVar[str | None] = None
    """The kind whose dashboard table shows it (itself, or another: workloads show in the
    services table); None: no dashboard table."""
    tab: ClassVar[bool] = False
    """Its table is a tab beside the tasks (services have the top table)."""
    view: ClassVar[str] = "dashboard"
    """Where ``:name`` goes: ``dashboard`` (its table), ``problems`` or ``timeline``."""
    words: ClassVar[Words | None] = None
    """Its ``:`` command, if any."""
    json_key: ClassVar[str | None] = None
    """The list of the snapshot JSON its documents go in (None: not in it)."""
    describable: ClassVar[bool] = False
    """``d`` shows its raw document (:meth:`describe`)."""
    detailed: ClassVar[bool] = False
    """Enter opens its details (:meth:`details`); else its row on the dashboard."""

    @property
    def title(self) -> str:
        """The kind's word, capitalised (``Task``)."""
        return self.name[:1].upper() + self.name[1:]

    # -- finding items -------------------------------------------------------------------

    def items(self, view: View) -> Sequence[T]:
        """Its items in a frame, in the order the frame has them."""
        return ()

    def key(self, item: T) -> str:
        """The stable identity of an item (ARN, pod key...)."""
        key: str = item.key  # type: ignore[attr-defined]
        return key

    def find(self, snapshot: Snapshot, key: str) -> T | None:
        """The item with this key in ``snapshot``."""
        item = snapshot.find(key)
        return item if type(item) is self.model else None  # type: ignore[return-value]

    def resolve(self, snapshot: Snapshot, target: str, cluster: str | None) -> T | None:
        """The item a problem's or timeline entry's target names (None: not one of these)."""
        return None

    def empty(self, view: View) -> str | None:
        """What its table says when it has no row at all (None: nothing; a blank table).

        Outside text: a screen shows it through ``safe()``, the printer through ``clean()``.
        """
        return None

    # -- a row ---------------------------------------------------------------------------

    def texts(self, item: T, view: View) -> Mapping[str, str]:
        """The plain text of the item's own (not live) columns: searched, sized to."""
        return {}

    def sort_value(self, item: T, column: str, view: View) -> Any:
        """What ``column`` sorts the item by (:data:`BY_TEXT`: its text)."""
        return BY_TEXT

    def cells(self, item: T, view: View) -> Mapping[str, Cell]:
        """The item's own cells, styled (asked only for rows on screen)."""
        return {k: Cell(v) for k, v in self.texts(item, view).items()}

    def live_cells(self, item: T, view: View) -> Mapping[str, Cell]:
        """The cells of its live columns (metrics, cost, age) and ``flag`` when alerted."""
        return {}

    def live_values(self, item: T, view: View) -> Mapping[str, Any]:
        """What its live columns sort by, without building their cells."""
        return {k: c.sort for k, c in self.live_cells(item, view).items()}

    def live_value(self, item: T, column: str, view: View) -> Any:
        """What one live column sorts the item by (a kind with many rows works out only it)."""
        return self.live_values(item, view).get(column)

    # -- documents -----------------------------------------------------------------------

    def document(self, item: T, view: View) -> dict[str, Any]:
        """The item's documented JSON object (``fgtop snapshot``)."""
        return {}

    def describe(self, item: T, snapshot: Snapshot) -> dict[str, Any] | None:
        """The unmasked raw document of ``d`` (None: not describable)."""
        return None

    def label(self, item: T) -> str:
        """The item's name in titles (a task id, ``namespace/pod``)."""
        return self.key(item)

    def definition(self, item: T, snapshot: Snapshot) -> str | None:
        """The key of the task definition ``t`` switches to in describe (None: none)."""
        return None

    def details(self, item: T, view: View) -> Details | None:
        """The item's details (None: it has none; Enter goes to the dashboard row)."""
        return None

    # -- where it leads ------------------------------------------------------------------

    def stand_in(self, item: T, snapshot: Snapshot) -> Any:
        """What logs and describe open instead of the item (a workload: its sickest pod)."""
        return item

    def logs(self, item: T, snapshot: Snapshot) -> LogTarget | None:
        """What its logs are (None: it has none)."""
        return None

    def stopped_at(self, item: T) -> float | None:
        """When it stopped (``t``: logs at the stop), or None."""
        return None

    def insights_scope(self, item: T, snapshot: Snapshot) -> Scope | str:
        """What a Logs Insights query over it covers; a one-line reason where it cannot."""
        return "select a task or service first"

    def chart(self, item: T, snapshot: Snapshot) -> Chart | None:
        """The dashboard chart of the item (None: it has none)."""
        return None

    def hint(self, item: T) -> str | None:
        """The ARN the feed is told is selected (metrics follow it), or None."""
        return None

    def points_at(self, item: T) -> tuple[str, str | None] | None:
        """The (target, cluster) of the resource a row is about (problems, timeline entries);
        None: the item is a resource itself."""
        return None

    def log_key(self, item: T, resource: str | None) -> str | None:
        """The key ``l`` opens the logs of, given the key of the log target found for what it
        points at (or for itself, through :meth:`stand_in`)."""
        return resource

    def log_moment(self, item: T) -> float | None:
        """The moment ``l`` opens the logs around (None: the latest)."""
        return None
