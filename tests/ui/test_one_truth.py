"""Every screen shows the figures ``fgtop snapshot --replay … --at`` prints (issue 21).

One app over the demo, driven through Pilot to every 30 s of replay time, screen by screen
(the dashboard's services, tasks and pods tables; the problems rows and summary; the cost
panel's burn rate and by-service rows; the timeline): what each shows, read from its rendered
rows, equals the JSON document of that moment. The documents are built by the code the
command runs (``ReplayDeriver.derive_at`` and ``snapshot_json``); a test in
tests/integration/test_cli_snapshot_replay.py holds the command's output to them.
"""

from __future__ import annotations

import itertools
import time
from decimal import Decimal
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.derive.replay import ReplayDeriver
from fgtop.kinds.common import SEVERITY_CELLS
from fgtop.kinds.problem import CELL_CHARS as PROBLEM_CHARS
from fgtop.kinds.timeline_entry import CELL_CHARS as TIMELINE_CHARS
from fgtop.printer.documents import snapshot_json
from fgtop.recording.reader import Recording, open_recording
from fgtop.resources import demo_recording
from fgtop.text import fmt
from fgtop.text.money import hourly, rate_digits, spent_digits
from fgtop.text.sanitize import safe
from fgtop.ui.app import FgtopApp
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.screens.problems import ProblemsScreen, ProblemsTable
from fgtop.ui.screens.timeline import TimelineScreen, TimelineTable
from fgtop.ui.widgets.pod_grid import PodGrid
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import demo_app, plain, settle

SIZE = (100, 30)
"""Small: the checks read every row (on screen or not), the screen is rendered at each moment."""
STEP = 30.0
WORDS = {"critical": 1, "high": 2, "medium": 3, "low": 4}


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


@pytest.fixture(scope="module")
def documents(rec: Recording) -> dict[float, dict[str, Any]]:
    """The document of every moment (every 30 s), as ``fgtop snapshot --replay --at`` builds
    it: moment -> JSON."""
    deriver = ReplayDeriver(Deriver(load_price_table()), rec)
    out = {}
    t = rec.start
    while t <= rec.end:
        snapshot, derived = deriver.derive_at(t)
        out[t] = snapshot_json(snapshot, derived, at=t)
        t += STEP
    return out


def money_cell(value: float | None, digits: Any) -> str:
    """What a $/h or $ so far cell shows for the JSON's amount."""
    return "-" if value is None else digits(Decimal(str(value)))


def severity_cell(severity: str | None, text: str) -> str:
    """A state or problem as the tables show it: its severity's glyph, then the text."""
    if severity is None:
        return text
    return f"{SEVERITY_CELLS[WORDS[severity]][0]} {text}"


def rows(table: ResourceTable) -> dict[str, dict[str, str]]:
    """Every row of a table (on screen or not) as its cells' text, by key."""
    out = {}
    for i in range(table.row_count):
        cells = table.get_row_at(i)
        out[table.row_key_at(i)] = {
            c.key: cell.plain for c, cell in zip(table.COLUMNS, cells, strict=True)
        }
    return out


async def moments(pilot: Pilot, rec: Recording, documents: dict[float, dict[str, Any]]):  # noqa: ANN201
    """Seek the app to every moment in turn; yield each with its document."""
    app: Any = pilot.app
    for t, doc in documents.items():
        app.feed.seek(t)
        await settle(pilot)
        assert app.snapshot.taken_at == rec.times[rec.index_at(t)]
        yield t, doc


def check_dashboard(app: FgtopApp, doc: dict[str, Any]) -> None:
    screen = app.screen
    services = rows(screen.query_one(ServicesTable))
    assert len(services) == len(doc["services"]) + len(doc["workloads"])
    for s in doc["services"]:
        row = services[s["arn"]]
        assert row["tasks"].endswith(f" {s['running']}/{s['desired']}")
        assert row["deploy"] == severity_cell(s["state_severity"], s["state"])
        assert row["cost"] == money_cell(s["cost_per_hour"], rate_digits)
        assert row["spent"] == money_cell(s["cost_so_far"], spent_digits)
    for w in doc["workloads"]:
        row = services[f"{w['cluster']}/{w['namespace']}/{w['kind']}/{w['name']}"]
        assert row["deploy"] == severity_cell(w["state_severity"], w["state"])
        assert row["cost"] == money_cell(w["cost_per_hour"], rate_digits)
    tasks = rows(screen.query_one(TaskGrid))
    assert len(tasks) == len(doc["tasks"])
    for t in doc["tasks"]:
        row = tasks[t["arn"]]
        assert t["last_status"] in row["status"]
        assert row["cost"] == money_cell(t["cost_per_hour"], rate_digits), t["arn"]
        assert row["spent"] == money_cell(t["cost_so_far"], spent_digits), t["arn"]
        if t["cpu_percent"] is not None:
            assert row["cpu"].startswith(f"{t['cpu_percent']:3.0f}%")
    pods = rows(screen.query_one(PodGrid))
    assert len(pods) == len(doc["pods"])
    for p in doc["pods"]:
        row = pods[f"{p['cluster']}/{p['namespace']}/{p['name']}"]
        assert row["restarts"] == str(p["restarts"]) and p["phase"] in row["phase"]
        assert row["cost"] == money_cell(p["cost_per_hour"], rate_digits)
        assert row["spent"] == money_cell(p["cost_so_far"], spent_digits)


