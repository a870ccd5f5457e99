"""A small fake Kubernetes API server (aiohttp on 127.0.0.1, random port) for tests and benches.

It speaks just enough of the API for fgtop: list (with ``limit``/``continue``) and watch
(``watch=true``, newline-delimited ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events, honouring
``resourceVersion`` and ``timeoutSeconds``) of pods, events and Deployments, and pod logs
(``previous``, ``follow``, ``timestamps``, ``tailLines``, ``sinceSeconds``). Tests change the
state with :meth:`FakeKube.add`/``modify``/``delete`` and break things on purpose:
:meth:`FakeKube.gone` (410 Gone), :meth:`FakeKube.drop` (a dropped stream),
:meth:`FakeKube.compact` (history lost), ``forbidden`` (403) and a wrong token (401).
Every request is counted in ``requests``.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

KIND_PATHS = {
    "/api/v1/pods": "pods",
    "/api/v1/events": "events",
    "/apis/apps/v1/deployments": "deployments",
}
LIST_KINDS = {"pods": "PodList", "events": "EventList", "deployments": "DeploymentList"}


def rfc3339(ts: float, nanos: bool = False) -> str:
    """Kubernetes time text for POSIX seconds (``nanos`` for RFC3339Nano, as in logs)."""
    when = dt.datetime.fromtimestamp(ts, dt.UTC)
    if nanos:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}000Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _true(value: str | None) -> bool:
    return (value or "").lower() in {"true", "1"}


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    """A ``metav1.Status`` object."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@dataclass
class _Kind:
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    history: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    watchers: set[asyncio.Queue] = field(default_factory=set)


