"""The log screen: a task's, a service's (all its tasks merged) or a pod's lines.

Live, ECS lines come from CloudWatch Logs (the awslogs options of the task definition) and
pod lines from the Kubernetes log API (with the previous container's lines for a crash-looping
pod). In replay and demo, the recorded lines up to the replay clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Select, Static

from fgtop.model import LogLine, Pod, Service, Snapshot, Task
from fgtop.sources.errors import one_line
from fgtop.sources.logs import CloudWatchTail, LogTarget, fetch_around, resolve_targets
from fgtop.ui import fmt
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.log_view import LogView

ALL = "__all__"
AROUND_BEFORE = 300.0
"""Seconds of lines shown before a moment (a task's stop) when jumping to it."""
AROUND_AFTER = 60.0


class LogsScreen(Screen):
    """Logs of one target; ``esc`` goes back."""

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back"),
        Binding("c", "pick_container", "Container"),
    ]

    def __init__(
        self, target: str, *, at: float | None = None, container: str | None = None
    ) -> None:
        super().__init__()
        self.target = target
        """A task ARN, a service ARN or a pod key (``cluster/namespace/name``)."""
        self.at = at
        """The moment to show the lines around (POSIX seconds), or None to follow."""
        self.container = container
        self._shown_until: float | None = None
        self._tail: asyncio.Task | None = None
        self._item: Task | Service | Pod | None = None

    def compose(self) -> ComposeResult:
        """Header, title, container picker, the log view, footer."""
        yield HeaderBar()
        yield Static(id="logs-title")
        yield Select([("all containers", ALL)], value=ALL, allow_blank=False, id="containers")
        size = getattr(self.app, "config", None)
        yield LogView(max_lines=size.log_buffer if size else 10_000, id="log")
        yield Footer()

    # -- resolving what to show ----------------------------------------------------------

    def _find(self, snapshot: Snapshot | None) -> Task | Service | Pod | None:
        if snapshot is None:
            return None
        for items in (snapshot.tasks, snapshot.services, snapshot.pods):
            for item in items:
                if item.key == self.target:
                    return item
        return None

    def _tasks(self, snapshot: Snapshot) -> list[Task]:
        item = self._item
        if isinstance(item, Task):
            return [item]
        if isinstance(item, Service):
            return [
                t for t in snapshot.tasks if t.service == item.name and t.cluster == item.cluster
            ]
        return []

    def _containers(self, snapshot: Snapshot) -> list[str]:
        item = self._item
        if isinstance(item, Pod):
            return [c.name for c in item.containers]
        names: dict[str, None] = {}
        for task in self._tasks(snapshot):
            td = snapshot.task_definition(task.task_definition)
            for c in td.containers if td else task.containers:
                names[c.name] = None
        return list(names)

    def on_mount(self) -> None:
        """Find the target, set up the picker, start the lines."""
        app: Any = self.app
        header = self.query_one(HeaderBar)
        header.mode = app.mode
        snapshot = app.snapshot
        if snapshot is not None:
            header.show_snapshot(snapshot)
        self._item = self._find(snapshot)
        view = self.query_one(LogView)
        view.show_source = isinstance(self._item, Service)
        self.query_one("#logs-title", Static).update(self._title())
        picker = self.query_one("#containers", Select)
        names = self._containers(snapshot) if snapshot else []
        picker.set_options([("all containers", ALL), *((n, n) for n in names)])
        picker.display = len(names) > 1
        if self.container in names:
            picker.value = self.container
        view.focus()
        self._restart()

    def _title(self) -> Text:
        item = self._item
        text = Text("logs of ", style="bold")
        if isinstance(item, Task):
            text.append(f"task {item.id} ({item.service or item.group})")
        elif isinstance(item, Service):
            text.append(f"service {item.name} (all its tasks, merged by time)")
        elif isinstance(item, Pod):
            text.append(f"pod {item.namespace}/{item.name} ({item.cluster})")
        else:
            text.append(fmt.short_arn(self.target))
        if self.at is not None:
            text.append(f"  around {fmt.when(self.at)}", style="italic")
        return text

    def _restart(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
        view = self.query_one(LogView)
        view.clear()
        self._shown_until = None
        app: Any = self.app
        if self._item is None:
            view.set_message(f"{fmt.short_arn(self.target)} is not in the current snapshot")
            return
        if getattr(app, "recording", None) is not None:
            self._replay_lines()
            return
        self._tail = asyncio.create_task(self._live())

    def on_select_changed(self, event: Select.Changed) -> None:
        """A container was picked: show its lines only."""
        value = event.value
        self.container = None if value in (Select.BLANK, ALL) else str(value)
        self._restart()

    def action_pick_container(self) -> None:
        """Focus the container picker."""
        picker = self.query_one("#containers", Select)
        if picker.display:
            picker.focus()
            picker.expanded = True

    def action_back(self) -> None:
        """Back to where the logs were opened from."""
        self.app.pop_screen()

    def on_unmount(self) -> None:
        """Stop tailing."""
        if self._tail is not None:
            self._tail.cancel()

    # -- replay --------------------------------------------------------------------------

    def _keys(self) -> list[str]:
        snapshot = self.app.snapshot  # type: ignore[attr-defined]
        if isinstance(self._item, Pod):
            return [self._item.key]
        return [t.arn for t in self._tasks(snapshot)] if snapshot else []

    def _replay_lines(self) -> None:
        app: Any = self.app
        recording = app.recording
        until = app.now if self.at is None else max(app.now, self.at + AROUND_AFTER)
        since = self._shown_until
        lines: list[LogLine] = []
        for key in self._keys():
            lines += recording.logs(key, since=since, until=until)
        if since is not None:
            lines = [ln for ln in lines if ln.timestamp > since]
        if self.container:
            lines = [ln for ln in lines if ln.container == self.container]
        lines.sort(key=lambda ln: ln.timestamp)
        view = self.query_one(LogView)
        if not lines and self._shown_until is None:
            view.set_message("no log lines recorded for this target")
        elif lines:
            view.set_message(None)
            view.append_lines(lines)
        self._shown_until = until
        if self.at is not None and since is None:
            self.call_after_refresh(view.jump_to_time, self.at - 30)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """In replay, new recorded lines up to the replay clock."""
        self.query_one(HeaderBar).show_snapshot(snapshot)
        if (
            getattr(self.app, "recording", None) is not None
            and self._item is not None
            and self.at is None
        ):
            self._replay_lines()

    # -- live ----------------------------------------------------------------------------

    async def _live(self) -> None:
        view = self.query_one(LogView)
        try:
            if isinstance(self._item, Pod):
                await self._live_pod(view, self._item)
            else:
                await self._live_ecs(view)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line in the view, never a crash
            view.set_message(one_line(exc))

    def _aws(self) -> Any:
        engine = getattr(self.app, "engine", None)
        for source in getattr(engine, "sources", ()):
            aws = getattr(source, "aws", None)
            if aws is not None:
                return aws
        return None

    async def _live_ecs(self, view: LogView) -> None:
        snapshot: Snapshot = self.app.snapshot  # type: ignore[attr-defined]
        containers = [self.container] if self.container else None
        targets: list[LogTarget] = []
        notes: list[str] = []
        for task in self._tasks(snapshot):
            found, why = resolve_targets(
                task, snapshot.task_definition(task.task_definition), containers
            )
            targets += found
            notes += why
        notes = list(dict.fromkeys(notes))
        view.set_message("; ".join(notes) if notes else None)
        aws = self._aws()
        if not targets or aws is None:
            if aws is None:
                view.set_message("no AWS session: logs are available live or from a recording")
            return
        if self.at is not None:
            lines: list[LogLine] = []
            for target in targets:
                batch = await fetch_around(aws, target, self.at, AROUND_BEFORE, AROUND_AFTER)
                lines += batch.lines
                notes += batch.messages
            lines.sort(key=lambda ln: ln.timestamp)
            view.append_lines(lines)
            view.set_message("; ".join(dict.fromkeys(notes)) or None)
            self.call_after_refresh(view.jump_to_time, self.at - 30)
            return
        tail = CloudWatchTail(aws, targets)
        async for batch in tail.follow():
            if batch.lines:
                view.append_lines(batch.lines)
            if batch.messages:
                view.set_message("; ".join(dict.fromkeys(notes + batch.messages)))

    async def _live_pod(self, view: LogView, pod: Pod) -> None:
        engine = getattr(self.app, "engine", None)
        source = next(
            (s for s in getattr(engine, "sources", ()) if s.name == f"kube:{pod.cluster}"), None
        )
        if source is None:
            view.set_message(f"no Kubernetes connection for cluster {pod.cluster}")
            return
        container = self.container or (pod.containers[0].name if pod.containers else None)
        crashed = any(
            c.last_state is not None and c.last_state.state == "terminated" for c in pod.containers
        )
        if crashed:
            with contextlib.suppress(Exception):
                previous = await source.logs(
                    pod.namespace, pod.name, container, previous=True, tail_lines=2000
                )
                view.append_lines(previous)
                view.set_message(
                    "lines of the previous (crashed) container first, then the current one"
                )
        async for line in source.follow(pod.namespace, pod.name, container, tail_lines=500):
            view.append_lines([line])
