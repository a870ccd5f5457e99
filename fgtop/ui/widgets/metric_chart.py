"""The chart panel: CPU and memory over time for the selected service or task.

Plotext (through textual-plotext's ``Plot``) is imported when the chart first draws a plot,
not when the app starts: the first frame of ``fgtop demo`` does not need it.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from fgtop.model.metrics import MetricSeries
from fgtop.text.sanitize import clean

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

WINDOWS: tuple[int, ...] = (15 * 60, 3600, 3 * 3600, 12 * 3600)
"""The time windows, in seconds, switched by the keys 1-4 (``w`` cycles)."""
WINDOW_LABELS = {900: "15m", 3600: "1h", 10800: "3h", 43200: "12h"}
TICK_STEPS = {900: 300, 3600: 900, 10800: 1800, 43200: 7200}
NO_DATA = "no data"
COMPACT_BELOW = 14
"""Below this many rows the chart draws no frame and puts its title on a plain line: at 80x24
its plot keeps five rows instead of two."""

_WINDOW = "chart window 15m / 1h / 3h / 12h"
_CURSOR = (
    "move a cursor over the points (read out under the chart); → past the last point "
    "follows the latest again"
)


def window_label(seconds: int) -> str:
    """``15m``, ``1h``, ``3h``, ``12h``."""
    return WINDOW_LABELS.get(seconds, f"{seconds // 60}m")


def local_ticks(start: float, end: float, step: int) -> tuple[list[float], list[str]]:
    """Tick positions every ``step`` seconds on local-time boundaries, labelled ``HH:MM``."""
    offset = time.localtime(end).tm_gmtoff
    first = math.ceil((start + offset) / step) * step - offset
    ticks: list[float] = []
    t = first
    while t <= end:
        ticks.append(t)
        t += step
    return ticks, [time.strftime("%H:%M", time.localtime(t)) for t in ticks]


def value_at(series: MetricSeries | None, at: float, since: float) -> float | None:
    """The value of the last point of ``series`` at or before ``at`` (and after ``since``)."""
    if series is None:
        return None
    found = None
    for t, v in series.points:
        if t > at:
            break
        if t >= since:
            found = v
    return found


class MetricChart(Widget):
    """CPU and memory (percent of reserved) over a time window, with 100 % as a reference line.

    Call :meth:`show_series` with the selected target's series; the keys ``1``-``4`` pick
    15m/1h/3h/12h and ``w`` cycles; ``n`` toggles network (bytes per minute, right axis);
    ``left``/``right`` move a cursor over the points (past the last: back to the latest).
    The line under the plot is the legend and the readout: each series' value at the cursor,
    or at the latest point. In a replay a vertical line marks the replay clock ("now").
    Colours come from the app theme (primary, secondary/accent, error, warning).
    """

    DEFAULT_CSS = """
    MetricChart {
        width: 1fr;
        height: 1fr;
        min-height: 8;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "window(0)", "15m", show=False, tooltip=_WINDOW),
        Binding("2", "window(1)", "1h", show=False, tooltip=_WINDOW),
        Binding("3", "window(2)", "3h", show=False, tooltip=_WINDOW),
        Binding("4", "window(3)", "12h", show=False, tooltip=_WINDOW),
        Binding("w", "cycle_window", "Window", tooltip=_WINDOW),
        Binding(
            "n", "toggle_network", "Network", show=False, tooltip="network bytes on the right axis"
        ),
        Binding("left", "cursor(-1)", "Earlier", show=False, tooltip=_CURSOR),
        Binding("right", "cursor(1)", "Later", show=False, tooltip=_CURSOR),
    ]
    can_focus = True

    window: reactive[int] = reactive(3600, init=False)
    """The time window shown, in seconds (one of :data:`WINDOWS`)."""
    show_network: reactive[bool] = reactive(False, init=False)
    """Whether network bytes are drawn on the right axis."""

    class WindowChanged(Message):
        """The user picked another time window (the app may want a longer history)."""

        def __init__(self, chart: MetricChart, window: int) -> None:
            super().__init__()
            self.chart = chart
            self.window = window

        @property
        def control(self) -> MetricChart:
            """The chart that changed."""
            return self.chart

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
        replay: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._plot: Plot | None = None
        self._title = ""
        self._cpu: MetricSeries | None = None
        self._memory: MetricSeries | None = None
        self._net: tuple[MetricSeries | None, MetricSeries | None] = (None, None)
        self._now = 0.0
        self._clock: float | None = None
        self._marks: tuple[tuple[float, str], ...] = ()
        self._unavailable: str | None = None
        self.cursor: float | None = None
        """The time of the point under the cursor, or None: the latest point."""
        self.replay = replay
        """Mark the replay clock with a vertical line (the screen says whether its feed is a
        replay)."""

    # -- feeding -------------------------------------------------------------------------

    def show_series(
        self,
        title: str,
        cpu: MetricSeries | None,
        memory: MetricSeries | None,
        now: float,
        *,
        net_rx: MetricSeries | None = None,
        net_tx: MetricSeries | None = None,
        unavailable: str | None = None,
        clock: float | None = None,
        marks: tuple[tuple[float, str], ...] = (),
    ) -> None:
        """Show the series of one service or task.

        Args:
            title: The target's name (outside text: shown as plain text).
            cpu: CPU percent of reserved, or None.
            memory: Memory percent of reserved, or None.
            now: The snapshot time (the right edge of the chart).
            net_rx: Bytes received per period (optional).
            net_tx: Bytes sent per period (optional).
            unavailable: Why there can be no series (e.g. :data:`NO_TASK_METRICS`); shown
                instead of the chart.
            clock: The replay clock, when it is not ``now`` (marked in a replay).
            marks: ``(time, label)`` of deployments: a vertical line with the revision at a
                start (``:18``) and at a rollback (``↩:17``).
        """
        title = clean(title, max_chars=80)
        if title != self._title:
            self.cursor = None
        self._title = clean(title, max_chars=80)
        self._cpu, self._memory, self._net = cpu, memory, (net_rx, net_tx)
        self._now = now
        self._clock = clock
        self._marks = marks
        self._unavailable = unavailable
        if self.cursor is not None and self.cursor < now - self.window:
            self.cursor = None
        self.refresh()

    @property
    def message(self) -> str | None:
        """The text shown instead of a chart (``no data``...), or None when plotting."""
        if self._unavailable:
            return self._unavailable
        if not any(s and s.window(self.window, self._now) for s in (self._cpu, self._memory)):
            return NO_DATA
        return None

    # -- actions ---------------------------------------------------------------------------

    def action_window(self, index: int) -> None:
        """Pick the ``index``-th window of :data:`WINDOWS`."""
        self.window = WINDOWS[index]

    def action_cycle_window(self) -> None:
        """The next window (15m -> 1h -> 3h -> 12h -> 15m)."""
        i = WINDOWS.index(self.window) if self.window in WINDOWS else 0
        self.window = WINDOWS[(i + 1) % len(WINDOWS)]

    def _times(self) -> list[float]:
        """The times of the CPU and memory points in the window, in order."""
        start = self._now - self.window
        return sorted(
            {
                t
                for series in (self._cpu, self._memory)
                if series is not None
                for t, _ in series.points
                if start <= t <= self._now
            }
        )

    def action_cursor(self, step: int) -> None:
        """Move the cursor ``step`` points; past the last point it follows the latest again."""
        times = self._times()
        if not times:
            return
        cursor = self.cursor
        if cursor is None:
            index = len(times) - 1
        else:
            index = min(range(len(times)), key=lambda i: abs(times[i] - cursor))
        index += step
        self.cursor = None if index >= len(times) else times[max(0, index)]
        self.refresh()

    def readout(self, width: int = 200) -> Text:
        """The legend line: each series' colour and value at the cursor (or the latest point),
        the time read, and in a replay the "now" marker's time; it fits ``width``."""
        start = self._now - self.window
        at = self.cursor if self.cursor is not None else self._now
        times = [t for t in self._times() if t <= at]
        read_at = times[-1] if times else None
        rows = [
            ("CPU %", "CPU", self._cpu, self._colour("primary")),
            ("memory %", "mem", self._memory, self._colour("accent", "secondary", "warning")),
        ]
        if self.show_network:
            rows += [
                ("rx KiB", "rx", self._net[0], self._colour("success", "primary")),
                ("tx KiB", "tx", self._net[1], self._colour("warning", "accent")),
            ]

        def build(level: int) -> Text:
            """0: full labels and seconds; 1: short labels; 2: the fewest characters."""
            line = Text(no_wrap=True, overflow="crop", end="")
            for label, brief, series, colour in rows:
                if series is None:
                    continue
                value = value_at(series, at, start)
                if value is not None and label.endswith("KiB"):
                    value /= 1024
                line.append(("━━ ", "━ ", "━")[level], style=Style(color=_rgb(colour)))
                if value is None:
                    shown = "-"
                elif level == 0:
                    shown = f"{value:.1f}"
                else:
                    shown = f"{value:.0f}" + ("" if label.endswith("KiB") or level == 2 else "%")
                name = label if level == 0 else brief
                line.append(f"{name} {shown}" + ("  ", "  ", " ")[level])
            if read_at is not None:
                fmt = "%H:%M:%S" if level == 0 else "%H:%M"
                line.append(time.strftime(fmt, time.localtime(read_at)), style="bold")
                if self.cursor is not None:
                    line.append((" (cursor ←→)", " ◆cursor", " ◆")[level], style="dim")
                elif level == 0:
                    line.append(" (latest)", style="dim")
            clock = self._marker()
            if clock is not None:
                line.append(("  ┃now ", "  ┃now ", " ┃")[level], style=Style(color=self._warn()))
                if level < 2:
                    fmt = "%H:%M:%S" if level == 0 else "%H:%M"
                    line.append(time.strftime(fmt, time.localtime(clock)))
            return line

        for level in (0, 1, 2):
            line = build(level)
            if line.cell_len <= width:
                break
        line.truncate(width)
        return line

    def marks_shown(self) -> list[tuple[float, str]]:
        """The deployment marks inside the window."""
        start, end = self._now - self.window, self._now + self._pad()
        return [(at, label) for at, label in self._marks if start <= at <= end]

    def _marker(self) -> float | None:
        """Where the "now" line goes (the replay clock), if it is in the window."""
        if not self.replay:
            return None
        clock = self._now if self._clock is None else self._clock
        start, end = self._now - self.window, self._now + self._pad()
        return clock if start <= clock <= end else None

    def _pad(self) -> float:
        """Room right of the last point in a replay, so the "now" line shows."""
        return self.window * 0.03 if self.replay else 0.0

    def _warn(self) -> str:
        return _rgb(self._colour("warning", "accent"))

    def action_toggle_network(self) -> None:
        """Show or hide network bytes."""
        self.show_network = not self.show_network

    def watch_window(self, window: int) -> None:
        self.post_message(self.WindowChanged(self, window))
        self.refresh()

    def watch_show_network(self, _: bool) -> None:
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    @property
    def plt(self) -> Plot:
        """The Plotext figure (created, and Plotext imported, on first use)."""
        if self._plot is None:
            from textual_plotext.plot import Plot

            self._plot = Plot()
        return self._plot

    def _plotext_theme(self) -> str:
        """The Plotext theme named after the app's theme (its surface and foreground)."""
        from plotext._dict import themes
        from textual_plotext.plot import _rgbify_theme, _sequence

        name = f"textual-auto-{self.app.theme}"
        if name not in themes:
            variables = self.app.theme_variables
            surface = Color.parse(variables.get("surface", "black")).rgb
            foreground = Color.parse(variables.get("foreground", "white")).rgb
            sequence: list[str | int | tuple[int, int, int]] = list(_sequence)
            themes[name] = _rgbify_theme(surface, surface, foreground, "default", sequence)
        return name

    def _colour(self, *names: str) -> tuple[int, int, int]:
        theme = self.app.current_theme
        for name in names:
            value = getattr(theme, name, None)
            if value:
                return Color.parse(value).rgb
        return (128, 128, 128)

    def render(self) -> RenderableType:
        message = self.message
        if message is not None:
            head = f"{self._title} · {window_label(self.window)}\n" if self._title else ""
            return Text(head + message, style="dim", justify="center", no_wrap=True)
        width, height = self.size
        compact = self.compact
        self._draw()
        plot = self.plt
        rows = max(1, height - 1 - (1 if compact else 0))
        plot.plotsize(width, rows)
        plot._set_size(width, rows)  # as PlotextPlot does (textual-plotext #5)
        plot.theme(self._plotext_theme())
        text = Text(no_wrap=True, overflow="ellipsis")
        if compact:
            text.append(self._heading(), style="bold")
            text.truncate(width, overflow="ellipsis")
            text.append("\n")
        text.append_text(Text.from_ansi(plot.build()))
        text.rstrip()
        text.append("\n")
        text.append_text(self.readout(width))
        return text

    @property
    def compact(self) -> bool:
        """Whether the chart is too short for a framed plot (see :data:`COMPACT_BELOW`)."""
        return self.size.height < COMPACT_BELOW

    def _heading(self) -> str:
        return f"{self._title} · {window_label(self.window)} · 100% = reserved"

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        end, start = self._now, self._now - self.window
        top = 100.0
        for _label, series, colour in (
            ("CPU %", self._cpu, self._colour("primary")),
            ("memory %", self._memory, self._colour("accent", "secondary", "warning")),
        ):
            points = series.window(self.window, end) if series else ()
            if points:
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), color=colour, marker="braille")
                top = max(top, max(ys))
        plt.hline(100.0, color=self._colour("error", "warning"))  # the reserved capacity
        if self.show_network:
            for label, series in (("rx KiB", self._net[0]), ("tx KiB", self._net[1])):
                points = series.window(self.window, end) if series else ()
                if points:
                    xs, ys = zip(*points, strict=True)
                    kib = [y / 1024 for y in ys]
                    colour = self._colour("success" if label == "rx KiB" else "warning")
                    plt.plot(list(xs), kib, yside="right", marker="dot", color=colour)
        # The legend is the readout line under the plot (never over the data).
        if self.cursor is not None and start <= self.cursor <= end:
            plt.vline(self.cursor, color=self._colour("foreground", "secondary"))
        for at, label in self.marks_shown():
            plt.vline(at, color=self._colour("secondary", "accent"))
            plt.text(
                clean(label, max_chars=12), x=at, y=top, color=self._colour("secondary", "accent")
            )
        marker = self._marker()
        if marker is not None:
            plt.vline(marker, color=self._colour("warning", "accent"))
        plt.ylim(0, math.ceil(top * 1.05))
        plt.xlim(start, end + self._pad())
        ticks, labels = local_ticks(start, end, TICK_STEPS.get(self.window, self.window // 4))
        plt.xticks(ticks, labels)
        if self.compact:
            plt.frame(False)
        else:
            plt.title(self._heading())


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({},{},{})".format(*colour)
