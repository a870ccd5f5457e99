"""Money as fgtop shows it: one rounding (half up, on the exact Decimal) for every screen.

The figures are exact Decimals (fgtop.cost, fgtop.derive.figures); only these functions round
them, so a table cell, the cost panel and ``fgtop snapshot --format table`` show the same
digits for the same amount (0.05925 is ``0.0593`` everywhere, never ``0.0592`` in one place
because a float was formatted there), and those digits are the JSON's number rounded
(:func:`value`: micro-dollars, then half up).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = 4
"""Decimals of an hourly rate under a dollar (one small task costs cents an hour)."""
MICRO = Decimal("0.000001")
"""fgtop's money is a whole number of micro-dollars: the JSON's figures, and what every
display rounds."""


def exact(amount: Decimal | float | int) -> Decimal:
    """An amount as a Decimal (a float through its shortest repr, ``0.05925`` stays that)."""
    return amount if isinstance(amount, Decimal) else Decimal(str(amount))


def value(amount: Decimal | float | int) -> Decimal:
    """The amount fgtop states: micro-dollars (what ``fgtop snapshot`` prints as a number)."""
    return exact(amount).quantize(MICRO)


def rounded(amount: Decimal | float | int, places: int) -> Decimal:
    """The stated amount (:func:`value`) rounded half up to ``places`` decimals: a screen
    shows the digits of the number the JSON holds, never those of another rounding."""
    return value(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(amount: Decimal | float | int, places: int = 2) -> str:
    """``$1,234.57``: dollars rounded half up to ``places``."""
    return f"${rounded(amount, places):,.{places}f}"


def hourly(amount: Decimal | float | int) -> str:
    """An hourly rate with its unit, four decimals: ``$0.0247/h``."""
    return f"{money(amount, RATE_PLACES)}/h"


def rate_digits(amount: Decimal | float | int) -> str:
    """A table's $/h cell: ``0.0593`` under a dollar, ``1.24`` from a dollar up."""
    value = exact(amount)
    places = RATE_PLACES if abs(value) < 1 else 2
    return f"{rounded(value, places):.{places}f}"


def spent_digits(amount: Decimal | float | int) -> str:
    """A table's $ so far cell: ``$0.0593`` under a dollar, ``$1,234.57`` from a dollar up."""
    value = exact(amount)
    return money(value, RATE_PLACES if abs(value) < 1 else 2)
