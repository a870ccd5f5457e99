"""One figure for one fact (issue 21): each symptom of the demo that once showed two values.

Each test names the moment of the demo it was seen at and what two places used to disagree on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from fgtop.cost.estate import estate_cost
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.derive.figures import service_states
from fgtop.derive.insights import analyse
from fgtop.derive.pipeline import Deriver
from fgtop.derive.problems import STOPPED_WINDOW, find_problems
from fgtop.kinds.base import View
from fgtop.kinds.common import dollars, money
from fgtop.kinds.problem import KIND as PROBLEM
from fgtop.kinds.problem import problem_cells
from fgtop.model import Snapshot
from fgtop.recording.reader import Recording, open_recording
from fgtop.resources import demo_recording
from fgtop.text.money import hourly, rate_digits, spent_digits


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return load_price_table()


def at(rec: Recording, hhmmss: str) -> Snapshot:
    """The frame shown at a local time of the demo's day."""
    day = datetime.fromtimestamp(rec.start)
    h, m, s = map(int, hhmmss.split(":"))
    return rec.frame(rec.index_at(day.replace(hour=h, minute=m, second=s).timestamp()))


@pytest.mark.parametrize(("when", "kills"), [("09:48:00", 3), ("10:09:00", 11)])
def test_one_oom_count_in_problems_and_held_back_reason(
    rec: Recording, table: PriceTable, when: str, kills: int
) -> None:
    """shop-recs: 3 OOM kills on the problems view and "2 OOM kills" held back at 09:48 (11
    against 10 at 10:09): the task still stopping, whose reason ECS already gave, counted in
    one place only."""
    snap = at(rec, when)
    insights = analyse(snap, table)
    oom = next(p for p in insights.problems if p.kind == "oom" and p.title == "shop-recs")
    held = next(h for h in insights.held if h.service_name == "shop-recs")
    assert oom.count == kills == held.oom_kills
    assert f"({kills} tasks in the last hour)" in oom.reason
    assert held.reason.startswith(f"{kills} OOM kills in the last")
    # The task ECS is still stopping is an OOM kill, not "a task stopped not by scaling in".
    assert not any("not by scaling in" in r for r in held.reasons), held.reasons
    service = next(s for s in snap.services if s.name == "shop-recs")
    # Within its own window, the held-back count is the figure's (one list of kill times).
    assert insights.oom_kills[service.arn] and len(insights.oom_kills[service.arn]) >= kills
    recent = [t for t in insights.oom_kills[service.arn] if t >= snap.taken_at - STOPPED_WINDOW]
    assert len(recent) == oom.count


def test_one_rounding_of_money_everywhere(rec: Recording, table: PriceTable) -> None:
    """data-api at 0.05925 $/h: ``0.0592`` in the services table (a float formatted) and
    ``$0.0593/h`` in the cost panel (a Decimal rounded half up)."""
    assert rate_digits(Decimal("0.05925")) == "0.0593"
    assert money(Decimal("0.05925")).plain == "0.0593"
    assert hourly(Decimal("0.05925")) == "$0.0593/h"
    assert dollars(Decimal("0.79255")).plain == spent_digits(Decimal("0.79255")) == "$0.7926"
    snap = at(rec, "10:00:00")
    derived = Deriver(table).derive(snap)
    data_api = next(s for s in snap.services if s.name == "data-api")
    rate = derived.figures.service_rate(data_api)
    assert rate == Decimal("0.059250")
    # The table's cell and the breakdown's row: the same digits.
    cost = derived.figures.cost
    assert cost is not None and cost.by_service[data_api.arn] == rate
    assert f"${money(rate).plain}/h" == hourly(cost.by_service[data_api.arn])


def test_by_service_rows_include_standalone_tasks_and_sum_to_the_total(
    rec: Recording, table: PriceTable
) -> None:
    """The standalone backfill-orders task ($0.1975/h) had no row: the rows made 94%."""
    for i in range(0, len(rec), 30):
        snap = rec.frame(i)
        cost = estate_cost(snap, table, snap.taken_at)
        assert sum(cost.by_service.values(), Decimal(0)) == cost.per_hour
    snap = at(rec, "10:00:00")
    cost = estate_cost(snap, table, snap.taken_at)
    backfill = [k for k, label in cost.labels.items() if "backfill-orders" in label]
    assert backfill and cost.by_service[backfill[0]] == Decimal("0.197480")
    assert cost.labels[backfill[0]] == "data-prod/backfill-orders (standalone)"
    for s in snap.services:  # a service's row is its own figure
        if s.arn in cost.by_service:
            assert cost.by_service[s.arn] == cost.service_rates[s.arn]


def test_a_service_with_a_problem_never_says_steady(rec: Recording) -> None:
    """``shop/pricing-engine ✖ 0/1 steady`` and the OOM-looping shop-recs said ``steady``."""
    for i in range(0, len(rec), 12):
        snap = rec.frame(i)
        states = service_states(snap, find_problems(snap, snap.taken_at))
        assert set(states) == {s.arn for s in snap.services} | {w.key for w in snap.workloads}
        for key, state in states.items():
            if state.problem is not None:
                assert "steady" not in state.state and state.problem.kind in state.state, key
    snap = at(rec, "10:09:00")
    states = service_states(snap, find_problems(snap, snap.taken_at))
    pricing = next(w for w in snap.workloads if w.name == "pricing-engine")
    assert (states[pricing.key].state, states[pricing.key].severity) == ("below-desired", 1)
    recs = next(s for s in snap.services if s.name == "shop-recs")
    assert states[recs.arn].state == "oom"


def test_a_crash_loop_keeps_its_since_and_its_severity(rec: Recording, table: PriceTable) -> None:
    """The crash-looping pod: SINCE reset at every restart (2m → 4m → 2m...) while COUNT went
    6 → 11, and HIGH "is crash-looping" flipped with MED "restarted after an OOM kill"."""
    deriver = Deriver(table)
    seen = []
    for i in range(len(rec)):
        snap = rec.frame(i)
        deriver.observe(snap)  # the history: the pod's first exit in the window
        problems = find_problems(snap, snap.taken_at, deriver.history.exits.firsts())
        rows = [p for p in problems if p.title.startswith("pricing-engine-")]
        seen += [(p.since, p.severity, p.count, p.reason) for p in rows]
    assert len({count for _, _, count, _ in seen}) >= 3  # it restarted along the way
    assert {since for since, *_ in seen} == {seen[0][0]}  # began once
    assert {sev for _, sev, *_ in seen} == {2}  # one severity for one cause
    assert all("is crash-looping" in reason for *_, reason in seen)


def test_a_resolved_problem_says_so_and_sorts_after_those_that_last(rec: Recording) -> None:
    """``▲ HIGH deployment-rollback … resolved 9m ago`` below MED and LOW rows, its SEV cell
    silent about it."""
    snap = at(rec, "10:05:00")
    problems = find_problems(snap, snap.taken_at)
    done = [p for p in problems if p.resolved]
    assert done and problems[-len(done) :] == done
    cells = problem_cells(done[0], snap.taken_at)
    assert cells[0].plain == "✔ RES" and cells[6].plain.startswith("resolved ")
    values = [PROBLEM.sort_value(p, "sev", View(snap)) for p in problems]
    assert values == sorted(values)  # sorting by SEV keeps them after those that last
