"""Issue 27's eight on-call questions, in a real terminal at 80x24 and at 160x48.

Each question starts from a fresh ``fgtop demo`` (the installed command in tmux), which opens
at its worst moment (10:10:30, every incident on the problems view); its keys are a list
here, their count pinned (README: "The on-call path"), and the answer must be on the screen
tmux shows (``capture-pane``) without scrolling. The screen is read, never the byte stream;
every wait has a deadline, so a loaded machine is slower, not wrong.

The problems' order at the opening, which the paths rely on (it holds until 10:14:10 of the
recording; ``fixtures/_demo_ecs.OPENS``): the two EKS Deployments (critical), the shop-recs
OOM kills, shop-api at max capacity, the crash-looping pod, the shop-checkout task stopped for
its load balancer's health checks, the missing shop-search image, the Pending pod, (shop-recs
below its desired count while a task is replaced), shop-api's CPU alarm, the Spot
interruption, and last the shop-search rollback (resolved).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_small_terminal_tty import TMUX, Tmux, start_demo

pytestmark = pytest.mark.e2e

MAX_KEYS = 5
"""Issue 27: each answer in at most 5 keys from launch."""


@dataclass(frozen=True)
class Question:
    """One on-call question: the keys from launch, and what answers it on screen."""

    name: str
    keys: tuple[str, ...]
    pinned: int
    answer: Callable[[str], bool]
    what: str


def _all(*needles: str) -> Callable[[str], bool]:
    """Every needle on the screen."""
    return lambda screen: all(n in _flat(screen) for n in needles)


def _detail(*needles: str) -> Callable[[str], bool]:
    """Every needle in the problems view's detail pane (below its rule): the selected row's
    why, next step, target and since, not another row's cell."""

    def ok(screen: str) -> bool:
        lines = screen.splitlines()
        rule = max((i for i, line in enumerate(lines) if line.startswith("─" * 20)), default=None)
        pane = _flat("\n".join(lines[rule + 1 :])) if rule is not None else ""
        return all(n in pane for n in needles)

    return ok


def _flat(screen: str) -> str:
    """The screen with wrapped lines joined (a long answer wraps at 80 columns)."""
    return re.sub(r"\s+", " ", screen)


def _oom_lines(screen: str) -> bool:
    lines = screen.splitlines()
    at = next((i for i, line in enumerate(lines) if "OutOfMemoryError" in line), None)
    # The kill's line, with the run up to it above it: the heap's warnings before the kill.
    return at is not None and "logs of task" in screen and any("WARN" in x for x in lines[:at])


QUESTIONS = (
    Question(
        "the log lines before the OOM kill",
        ("Down", "Down", "l"),
        3,
        _oom_lines,
        "the shop-recs task's lines up to OutOfMemoryError",
    ),
    Question(
        "why the EKS pod is Pending",
        ("Down",),
        1,
        _detail("Deployment/report-builder", "no Fargate profile selects namespace analytics"),
        "the report-builder Deployment's pod and why it is Pending",
    ),
    Question(
        "which deployment failed and what it changed",
        ("End",),
        1,
        _detail("deployment of shop-search:18 rolled back to :17", "changed image tag, memory"),
        "the rolled-back deployment and its change",
    ),
    Question(
        "which task fails its load balancer's health check and why",
        ("Down", "Down", "Down", "Down", "Down"),
        5,
        _detail("shop-checkout", "health-check-elb", "target group shop-checkout", "HTTP 503"),
        "the shop-checkout task, its target group and the HTTP code",
    ),
    Question(
        "the Spot interruption",
        ("End", "Up"),
        2,
        _detail("shop-cart", "AWS reclaimed the Fargate Spot capacity"),
        "the shop-cart task Spot took back",
    ),
    Question(
        "the image pull failure",
        ("End",),
        1,
        _detail("shop-search", "image shop-search:2026.11.28-bad does not exist"),
        "the image that does not exist",
    ),
    Question(
        "what the estate costs per hour and the safe saving",
        ("c",),
        1,
        _all("Burn rate $", "/h", "Safe saving up to $"),
        "the burn rate and the safe saving",
    ),
    Question(
        "when the CPU spike began and on which service",
        ("End", "Up", "Up"),
        3,
        _detail("shop-api", "is in ALARM (CPUUtilization > 60)", "since 2026-11-28 10:06:00"),
        "shop-api's CPU alarm, since its CPU crossed 60%",
    ),
)
SIZES = ((80, 24), (160, 48))


@pytest.fixture
def demo(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    width, height = request.param
    yield from start_demo(tmp_path, width, height)


def test_every_path_is_pinned_and_short() -> None:
    assert [q.pinned for q in QUESTIONS] == [3, 1, 1, 5, 2, 1, 1, 3]
    for q in QUESTIONS:
        assert len(q.keys) == q.pinned <= MAX_KEYS, q.name


@pytest.mark.parametrize("demo", SIZES, indirect=True, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name.replace(" ", "-"))
def test_each_answer_from_launch(demo: Tmux, question: Question) -> None:
    landed = demo.wait(
        lambda s: bool(re.search(r"\b1[12] problems\b", s)) and "Help" in s.splitlines()[-1],
        "the problems view at the demo's opening",
        timeout=60,
    )
    assert "DEMO 2026-11-28 10:1" in landed, landed  # opened at its worst moment, not 09:48
    assert not question.answer(landed), landed  # the keys are what brings the answer
    demo.keys(*question.keys)
    demo.wait(question.answer, f"{question.what} ({question.name})", timeout=30)
    assert len(question.keys) == question.pinned
