"""``:account`` / ``:region`` / ``:cluster``: a real narrowing of the frame, over the demo."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fgtop.cost.prices import load_price_table
from fgtop.derive.narrow import (
    Narrowing,
    accounts_matching,
    choices,
    narrow_derived,
    narrow_snapshot,
)
from fgtop.derive.pipeline import Deriver
from fgtop.model import Snapshot
from fgtop.recording.reader import open_recording

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.fgrec"
PROD, EDGE = "210987654321", "420987654321"


@pytest.fixture(scope="module")
def frame():  # noqa: ANN201
    """The demo at 10:08 (frame 240) and what was derived from the frames up to it."""
    table = load_price_table()
    deriver = Deriver(table)
    with open_recording(DEMO) as rec:
        for i in range(0, 241, 12):
            snap = rec.frame(i)
            derived = deriver.derive(snap)
    return snap, derived, table


def test_narrowing_to_an_account(frame) -> None:  # noqa: ANN001
    snap, derived, table = frame
    n = Narrowing(account=EDGE)
    small = narrow_snapshot(snap, n)
    assert {c.name for c in small.clusters} == {"edge-prod"}
    assert small.services and {s.account for s in small.services} == {EDGE}
    assert small.tasks and {t.account for t in small.tasks} == {EDGE}
    assert small.pods == () and small.workloads == ()  # the EKS cluster is prod's
    targets = {s.arn for s in small.services} | {t.arn for t in small.tasks}
    assert small.metrics and all(m.target in targets for m in small.metrics)
    # The header still says how every account and source is doing.
    assert small.accounts == snap.accounts and small.sources == snap.sources
    got = narrow_derived(derived, snap, small, n, table)
    cost, whole = got.insights.cost, derived.insights.cost
    assert cost is not None and whole is not None
    assert cost.by_account == {EDGE: whole.by_account[EDGE]}
    assert cost.per_hour == whole.by_account[EDGE]
    assert set(cost.by_service) == {s.arn for s in small.services}
    assert all(p.account == EDGE for p in got.insights.problems)
    assert {p.account for p in derived.insights.problems} >= {PROD}
    entries = got.timeline.items
    assert entries and all(e.account == EDGE for e in entries)
    assert len(entries) < len(derived.timeline.items)


def test_narrowing_to_a_region_is_not_a_text_match(frame) -> None:  # noqa: ANN001
    snap, derived, table = frame
    # A service whose name holds the other region's name: a filter over the visible columns
    # would keep it under :region eu-west-1; a narrowing keeps only what is in eu-west-1.
    edge = next(s for s in snap.services if s.region == "us-east-1")
    sly = dataclasses.replace(edge, name="eu-west-1-sync", arn=edge.arn + "-sync")
    snap = dataclasses.replace(snap, services=(*snap.services, sly))
    small = narrow_snapshot(snap, Narrowing(region="eu-west-1"))
    assert sly not in small.services
    assert {s.region for s in small.services} == {"eu-west-1"}
    assert {t.region for t in small.tasks} == {"eu-west-1"}
    assert {p.region for p in small.pods} == {"eu-west-1"}  # shop-eks is in eu-west-1
    got = narrow_derived(derived, snap, small, Narrowing(region="eu-west-1"), table)
    assert {p.region for p in got.insights.problems} <= {"eu-west-1"}


def test_narrowing_to_a_cluster_then_widening(frame) -> None:  # noqa: ANN001
    snap, derived, table = frame
    n = Narrowing(cluster="data-prod")
    small = narrow_snapshot(snap, n)
    assert {t.cluster for t in small.tasks} == {"data-prod"}
    assert {s.cluster for s in small.services} == {"data-prod"}
    assert small.pods == ()
    eks = narrow_snapshot(snap, Narrowing(cluster="shop-eks"))
    assert eks.pods and eks.tasks == () and {w.cluster for w in eks.workloads} == {"shop-eks"}
    # Nothing narrowed: the very same frame.
    assert narrow_snapshot(snap, Narrowing()) is snap
    assert narrow_derived(derived, snap, snap, Narrowing(), table) is derived


def test_what_the_commands_complete_and_accept(frame) -> None:  # noqa: ANN001
    snap: Snapshot = frame[0]
    assert choices(snap, "account") == ["prod", "edge"]
    assert choices(snap, "region") == ["eu-west-1", "us-east-1"]
    assert set(choices(snap, "cluster")) == {"shop-prod", "data-prod", "edge-prod", "shop-eks"}
    assert accounts_matching(snap, "EDGE") == [EDGE]
    assert accounts_matching(snap, PROD) == [PROD]
    assert accounts_matching(snap, "nope") == []
    assert Narrowing(account=EDGE, region="us-east-1").describe(snap) == (
        "account edge, region us-east-1"
    )


def test_the_why_parts_narrow_with_their_services(frame) -> None:  # noqa: ANN001
    snap: Snapshot = frame[0]
    assert snap.alarms and snap.scalable_targets and snap.service_deployments
    edge = narrow_snapshot(snap, Narrowing(account=EDGE))
    services = {s.arn for s in edge.services}
    assert {d.service_arn for d in edge.service_deployments} <= services
    assert edge.service_deployments and all(d.account == EDGE for d in edge.service_deployments)
    # shop-api's alarm and scaling are prod's (eu-west-1): none of them stays for edge.
    assert edge.alarms == () and edge.alarm_history == () and edge.scalable_targets == ()
    prod = narrow_snapshot(snap, Narrowing(cluster="shop-prod"))
    assert prod.alarms and prod.scalable_targets
    assert {t.target_group for t in prod.target_health} <= {
        lb.target_group for s in prod.services for lb in s.load_balancers
    }
