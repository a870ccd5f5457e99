"""The chart panel (Pilot) and the pure sparkline / utilisation-bar helpers."""

from __future__ import annotations

import re
import time

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color

from fgtop.kinds.task import NO_TASK_METRICS
from fgtop.model.metrics import MetricSeries
from fgtop.ui.widgets.bars import NA_TASK, sparkline, util_bar
from fgtop.ui.widgets.metric_chart import (
    NO_DATA,
    WINDOWS,
    MetricChart,
    local_ticks,
)

NOW = 1_800_000_000.0  # a fixed instant; labels are checked against local time of it
ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/api"


def series(metric: str, minutes: int, value_of) -> MetricSeries:  # noqa: ANN001
    points = tuple((NOW - 60 * (minutes - i), float(value_of(i))) for i in range(minutes))
    return MetricSeries(target=ARN, metric=metric, source="AWS/ECS", points=points)


class ChartApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.windows: list[int] = []

    def compose(self) -> ComposeResult:
        yield MetricChart(id="chart")

    def on_metric_chart_window_changed(self, event: MetricChart.WindowChanged) -> None:
        self.windows.append(event.window)


def plot_text(chart: MetricChart) -> str:
    rendered = chart.render()
    assert isinstance(rendered, Text)
    return rendered.plain


async def test_chart_draws_cpu_and_memory_and_switches_windows() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 24)) as pilot:
        chart = app.query_one(MetricChart)
        chart.focus()
        # 12 hours of CPU climbing to a spike, memory flat at 40 %.
        cpu = series("cpu", 720, lambda i: 150.0 if i == 715 else 10 + i / 10)
        memory = series("memory", 720, lambda i: 40.0)
        chart.show_series("api [red]x[/]\x1b[2J", cpu, memory, NOW)
        await pilot.pause()
        assert chart.window == 3600 and chart.message is None
        text = plot_text(chart)
        assert "api [red]x[/]" in text  # a name is text: no markup, no escape sequence
        assert "\x1b[2J" not in text
        assert "1h" in text and "CPU %" in text and "memory %" in text
        y_labels = [float(m) for m in re.findall(r"^\s*([0-9.]+)┤", text, re.MULTILINE)]
        assert max(y_labels) >= 150 and min(y_labels) == 0  # the y axis reaches the spike
        labels_1h = local_ticks(NOW - 3600, NOW, 900)[1]
        assert labels_1h and all(label in text for label in labels_1h)

        await pilot.press("1")
        assert chart.window == WINDOWS[0] == 900
        assert "15m" in plot_text(chart)
        await pilot.press("4")
        assert chart.window == 12 * 3600
        labels_12h = local_ticks(NOW - 12 * 3600, NOW, 7200)[1]
        text = plot_text(chart)
        assert all(label in text for label in labels_12h)
        await pilot.press("w")  # 12h -> 15m
        assert chart.window == 900
        await pilot.press("w", "w")
        assert chart.window == 3 * 3600
        await pilot.pause()
        assert app.windows == [900, 43200, 900, 3600, 10800]


async def test_chart_says_why_it_is_empty() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(MetricChart)
        chart.show_series("web", None, None, NOW)
        await pilot.pause()
        assert chart.message == NO_DATA
        assert NO_DATA in plot_text(chart)
        old = series("cpu", 10, lambda i: 5.0)
        shifted = MetricSeries(ARN, "cpu", "AWS/ECS", tuple((t - 7200, v) for t, v in old.points))
        chart.show_series("web", shifted, None, NOW)  # data, but not in the last hour
        assert chart.message == NO_DATA
        chart.window = 3 * 3600
        assert chart.message is None
        chart.show_series("task 1234", None, None, NOW, unavailable=NO_TASK_METRICS)
        await pilot.pause()
        assert "Container Insights off" in plot_text(chart)


async def test_chart_colours_follow_the_theme() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(MetricChart)
        chart.show_series("api", series("cpu", 60, lambda i: 50.0), None, NOW)
        app.theme = "textual-dark"
        await pilot.pause()
        dark = chart._colour("primary")  # noqa: SLF001
        app.theme = "textual-light"
        await pilot.pause()
        light = chart._colour("primary")  # noqa: SLF001
        assert dark != light
        assert light == Color.parse(app.current_theme.primary).rgb


async def test_network_toggles_on_the_right_axis() -> None:
    app = ChartApp()
    async with app.run_test(size=(90, 20)) as pilot:
        chart = app.query_one(MetricChart)
        chart.focus()
        cpu = series("cpu", 60, lambda i: 20.0)
        rx = series("net_rx", 60, lambda i: 2048.0 * i)
        chart.show_series("api", cpu, None, NOW, net_rx=rx)
        await pilot.pause()
        assert "rx KiB" not in plot_text(chart)
        await pilot.press("n")
        assert chart.show_network
        assert "rx KiB" in plot_text(chart)


def test_local_ticks_are_on_local_boundaries() -> None:
    ticks, labels = local_ticks(NOW - 3600, NOW, 900)
    assert 4 <= len(ticks) <= 5
    assert all(label.endswith(("00", "15", "30", "45")) for label in labels)
    assert labels == [time.strftime("%H:%M", time.localtime(t)) for t in ticks]


# -- bars -------------------------------------------------------------------------------------


def test_sparkline_scales_buckets_and_gaps() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5], 10) == "▄▄▄"  # flat: a middle bar, not empty
    assert sparkline([0, None, 10], 3) == "▁ █"  # a gap is a blank, not a zero
    assert sparkline([], 5) == "" and sparkline([1.0], 0) == ""
    line = sparkline([1.0] * 50 + [100.0] + [1.0] * 49, 10)
    assert len(line) == 10 and line.count("█") == 1  # a one-minute spike survives bucketing
    assert sparkline([50.0, 50.0], 2, lo=0, hi=100) == "▅▅"
    assert sparkline([float("nan")], 1) == " "