class FakeKube:
    """The fake API server. Use ``async with FakeKube() as kube:`` and ``kube.url``.

    Args:
        token: The bearer token accepted (``None`` accepts any request).
        accept: Alternatively, a predicate over the presented token.
        time_scale: Real seconds per simulated second for ``timeoutSeconds`` of watches.
    """

    def __init__(
        self,
        token: str | None = "fake-token",
        *,
        accept: Callable[[str], bool] | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self.token = token
        self.accept = accept
        self.time_scale = time_scale
        self.kinds = {k: _Kind() for k in LIST_KINDS}
        self.rv = 1000
        self.requests: Counter[str] = Counter()
        """Requests by ``"list pods"``, ``"watch events"``, ``"log"``..."""
        self.tokens_seen: list[str] = []
        self.forbidden: set[str] = set()
        """Kinds (``pods``...) or ``"log"`` answered with 403."""
        self.hold_lists: asyncio.Event | None = None
        """While set and not yet released (``.set()``), list requests wait: a slow first
        answer, as on a large cluster."""
        self.logs: dict[tuple[str, str, str, bool], list[tuple[float, str]]] = {}
        self._log_followers: dict[tuple[str, str, str], set[asyncio.Queue]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeKube:
        app = web.Application()
        app.router.add_get("/api/v1/pods", self._collection)
        app.router.add_get("/api/v1/events", self._collection)
        app.router.add_get("/apis/apps/v1/deployments", self._collection)
        app.router.add_get("/api/v1/namespaces/{ns}/pods/{name}/log", self._log)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for kind in self.kinds.values():
            for q in list(kind.watchers):
                q.put_nowait(("end", None))
        for followers in self._log_followers.values():
            for q in followers:
                q.put_nowait(None)
        await asyncio.sleep(0)
        if self._runner is not None:
            await self._runner.cleanup()

    # -- arranging state ---------------------------------------------------------------------

    def _bump(self, kind: str, etype: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.rv += 1
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if isinstance(meta, dict):  # a malformed object (metadata a string) is sent as it is
            meta["resourceVersion"] = str(self.rv)
        k = self.kinds[kind]
        k.history.append((self.rv, etype, obj))
        if etype == "DELETED":
            k.objects.pop(_ident(obj), None)
        else:
            k.objects[_ident(obj)] = obj
        for q in list(k.watchers):
            q.put_nowait(("event", (self.rv, etype, obj)))
        return obj

    def add(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create an object (ADDED to open watches)."""
        return self._bump(kind, "ADDED", obj)

    def modify(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object (MODIFIED)."""
        return self._bump(kind, "MODIFIED", obj)

    def delete(self, kind: str, namespace: str, name: str) -> None:
        """Delete an object (DELETED)."""
        obj = self.kinds[kind].objects[(namespace, name)]
        self._bump(kind, "DELETED", obj)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any]:
        """A copy of a stored object, to modify and pass to :meth:`modify`."""
        return copy.deepcopy(self.kinds[kind].objects[(namespace, name)])

    def raw_event(self, kind: str, event: Any) -> None:
        """Send ``event`` (any JSON, e.g. an ADDED with a null object) to open watches."""
        for q in list(self.kinds[kind].watchers):
            q.put_nowait(("raw", event))

    def compact(self) -> None:
        """Forget the watch history: a watch from an older version gets 410 Gone."""
        for k in self.kinds.values():
            k.history.clear()

    def gone(self, kind: str = "pods") -> None:
        """Send an ERROR 410 Gone event on every open watch of ``kind`` and end them."""
        self.compact()
        for q in list(self.kinds[kind].watchers):
            q.put_nowait(("gone", None))

    def drop(self, kind: str | None = None) -> None:
        """Cut every open watch connection (of ``kind``) without ending the stream cleanly."""
        for name, k in self.kinds.items():
            if kind in (None, name):
                for q in list(k.watchers):
                    q.put_nowait(("drop", None))

    def end_watches(self, kind: str | None = None) -> None:
        """End open watches cleanly, as the API server does when ``timeoutSeconds`` pass."""
        for name, k in self.kinds.items():
            if kind in (None, name):
                for q in list(k.watchers):
                    q.put_nowait(("end", None))

    def bookmark(self, kind: str = "pods") -> None:
        """Send a BOOKMARK with the current resourceVersion to open watches of ``kind``."""
        for q in list(self.kinds[kind].watchers):
            q.put_nowait(("bookmark", self.rv))

    def watching(self, kind: str = "pods") -> int:
        """How many watches of ``kind`` are open now."""
        return len(self.kinds[kind].watchers)

    def set_logs(
        self,
        namespace: str,
        pod: str,
        container: str,
        lines: list[tuple[float, str]],
        *,
        previous: bool = False,
    ) -> None:
        """Set a container's log lines (``previous`` for the last terminated one)."""
        self.logs[(namespace, pod, container, previous)] = list(lines)

    def push_log(self, namespace: str, pod: str, container: str, line: tuple[float, str]) -> None:
        """Append a line to a running container's log (sent to followers)."""
        self.logs.setdefault((namespace, pod, container, False), []).append(line)
        for q in self._log_followers.get((namespace, pod, container), set()):
            q.put_nowait(line)

    def end_logs(self, namespace: str, pod: str, container: str) -> None:
        """End the follow streams of a container (it stopped)."""
        for q in self._log_followers.get((namespace, pod, container), set()):
            q.put_nowait(None)

    # -- HTTP --------------------------------------------------------------------------------

    def _auth(self, request: web.Request, kind: str) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        presented = header.removeprefix("Bearer ").strip()
        self.tokens_seen.append(presented)
        ok = self.accept(presented) if self.accept else self.token in (None, presented)
        if not ok:
            return web.json_response(status(401, "Unauthorized", "Unauthorized"), status=401)
        if kind in self.forbidden:
            msg = f'{kind} is forbidden: User "fake" cannot list resource "{kind}"'
            return web.json_response(status(403, "Forbidden", msg), status=403)
        return None

    async def _collection(self, request: web.Request) -> web.StreamResponse:
        kind = KIND_PATHS[request.path]
        q = request.query
        watch = _true(q.get("watch"))
        self.requests[f"{'watch' if watch else 'list'} {kind}"] += 1
        denied = self._auth(request, kind)
        if denied is not None:
            return denied
        selector = q.get("fieldSelector")
        if watch:
            return await self._watch(request, kind, selector)
        if self.hold_lists is not None:
            await self.hold_lists.wait()
        items = [o for o in self.kinds[kind].objects.values() if _selected(o, selector)]
        start = int(q.get("continue") or 0)
        limit = int(q.get("limit") or 0)
        page = items[start : start + limit] if limit else items[start:]
        meta: dict[str, Any] = {"resourceVersion": str(self.rv)}
        if limit and start + limit < len(items):
            meta["continue"] = str(start + limit)
        body = {"kind": LIST_KINDS[kind], "apiVersion": "v1", "metadata": meta, "items": page}
        return web.json_response(body)

    async def _watch(
        self, request: web.Request, kind: str, selector: str | None
    ) -> web.StreamResponse:
        k = self.kinds[kind]
        since = int(request.query.get("resourceVersion") or 0)
        timeout = float(request.query.get("timeoutSeconds") or 1800) * self.time_scale
        bookmarks = _true(request.query.get("allowWatchBookmarks"))
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        queue: asyncio.Queue = asyncio.Queue()
        k.watchers.add(queue)

        async def send(etype: str, obj: dict[str, Any]) -> None:
            await resp.write(json.dumps({"type": etype, "object": obj}).encode() + b"\n")

        try:
            oldest = k.history[0][0] if k.history else self.rv + 1
            if since and since < self.rv and since < oldest - 1:
                await send("ERROR", status(410, "Expired", f"too old resource version: {since}"))
                return resp
            for rv, etype, obj in list(k.history):
                if rv > since and _selected(obj, selector):
                    await send(etype, obj)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    what, data = await _next(queue, request, deadline)
                except (TimeoutError, ConnectionResetError):
                    return resp
                if what == "event":
                    _, etype, obj = data
                    if _selected(obj, selector):
                        await send(etype, obj)
                elif what == "raw":
                    await resp.write(json.dumps(data).encode() + b"\n")
                elif what == "bookmark" and bookmarks:
                    await send("BOOKMARK", {"metadata": {"resourceVersion": str(data)}})
                elif what == "gone":
                    await send("ERROR", status(410, "Expired", "too old resource version"))
                    return resp
                elif what == "drop":
                    assert request.transport is not None
                    request.transport.abort()
                    return resp
                elif what == "end":
                    return resp
        finally:
            k.watchers.discard(queue)

    async def _log(self, request: web.Request) -> web.StreamResponse:
        self.requests["log"] += 1
        denied = self._auth(request, "log")
        if denied is not None:
            return denied
        ns, name = request.match_info["ns"], request.match_info["name"]
        q = request.query
        previous = _true(q.get("previous"))
        containers = sorted({c for (n, p, c, _) in self.logs if (n, p) == (ns, name)})
        container = q.get("container") or (containers[0] if len(containers) == 1 else "")
        if not container:
            msg = f"a container name must be specified for pod {name}"
            return web.json_response(status(400, "BadRequest", msg), status=400)
        lines = self.logs.get((ns, name, container, previous))
        if lines is None:
            what = "previous terminated container" if previous else "container"
            msg = f'{what} "{container}" in pod "{name}" not found'
            return web.json_response(
                status(400 if previous else 404, "BadRequest", msg), status=400 if previous else 404
            )
        if q.get("sinceSeconds"):
            cutoff = time.time() - int(q["sinceSeconds"])
            lines = [ln for ln in lines if ln[0] >= cutoff]
        if q.get("tailLines"):
            lines = lines[-int(q["tailLines"]) :] if int(q["tailLines"]) else []
        stamps = _true(q.get("timestamps"))

        def fmt(line: tuple[float, str]) -> bytes:
            text = f"{rfc3339(line[0], nanos=True)} {line[1]}" if stamps else line[1]
            return text.encode() + b"\n"

        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for line in lines:
            await resp.write(fmt(line))
        if _true(q.get("follow")) and not previous:
            queue: asyncio.Queue = asyncio.Queue()
            followers = self._log_followers.setdefault((ns, name, container), set())
            followers.add(queue)
            try:
                while (line := await _next(queue, request, None)) is not None:
                    await resp.write(fmt(line))
            except ConnectionResetError:
                return resp
            finally:
                followers.discard(queue)
        await resp.write_eof()
        return resp


async def _next(queue: asyncio.Queue, request: web.Request, deadline: float | None) -> Any:
    """The next queued item; TimeoutError at ``deadline``, ConnectionResetError on hang-up."""
    while True:
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("client went away")
        wait = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
        if wait <= 0:
            raise TimeoutError
        try:
            return await asyncio.wait_for(queue.get(), timeout=wait)
        except TimeoutError:
            continue


def _ident(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        return "", str(meta)
    return str(meta.get("namespace", "default")), str(meta.get("name", ""))


def _selected(obj: dict[str, Any], selector: str | None) -> bool:
    """Field selectors of the form ``a.b=c`` (comma-separated, all must hold)."""
    for term in (selector or "").split(","):
        if not term:
            continue
        path, _, want = term.partition("=")
        value: Any = obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if str(value) != want:
            return False
    return True


# -- objects and files for tests ---------------------------------------------------------------


def make_pod(
    name: str,
    namespace: str = "default",
    *,
    phase: str = "Running",
    fargate: bool = True,
    profile: str | None = "fp-default",
    restarts: int = 0,
    waiting: str | None = None,
    owner: str | None = None,
    created: float | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A pod object shaped like EKS Fargate's (``fargate=False`` for a node pod)."""
    created = created if created is not None else time.time() - 600
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": f"uid-{namespace}-{name}",
        "creationTimestamp": rfc3339(created),
        "labels": dict(labels or {"app": name.rsplit("-", 2)[0]}),
        "annotations": {"CapacityProvisioned": "0.25vCPU 0.5GB"} if fargate else {},
    }
    if fargate and profile:
        meta["labels"]["eks.amazonaws.com/fargate-profile"] = profile
    if owner:
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner, "controller": True}
        ]
    state: dict[str, Any] = (
        {"waiting": {"reason": waiting}}
        if waiting
        else {"running": {"startedAt": meta["creationTimestamp"]}}
    )
    return {
        "metadata": meta,
        "spec": {
            "schedulerName": "fargate-scheduler" if fargate else "default-scheduler",
            "nodeName": f"fargate-ip-10-0-0-{abs(hash(name)) % 250}.ec2.internal"
            if fargate
            else "ip-10-0-9-9.ec2.internal",
            "containers": [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27"}],
        },
        "status": {
            "phase": phase,
            "podIP": "10.0.0.7",
            "startTime": meta["creationTimestamp"],
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": phase == "Running" and not waiting,
                    "restartCount": restarts,
                    "state": state,
                    "lastState": {},
                }
            ],
        },
    }


def make_event(
    pod: str, namespace: str, reason: str, message: str, *, when: float, uid: str | None = None
) -> dict[str, Any]:
    """A core/v1 Event about a pod."""
    uid = uid or f"ev-{namespace}-{pod}-{reason}-{when}"
    return {
        "metadata": {"name": f"{pod}.{uid}", "namespace": namespace, "uid": uid},
        "involvedObject": {"kind": "Pod", "namespace": namespace, "name": pod},
        "reason": reason,
        "message": message,
        "type": "Warning" if reason in {"BackOff", "Failed", "FailedScheduling"} else "Normal",
        "count": 1,
        "lastTimestamp": rfc3339(when),
    }


def make_deployment(
    name: str, namespace: str = "default", *, replicas: int = 2, ready: int = 2
) -> dict[str, Any]:
    """An apps/v1 Deployment."""
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"dep-{namespace}-{name}"},
        "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": name}}}},
        "status": {"readyReplicas": ready, "availableReplicas": ready, "updatedReplicas": ready},
    }


