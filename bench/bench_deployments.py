"""What the deployment history costs per snapshot at 5,000 tasks (issue 17).

The timeline feeds a :class:`~fgtop.derive.deployments.DeploymentHistory` on every snapshot
(every service's deployments, and its tasks' ``startedBy`` for deployments no longer listed);
``fgtop snapshot`` builds one for the JSON's ``changes``. Times the timeline's feed and view,
and ``snapshot_json``, over the 250-service, 5,000-task estate of ``bench_oncall``. Prints
medians, asserts nothing. Compare with a tree without the history by running it with
``PYTHONPATH=OTHER_TREE``.

    python bench/bench_deployments.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_oncall import T0, estate  # noqa: E402
from fgtop.derive.deployments import DeploymentHistory  # noqa: E402
from fgtop.derive.timeline import Timeline  # noqa: E402
from fgtop.printer.documents import snapshot_json  # noqa: E402


def main() -> int:
    """Print the medians."""
    snaps = [estate(250, 20, 0, T0 + 5 * i, i) for i in range(12)]
    history = DeploymentHistory()
    alone = []
    for s in snaps:
        s.tasks_of(s.services[0])  # the tasks-by-service index the problems build anyway
        t = time.perf_counter()
        history.feed(s)
        alone.append(time.perf_counter() - t)
    snaps = [estate(250, 20, 0, T0 + 5 * i, i) for i in range(12)]  # fresh: no index built
    timeline = Timeline()
    feeds = []
    for s in snaps:
        t = time.perf_counter()
        timeline.feed(s)
        timeline.view()
        feeds.append(time.perf_counter() - t)
    docs = []
    for s in snaps[:5]:
        t = time.perf_counter()
        snapshot_json(s)
        docs.append(time.perf_counter() - t)
    print(f"{len(snaps[0].tasks)} tasks, {len(snaps[0].services)} services")
    print(f"deployment history alone: {statistics.median(alone) * 1000:.1f} ms (median of 12)")
    print(f"timeline feed + view: {statistics.median(feeds[1:]) * 1000:.1f} ms (median of 11)")
    print(f"snapshot_json: {statistics.median(docs) * 1000:.1f} ms (median of 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
