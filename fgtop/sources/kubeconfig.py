"""How fgtop reaches a Kubernetes cluster: kubeconfig contexts (and the base for EKS).

A :class:`KubeConnection` makes a kubernetes-asyncio ``ApiClient`` for one cluster and keeps
its bearer token fresh. Contexts come from ``KUBECONFIG`` (several paths joined by ``:``) or
``~/.kube/config``; ``exec`` credential plugins (as written by ``aws eks update-kubeconfig``)
are run by kubernetes-asyncio and re-run before their token expires or after a 401. The
kubeconfig file is never written.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, TypeVar

import yaml
from kubernetes_asyncio.client import ApiClient, Configuration
from kubernetes_asyncio.config import ConfigException, list_kube_config_contexts, load_kube_config

from fgtop.errors import SetupError
from fgtop.model.kube import FargateProfile
from fgtop.sources.errors import one_line

T = TypeVar("T")
DEFAULT_KUBECONFIG = "~/.kube/config"
EXEC_REFRESH_AFTER = 10 * 60
"""Seconds after which an exec plugin without an expiry is run again."""
_CHECK_EVERY = 15.0
"""Seconds between cheap checks of whether a token needs refreshing."""

_EKS_ARN = re.compile(r"^arn:aws[\w-]*:eks:([a-z0-9-]+):(\d+):cluster/(.+)$")
_EKS_HOST = re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.eks\.amazonaws\.com(?:\.cn)?", re.I)


class KubeConnection:
    """How to reach one cluster: where it is, how to authenticate, when to re-authenticate.

    Subclasses implement :meth:`configure` and :meth:`refresh`.

    Args:
        name: Display name (EKS cluster name or kube context name).
        context: The kubeconfig context, or None for EKS discovery.
        region: The AWS region, when known.
        endpoint: The API server URL, when known before connecting.
        fargate_profiles: The cluster's Fargate profiles, when known (EKS discovery).
    """

    def __init__(
        self,
        name: str,
        *,
        context: str | None = None,
        region: str | None = None,
        endpoint: str | None = None,
        fargate_profiles: Sequence[FargateProfile] = (),
    ) -> None:
        self.name = name
        self.context = context
        self.region = region
        self.endpoint = endpoint
        self.fargate_profiles = tuple(fargate_profiles)
        self.account: str | None = None
        """The AWS account id of the EKS cluster, when known (its ARN's, or discovery's)."""
        self._lock = asyncio.Lock()

    async def configure(self) -> Configuration:
        """A new client Configuration with host, TLS and credentials set."""
        raise NotImplementedError

    async def refresh(self, configuration: Configuration, *, force: bool = False) -> None:
        """Renew the bearer token in ``configuration`` when it is due (or ``force``)."""

    async def client(self) -> ApiClient:
        """A new ApiClient whose token is refreshed before each request when due.

        The caller closes it (``await client.close()``).
        """
        configuration = await self.configure()
        if self.endpoint is None:
            self.endpoint = configuration.host

        async def hook(cfg: Configuration) -> None:
            await self.refresh(cfg)

        configuration.refresh_api_key_hook = hook
        return ApiClient(configuration=configuration)

    async def close(self) -> None:
        """Release files or credentials this connection holds."""


class KubeconfigConnection(KubeConnection):
    """A context of the user's kubeconfig.

    Args:
        context: The context name.
        config_file: Kubeconfig path(s), ``:``-separated; defaults to :func:`kubeconfig_path`.
        name: Display name; defaults to the EKS cluster name for ``arn:aws:eks:...`` contexts,
            else the context name.
    """

    def __init__(
        self, context: str, config_file: str | None = None, *, name: str | None = None
    ) -> None:
        region, short = eks_name_from_context(context)
        super().__init__(name or short or context, context=context, region=region)
        self.account = eks_account_from_context(context)
        self.config_file = config_file or kubeconfig_path()
        self._loader: Any = None
        self._ran_at = 0.0
        self._checked_at = 0.0

    async def configure(self) -> Configuration:
        """Load the context into a new Configuration (runs the exec plugin, if any).

        Raises:
            SetupError: When the kubeconfig or the context is unusable.
        """
        configuration = Configuration()
        try:
            self._loader = await _let_finish(
                load_kube_config(
                    config_file=self.config_file,
                    context=self.context,
                    client_configuration=configuration,
                    persist_config=False,
                )
            )
        except (ConfigException, OSError, KeyError, TypeError, ValueError) as exc:
            raise SetupError(f"kube context {self.context}: {exc}".strip()) from exc
        self._ran_at = self._checked_at = time.monotonic()
        if self.region is None:
            match = _EKS_HOST.search(configuration.host or "")
            self.region = match.group(1) if match else None
        return configuration

    @property
    def uses_exec(self) -> bool:
        """Whether the context's user authenticates with an exec credential plugin."""
        user = getattr(self._loader, "_user", None)
        return user is not None and "exec" in user

    async def refresh(self, configuration: Configuration, *, force: bool = False) -> None:
        """Re-run the exec plugin when its token is near expiry, stale, or refused."""
        if self._loader is None or not self.uses_exec:
            return
        now = time.monotonic()
        if not force and now - self._checked_at < _CHECK_EVERY:
            return
        async with self._lock:
            self._checked_at = now
            loader = self._loader
            has_expiry = hasattr(loader, "exec_plugin_expiry")
            if force and has_expiry:
                del loader.exec_plugin_expiry
            elif not force and not has_expiry and now - self._ran_at < EXEC_REFRESH_AFTER:
                return
            if force or not has_expiry:
                # The plugin runs now (with an expiry, kubernetes-asyncio runs it only when
                # less than 5 minutes are left; without one we pace it ourselves).
                self._ran_at = now
            await _let_finish(loader.load_from_exec_plugin())
            if getattr(loader, "token", None):
                configuration.api_key["BearerToken"] = loader.token