def write_kubeconfig(
    path: Path,
    server: str,
    *,
    token: str | None = None,
    exec_command: list[str] | None = None,
    context: str = "fake",
    extra_contexts: tuple[str, ...] = (),
) -> Path:
    """Write a real kubeconfig file with a static token or an ``exec`` credential plugin."""
    user: dict[str, Any] = {}
    if token is not None:
        user["token"] = token
    if exec_command:
        user["exec"] = {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": exec_command[0],
            "args": exec_command[1:],
            "interactiveMode": "Never",
        }
    contexts = [context, *extra_contexts]
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": context,
        "clusters": [{"name": "fake-cluster", "cluster": {"server": server}}],
        "users": [{"name": "fake-user", "user": user}],
        "contexts": [
            {"name": c, "context": {"cluster": "fake-cluster", "user": "fake-user"}}
            for c in contexts
        ],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def write_exec_plugin(directory: Path, token: str, *, expires_in: float | None = None) -> Path:
    """A python script printing an ExecCredential with ``token``; it logs each run to ``runs``.

    The token it prints is read from ``directory/token`` on each run, so a test can rotate it.
    """
    (directory / "token").write_text(token)
    script = directory / "plugin.py"
    expiry = (
        "import datetime as dt\n"
        f"exp = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds={expires_in}))"
        ".strftime('%Y-%m-%dT%H:%M:%SZ')\n"
        "status['expirationTimestamp'] = exp\n"
        if expires_in is not None
        else ""
    )
    script.write_text(
        "import json, os, pathlib\n"
        "here = pathlib.Path(__file__).parent\n"
        "with open(here / 'runs', 'a') as fh:\n"
        "    fh.write('run\\n')\n"
        "info = json.loads(os.environ.get('KUBERNETES_EXEC_INFO', '{}'))\n"
        "status = {'token': (here / 'token').read_text().strip()}\n"
        f"{expiry}"
        "print(json.dumps({'apiVersion': info.get('apiVersion',"
        " 'client.authentication.k8s.io/v1beta1'), 'kind': 'ExecCredential',"
        " 'status': status}))\n"
    )
    return script


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Wait until ``predicate()`` is true, or fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)


