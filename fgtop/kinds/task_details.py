"""The task kind's details: identity, size, times, containers, and why it stopped."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fgtop.derive.decoder import SEVERITY_NAMES, decode_task
from fgtop.derive.why_details import task_targets_section
from fgtop.kinds import sections
from fgtop.model import Snapshot, Task
from fgtop.text import fmt


def task_details(task: Task, snapshot: Snapshot) -> RenderableType:
    """Everything about one task: identity, size, times, the stopped reason in full, containers."""
    td = snapshot.task_definition(task.task_definition)
    info = sections.key_values(
        [
            ("ARN", task.arn),
            ("Status", f"{task.last_status} (desired {task.desired_status})"),
            ("Health", task.health),
            ("Service", task.service or f"standalone ({task.group or '-'})"),
            ("Started by", task.started_by),
            ("Cluster", f"{task.cluster} ({task.region})"),
            ("Task definition", task.family_revision),
            (
                "Size",
                fmt.size(task.cpu, task.memory) + ("" if td is None or task.cpu else " (unknown)"),
            ),
            (
                "Capacity",
                f"{task.capacity_provider or task.launch_type} · {task.arch or 'arch unknown'} · {task.os}",
            ),
            ("Storage", f"{task.ephemeral_storage_gib} GiB ephemeral"),
            (
                "Placement",
                f"{task.az or '-'} · {task.private_ip or '-'} · platform {task.platform_version or '-'}",
            ),
            ("Created", fmt.when(task.created_at)),
            ("Started", fmt.when(task.started_at)),
            ("Stopped", fmt.when(task.stopped_at)),
            ("Stop code", task.stop_code),
            ("Stopped reason", task.stopped_reason),
        ]
    )
    containers = Table(title="Containers", title_justify="left", expand=True)
    for col in ("NAME", "STATUS", "EXIT", "HEALTH", "REASON", "IMAGE"):
        containers.add_column(col, overflow="fold")
    for c in task.containers:
        exit_style = "bold red" if c.exit_code not in (None, 0) else ""
        containers.add_row(
            sections.short(c.name),
            sections.short(c.last_status),
            Text("-" if c.exit_code is None else str(c.exit_code), style=exit_style),
            sections.short(c.health),
            sections.long(c.reason or "-"),
            sections.short(c.image),
        )
    parts: list[RenderableType] = [sections.title("Task", task.id), info, Text(""), containers]
    targets = task_targets_section(snapshot, task)
    if targets is not None:
        parts += [Text(""), sections.render_section(targets)]
    if task.tags:
        parts += [
            Text(""),
            Text("Tags", style="bold"),
            sections.key_values(sorted(task.tags.items())),
        ]
    return Group(*parts)


def task_why(task: Task) -> RenderableType | None:
    """Why a task stopped (or is failing), decoded, with the next step; None when it is fine."""
    decoded = decode_task(task)
    if decoded is None:
        return None
    stopped = task.is_shutting_down or task.stopped_at
    style = "bold red" if decoded.abnormal else "bold"
    head = Text(f"Task {task.id[:8]} ", style=style)
    if stopped:
        head.append(f"stopped {fmt.when(task.stopped_at)}" if task.stopped_at else "is stopping")
    else:
        head.append("is failing")
    if decoded.abnormal:
        head.append(f" · {SEVERITY_NAMES.get(decoded.severity, '?')}", style="dim")
    return Group(
        head,
        sections.key_values([("What happened", decoded.reason), ("Next step", decoded.next_step)]),
    )


def run_span(task: Task, now: float) -> tuple[float, float]:
    """The right edge of a task's chart and how long it ran: a stopped task's ends a minute
    after its stop."""
    end = min(now, task.stopped_at + 60) if task.stopped_at else now
    begin = task.started_at or task.created_at or end
    return end, end - begin
