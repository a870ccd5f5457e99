"""Kubernetes source: pods, their events and Deployments of one cluster, live by watch.

Each kind is listed once, then watched from the list's ``resourceVersion`` (with bookmarks).
A watch the server ends cleanly is resumed from the last version seen, without a relist; a
410 Gone or a dropped connection leads to a relist and a new watch, with capped exponential
backoff. There is no periodic full poll in steady state. Objects stay plain dicts until
parsed into the model; the raw pod dict is kept for the describe view. The parsing itself is
in :mod:`fgtop.sources.kube_parse`; its public names are re-exported from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiClient, AppsV1Api, CoreV1Api
from kubernetes_asyncio.client.exceptions import ApiException

from fgtop.model.kube import KubeCluster, KubeEvent, KubeWorkload, Pod
from fgtop.model.logs import LogLine
from fgtop.sources.base import Emit, Part, SourceContext, StreamingSource
from fgtop.sources.errors import malformed_note, one_line
from fgtop.sources.kube_parse import kube_reason, parse_deployment, parse_event, parse_pod
from fgtop.sources.kubeconfig import KubeConnection
from fgtop.sources.podlogs import follow_pod_logs, read_pod_logs

log = logging.getLogger(__name__)

KINDS = ("pods", "events", "deployments")


MALFORMED = (AttributeError, KeyError, TypeError, ValueError, OverflowError)
"""What parsing a malformed object raises (a string where a map is expected, text for a
number...): that object is skipped and counted, never the whole list."""


def _key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        # No usable identity: one key per distinct malformed object.
        return f"malformed:{hash(json.dumps(obj, sort_keys=True, default=str))}"
    return str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}")


class _Gone(Exception):
    """The watch's resourceVersion is too old (410 Gone): relist."""


# -- the source ----------------------------------------------------------------------------