async def _let_finish(coro: Coroutine[Any, Any, T], grace: float = 5.0) -> T:
    """Await ``coro``; if cancelled meanwhile, let it finish (up to ``grace`` s) first.

    An exec credential plugin is a child process: cancelling kubernetes-asyncio while it
    reads the plugin's output would leave the process and its pipes behind.
    """
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception, asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), grace)
        task.cancel()
        raise


class KubeconfigUnreadable(SetupError):
    """The kubeconfig exists but cannot be read or parsed: an error even without ``--context``."""


def kubeconfig_path() -> str:
    """The kubeconfig path(s) in use: ``$KUBECONFIG`` or ``~/.kube/config``."""
    return os.environ.get("KUBECONFIG") or os.path.expanduser(DEFAULT_KUBECONFIG)


def _existing(config_file: str) -> list[str]:
    return [p for p in config_file.split(os.pathsep) if p and os.path.exists(os.path.expanduser(p))]


def list_contexts(config_file: str | None = None) -> tuple[list[str], str | None]:
    """Context names in the kubeconfig and the current context.

    Raises:
        SetupError: When no kubeconfig file exists or it cannot be parsed.
    """
    config_file = config_file or kubeconfig_path()
    if not _existing(config_file):
        raise SetupError(f"no kubeconfig found at {config_file} (set KUBECONFIG)")
    try:
        contexts, current = list_kube_config_contexts(config_file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.name}:{mark.line + 1}" if mark is not None else config_file
        problem = getattr(exc, "problem", None) or "not YAML"
        raise KubeconfigUnreadable(
            f"kubeconfig {where} is not valid YAML ({problem}): fix it, or point KUBECONFIG "
            "at another file"
        ) from exc
    except (ConfigException, OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KubeconfigUnreadable(
            f"kubeconfig {config_file} is not usable: {one_line(exc)}: fix it, or point "
            "KUBECONFIG at another file"
        ) from exc
    names = [str(c.get("name")) for c in contexts or [] if c.get("name")]
    current_name = current.get("name") if isinstance(current, dict) else None
    return names, current_name


def kubeconfig_connections(
    contexts: Iterable[str] = (), config_file: str | None = None
) -> list[KubeconfigConnection]:
    """One connection per chosen context (``--context``, repeatable), or the current one.

    Raises:
        SetupError: When a context is unknown or there is no current context.
    """
    config_file = config_file or kubeconfig_path()
    names, current = list_contexts(config_file)
    chosen = list(dict.fromkeys(contexts))
    if not chosen:
        if not current:
            raise SetupError("the kubeconfig has no current-context: pass --context NAME")
        chosen = [current]
    for name in chosen:
        if name not in names:
            known = ", ".join(names) or "none"
            raise SetupError(f"unknown kube context {name!r} (known: {known})")
    return [KubeconfigConnection(name, config_file) for name in chosen]


def eks_name_from_context(context: str) -> tuple[str | None, str | None]:
    """``(region, cluster name)`` from an ``arn:aws:eks:...:cluster/NAME`` context name."""
    match = _EKS_ARN.match(context)
    return (match.group(1), match.group(3)) if match else (None, None)


def eks_account_from_context(context: str) -> str | None:
    """The account id of an ``arn:aws:eks:REGION:ACCOUNT:cluster/NAME`` context name."""
    match = _EKS_ARN.match(context)
    return match.group(2) if match else None