def check_problems(app: FgtopApp, doc: dict[str, Any]) -> None:
    screen = app.screen
    assert isinstance(screen, ProblemsScreen)
    table = screen.query_one("#problems", ProblemsTable)
    shown = [rows_of for rows_of in rows(table).values()]
    problems = doc["problems"]
    assert len(shown) == len(problems)
    now = app.now
    for row, p in zip(shown, problems, strict=True):
        resolved = p["resolved_at"] is not None
        sev = SEVERITY_CELLS[WORDS[p["severity"]]]
        assert row["sev"] == ("✔ RES" if resolved else f"{sev[0]} {sev[1]}")
        assert (row["kind"], row["target"], row["cluster"]) == (p["kind"], p["title"], p["cluster"])
        assert row["since"] == fmt.age(p["since"], now)
        assert row["count"] == str(p["count"])
        reason = p["reason"]
        if resolved:
            reason = f"resolved {fmt.age(p['resolved_at'], now)} ago: {reason}"
        assert row["reason"] == safe(reason, max_chars=PROBLEM_CHARS).plain
        assert row["next"] == safe(p["next_step"], max_chars=PROBLEM_CHARS).plain
    summary = plain(screen.query_one("#problems-summary", Static).content)
    assert f"{len(problems)} problem" in summary
    for word, (glyph, name, _) in ((w, SEVERITY_CELLS[n]) for w, n in WORDS.items()):
        n = sum(1 for p in problems if p["severity"] == word and p["resolved_at"] is None)
        assert (f"{glyph} {n} {name.lower()}" in summary) == bool(n), summary


def breakdown_rows(text: str, title: str) -> list[list[str]]:
    """The rows of one breakdown table of the cost panel's text: [name, $/h, $/month, share]."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    out = []
    for line in lines[start + 3 :]:  # the title, the header, the rule
        if "│" not in line:
            break
        out.append([c.strip() for c in line.split("│")])
    return out


def check_cost(app: FgtopApp, doc: dict[str, Any]) -> None:
    screen = app.screen
    assert isinstance(screen, CostScreen)
    cost = doc["cost"]
    total = plain(screen.query_one("#cost-total", Static).content)
    assert f"Burn rate {hourly(Decimal(str(cost['per_hour'])))}" in total
    text = plain(screen.query_one("#cost-breakdown", Static).content)
    shown = breakdown_rows(text, "By service")
    wanted = [
        [r["label"], hourly(Decimal(str(r["per_hour"]))), f"{r['share']:.0%}"]
        for r in cost["by_service"]
    ]
    assert [[r[0], r[1], r[3]] for r in shown] == wanted
    # The rows are everything that burns: they add up to the burn rate, the shares to 100%.
    assert sum(r["per_hour"] for r in cost["by_service"]) == pytest.approx(
        cost["per_hour"], abs=1e-6 * len(cost["by_service"])
    )
    assert sum(r["share"] for r in cost["by_service"]) == pytest.approx(1.0, abs=1e-6)


def check_timeline(app: FgtopApp, doc: dict[str, Any]) -> None:
    screen = app.screen
    assert isinstance(screen, TimelineScreen)
    shown = list(rows(screen.query_one("#timeline", TimelineTable)).values())
    entries = list(reversed(doc["timeline"]))  # newest first
    assert len(shown) == len(entries), (
        [(r["kind"], r["message"][:60]) for r in shown],
        [(e["kind"], e["message"][:60]) for e in entries],
    )
    for row, e in zip(shown, entries, strict=True):
        assert row["kind"].endswith(f" {e['kind']}")
        assert row["message"] == safe(e["message"], max_chars=TIMELINE_CHARS).plain


async def test_every_screen_shows_the_figures_of_the_snapshot_document(
    rec: Recording, documents: dict[float, dict[str, Any]]
) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    assert len(documents) == 60
    app, _player, _ = demo_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.dashboard is not None
        await pilot.pause()
        laps = [time.perf_counter()]
        async for _t, doc in moments(pilot, rec, documents):
            check_dashboard(app, doc)
        laps.append(time.perf_counter())
        await pilot.press("exclamation_mark")
        async for _t, doc in moments(pilot, rec, documents):
            check_problems(app, doc)
        laps.append(time.perf_counter())
        await pilot.press("escape", "c", "m")  # the cost panel, every row
        async for _t, doc in moments(pilot, rec, documents):
            check_cost(app, doc)
        laps.append(time.perf_counter())
        await pilot.press("escape", "e")
        async for _t, doc in moments(pilot, rec, documents):
            check_timeline(app, doc)
        laps.append(time.perf_counter())
    passes = ", ".join(f"{b - a:.1f}" for a, b in itertools.pairwise(laps))
    print(
        f"every 30 s of the demo on every screen: {time.perf_counter() - started:.1f} s "
        f"(dashboard, problems, cost, timeline: {passes} s), "
        f"{time.process_time() - cpu:.1f} s of CPU"
    )
