"""Per-task state is bounded by the tasks present; the JSON document is written at once."""

from __future__ import annotations

import io
import json

from fgtop.derive.alerts import DEFAULT_RULES, AlertEvaluator
from fgtop.printer.documents import print_json
from tests.fakes.estate import Estate


def test_alert_memory_of_running_tasks_is_pruned_to_tasks_present() -> None:
    estate = Estate(tasks=200, services=10, pods=0, change=0.25)
    ev = AlertEvaluator(DEFAULT_RULES)
    ev.feed(estate.snapshot())
    for _ in range(20):  # a fifth of each change is a replacement: 10 new tasks a frame
        snap = estate.advance()
        ev.feed(snap)
    present = {t.arn for t in snap.tasks}
    assert ev._seen_running <= present  # noqa: SLF001 - the structure the issue names
    assert len(ev._seen_running) <= len(present)  # noqa: SLF001


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        return super().write(s)


def test_snapshot_json_is_one_write() -> None:
    out = CountingStream()
    print_json(Estate(tasks=300, services=10, pods=20).snapshot(), out)
    assert out.writes == 1
    doc = json.loads(out.getvalue())
    assert len(doc["tasks"]) == 300
