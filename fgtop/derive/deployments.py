"""A service's deployment history as fgtop has seen it, and what each deployment changed.

ECS lists only a service's current deployments (PRIMARY and the ACTIVE ones it replaces): a
finished or rolled-back one disappears. :class:`DeploymentHistory` feeds on snapshots in time
order (the timeline owns one) and keeps every deployment seen, with how it ended and, once
both task definitions are known, the diff against the one it replaced. No I/O, no wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fgtop.derive.taskdef_diff import TaskDefinitionDiff, diff_models, summary
from fgtop.model import Service, Snapshot, Task

KEEP_PER_SERVICE = 20
"""Deployments remembered per service (the oldest are forgotten first)."""
MAX_SERVICES = 5_000
"""Services remembered at most."""


def after_words(seconds: float) -> str:
    """How long after: ``45s``, ``2m``, ``14m``."""
    seconds = max(0.0, seconds)
    return f"{int(seconds)}s" if seconds < 60 else f"{int(seconds // 60)}m"


def rev(task_definition: str | None) -> str:
    """``family:revision`` of a task definition ARN."""
    return (task_definition or "").rsplit("/", 1)[-1] or "?"


def short_rev(task_definition: str | None, family_of: str | None) -> str:
    """``:17`` when the family is ``family_of``'s, else ``family:17``."""
    name = rev(task_definition)
    family, _, number = name.rpartition(":")
    mine = rev(family_of).rpartition(":")[0]
    return f":{number}" if family and family == mine else name


@dataclass(frozen=True)
class DeploymentRecord:
    """One deployment of a service, as last seen."""

    service: str
    """The service ARN."""
    service_name: str
    id: str
    task_definition: str
    started_at: float | None
    status: str
    """PRIMARY, ACTIVE or INACTIVE, as last listed."""
    rollout_state: str | None
    rollout_state_reason: str | None = None
    failed_tasks: int = 0
    running: int = 0
    desired: int = 0
    previous: str | None = None
    """The task definition ARN of the deployment it replaced (the one before it), if seen."""
    changes: TaskDefinitionDiff | None = None
    """What changed from ``previous`` to ``task_definition`` (None until both are known)."""
    gone_at: float | None = None
    """When ECS stopped listing it (None while listed)."""
    updated_at: float | None = None

    @property
    def listed(self) -> bool:
        """Whether ECS still lists it."""
        return self.gone_at is None

    @property
    def ended(self) -> str:
        """How it ended (or where it stands): ``in progress``, ``completed``, ``failed``..."""
        state = (self.rollout_state or "").upper()
        if state == "FAILED":
            return "failed, rolled back" if not self.listed else "failed"
        if self.listed:
            if self.status == "PRIMARY":
                return "in progress" if state == "IN_PROGRESS" else "current"
            return "being replaced"
        return "replaced"

    @property
    def replaced(self) -> str:
        """``shop-search:18 replaced :17`` (or ``shop-search:18`` when the one before is unknown)."""
        if self.previous is None:
            return rev(self.task_definition)
        return (
            f"{rev(self.task_definition)} replaced {short_rev(self.previous, self.task_definition)}"
        )

    def to_json(self) -> dict[str, Any]:
        """The record as JSON (its ``changes`` as ``fgtop diff --format json`` has them)."""
        return {
            "id": self.id,
            "task_definition": self.task_definition,
            "started_at": self.started_at,
            "status": self.status,
            "rollout_state": self.rollout_state,
            "failed_tasks": self.failed_tasks,
            "ended": self.ended,
            "previous": self.previous,
            "changes": self.changes.to_json() if self.changes is not None else None,
        }


