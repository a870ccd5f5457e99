"""What fgtop derives from a Snapshot for every sink: cost, right-sizing, problems.

Pure functions of the snapshot (and the price table): the same figures live, in replay and
in ``fgtop snapshot``. Times come from ``snapshot.taken_at``, never the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fgtop.cost.estate import EstatePricer
from fgtop.cost.estimate import CostSummary
from fgtop.cost.prices import PriceTable
from fgtop.cost.rightsizing import DEFAULT_HEADROOM, Held, Suggestion, rightsize
from fgtop.derive.figures import oom_kills
from fgtop.derive.problems import Problem
from fgtop.derive.problems_why import all_problems
from fgtop.model import Snapshot


@dataclass(frozen=True)
class Insights:
    """Derived figures for one snapshot."""

    cost: CostSummary | None = None
    suggestions: tuple[Suggestion, ...] = ()
    held: tuple[Held, ...] = ()
    """Services offered no cheaper capacity, each with its reasons (:mod:`fgtop.cost.holdbacks`)."""
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    """One-line notices (e.g. a corrupt price cache ignored)."""
    oom_kills: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    """Service ARN -> when its tasks were OOM-killed: what the problems and the held-back
    reasons count (fgtop.derive.figures.oom_kills)."""
    empty: str | None = None
    """What the task and service tables say instead of nothing, once a complete poll found no
    Fargate task (:func:`no_tasks`); None otherwise."""


ECS_SOURCE = "ecs:"
"""The prefix of the ECS sources' names (``ecs:eu-west-1``)."""


def no_tasks(snapshot: Snapshot) -> str | None:
    """ "no Fargate tasks in eu-west-1 for profile default (account 123456789012)", when every
    watched region's ECS source has answered in full, without an error, and found no task;
    None while a region has not answered, failed (nothing is known then) or has tasks.

    The regions are the ECS sources' own; a profile not named is the default chain's, as the
    header says. The text is the snapshot's: a screen shows it through ``safe()``.
    """
    if snapshot.tasks:
        return None
    ecs = [s for s in snapshot.sources if s.name.startswith(ECS_SOURCE)]
    if not ecs or snapshot.loading is not None:
        return None
    if not all(s.ok and s.error is None and s.last_success is not None for s in ecs):
        return None
    regions = ", ".join(s.name[len(ECS_SOURCE) :] for s in ecs)
    line = f"no Fargate tasks in {regions} for profile {snapshot.profile or 'default'}"
    return f"{line} (account {snapshot.account})" if snapshot.account else line


def analyse(
    snapshot: Snapshot,
    table: PriceTable | None,
    *,
    headroom: float = DEFAULT_HEADROOM,
    with_suggestions: bool = True,
    savings_plan_discount: float = 0.0,
    first_exits: Mapping[str, float] | None = None,
    pricer: EstatePricer | None = None,
) -> Insights:
    """Cost, right-sizing and problems of a snapshot, at the snapshot's own time.

    ``savings_plan_discount`` (config key of the same name, 0 to 0.72) is taken off
    on-demand Fargate compute in every cost figure and saving; ``first_exits`` (pod key ->
    its first exit within the window, from the history) dates the pods' crash loops.
    ``pricer`` (the deriver's, for ``table`` and that discount) keeps each task's price from
    the snapshots before: the figures are the same as a fresh one's, worked out for what
    changed.
    """
    now = snapshot.taken_at
    discount = savings_plan_discount
    kills = oom_kills(snapshot)
    cost = None
    if table is not None:
        pricer = pricer if pricer is not None else EstatePricer(table, discount)
        cost = pricer.price(snapshot, now)
    sizing = (
        rightsize(snapshot, table, headroom, discount=discount, oom_kills=kills)
        if table is not None and with_suggestions
        else None
    )
    return Insights(
        cost=cost,
        suggestions=sizing.suggestions if sizing is not None else (),
        held=sizing.held if sizing is not None else (),
        problems=tuple(all_problems(snapshot, now, first_exits)),
        warnings=tuple(table.warnings) if table is not None else (),
        oom_kills=kills,
        empty=no_tasks(snapshot),
    )