class KubeSource(StreamingSource):
    """Pods, pod events and Deployments of one cluster, by list + watch.

    Args:
        connection: How to reach the cluster.
        all_pods: Show every pod, not only Fargate pods (and unscheduled Pending ones).
        events_per_pod: Events kept per pod (the newest).
        watch_timeout: Server-side watch timeout range in seconds (randomised, like client-go).
        backoff: ``(first, cap)`` seconds of the exponential backoff between retries.
        page_size: ``limit`` of each list page.
        coalesce: Seconds to gather watch events before emitting a part.
    """

    def __init__(
        self,
        connection: KubeConnection,
        *,
        all_pods: bool = False,
        events_per_pod: int = 10,
        watch_timeout: tuple[int, int] = (300, 600),
        backoff: tuple[float, float] = (0.5, 30.0),
        page_size: int = 500,
        coalesce: float = 0.05,
    ) -> None:
        self.connection = connection
        self.cluster = connection.name
        self.name = f"kube:{connection.name}"
        self.all_pods = all_pods
        self.events_per_pod = events_per_pod
        self.watch_timeout = watch_timeout
        self.backoff = backoff
        self.page_size = page_size
        self.coalesce = coalesce
        self.api: ApiClient | None = None
        self.requests = 0
        self.relists = 0
        self.relist_seconds: float | None = None
        """How long the last relist after a 410 Gone took, until watching again."""
        self._pods: dict[str, Pod] = {}
        self._events: dict[tuple[str, str], dict[str, KubeEvent]] = {}
        """Events by (namespace, pod), then by event key."""
        self._event_pod: dict[str, tuple[str, str]] = {}
        self._deployments: dict[str, tuple[KubeWorkload, dict[str, str]]] = {}
        self._state: dict[str, str] = dict.fromkeys(KINDS, "connecting")
        self._errors: dict[str, str] = {}
        self._delivered: dict[str, int] = dict.fromkeys(KINDS, 0)
        """Watch events received, by kind."""
        self._malformed: dict[str, set[str]] = {kind: set() for kind in KINDS}
        """Keys of the objects skipped because they could not be parsed, by kind."""
        self._dirty = asyncio.Event()

    # -- engine contract ----------------------------------------------------------------

    def api_calls(self) -> int:
        """Kubernetes HTTP requests made so far (lists, watches, logs)."""
        return self.requests

    def count_request(self) -> None:
        """Count one Kubernetes request (also used by :mod:`fgtop.sources.podlogs`)."""
        self.requests += 1

    def state(self) -> str:
        """The pod watch's state: connecting, listing, watching, backoff or error."""
        return self._state["pods"]

    def error(self) -> str | None:
        """The current one-line error(s), or None."""
        groups: dict[str, list[str]] = {}
        for kind in KINDS:
            if kind in self._errors:
                groups.setdefault(self._errors[kind], []).append(kind)
        parts = [
            reason if "pods" in kinds else f"{', '.join(kinds)}: {reason}"
            for reason, kinds in groups.items()
        ]
        skipped = self.malformed()
        if skipped:
            parts.append(skipped)
        return "; ".join(parts) or None

    def malformed(self) -> str | None:
        """How many objects are skipped as malformed (``1 malformed pod skipped``), or None."""
        return malformed_note({kind: len(keys) for kind, keys in self._malformed.items()})

    async def stream(self, ctx: SourceContext, emit: Emit) -> None:
        """Connect, then list and watch every kind until cancelled."""
        self._dirty = asyncio.Event()
        emit(self.part())
        failures = 0
        while self.api is None:
            try:
                self.api = await self.connection.client()
            except Exception as exc:  # noqa: BLE001 - any setup failure is one line
                failures += 1
                for kind in KINDS:
                    self._fail(kind, one_line(exc), "error")
                self._publish(ctx, emit)
                await asyncio.sleep(self._delay(failures))
        async with asyncio.TaskGroup() as group:
            for kind in KINDS:
                group.create_task(self._run_kind(kind), name=f"{self.name}:{kind}")
            group.create_task(self._emitter(ctx, emit), name=f"{self.name}:emit")

    async def close(self) -> None:
        """Close the ApiClient (its HTTP session) and the connection's files."""
        api, self.api = self.api, None
        if api is not None:
            await api.close()
        await self.connection.close()

    # -- parts ----------------------------------------------------------------------------

    def _shown(self, pod: Pod) -> bool:
        return self.all_pods or pod.is_fargate or (pod.phase == "Pending" and not pod.node)

    def part(self) -> Part:
        """This source's whole current state, as a part of the snapshot."""
        pods = tuple(p for p in self._pods.values() if self._shown(p))
        shown = {(p.namespace, p.name) for p in pods}
        events = [e for pod in shown for e in self._events.get(pod, {}).values()]
        conn = self.connection
        cluster = KubeCluster(
            name=self.cluster,
            context=conn.context,
            region=conn.region,
            endpoint=conn.endpoint,
            watch_state=self.state(),
            error=self.error(),
            fargate_profiles=conn.fargate_profiles,
            account=conn.account,
        )
        return {
            "pods": pods,
            "kube_clusters": (cluster,),
            "kube_events": tuple(sorted(events, key=lambda e: e.last_seen or 0.0)),
            "workloads": self._workloads(pods),
        }

    def _workloads(self, pods: tuple[Pod, ...]) -> tuple[KubeWorkload, ...]:
        if self.all_pods:
            return tuple(w for w, _ in self._deployments.values())
        # A Deployment's ReplicaSets are named <deployment>-<pod-template-hash>.
        owners = {
            (p.namespace, p.owner.partition("/")[2].rpartition("-")[0])
            for p in pods
            if p.owner and p.owner.startswith("ReplicaSet/")
        }
        out = []
        for workload, template_labels in self._deployments.values():
            if (workload.namespace, workload.name) in owners or any(
                fp.matches(workload.namespace, template_labels)
                for fp in self.connection.fargate_profiles
            ):
                out.append(workload)
        return tuple(out)

    def _changed(self) -> None:
        self._dirty.set()

    def _publish(self, ctx: SourceContext, emit: Emit) -> None:
        emit(self.part())
        error = self.error()
        if error:
            ctx.report(error, stale="pods" in self._errors)

    async def _emitter(self, ctx: SourceContext, emit: Emit) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(self.coalesce)
            self._dirty.clear()
            self._publish(ctx, emit)

    def _fail(self, kind: str, reason: str, state: str) -> None:
        self._errors[kind] = reason
        self._state[kind] = state
        self._changed()

    def _delay(self, failures: int) -> float:
        first, cap = self.backoff
        delay = min(cap, first * 2 ** max(0, failures - 1))
        return delay * random.uniform(0.8, 1.0)

    # -- list and watch -------------------------------------------------------------------

    async def _run_kind(self, kind: str) -> None:
        failures = 0
        version: str | None = None
        gone_at: float | None = None
        started: float | None = None
        delivered = 0
        while True:
            try:
                if version is None:
                    self._state[kind] = "listing"
                    self._changed()
                    version = await self._list(kind)
                    if gone_at is not None and kind == "pods":
                        self.relist_seconds = time.perf_counter() - gone_at
                    gone_at = None
                self._state[kind] = "watching"
                self._errors.pop(kind, None)
                self._changed()
                started, delivered = time.monotonic(), self._delivered[kind]
                version = await self._watch(kind, version)
                continue  # the server ended the watch: resume from the last version seen
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - 410, dropped stream, HTTP errors, bad data
                if started is not None and (
                    time.monotonic() - started > 1.0 or self._delivered[kind] > delivered
                ):
                    failures = 0  # a watch that worked starts a fresh backoff
                started, version = None, None
                failures += 1
                if isinstance(exc, _Gone):
                    gone_at = time.perf_counter()
                    self.relists += 1
                    if failures == 1:
                        continue  # relist at once; back off only if it keeps happening
                    reason, state = f"Kubernetes: {kind} watch expired (410 Gone)", "backoff"
                elif isinstance(exc, ApiException) and exc.status == 401:
                    reason, state = "Kubernetes: unauthorized (token expired or invalid)", "error"
                    await self._reauthenticate()
                else:
                    log.debug("%s %s list/watch failed", self.name, kind, exc_info=True)
                    reason = kube_reason(exc, kind, self.connection.endpoint)
                    forbidden = isinstance(exc, ApiException) and exc.status == 403
                    state = "error" if forbidden else "backoff"
            self._fail(kind, reason, state)
            await asyncio.sleep(self._delay(failures))

    async def _reauthenticate(self) -> None:
        if self.api is None:
            return
        with contextlib.suppress(Exception):
            await self.connection.refresh(self.api.configuration, force=True)

    def _call(self, kind: str) -> Callable[..., Any]:
        assert self.api is not None
        if kind == "pods":
            return CoreV1Api(self.api).list_pod_for_all_namespaces
        if kind == "events":
            api = CoreV1Api(self.api)

            def events(**kw: Any) -> Any:
                return api.list_event_for_all_namespaces(
                    field_selector="involvedObject.kind=Pod", **kw
                )

            return events
        return AppsV1Api(self.api).list_deployment_for_all_namespaces

    async def _request(self, kind: str, timeout: aiohttp.ClientTimeout, **kw: Any) -> Any:
        self.count_request()
        resp = await self._call(kind)(_preload_content=False, _request_timeout=timeout, **kw)
        if resp.status >= 300:
            body = await resp.text()
            resp.release()
            if resp.status == 410:
                raise _Gone()
            raise ApiException(status=resp.status, reason=_message(body) or resp.reason)
        return resp

    async def _list(self, kind: str) -> str:
        items: list[dict[str, Any]] = []
        token: str | None = None
        version = ""
        while True:
            kw: dict[str, Any] = {"limit": self.page_size}
            if token:
                kw["_continue"] = token
            resp = await self._request(kind, aiohttp.ClientTimeout(total=60), **kw)
            try:
                body = json.loads(await resp.read())
            finally:
                resp.release()
            items.extend(body.get("items") or [])
            meta = body.get("metadata") or {}
            version = str(meta.get("resourceVersion") or version)
            token = meta.get("continue")
            if not token:
                break
        self._replace(kind, items)
        return version

    async def _watch(self, kind: str, version: str) -> str:
        low, high = self.watch_timeout
        seconds = random.randint(low, high)
        resp = await self._request(
            kind,
            aiohttp.ClientTimeout(sock_connect=10, sock_read=seconds + 60),
            watch=True,
            resource_version=version,
            allow_watch_bookmarks=True,
            timeout_seconds=seconds,
        )
        try:
            while True:
                line = await resp.content.readline()
                if not line:
                    return version  # the server ended the watch: resume from here
                if not line.strip():
                    continue
                event = json.loads(line)
                version = self._apply(kind, event) or version
        finally:
            resp.close()

    def _apply(self, kind: str, event: dict[str, Any]) -> str | None:
        if not isinstance(event, dict):
            return None  # not a watch event at all
        etype = event.get("type")
        obj = event.get("object")
        if etype == "ERROR":
            obj = obj if isinstance(obj, dict) else {}
            code = _int(obj.get("code"), 500)
            if code == 410:
                raise _Gone()
            raise ApiException(status=code, reason=str(obj.get("message") or obj.get("reason")))
        if not isinstance(obj, dict) or not obj:
            return None  # an event without an object: nothing to add (no phantom pods)
        meta = obj.get("metadata")
        version = meta.get("resourceVersion") if isinstance(meta, dict) else None
        self._delivered[kind] += 1
        if etype in ("ADDED", "MODIFIED"):
            self._upsert(kind, obj)
        elif etype == "DELETED":
            self._remove(kind, obj)
        elif etype != "BOOKMARK":
            return None
        if etype != "BOOKMARK":
            self._changed()
        return str(version) if version else None

    def _replace(self, kind: str, items: list[dict[str, Any]]) -> None:
        if kind == "pods":
            self._pods.clear()
        elif kind == "events":
            self._events.clear()
            self._event_pod.clear()
        else:
            self._deployments.clear()
        self._malformed[kind].clear()
        for obj in items:
            self._upsert(kind, obj)
        self._changed()

    def _upsert(self, kind: str, obj: dict[str, Any]) -> None:
        """Parse one object on its own: a malformed one is skipped and counted."""
        key = _key(obj)
        try:
            self._upsert_parsed(kind, key, obj)
        except MALFORMED as exc:
            log.debug("%s: malformed %s %s skipped: %s", self.name, kind, key, exc)
            self._remove_key(kind, key)  # its last good version is no longer true either
            self._malformed[kind].add(key)
        else:
            self._malformed[kind].discard(key)

    def _upsert_parsed(self, kind: str, key: str, obj: dict[str, Any]) -> None:
        conn = self.connection
        if kind == "pods":
            self._pods[key] = parse_pod(obj, self.cluster, conn.context, conn.region, conn.account)
        elif kind == "events":
            event = parse_event(obj, self.cluster, conn.account)
            pod = (event.namespace, event.involved)
            mine = self._events.setdefault(pod, {})
            mine[key] = event
            self._event_pod[key] = pod
            if len(mine) > self.events_per_pod:
                oldest = sorted(mine, key=lambda k: mine[k].last_seen or 0.0)
                for k in oldest[: len(mine) - self.events_per_pod]:
                    del mine[k]
                    self._event_pod.pop(k, None)
        else:
            labels = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
            template = labels.get("labels") or {}
            if not isinstance(template, dict):
                raise TypeError("template labels are not a map")
            self._deployments[key] = (parse_deployment(obj, self.cluster, conn.account), template)

    def _remove(self, kind: str, obj: dict[str, Any]) -> None:
        key = _key(obj)
        self._malformed[kind].discard(key)
        self._remove_key(kind, key)

    def _remove_key(self, kind: str, key: str) -> None:
        if kind == "pods":
            pod = self._pods.pop(key, None)
            if pod is not None:
                for k in self._events.pop((pod.namespace, pod.name), {}):
                    self._event_pod.pop(k, None)
        elif kind == "events":
            where = self._event_pod.pop(key, None)
            if where is not None:
                self._events.get(where, {}).pop(key, None)
        else:
            self._deployments.pop(key, None)

    # -- logs -------------------------------------------------------------------------------

    async def logs(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        previous: bool = False,
        since_seconds: int | None = None,
        tail_lines: int | None = None,
    ) -> list[LogLine]:
        """Read a pod's logs once (``previous=True`` for a crash-looping container)."""
        return await read_pod_logs(
            self, namespace, pod, container, previous, since_seconds, tail_lines
        )

    def follow(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        since_seconds: int | None = None,
        tail_lines: int | None = None,
    ) -> AsyncIterator[LogLine]:
        """Follow a pod's logs: an async iterator of lines as they arrive."""
        return follow_pod_logs(self, namespace, pod, container, since_seconds, tail_lines)


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _message(body: str) -> str:
    try:
        return str(json.loads(body).get("message") or "")
    except (ValueError, AttributeError):
        return body.strip()[:200]