class DeploymentHistory:
    """Every deployment seen per service, oldest first (bounded)."""

    def __init__(self) -> None:
        self._by_service: dict[str, dict[str, DeploymentRecord]] = {}
        self.version = 0
        """Bumped whenever a record changes."""

    def copy(self) -> DeploymentHistory:
        """An independent copy (the records are immutable and shared)."""
        other = DeploymentHistory()
        other._by_service = {arn: dict(recs) for arn, recs in self._by_service.items()}
        other.version = self.version
        return other

    def of(self, service_arn: str) -> tuple[DeploymentRecord, ...]:
        """The deployments of a service, oldest first."""
        return tuple(self._by_service.get(service_arn, {}).values())

    def all(self) -> dict[str, tuple[DeploymentRecord, ...]]:
        """Service ARN -> its deployments, oldest first (a copy)."""
        return {arn: tuple(recs.values()) for arn, recs in self._by_service.items()}

    def feed(self, snapshot: Snapshot) -> bool:
        """Take in a snapshot's deployments; whether anything changed."""
        changed = False
        for service in snapshot.services:
            changed |= self._service(service, snapshot)
        if len(self._by_service) > MAX_SERVICES:
            for arn in list(self._by_service)[: len(self._by_service) - MAX_SERVICES]:
                del self._by_service[arn]
        if changed:
            self.version += 1
        return changed

    def _service(self, service: Service, snapshot: Snapshot) -> bool:
        records = self._by_service.setdefault(service.arn, {})
        before = dict(records)
        listed = sorted(service.deployments, key=lambda d: d.created_at or 0.0)
        for d in listed:
            old = records.get(d.id)
            base = old or DeploymentRecord(
                service.arn,
                service.name,
                d.id,
                d.task_definition,
                d.created_at,
                d.status,
                d.rollout_state,
            )
            records[d.id] = replace(
                base,
                status=d.status,
                rollout_state=d.rollout_state or base.rollout_state,
                rollout_state_reason=d.rollout_state_reason or base.rollout_state_reason,
                failed_tasks=max(d.failed_tasks, base.failed_tasks),
                running=d.running,
                desired=d.desired,
                updated_at=d.updated_at or base.updated_at,
                gone_at=None,
            )
        ids = {d.id for d in listed}
        self._from_tasks(service, snapshot, records, ids)
        for key, rec in records.items():
            if key not in ids and rec.gone_at is None:
                records[key] = replace(rec, gone_at=snapshot.taken_at)
        ordered = sorted(records.values(), key=lambda r: r.started_at or 0.0)
        for i, rec in enumerate(ordered):
            if rec.previous is None and i > 0:
                rec = replace(rec, previous=ordered[i - 1].task_definition)
            if rec.changes is None and rec.previous is not None:
                a = snapshot.task_definition(rec.previous)
                b = snapshot.task_definition(rec.task_definition)
                if a is not None and b is not None:
                    rec = replace(rec, changes=diff_models(a, b))
            ordered[i] = rec
        kept = ordered[-KEEP_PER_SERVICE:]
        records.clear()
        records.update((r.id, r) for r in kept)
        return records != before

    @staticmethod
    def _from_tasks(
        service: Service, snapshot: Snapshot, records: dict[str, DeploymentRecord], ids: set[str]
    ) -> None:
        """Deployments no longer listed that the service's tasks still tell of.

        A service's task carries the deployment that started it (``startedBy``): stopped
        tasks stay listed for about an hour, so a rolled-back deployment is still known when
        fgtop starts (or a replay is opened) after it ended. It started no later than its
        first task; its end is what the service events say of it.
        """
        found: dict[str, list[Task]] = {}
        for t in snapshot.tasks_of(service):
            by = t.started_by or ""
            if by.startswith("ecs-svc/") and by not in ids and by not in records:
                found.setdefault(by, []).append(t)
        for dep_id, tasks in found.items():
            created = [t.created_at for t in tasks if t.created_at is not None]
            state, reason = _event_state(service, dep_id)
            failed = sum(1 for t in tasks if t.is_stopped and t.started_at is None)
            records[dep_id] = DeploymentRecord(
                service.arn,
                service.name,
                dep_id,
                tasks[0].task_definition,
                min(created) if created else None,
                "INACTIVE",
                state,
                reason,
                failed_tasks=failed,
                gone_at=snapshot.taken_at,
            )


def _event_state(service: Service, dep_id: str) -> tuple[str | None, str | None]:
    """(rollout state, reason) of a deployment as the service events tell of its end."""
    mark = f"(deployment {dep_id}) deployment "
    for e in service.events:  # newest first
        at = e.message.find(mark)
        if at < 0:
            continue
        rest = e.message[at + len(mark) :]
        if rest.startswith("failed"):
            return "FAILED", rest.partition(":")[2].strip().rstrip(".") or None
        if rest.startswith("completed"):
            return "COMPLETED", None
    return None, None


def change_before(
    records: Iterable[DeploymentRecord], at: float, window: float
) -> DeploymentRecord | None:
    """The newest deployment that started at most ``window`` seconds before ``at``."""
    found = [r for r in records if r.started_at is not None and 0 <= at - r.started_at <= window]
    return max(found, key=lambda r: r.started_at or 0.0, default=None)


def change_words(record: DeploymentRecord) -> str:
    """``shop-search:18 replaced :17 — image tag, memory 2048 → 1024`` (what is known)."""
    text = record.replaced
    if record.changes is not None and record.previous is not None:
        text += f" — {summary(record.changes)}"
    return text


def newest_first(records: Sequence[DeploymentRecord]) -> list[DeploymentRecord]:
    """The records, newest first."""
    return sorted(records, key=lambda r: -(r.started_at or 0.0))
