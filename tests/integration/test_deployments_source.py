"""The ECS service deployments source: the real client against the fake deployments API (moto
serves the rest of ECS), through a source context with a fake clock and through the engine.

Paging, the 20-ARN describe batches, revisions described once ever (disk), ended deployments
described once, a service listed again only when its deployments change, the budget (busy
services first), denied and throttled, malformed entries skipped and counted, hostile text
kept as data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fgtop.engine.core import Engine
from fgtop.model import Deployment, Service, Snapshot
from fgtop.sources.deployments import KEEP, RELIST_EVERY, DeploymentsSource
from fgtop.sources.taskdef_cache import RevisionCache
from fgtop.sources.why_base import DENIED_RETRY
from tests.fakes.hostile import EVIL
from tests.fakes.sources import Clock, FixedSource
from tests.fakes.sources import ctx as context
from tests.fakes.why_services import deployment, revision

REGION = "us-east-1"
ACCOUNT = "123456789012"
NOW = 1_800_000_000.0


def arn(name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{name}"


def service(name: str, *deployments: Deployment) -> Service:
    return Service(name, arn(name), "prod", REGION, "ACTIVE", 2, 2, 0, deployments=deployments)


def td(name: str, rev: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{name}:{rev}"


def history(fake, name: str, n: int, *, newest: str = "SUCCESSFUL") -> list[dict]:
    """``n`` deployments of ``name`` (newest first), each from revision i-1 to i."""
    svc = arn(name)
    revs = [revision(svc, i, td(name, i), {"app": f"example/{name}:{i}"}) for i in range(n + 1)]
    fake.state.revisions.update({r["serviceRevisionArn"]: r for r in revs})
    out = []
    for i in range(n, 0, -1):
        out.append(
            deployment(
                svc,
                f"d{i:03d}",
                created=NOW - 3600 * (n - i + 1),
                status=newest if i == n else "SUCCESSFUL",
                target=revs[i]["serviceRevisionArn"],
                source=revs[i - 1]["serviceRevisionArn"],
                finished=None
                if i == n and newest == "IN_PROGRESS"
                else NOW - 3600 * (n - i + 1) + 300,
            )
        )
    fake.state.deployments[svc] = out
    return out


async def test_pages_batches_and_revisions_once_ever(why, aws, tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        history(why.ecs, name, 25)
    why.ecs.state.page_size = 7
    snap = Snapshot(NOW, services=tuple(service(n) for n in ("a", "b", "c")))
    cache = RevisionCache(tmp_path / "revisions")
    source = DeploymentsSource(aws, REGION, first_wait=0, revisions=cache, budget=500)
    part = await source.poll(context(snap, Clock(NOW)))
    reqs = why.ecs.state.requests
    lists = [r.body for r in reqs if r.op == "ListServiceDeployments"]
    # Two pages of 7 hold the newest 10 (KEEP); 100 asked, the fake pages at 7; 90 days back.
    assert [b.get("nextToken") for b in lists] == [None, "7"] * 3
    assert all(b["maxResults"] == 100 for b in lists)
    assert all(b["createdAt"]["after"] == NOW - 90 * 86400 for b in lists)
    describes = [
        len(r.body["serviceDeploymentArns"]) for r in reqs if r.op == "DescribeServiceDeployments"
    ]
    assert describes == [20, 10]  # 30 deployments, at most 20 a call
    revs = [len(r.body["serviceRevisionArns"]) for r in reqs if r.op == "DescribeServiceRevisions"]
    assert max(revs) == 20 and sum(revs) == 33  # 11 revisions a service (10 targets + 1 source)
    deps = part["service_deployments"]
    assert len(deps) == 3 * KEEP and all(d.described for d in deps)
    assert len(part["service_revisions"]) == 33
    snap = replace(snap, **part)
    newest = snap.deployments_of(snap.services[0])[0]
    assert (
        newest.id == "d025" and snap.service_revision(newest.target.arn).family_revision == "a:25"
    )
    assert source.api_calls() == 6 + 2 + 2 and source.degraded() is None
    # A new launch: the revisions come from the disk, no DescribeServiceRevisions.
    why.ecs.state.requests.clear()
    again = DeploymentsSource(aws, REGION, first_wait=0, revisions=cache, budget=500)
    part = await again.poll(context(snap, Clock(NOW)))
    assert "DescribeServiceRevisions" not in why.ecs.state.ops()
    assert len(part["service_revisions"]) == 33


async def test_listed_again_only_when_the_deployments_change(why, aws) -> None:
    history(why.ecs, "a", 3)
    history(why.ecs, "b", 2, newest="IN_PROGRESS")
    ecs_a = Deployment("ecs-svc/1", "PRIMARY", td("a", 3), 2, 2, 0, rollout_state="COMPLETED")
    ecs_b = Deployment("ecs-svc/2", "PRIMARY", td("b", 2), 2, 1, 1, rollout_state="IN_PROGRESS")
    snap = Snapshot(NOW, services=(service("a", ecs_a), service("b", ecs_b)))
    clock = Clock(NOW)
    source = DeploymentsSource(aws, REGION, first_wait=0, budget=500)
    await source.poll(context(snap, clock))
    assert why.ecs.state.ops().count("ListServiceDeployments") == 2
    why.ecs.state.requests.clear()
    clock.t += 5  # nothing changed, nothing due
    await source.poll(context(snap, clock))
    assert why.ecs.state.ops() == []
    clock.t += (
        15  # b's deployment is in progress: b again, and its moving deployment described again
    )
    await source.poll(context(snap, clock))
    assert [
        r.body["service"] for r in why.ecs.state.requests if r.op == "ListServiceDeployments"
    ] == [arn("b")]
    described = [
        a
        for r in why.ecs.state.requests
        if r.op == "DescribeServiceDeployments"
        for a in r.body["serviceDeploymentArns"]
    ]
    assert described == [why.ecs.state.deployments[arn("b")][0]["serviceDeploymentArn"]]
    why.ecs.state.requests.clear()
    # a deploys: DescribeServices shows a new deployment, so a is listed at once; its ended
    # deployments are not described again, only the new one.
    new = deployment(
        arn("a"),
        "d004",
        created=NOW + 10,
        status="IN_PROGRESS",
        target=why.ecs.state.deployments[arn("a")][0]["targetServiceRevision"]["arn"],
    )
    why.ecs.state.deployments[arn("a")].insert(0, new)
    ecs_new = Deployment("ecs-svc/3", "PRIMARY", td("a", 3), 2, 0, 2, rollout_state="IN_PROGRESS")
    snap = Snapshot(
        clock.t,
        services=(service("a", ecs_new, replace(ecs_a, status="ACTIVE")), service("b", ecs_b)),
    )
    clock.t += 1
    part = await source.poll(context(snap, clock))
    described = [
        a
        for r in why.ecs.state.requests
        if r.op == "DescribeServiceDeployments"
        for a in r.body["serviceDeploymentArns"]
    ]
    assert new["serviceDeploymentArn"] in described
    assert not set(described) & {
        d["serviceDeploymentArn"] for d in why.ecs.state.deployments[arn("a")][1:]
    }
    assert [d.id for d in replace(snap, **part).deployments_of(snap.services[0])][:2] == [
        "d004",
        "d003",
    ]
    why.ecs.state.requests.clear()
    clock.t += RELIST_EVERY  # a steady service is listed again now and then
    await source.poll(context(Snapshot(clock.t, services=(service("a", ecs_new),)), clock))
    assert "ListServiceDeployments" in why.ecs.state.ops()


async def test_the_budget_puts_busy_services_first(why, aws) -> None:
    names = [f"s{i:02d}" for i in range(30)]
    for n in names:
        history(why.ecs, n, 1)
    busy = Deployment("ecs-svc/9", "PRIMARY", td("s29", 1), 2, 0, 2, rollout_state="IN_PROGRESS")
    services = [service(n) for n in names[:-1]] + [service("s29", busy)]
    snap = Snapshot(NOW, services=tuple(services))
    clock = Clock(NOW)
    source = DeploymentsSource(aws, REGION, first_wait=0, budget=0.5)  # 0.1 calls/s, 60 at once
    source.bucket.tokens = 5
    await source.poll(context(snap, clock))
    listed = [r.body["service"] for r in why.ecs.state.requests if r.op == "ListServiceDeployments"]
    assert listed[0] == arn("s29")  # the one deploying first
    assert len(why.ecs.state.requests) == 5 and source.deferred > 0
    clock.t += 600  # 60 more calls' worth: the rest
    part = await source.poll(context(snap, clock))
    assert {d.service_arn for d in part["service_deployments"]} == {arn(n) for n in names}


async def test_denied_is_one_line_and_asked_again_later(why, aws) -> None:
    history(why.ecs, "a", 2)
    why.ecs.state.deny = {"ListServiceDeployments"}
    snap = Snapshot(NOW, services=(service("a"),))
    clock = Clock(NOW)
    source = DeploymentsSource(aws, REGION, first_wait=0)
    part = await source.poll(context(snap, clock))
    assert part == {} or part.get("service_deployments") == ()
    line = source.degraded()
    assert (
        line is not None
        and "ListServiceDeployments denied (needs ecs:ListServiceDeployments)" in line
    )
    assert "inferred" in line
    why.ecs.state.requests.clear()
    clock.t += 30
    await source.poll(context(snap, clock))
    assert why.ecs.state.ops() == [] and source.degraded() == line  # not asked again yet
    why.ecs.state.deny = set()
    clock.t += DENIED_RETRY
    part = await source.poll(context(snap, clock))
    assert source.degraded() is None and len(part["service_deployments"]) == 2


async def test_throttled_marks_only_this_source_stale_through_the_engine(why, aws) -> None:
    history(why.ecs, "a", 2)
    snap = Snapshot(NOW, services=(service("a"),))
    clock = Clock(NOW)
    source = DeploymentsSource(aws, REGION, first_wait=0)
    ecs = FixedSource(f"ecs:{REGION}", {"services": snap.services})
    engine = Engine([ecs, source], clock=clock)
    first = await engine.poll_once()
    assert len(first.service_deployments) == 2
    why.ecs.state.throttle = {"DescribeServiceDeployments", "ListServiceDeployments"}
    why.ecs.state.deployments[arn("a")].insert(
        0,
        deployment(
            arn("a"),
            "d9",
            created=NOW + 5,
            target="arn:aws:ecs:us-east-1:1:service-revision/prod/a/9",
        ),
    )
    clock.t += RELIST_EVERY
    second = await engine.poll_once()
    health = {h.name: h for h in second.sources}[f"deployments:{REGION}"]
    assert (
        not health.ok
        and health.stale
        and health.error == "throttled by AWS (ListServiceDeployments)"
    )
    assert second.service_deployments == first.service_deployments  # the last good part stays


async def test_malformed_entries_are_skipped_and_counted_hostile_text_kept(why, aws) -> None:
    deps = history(why.ecs, "a", 3)
    deps[0]["statusReason"] = EVIL
    deps[1]["deploymentCircuitBreaker"] = {"failureCount": "three"}  # malformed: skipped
    bad = dict(deps[2], serviceDeploymentArn=deps[2]["serviceDeploymentArn"] + "x")
    del bad["serviceArn"]
    why.ecs.state.deployments[arn("a")].append(bad)
    why.ecs.state.gone = {arn("deleted")}  # deleted since ECS listed it: skipped, no error
    snap = Snapshot(NOW, services=(service("a"), service("deleted")))
    source = DeploymentsSource(aws, REGION, first_wait=0, budget=500)
    part = await source.poll(context(snap, Clock(NOW)))
    listed = [r.body["service"] for r in why.ecs.state.requests if r.op == "ListServiceDeployments"]
    assert arn("deleted") in listed
    reasons = {d.id: d.status_reason for d in part["service_deployments"]}
    assert reasons["d003"] == EVIL  # data, exactly: the screens sanitise it
    assert source.degraded() == "2 malformed service deployments skipped"
