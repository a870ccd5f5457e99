"""Cells and figures more than one kind shows: outside text, money, utilisation, severity,
the replicas and state of a service or workload."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from fgtop.derive.figures import ServiceState
from fgtop.kinds.base import Cell, View
from fgtop.kinds.columns import Column
from fgtop.text.money import rate_digits, spent_digits
from fgtop.text.sanitize import safe_str

CELL_CHARS = 80
"""Cap on an outside value shown in a grid cell (the full value is in details and describe)."""

SEVERITY_CELLS: dict[int, tuple[str, str, str]] = {
    1: ("✖", "CRIT", "failed"),
    2: ("▲", "HIGH", "warning"),
    3: ("●", "MED", "pending"),
    4: ("○", "LOW", "stopped"),
}
"""Severity -> (glyph, word, tone): never colour alone (problems view, services)."""

FLAG = Cell("⚑", tone="flag")
"""The alert flag of a row with a firing alert."""

ACCOUNT = Column("account", "ACCOUNT", priority=2, max=20, hide_empty=True)
"""The last column of every table: the row's account, shown while several are watched. It
gives way before the columns that say what a row is doing (a task's SERVICE at 80x24)."""

SERVICE_ACCOUNT = dataclasses.replace(ACCOUNT, priority=1)
"""ACCOUNT in the services table, beside the chart: right after DEPLOYMENT (its PEND and $/H
would take its place at 160 columns otherwise)."""


def account_text(view: View, account: str | None) -> str:
    """A row's ACCOUNT text: its account's name (or alias, or id), or '' with one account
    watched (the column is then hidden). Names are outside text: made safe here."""
    if not view.snapshot.multi_account:
        return ""
    return cell_str(view.snapshot.account_label(account) or "-")


def cell_str(value: object) -> str:
    """An outside value as a grid cell's plain text: controls visible, length capped (cells
    are built from this, never from the raw value)."""
    return safe_str(value, max_chars=CELL_CHARS)


def money(rate: Decimal | None) -> Cell:
    """A $/h cell (:func:`fgtop.text.money.rate_digits`: the JSON's number rounded half up);
    ``-`` when unknown."""
    if rate is None:
        return Cell("-", sort=None)
    return Cell(rate_digits(rate), sort=float(rate))


def dollars(amount: Decimal | None) -> Cell:
    """A cost-so-far cell (``$1.23``, :func:`fgtop.text.money.spent_digits`); ``-`` when
    unknown."""
    if amount is None:
        return Cell("-", sort=None)
    return Cell(spent_digits(amount), sort=float(amount))


def percent(value: float | None, na: str = "-") -> Cell:
    """A utilisation cell (the UI draws a number and a bar), sorting by the value."""
    return Cell(na, look="bar", value=value, sort=value)


def latest(view: View, arn: str, metric: str) -> float | None:
    """The latest point of a resource's metric series, if any."""
    series = view.snapshot.series(arn, metric)
    return series.last if series else None


def as_float(value: Decimal | float | None) -> float | None:
    """A figure as a float (None stays None)."""
    return None if value is None else float(value)


def replica_tone(ready: int, desired: int) -> str:
    """``failed`` (none of desired), ``warning`` (short of it) or ``running``."""
    short = ready < desired
    if short and ready == 0 and desired:
        return "failed"
    return "warning" if short else "running"


def status_cells(
    ready: int, desired: int, name: str, view: View, derived: ServiceState
) -> tuple[Cell, Cell]:
    """RUN/DES and DEPLOYMENT of a service or Kubernetes workload, from its derived state.

    One with a problem that lasts (stops in the last hour, unhealthy tasks, a failed
    deployment, below desired, its pods crash-looping) shows that problem's glyph and colour,
    as the problems view does, and its DEPLOYMENT cell names the problem
    (:func:`fgtop.derive.figures.service_states`): never ``● 3/3 steady``.
    """
    tone = replica_tone(ready, desired)
    glyph = view.glyph(tone)
    worst = derived.problem
    if worst is not None:
        glyph, _, tone = SEVERITY_CELLS.get(worst.severity, SEVERITY_CELLS[4])
    ratio = ready / desired if desired else 1.0
    severity = worst.severity if worst is not None else 9
    tasks = Cell(f"{glyph} {ready}/{desired}", tone=tone, sort=(severity, ratio, name))
    words = derived.state
    if worst is not None:
        return tasks, Cell(f"{glyph} {words}", tone=tone, sort=(severity, words))
    dtone = "failed" if "FAILED" in words else ("pending" if words.startswith("rolling") else "")
    return tasks, Cell(words, tone=dtone, sort=(severity, words))


def state_json(derived: ServiceState) -> dict[str, Any]:
    """The state fields of a service's (or workload's) document: the DEPLOYMENT words and the
    severity of the problem they name."""
    return {
        "state": derived.state,
        "state_severity": derived.problem.severity_name if derived.problem else None,
    }
