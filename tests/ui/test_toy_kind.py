"""A new resource kind is one module registered once: no screen is edited (issue 21).

The toy kind lists the snapshot's ECS clusters. Registered through the registry alone, it has
a tab and a table on the dashboard, a ``:`` command, details, a describe document, its rows
in ``fgtop snapshot --format table`` and its documents in the JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import pytest
from textual.widgets import Static, TabbedContent

from fgtop.kinds import registry, sections
from fgtop.kinds.base import Cell, Details, Kind, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import cell_str
from fgtop.model import Cluster, Snapshot
from fgtop.printer.documents import print_table, snapshot_json
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.describe import DescribeScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.widgets.kind_table import KindTable
from tests.ui.helpers import demo_app, plain, settle, until


class ClusterKind(Kind[Cluster]):
    """ECS clusters, as a toy kind (what docs/architecture.md walks through)."""

    name = "cluster"
    plural = "clusters"
    model = Cluster
    table = "cluster"
    tab = True
    json_key = "toy_clusters"
    describable = True
    detailed = True
    words = Words("clusters", ("cl",), "ECS clusters (optional filter)")
    columns: ClassVar[tuple[Column, ...]] = (
        Column("name", "CLUSTER", priority=0, max=30, letter="N"),
        Column("region", "REGION", priority=1, max=14, letter="R"),
        Column("insights", "INSIGHTS", priority=2, max=9),
        Column("running", "RUNNING", priority=1, right=True, descending=True, letter="G"),
    )

    def items(self, view: View) -> Sequence[Cluster]:
        return view.snapshot.clusters

    def key(self, item: Cluster) -> str:
        return item.arn

    def find(self, snapshot: Snapshot, key: str) -> Cluster | None:
        return next((c for c in snapshot.clusters if c.arn == key), None)

    def texts(self, item: Cluster, view: View) -> Mapping[str, str]:
        return {
            "name": cell_str(item.name),
            "region": cell_str(item.region),
            "insights": cell_str(item.container_insights),
            "running": str(item.running_tasks),
        }

    def cells(self, item: Cluster, view: View) -> Mapping[str, Cell]:
        cells = {k: Cell(v) for k, v in self.texts(item, view).items()}
        tone = "running" if item.status == "ACTIVE" else "stopped"
        cells["name"] = Cell(cells["name"].text, tone=tone)
        return cells

    def document(self, item: Cluster, view: View) -> dict[str, Any]:
        return {"name": item.name, "arn": item.arn, "tasks": len(self._tasks(item, view))}

    def describe(self, item: Cluster, snapshot: Snapshot) -> dict[str, Any]:
        return {"clusterArn": item.arn, "clusterName": item.name, "status": item.status}

    def label(self, item: Cluster) -> str:
        return item.name

    def details(self, item: Cluster, view: View) -> Details:
        rows = [("ARN", item.arn), ("Tasks", str(len(self._tasks(item, view))))]
        return Details(sections.key_values(rows))

    def _tasks(self, item: Cluster, view: View) -> list[Any]:
        return [t for t in view.snapshot.tasks if (t.cluster, t.region) == (item.name, item.region)]


@pytest.fixture
def toy() -> Iterator[ClusterKind]:
    kind = ClusterKind()
    registry.register(kind)
    try:
        yield kind
    finally:
        registry.unregister(kind.name)


async def test_a_toy_kind_shows_in_a_table_details_describe_and_the_json(toy: ClusterKind) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        await until(pilot, lambda: dash.built and dash.query("#clusters"), "the toy's table")
        snap = app.snapshot
        table = dash.query_one("#clusters", KindTable)
        assert (toy,) == table.KINDS
        assert table.row_count == len(snap.clusters) > 0
        tab = dash.query_one(TabbedContent).get_tab("tab-clusters")
        assert str(tab.label) == f"Clusters ({len(snap.clusters)})"
        assert "CLUSTER" in table.header_text() and "RUNNING" in table.header_text()
        first = snap.clusters[0]
        shown = [c.plain for c in table.get_row_at(table.get_row_index(first.arn))]
        assert shown[0] == first.name and shown[1] == first.region

        app.run_command("clusters", None)  # its `:` command, from its declaration
        await settle(pilot)
        assert dash.query_one(TabbedContent).active == "tab-clusters" and table.has_focus

        table.select_key(first.arn)
        await pilot.press("enter")  # Enter: its details
        await settle(pilot)
        details = app.screen
        assert isinstance(details, DetailsScreen) and details.kind == "cluster"
        body = plain(details.query_one("#body", Static).content)
        assert first.arn in body and "Tasks" in body
        await pilot.press("d")  # describe, from the details
        await settle(pilot)
        describe = app.screen
        assert isinstance(describe, DescribeScreen)
        assert json.loads(describe.text)["clusterName"] == first.name
        assert "cluster " + first.name in plain(
            describe.query_one("#describe-title", Static).content
        )

    doc = snapshot_json(snap)
    assert [c["name"] for c in doc["toy_clusters"]] == [c.name for c in snap.clusters]
    assert sum(c["tasks"] for c in doc["toy_clusters"]) == len(snap.tasks)
    out = io.StringIO()
    print_table(snap, out)
    assert "CLUSTER" in out.getvalue() and first.name in out.getvalue()


def test_unregistering_the_toy_leaves_no_trace(toy: ClusterKind) -> None:
    registry.unregister(toy.name)
    assert registry.kind_of(Cluster(name="x", arn="a", region="r", status="ACTIVE")) is None
    assert "clusters" not in {o.plural for o, _ in registry.tables()}
    registry.register(toy)