@pytest.mark.parametrize(
    ("percent", "plain", "style"),
    [
        (0.0, "  0%     ", "green"),
        (50.0, " 50% ██  ", "green"),
        (75.0, " 75% ███ ", "yellow"),
        (100.0, "100% ████", "bold red"),
        (250.0, "250% ████", "bold red"),
    ],
)
def test_util_bar(percent: float, plain: str, style: str) -> None:
    cell = util_bar(percent, 9)
    assert cell.plain == plain
    assert str(cell.style) == style


def test_util_bar_unknown_and_themed() -> None:
    assert util_bar(None).plain == "-"
    na = util_bar(None, na=NA_TASK, styles={"na": "italic"})
    assert na.plain == "n/a (no Container Insights)" and str(na.style) == "italic"
    assert str(util_bar(95.0, styles={"crit": "magenta"}).style) == "magenta"
    assert util_bar(12.5, 12).plain == " 12% ▉      "  # 7/8 of one of 7 cells
    assert util_bar(5.0, 12).plain == "  5% ▍      "


def _plot_lines(chart: MetricChart) -> tuple[list[str], str]:
    """The plot's lines and the readout line under it."""
    lines = plot_text(chart).splitlines()
    return lines[:-1], lines[-1]


async def test_readout_shows_the_latest_values_and_the_legend_stays_off_the_data() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 20)) as pilot:
        chart = app.query_one(MetricChart)
        chart.focus()
        cpu = series("cpu", 60, lambda i: 10.0 + i)  # 10 .. 69
        memory = series("memory", 60, lambda i: 40.0 if i < 59 else 88.5)
        chart.show_series("api", cpu, memory, NOW)
        await pilot.pause()
        plot, readout = _plot_lines(chart)
        assert len(plot) + 1 == chart.size.height
        last = time.strftime("%H:%M:%S", time.localtime(cpu.points[-1][0]))
        assert "CPU % 69.0" in readout and "memory % 88.5" in readout
        assert f"{last} (latest)" in readout
        # The legend is the readout line only: no label inside the plot (over the 100% line).
        assert not any("CPU" in line or "memory" in line for line in plot)
        # Narrow: the readout still fits, shorter.
        assert _fits(chart, 40)


def _fits(chart: MetricChart, width: int) -> bool:
    line = chart.readout(width)
    return line.cell_len <= width and "CPU" in line.plain and "mem" in line.plain


async def test_left_and_right_move_a_cursor_whose_values_are_read_out() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 20)) as pilot:
        chart = app.query_one(MetricChart)
        chart.focus()
        cpu = series("cpu", 60, lambda i: float(i))
        memory = series("memory", 60, lambda i: 100.0 - i)
        chart.show_series("api", cpu, memory, NOW)
        await pilot.pause()
        await pilot.press("left", "left", "left")
        assert chart.cursor == cpu.points[-4][0]
        _, readout = _plot_lines(chart)
        at = time.strftime("%H:%M:%S", time.localtime(chart.cursor))
        assert "CPU % 56.0" in readout and "memory % 44.0" in readout
        assert f"{at} (cursor" in readout
        await pilot.press("right", "right", "right")
        assert chart.cursor == cpu.points[-1][0]
        await pilot.press("right")  # past the last point: follow the latest again
        assert chart.cursor is None
        assert "CPU % 59.0" in _plot_lines(chart)[1]
        await pilot.press(*["left"] * 100)  # stops at the first point of the window
        assert chart.cursor == cpu.points[0][0]


def _vertical_columns(plot: list[str]) -> set[int]:
    """Columns (inside the frame) where a vertical line crosses most plot rows."""
    rows = plot[2:-3]  # below the title and the top border, above the axis labels
    width = min(len(r) for r in rows)
    return {x for x in range(8, width - 1) if sum(r[x] in "│┼┤├" for r in rows) >= len(rows) - 1}


async def test_a_replay_marks_now_with_a_vertical_line() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 20)) as pilot:
        chart = app.query_one(MetricChart)
        cpu = series("cpu", 60, lambda i: 20.0)
        chart.show_series("api", cpu, None, NOW)
        await pilot.pause()
        live, readout = _plot_lines(chart)
        assert "now" not in readout
        chart.replay = True
        chart.show_series("api", cpu, None, NOW)
        await pilot.pause()
        replay, readout = _plot_lines(chart)
        assert f"now {time.strftime('%H:%M:%S', time.localtime(NOW))}" in readout
        marked = _vertical_columns(replay) - _vertical_columns(live)
        assert marked, "\n".join(replay)


async def test_the_demo_dashboard_chart_marks_now_and_reads_out_under_its_cursor() -> None:
    from tests.ui.helpers import demo_app, settle

    app, _, _ = demo_app(20)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        chart = app.screen.query_one(MetricChart)
        assert chart.replay  # the demo is a replay: the "now" line at the replay clock
        clock = time.strftime("%H:%M", time.localtime(app.snapshot.taken_at))
        assert f"now {clock}" in _plot_lines(chart)[1]
        chart.focus()
        await pilot.press("left")
        assert chart.cursor is not None
        assert "cursor" in _plot_lines(chart)[1]
        await pilot.press("right")
        assert chart.cursor is not None  # on the last point
        await pilot.press("right")
        assert chart.cursor is None
