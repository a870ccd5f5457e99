"""Column fitting (k9s-style): high-priority columns go first, a fill column takes what is left."""

from __future__ import annotations

from fgtop.kinds.columns import Column, fit_columns

COLS = (
    Column("sev", "SEV", 6, priority=0),
    Column("kind", "KIND", priority=2, max=18),
    Column("target", "TARGET", priority=0, min=10, max=30),
    Column("since", "SINCE", 6, priority=0),
    Column("count", "COUNT", 5, priority=1),
    Column("reason", "REASON", priority=0, min=16, max=58, fill=True),
)
NATURAL = {"kind": 18, "target": 30, "reason": 120}


def shown(width: int) -> dict[str, int]:
    return {c.key: w for c, _, w in fit_columns(COLS, NATURAL, width, pad=1, wide=False)}


def test_narrow_terminals_drop_the_highest_priority_first_and_keep_since() -> None:
    at80 = shown(80)
    assert list(at80) == ["sev", "target", "since", "reason"]
    assert sum(w + 2 for w in at80.values()) <= 80


def test_the_fill_column_takes_the_space_left_up_to_its_content() -> None:
    at160 = shown(160)
    assert list(at160) == ["sev", "kind", "target", "since", "count", "reason"]
    assert sum(w + 2 for w in at160.values()) == 160  # nothing wasted
    assert at160["reason"] > 58
    assert shown(400)["reason"] == 120  # never wider than its content
