"""Cells and figures more than one kind shows: outside text, money, utilisation, severity."""

from __future__ import annotations

from decimal import Decimal

from fgtop.kinds.base import Cell, View
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
