"""The chart panel: CPU and memory over time for the selected service or task.

Plotext (through textual-plotext's ``Plot``) is imported when the chart first draws a plot,
not when the app starts: the first frame of ``fgtop demo`` does not need it.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
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
NO_TASK_METRICS = "no per-task metrics (Container Insights off)"


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


class MetricChart(Widget):
    """CPU and memory (percent of reserved) over a time window, with 100 % as a reference line.

    Call :meth:`show_series` with the selected target's series; the keys ``1``-``4`` pick
    15m/1h/3h/12h and ``w`` cycles; ``n`` toggles network (bytes per minute, right axis).
    Colours come from the app theme (primary, secondary/accent, error).
    """

    DEFAULT_CSS = """
    MetricChart {
        width: 1fr;
        height: 1fr;
        min-height: 8;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "window(0)", "15m", show=False),
        Binding("2", "window(1)", "1h", show=False),
        Binding("3", "window(2)", "3h", show=False),
        Binding("4", "window(3)", "12h", show=False),
        Binding("w", "cycle_window", "Window"),
        Binding("n", "toggle_network", "Network", show=False),
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
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._plot: Plot | None = None
        self._title = ""
        self._cpu: MetricSeries | None = None
        self._memory: MetricSeries | None = None
        self._net: tuple[MetricSeries | None, MetricSeries | None] = (None, None)
        self._now = 0.0
        self._unavailable: str | None = None

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
        """
        self._title = clean(title, max_chars=80)
        self._cpu, self._memory, self._net = cpu, memory, (net_rx, net_tx)
        self._now = now
        self._unavailable = unavailable
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
            themes[name] = _rgbify_theme(surface, surface, foreground, "default", _sequence)
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
        self._draw()
        plot = self.plt
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot does (textual-plotext issue 5)
        plot.theme(self._plotext_theme())
        return Text.from_ansi(plot.build())

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        end, start = self._now, self._now - self.window
        top = 100.0
        for label, series, colour in (
            ("CPU %", self._cpu, self._colour("primary")),
            ("memory %", self._memory, self._colour("accent", "secondary", "warning")),
        ):
            points = series.window(self.window, end) if series else ()
            if points:
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), label=label, color=colour, marker="braille")
                top = max(top, max(ys))
        plt.hline(100.0, color=self._colour("error", "warning"))  # the reserved capacity
        if self.show_network:
            for label, series in (("rx KiB", self._net[0]), ("tx KiB", self._net[1])):
                points = series.window(self.window, end) if series else ()
                if points:
                    xs, ys = zip(*points, strict=True)
                    kib = [y / 1024 for y in ys]
                    plt.plot(list(xs), kib, label=label, yside="right", marker="dot")
        plt.ylim(0, math.ceil(top * 1.05))
        plt.xlim(start, end)
        ticks, labels = local_ticks(start, end, TICK_STEPS.get(self.window, self.window // 4))
        plt.xticks(ticks, labels)
        plt.title(f"{self._title} · {window_label(self.window)} · 100% = reserved")
