"""Turn the reasons AWS and Kubernetes print into plain language and a next step.

Pure functions over the model: no I/O, no Textual. The input strings are outside text (data);
the results are plain strings that the UI must render as data, never as markup.

Severity is an int: 1 critical, 2 high, 3 medium, 4 low (informational).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fgtop.derive.decoder_rules import _EXIT_CODES, _RULES, CRITICAL, HIGH, LOW, MEDIUM
from fgtop.model import Container, FargateProfile, KubeEvent, Pod, Service, Task

__all__ = [
    "CRITICAL",
    "HIGH",
    "LOW",
    "MEDIUM",
    "SEVERITY_NAMES",
    "Decoded",
    "decode_deployment",
    "decode_pod",
    "decode_reason",
    "decode_task",
]

SEVERITY_NAMES = {CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low"}


@dataclass(frozen=True)
class Decoded:
    """A reason decoded for a human."""

    kind: str
    """Short stable id, e.g. ``oom``, ``image-not-found``, ``health-check-elb``."""
    reason: str
    """What happened, in plain language, one line."""
    next_step: str
    """What to check or do next, one line."""
    severity: int
    """1 critical, 2 high, 3 medium, 4 low."""
    abnormal: bool
    """False for benign stops (scaling, a user's StopTask, a finished job)."""


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _bad(kind: str, reason: str, next_step: str, severity: int = HIGH) -> Decoded:
    """An abnormal decoded reason."""
    return Decoded(kind, reason, next_step, severity, True)


def _clean(text: str | None, limit: int = 160) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def decode_reason(text: str | None, exit_code: int | None = None) -> Decoded | None:
    """Decode one reason string (a stopped reason, container reason or event message).

    Args:
        text: The reason as AWS or Kubernetes printed it.
        exit_code: The container's exit code, if known (137 means SIGKILL).

    Returns:
        The decoded reason, or None when nothing is recognised.
    """
    if text:
        for rule in _RULES:
            if rule.requires is not None and not rule.requires.search(text):
                continue
            m = rule.pattern.search(text)
            if m is None:
                continue
            groups = {k: _clean(v, 100) for k, v in m.groupdict().items() if v}
            if ".dkr.ecr." in groups.get("image", ""):
                groups["image"] = groups["image"].split("/", 1)[-1]  # the repository:tag
            reason = rule.reason.format_map(_Missing(groups))
            return Decoded(rule.kind, reason, rule.next_step, rule.severity, rule.abnormal)
    if exit_code is not None and exit_code in _EXIT_CODES:
        kind, reason, step = _EXIT_CODES[exit_code]
        return _bad(kind, f"the container {reason}", step)
    return None


def _container_exit(c: Container, service_task: bool) -> Decoded | None:
    """Decode why one container of a stopped task exited."""
    found = decode_reason(c.reason, c.exit_code)
    if found is not None:
        if found.kind == "oom":
            if c.reason and "memory" in c.reason.lower():
                code = f" (exit {c.exit_code})" if c.exit_code is not None else ""
                reason = f"container {c.name} was killed for using more memory than its limit"
                return _bad("oom", reason + code, found.next_step)
            return _bad("oom", f"container {c.name} {_EXIT_CODES[137][1]}", found.next_step)
        return Decoded(
            found.kind,
            f"container {c.name}: {found.reason}",
            found.next_step,
            found.severity,
            found.abnormal,
        )
    if c.exit_code is None:
        return None
    if c.exit_code == 0:
        if not service_task:
            return Decoded(
                "completed",
                f"container {c.name} finished (exit 0)",
                "nothing to do: the task ran to completion",
                LOW,
                False,
            )
        return _bad(
            "essential-exit",
            f"container {c.name} exited 0, but a service task must keep running",
            "check why the main process ends (a missing foreground flag, or it finished its work)",
            MEDIUM,
        )
    return _bad(
        "essential-exit",
        f"container {c.name} exited with code {c.exit_code}",
        "read its last log lines before the stop",
    )


def decode_task(task: Task) -> Decoded | None:
    """Decode why a task stopped (or is stopping), or why a running task is unhealthy.

    Returns:
        The decoded reason, or None for a task that is fine.
    """
    stopping = task.is_stopping
    if not stopping:
        if task.health == "UNHEALTHY":
            bad = [c.name for c in task.containers if c.health == "UNHEALTHY"]
            who = f"container {', '.join(bad)}" if bad else "the task"
            return _bad(
                "health-check-container",
                f"{who} is failing its health check",
                "run the healthCheck command by hand (ECS Exec) and read the logs;"
                " ECS will replace the task if it stays UNHEALTHY",
            )
        return None
    reason, code = task.stopped_reason or "", task.stop_code or ""
    service_task = task.service is not None or task.group.startswith("service:")
    if code == "SpotInterruption":
        return decode_reason("Your Spot Task was interrupted.")
    if code == "UserInitiated" and not reason.startswith(("CannotPull", "ResourceInit")):
        return decode_reason("Task stopped by user")
    if "Essential container in task exited" in reason or code == "EssentialContainerExited":
        exited = [c for c in task.containers if c.exit_code not in (None, 0) or c.reason]
        exited += [c for c in task.containers if c.exit_code == 0 and c not in exited]
        for c in exited:
            found = _container_exit(c, service_task)
            if found is not None:
                return found
        return _bad(
            "essential-exit",
            "an essential container exited",
            "read the containers' last log lines before the stop",
        )
    found = decode_reason(reason)
    if found is None:
        for c in task.containers:
            found = decode_reason(c.reason)
            if found is not None:
                break
    if found is not None:
        return found
    if code == "TaskFailedToStart":
        why = _clean(reason) or "no reason given"
        return _bad(
            "task-failed-to-start",
            f"the task failed to start: {why}",
            "read the full stopped reason and the service events",
        )
    if code == "ServiceSchedulerInitiated":
        return decode_reason("Scaling activity initiated by the service scheduler")
    if reason:
        return _bad(
            "stopped",
            f"stopped: {_clean(reason)}",
            "read the task's last log lines before the stop",
            MEDIUM,
        )
    return None


def decode_deployment(service: Service) -> Decoded | None:
    """Decode a failed or rolled-back deployment, or a placement failure, of a service.

    Only the newest service event counts, so a problem that has since cleared (the service
    reached a steady state again) is not reported.
    """
    failed = [d for d in service.deployments if d.rollout_state == "FAILED"]
    primary = service.primary
    latest = service.events[0].message if service.events else ""
    rolling_back = primary is not None and "Rolling back" in (primary.rollout_state_reason or "")
    if failed or rolling_back or "deployment failed" in latest:
        bad = failed[0] if failed else None
        why = _clean((bad.rollout_state_reason if bad else None) or latest, 100)
        rev = (bad.task_definition.rsplit("/", 1)[-1] if bad else "") or "the new revision"
        back = (
            f", rolled back to {primary.task_definition.rsplit('/', 1)[-1]}"
            if primary is not None and primary is not bad and primary.task_definition
            else ""
        )
        return _bad(
            "deployment-rollback",
            f"deployment of {rev} failed{back}: {why}",
            f"open the stopped tasks of {rev} to see why they failed to start",
        )
    if "unable to consistently start tasks" in latest:
        return _bad(
            "deployment-failing",
            "ECS cannot keep the service's tasks running",
            "open the latest stopped task of the service for the reason",
        )
    m = re.search(r"unable to place a task\.? (?:Reason: |because )?(?P<why>.*)", latest)
    if m:
        why = _clean(m.group("why").rstrip("."), 120) or "no reason given"
        step = (
            "request a Fargate quota increase or lower desired counts"
            if "limit" in why.lower()
            else "retry in another AZ or capacity provider; Spot capacity comes back"
            if "capacity" in why.lower()
            else "read the service events"
        )
        return _bad("placement", f"ECS cannot place tasks: {why}", step)
    return None


def _pod_pending(pod: Pod, profiles: Sequence[FargateProfile] | None) -> Decoded | None:
    for ctype, status, _reason, message in pod.conditions:
        if ctype != "PodScheduled" or status != "False":
            continue
        msg = message or ""
        if "not supported on Fargate" in msg:
            detail = _clean(msg.split("Fargate:", 1)[-1], 100) or "unsupported pod"
            return _bad(
                "fargate-unsupported",
                f"Fargate cannot run this pod: {detail}",
                "remove privileged/hostNetwork/hostPort/DaemonSet features, or run"
                " it on a node group",
            )
        if "no nodes available" in msg or "compute-type: fargate" in msg:
            labels = ",".join(f"{k}={v}" for k, v in sorted(pod.labels.items())) or "no labels"
            if profiles:
                matching = [p for p in profiles if p.matches(pod.namespace, pod.labels)]
                if not matching:
                    return _bad(
                        "pending-no-profile",
                        f"no Fargate profile selects namespace {pod.namespace}"
                        f" with labels {labels}",
                        f"add a Fargate profile selector for namespace"
                        f" {pod.namespace} (and its labels), or move the pod to a"
                        " namespace a profile selects",
                    )
                inactive = [p.name for p in matching if p.status != "ACTIVE"]
                if inactive:
                    return _bad(
                        "pending-no-profile",
                        f"Fargate profile {inactive[0]} selects it but is not ACTIVE",
                        "wait for the profile to become ACTIVE, then delete the pod"
                        " so it is rescheduled",
                        MEDIUM,
                    )
                return _bad(
                    "pending-no-profile",
                    f"Fargate profile {matching[0].name} selects it, but the pod"
                    " was created before the profile or names another scheduler",
                    "delete the pod so its controller recreates it for Fargate",
                    MEDIUM,
                )
            return _bad(
                "pending-no-profile",
                f"no node can run it: {_clean(msg, 90)}",
                f"on a Fargate-only cluster this means no Fargate profile matches"
                f" namespace {pod.namespace} with labels {labels}: add one",
            )
        return _bad(
            "pending-unschedulable",
            f"cannot be scheduled: {_clean(msg, 100)}",
            "check the pod's requests, selectors and tolerations",
        )
    return None


def _pull_detail(pod: Pod, events: Iterable[KubeEvent], message: str | None) -> str:
    texts = [message or ""]
    texts += [
        e.message
        for e in events
        if e.involved == pod.name
        and e.namespace == pod.namespace
        and e.reason in ("Failed", "ErrImagePull")
    ]
    return " ".join(texts)


def decode_pod(
    pod: Pod, profiles: Sequence[FargateProfile] | None = None, events: Iterable[KubeEvent] = ()
) -> Decoded | None:
    """Decode why a pod is unhealthy: crash loop, OOM, image pull, pending, unsupported.

    Args:
        pod: The pod.
        profiles: The cluster's Fargate profiles, to say precisely why a pod stays Pending.
        events: Recent pod events, to refine an image-pull back-off into its cause.

    Returns:
        The decoded reason, or None for a healthy pod.
    """
    events = tuple(events)
    for c in pod.containers:
        st, last = c.state, c.last_state
        waiting = st.reason if st.state == "waiting" else None
        oom_before = last is not None and (last.reason == "OOMKilled" or last.exit_code == 137)
        oom_now = st.state == "terminated" and (st.reason == "OOMKilled" or st.exit_code == 137)
        # One cause, one severity, one wording: a container killed for memory again and again
        # is in a crash loop whether it is waiting out its back-off, running until the next
        # kill or just killed again.
        if (oom_before or oom_now) and (
            waiting == "CrashLoopBackOff"
            or (st.state in ("running", "terminated") and c.restarts >= 2)
        ):
            return _bad(
                "oom",
                f"container {c.name} is crash-looping: killed for"
                f" exceeding its memory limit (OOMKilled, {c.restarts} restarts)",
                "raise the container's memory limit (and the pod's Fargate"
                " size), or find the leak in the logs before the kill",
            )
        if waiting == "CrashLoopBackOff":
            code = f"exit {last.exit_code}" if last and last.exit_code is not None else "crash"
            return _bad(
                "crash-loop",
                f"container {c.name} keeps crashing ({code}, {c.restarts} restarts)",
                "read the previous container's last log lines (kubectl logs --previous)",
            )
        if waiting in ("ImagePullBackOff", "ErrImagePull", "InvalidImageName"):
            found = decode_reason("ErrImagePull " + _pull_detail(pod, events, st.message))
            if found is None or not found.kind.startswith("image"):
                found = decode_reason("ErrImagePull")
            assert found is not None
            return _bad(
                found.kind,
                f"container {c.name}: {found.reason}",
                found.next_step.replace("task execution role", "pod execution role"),
            )
        if waiting in ("CreateContainerConfigError", "CreateContainerError"):
            return _bad(
                "config",
                f"container {c.name} cannot be created: {_clean(st.message, 100) or waiting}",
                "create the missing Secret/ConfigMap or fix the key the pod references",
            )
        if st.state == "terminated" and (st.reason == "OOMKilled" or st.exit_code == 137):
            how = st.reason or "SIGKILL"
            return _bad(
                "oom",
                f"container {c.name} was killed ({how}, exit 137)",
                "raise the container's memory limit, or find the leak",
            )
        if st.state == "terminated" and st.exit_code not in (None, 0) and not c.init:
            return _bad(
                "crash",
                f"container {c.name} exited with code {st.exit_code}",
                "read its last log lines",
            )
        if st.state == "running" and last is not None and last.reason == "OOMKilled":
            return _bad(
                "oom",
                f"container {c.name} restarted after an OOM kill ({c.restarts} restarts)",
                "watch its memory; raise the limit if it keeps growing",
                MEDIUM,
            )
        if waiting and waiting not in ("ContainerCreating", "PodInitializing"):
            return _bad(
                "waiting",
                f"container {c.name} is waiting: {waiting}"
                + (f": {_clean(st.message, 90)}" if st.message else ""),
                "read the pod's events",
                MEDIUM,
            )
    if pod.phase == "Pending":
        found = _pod_pending(pod, profiles)
        if found is not None:
            return found
        return _bad(
            "pending",
            "waiting for Fargate to start it",
            "normal for up to ~2 minutes on Fargate; after that read the pod events",
            MEDIUM,
        )
    if pod.phase == "Failed":
        return _bad("pod-failed", "the pod failed", "read its events and last log lines")
    return None
