"""Pod logs from the Kubernetes pod log API (``pods/log``), with a time on every line.

Logs are read with ``timestamps=true`` so each line starts with an RFC 3339 time that
becomes :attr:`LogLine.timestamp`. ``previous=True`` reads the last terminated container's
logs (what a crash-looping pod printed before it died).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiClient, CoreV1Api
from kubernetes_asyncio.client.exceptions import ApiException

from fgtop.model.logs import LogLine

READ_TIMEOUT = 30.0
"""Seconds a one-off log read may take."""


def parse_k8s_time(value: Any) -> float | None:
    """POSIX seconds from a Kubernetes RFC 3339 time (nanoseconds allowed), or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python parses at most 6 fractional digits.
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def _resolve(obj: Any, cluster: str | None) -> tuple[ApiClient, str | None, Callable[[], None]]:
    """The ApiClient, cluster name and request counter of a KubeSource or an ApiClient."""
    if isinstance(obj, ApiClient):
        return obj, cluster, lambda: None
    api = getattr(obj, "api", None)
    if not isinstance(api, ApiClient):
        raise RuntimeError("the Kubernetes source is not connected yet")
    count = getattr(obj, "count_request", None) or (lambda: None)
    return api, cluster or getattr(obj, "cluster", None), count


class _LineParser:
    """Turns ``<RFC 3339 time> <text>`` lines into LogLines with stable ids."""

    def __init__(self, target: str, container: str, previous: bool) -> None:
        self.target = target
        self.container = container
        self.stream = "previous" if previous else ""
        self.last_time = 0.0
        self.seen: dict[str, int] = {}

    def parse(self, raw: bytes | str) -> LogLine:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        text = text.rstrip("\n").rstrip("\r")
        stamp, sep, message = text.partition(" ")
        when = parse_k8s_time(stamp) if sep or stamp else None
        if when is None:
            stamp, message, when = "", text, self.last_time
        self.last_time = when
        n = self.seen.get(stamp, 0)
        self.seen[stamp] = n + 1
        return LogLine(
            target=self.target,
            container=self.container,
            timestamp=when,
            message=message,
            event_id=f"{stamp}#{n}",
            stream=self.stream,
        )


async def _open(
    api: ApiClient,
    namespace: str,
    pod: str,
    *,
    container: str | None,
    previous: bool,
    since_seconds: int | None,
    tail_lines: int | None,
    follow: bool,
) -> Any:
    timeout = (
        aiohttp.ClientTimeout(sock_connect=10)
        if follow
        else aiohttp.ClientTimeout(total=READ_TIMEOUT)
    )
    kwargs: dict[str, Any] = {"timestamps": True, "_preload_content": False}
    if container:
        kwargs["container"] = container
    if previous:
        kwargs["previous"] = True
    if follow:
        kwargs["follow"] = True
    if since_seconds is not None:
        kwargs["since_seconds"] = max(1, int(since_seconds))
    if tail_lines is not None:
        kwargs["tail_lines"] = int(tail_lines)
    # Not the text the stubs say: with _preload_content=False, the HTTP response to stream.
    resp: Any = await CoreV1Api(api).read_namespaced_pod_log(
        pod, namespace, _request_timeout=timeout, **kwargs
    )
    if resp.status >= 300:
        body = await resp.text()
        resp.release()
        raise ApiException(status=resp.status, reason=_status_message(body) or resp.reason)
    return resp


def _status_message(body: str) -> str:
    import json

    try:
        return str(json.loads(body).get("message") or "")
    except (ValueError, AttributeError):
        return body.strip().splitlines()[0] if body.strip() else ""


async def read_pod_logs(
    api_client_or_source: Any,
    namespace: str,
    pod: str,
    container: str | None = None,
    previous: bool = False,
    since_seconds: int | None = None,
    tail_lines: int | None = None,
    *,
    cluster: str | None = None,
) -> list[LogLine]:
    """Read a pod's logs once, each line with its time.

    Args:
        api_client_or_source: A kubernetes-asyncio ApiClient or a connected KubeSource.
        namespace: The pod's namespace.
        pod: The pod name.
        container: The container (required by the API when the pod has several).
        previous: Read the previous (terminated) container's logs.
        since_seconds: Only lines newer than this many seconds.
        tail_lines: Only the last N lines.
        cluster: Cluster name for :attr:`LogLine.target` (taken from a KubeSource).

    Returns:
        The lines, oldest first; ``target`` is ``cluster/namespace/pod``.

    Raises:
        ApiException: When the API refuses (e.g. 400 when there is no previous container).
    """
    api, cluster, count = _resolve(api_client_or_source, cluster)
    count()
    resp = await _open(
        api,
        namespace,
        pod,
        container=container,
        previous=previous,
        since_seconds=since_seconds,
        tail_lines=tail_lines,
        follow=False,
    )
    try:
        body = await resp.read()
    finally:
        resp.release()
    parser = _LineParser(_target(cluster, namespace, pod), container or "", previous)
    return [parser.parse(line) for line in body.splitlines() if line]


async def follow_pod_logs(
    api_client_or_source: Any,
    namespace: str,
    pod: str,
    container: str | None = None,
    since_seconds: int | None = None,
    tail_lines: int | None = None,
    *,
    cluster: str | None = None,
) -> AsyncIterator[LogLine]:
    """Follow a pod's logs (``follow=true``), yielding each line as it arrives.

    Ends when the server ends the stream (the container stopped). Closing the iterator
    (``aclose()`` or cancelling the consumer) closes the connection.
    """
    api, cluster, count = _resolve(api_client_or_source, cluster)
    count()
    resp = await _open(
        api,
        namespace,
        pod,
        container=container,
        previous=False,
        since_seconds=since_seconds,
        tail_lines=tail_lines,
        follow=True,
    )
    parser = _LineParser(_target(cluster, namespace, pod), container or "", False)
    try:
        while True:
            line = await resp.content.readline()
            if not line:
                return
            if line.strip():
                yield parser.parse(line)
    finally:
        resp.close()


def _target(cluster: str | None, namespace: str, pod: str) -> str:
    return f"{cluster}/{namespace}/{pod}" if cluster else f"{namespace}/{pod}"
