"""``fgtop logs TARGET``: a task's, a service's or a pod's log lines on stdout.

The target is resolved from one live poll (the same sources as the dashboard): a task id
(or a unique prefix of at least 8 characters) or ARN, a service name or ARN, or
``namespace/pod`` (``cluster/namespace/pod`` when several clusters have it). ECS lines come
from CloudWatch Logs through the task definition's ``awslogs`` options; a service's tasks
(running and recently stopped) are merged by time with a task column. Pod lines come from the
Kubernetes log API, ``--previous`` for the last terminated container.

Lines are printed sanitised by :func:`fgtop.text.logbuffer.print_lines` (no escape sequence at all
when stdout is not a terminal). Problems that leave the target readable (another log driver, a
missing log group, access denied) are one line each on stderr and exit 0; a target that does not
exist or is ambiguous is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from fgtop.cli.settings import live_options
from fgtop.engine.build import build_engine
from fgtop.engine.core import Engine
from fgtop.errors import SetupError, fail
from fgtop.model import LogLine, Pod, Snapshot, Task
from fgtop.text.durations import parse_duration
from fgtop.text.logbuffer import print_lines

MIN_PREFIX = 8
"""Characters of a task id prefix accepted as a target (the log column shows 8)."""
POD_TAIL = 10_000
"""Lines asked of the pod log API at most (besides ``--since``)."""


class TargetError(Exception):
    """The target does not exist or is ambiguous: one line for the user, exit 2."""


@dataclass
class Resolved:
    """What a target names: some tasks (one, or a service's) or one pod."""

    label: str
    tasks: list[Task] = field(default_factory=list)
    pod: Pod | None = None
    service: bool = False


class Output:
    """Prints lines to stdout and each distinct one-line problem once to stderr."""

    def __init__(self, *, source: bool) -> None:
        self.source = source
        self.lines = 0
        self._said: set[str] = set()

    def lines_out(self, lines: list[LogLine]) -> None:
        """Print lines (sanitised), oldest first, and flush (pipes see them at once)."""
        if lines:
            print_lines(lines, sys.stdout, source=self.source)
            sys.stdout.flush()
            self.lines += len(lines)

    def say(self, messages: Iterable[str]) -> None:
        """Print each message not said before as ``fgtop: <message>`` on stderr."""
        for message in messages:
            if message and message not in self._said:
                self._said.add(message)
                print(f"fgtop: {message}", file=sys.stderr, flush=True)


# -- resolving the target ---------------------------------------------------------------------


def _where(snapshot: Snapshot) -> str:
    regions = ", ".join(snapshot.regions) or "no region"
    clusters = {(t.region, t.cluster) for t in snapshot.tasks} | {
        (c.region, c.name) for c in snapshot.clusters
    }
    parts = [
        f"{len(snapshot.tasks)} tasks",
        f"{len(snapshot.services)} services in {len(clusters)} clusters",
    ]
    kube = {p.cluster for p in snapshot.pods} | {k.name for k in snapshot.kube_clusters}
    if kube or snapshot.pods:
        parts.append(f"{len(snapshot.pods)} Fargate pods (--all-pods for others)")
    failed = [f"{s.name}: {s.error}" for s in snapshot.sources if s.error]
    return f"{regions} ({', '.join(parts)}{'; ' if failed else ''}{'; '.join(failed)})"


def _service_tasks(
    snapshot: Snapshot, account: str | None, region: str, cluster: str, name: str
) -> list[Task]:
    tasks = [
        t
        for t in snapshot.tasks
        if (t.account, t.region, t.cluster, t.service) == (account, region, cluster, name)
    ]
    return sorted(tasks, key=lambda t: (t.started_at or t.created_at or 0.0, t.arn))


def resolve(snapshot: Snapshot, target: str) -> Resolved:
    """Find what ``target`` names in ``snapshot``.

    Args:
        snapshot: One live poll.
        target: A task id, id prefix or ARN; a service name or ARN; ``namespace/pod`` or
            ``cluster/namespace/pod``.

    Returns:
        The tasks or the pod to read.

    Raises:
        TargetError: When nothing matches, or several things do.
    """
    target = target.strip()
    if target.startswith("arn:"):
        for task in snapshot.tasks:
            if task.arn == target:
                return Resolved(f"task {task.id}", [task])
        for svc in snapshot.services:
            if svc.arn == target:
                return _service(snapshot, svc.account, svc.region, svc.cluster, svc.name)
        raise TargetError(f"no task or service matches {target!r} in {_where(snapshot)}")
    if "/" in target:
        return _pod(snapshot, target)
    tasks = [t for t in snapshot.tasks if t.id == target]
    if not tasks and len(target) >= MIN_PREFIX:
        tasks = [t for t in snapshot.tasks if t.id.startswith(target)]
    if len(tasks) == 1:
        return Resolved(f"task {tasks[0].id}", tasks)
    if len(tasks) > 1:
        ids = ", ".join(sorted(t.id for t in tasks)[:10])
        raise TargetError(f"{target!r} matches several tasks: {ids}; give more of the id")
    places = {(s.account, s.region, s.cluster) for s in snapshot.services if s.name == target}
    places |= {(t.account, t.region, t.cluster) for t in snapshot.tasks if t.service == target}
    if len(places) > 1:
        accounts = len({a for a, _, _ in places}) > 1
        listed = ", ".join(
            f"{c} ({r}{', ' + snapshot.account_label(a) if accounts else ''})"
            for a, r, c in sorted(
                places, key=lambda p: (snapshot.account_label(p[0]), p[1] or "", p[2])
            )
        )
        more = " (and --account NAME)" if accounts else ""
        raise TargetError(
            f"service {target!r} is in several clusters: {listed}; pass --cluster NAME "
            f"(and --region REGION){more}"
        )
    if places:
        account, region, cluster = next(iter(places))
        return _service(snapshot, account, region, cluster, target)
    raise TargetError(f"no task, service or pod matches {target!r} in {_where(snapshot)}")


def _service(
    snapshot: Snapshot, account: str | None, region: str, cluster: str, name: str
) -> Resolved:
    tasks = _service_tasks(snapshot, account, region, cluster, name)
    return Resolved(f"service {name} in {cluster} ({region})", tasks, service=True)


def _pod(snapshot: Snapshot, target: str) -> Resolved:
    parts = target.split("/")
    if len(parts) == 2:
        pods = [p for p in snapshot.pods if (p.namespace, p.name) == tuple(parts)]
    elif len(parts) == 3:
        pods = [p for p in snapshot.pods if p.key == target]
    else:
        pods = []
    if len(pods) > 1:
        listed = ", ".join(sorted(p.key for p in pods))
        raise TargetError(
            f"pod {target!r} is in several clusters: {listed}; give cluster/namespace/pod "
            "or pass --context NAME"
        )
    if not pods:
        raise TargetError(f"no task, service or pod matches {target!r} in {_where(snapshot)}")
    return Resolved(f"pod {pods[0].key}", pod=pods[0])


# -- ECS ------------------------------------------------------------------------------------


async def _ecs(engine: Engine, snapshot: Snapshot, found: Resolved, args: Any) -> Output:
    from fgtop.sources.logs import CloudWatchTail, resolve_targets

    containers = [args.container] if args.container else None
    targets = []
    notes: list[str] = []
    for task in found.tasks:
        got, why = resolve_targets(task, snapshot.task_definition(task.task_definition), containers)
        targets += got
        notes += why
    out = Output(source=found.service or len({t.container for t in targets}) > 1)
    out.say(notes)
    if not found.tasks:
        out.say([f"{found.label} has no running or recently stopped tasks"])
    if args.container and found.tasks and not targets and not notes:
        out.say([f"{found.label} has no container named {args.container!r}"])
    if not targets:
        return out
    aws = engine.aws_of(found.tasks[0].account)
    if aws is None:  # the live engine always has ECS sources; never crash on it anyway
        out.say(["no AWS session"])
        return out
    tail = CloudWatchTail(aws, targets, since=args.since_seconds)
    if args.follow:
        async for batch in tail.follow():
            out.lines_out(batch.lines)
            out.say(batch.messages)
        return out  # pragma: no cover - follow() ends only when cancelled
    lines: list[LogLine] = []
    while True:
        batch = await tail.poll()
        lines += batch.lines
        out.say(batch.messages)
        if not batch.more:
            break
    lines.sort(key=lambda line: line.timestamp)  # stable: keeps each stream's order
    out.lines_out(lines)
    return out


# -- pods ------------------------------------------------------------------------------------


def _pod_reason(exc: BaseException, pod: Pod) -> str:
    from kubernetes_asyncio.client.exceptions import ApiException

    from fgtop.sources.kube import kube_reason

    if isinstance(exc, ApiException) and exc.status not in (403, 410) and exc.reason:
        return f"pod {pod.target}: {exc.reason}"
    return f"pod {pod.target}: {kube_reason(exc, 'pods/log')}"


async def _pod_logs(engine: Engine, found: Resolved, args: Any) -> Output:
    pod = found.pod
    assert pod is not None
    source: Any = next((s for s in engine.sources if s.name == f"kube:{pod.cluster}"), None)
    names = [c.name for c in pod.containers if not c.init] or [""]
    if args.container:
        names = [args.container]
    out = Output(source=len(names) > 1)
    if source is None:
        out.say([f"no Kubernetes connection for cluster {pod.cluster}"])
        return out
    if getattr(source, "api", None) is None:
        try:
            source.api = await source.connection.client()
        except Exception as exc:  # noqa: BLE001 - a broken kubeconfig entry is one line
            out.say([_pod_reason(exc, pod)])
            return out
    since = max(1, int(args.since_seconds))
    if args.previous and args.follow:
        out.say(["--follow ignored with --previous: a terminated container's logs do not grow"])
    if args.follow and not args.previous:
        await _follow_pod(source, pod, names, since, out)
        return out
    lines: list[LogLine] = []
    for name in names:
        try:
            lines += await source.logs(
                pod.namespace,
                pod.name,
                name or None,
                previous=args.previous,
                since_seconds=since,
                tail_lines=POD_TAIL,
            )
        except Exception as exc:  # noqa: BLE001 - one line, the other containers still print
            out.say([_pod_reason(exc, pod)])
    lines.sort(key=lambda line: line.timestamp)
    out.lines_out(lines)
    return out


async def _follow_pod(source: Any, pod: Pod, names: list[str], since: int, out: Output) -> None:
    async def one(name: str) -> None:
        stream: AsyncIterator[LogLine] = source.follow(
            pod.namespace, pod.name, name or None, since_seconds=since, tail_lines=POD_TAIL
        )
        try:
            async for line in stream:
                out.lines_out([line])
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line, the other containers go on
            out.say([_pod_reason(exc, pod)])

    await asyncio.gather(*(one(name) for name in names))


# -- the command -----------------------------------------------------------------------------


async def main(args: Any) -> int:
    """Poll once, resolve the target, print its lines; the exit code.

    Raises:
        SetupError: For a bad region, credentials, cluster or kubeconfig context.
    """
    opts = live_options(args)
    opts.metrics = False  # logs need no CloudWatch metrics
    opts.why = False  # nor deployments, target health, alarms or scaling
    engine = await build_engine(opts)
    try:
        snapshot = await engine.poll_once()
        try:
            found = resolve(snapshot, args.target)
        except TargetError as exc:
            return fail(str(exc))
        if found.pod is not None:
            await _pod_logs(engine, found, args)
        else:
            await _ecs(engine, snapshot, found, args)
        return 0
    finally:
        await engine.stop()


def run(args: argparse.Namespace) -> int:
    """``fgtop logs TARGET``: the exit code (0 shown, 2 not found / ambiguous / bad input)."""
    try:
        args.since_seconds = parse_duration(args.since)
    except ValueError as exc:
        return fail(f"--since: {exc}")
    try:
        return asyncio.run(main(args))
    except SetupError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 0 if args.follow else 130