def presigned_signature(url: str, cluster: str, secret: str) -> str:
    """SigV4 of a presigned GET with host and x-k8s-aws-id signed, written from the spec.

    This is what STS recomputes when EKS hands it a token's URL with ``x-k8s-aws-id``.
    """
    import hashlib
    import hmac
    from urllib.parse import parse_qsl, quote, urlsplit

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "X-Amz-Signature"]
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query)
    )
    params = dict(query)
    canonical = "\n".join(
        [
            "GET",
            parts.path or "/",
            canonical_query,
            f"host:{parts.netloc}\nx-k8s-aws-id:{cluster}\n",
            params["X-Amz-SignedHeaders"],
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    date, region, service, _ = params["X-Amz-Credential"].split("/")[1:]
    scope = f"{date}/{region}/{service}/aws4_request"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = "\n".join(["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, digest])
    key = sign(sign(sign(sign(f"AWS4{secret}".encode(), date), region), service), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def eks_token_checker(cluster: str, secret: str) -> Callable[[str], bool]:
    """A :class:`FakeKube` ``accept`` predicate: a valid EKS token for ``cluster``."""
    import base64
    from urllib.parse import parse_qsl, urlsplit

    def accept(token: str) -> bool:
        if not token.startswith("k8s-aws-v1."):
            return False
        body = token.removeprefix("k8s-aws-v1.")
        try:
            url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
            params = dict(parse_qsl(urlsplit(url).query))
            return (
                params.get("Action") == "GetCallerIdentity"
                and params.get("X-Amz-Expires") == "60"
                and params.get("X-Amz-Signature") == presigned_signature(url, cluster, secret)
            )
        except (ValueError, KeyError):
            return False

    return accept
