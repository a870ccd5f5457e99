"""The AWS layer: session, one client per service and region, a read-only guard, call counts.

Every AWS call fgtop makes goes through :class:`Aws`. It refuses any operation outside the
allow-list (:mod:`fgtop.sources.allowlist`) before a request is built, and counts every HTTP
request per service.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.credentials import AioCredentialResolver
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)
from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

from fgtop.errors import SetupError
from fgtop.sources.allowlist import is_allowed
from fgtop.sources.errors import CredentialsError, ReadOnlyViolation, one_line

OPTIONAL_ATTEMPTS = 2
"""Attempts per call of an optional source (metrics, Compute Optimizer): a 5xx or a throttle
is retried once, not four times with backoff; the source tries again at its next poll."""
CALL_TIMEOUT = 10.0
"""Seconds one AWS call (a page, a describe batch, a GetMetricData poll) may take by default."""


class Aws:
    """An aiobotocore session with cached clients and per-service call counters.

    Args:
        profile: The named profile, or None for the default chain (``AWS_PROFILE`` etc.).
        regions: Regions to watch; empty means the profile's or environment's region.
        max_attempts: Retry attempts per call (botocore adaptive mode).
        call_timeout: Seconds one call may take (the config's ``call_timeout``); the sources
            give up past it, which marks them stale.
    """

    def __init__(
        self,
        profile: str | None = None,
        regions: Iterable[str] = (),
        *,
        max_attempts: int | None = None,
        call_timeout: float = CALL_TIMEOUT,
        credentials: Any = None,
        account: str | None = None,
        label: str | None = None,
    ) -> None:
        self.profile = profile
        self.call_timeout = call_timeout
        self.label = label
        """The account's display name, when several accounts are watched (for messages)."""
        self.session: AioSession = get_session()
        if profile:
            self.session.set_config_variable("profile", profile)
        _check_config(self.session, profile)
        _check_endpoint()
        _share_loader(self.session)  # after the check: making a loader reads the config
        if credentials is not None:
            # An assumed role's refreshable credentials (fgtop.sources.accounts), instead of
            # the standard chain.
            self.session.register_component(
                "credential_provider", AioCredentialResolver([_Given(credentials)])
            )
        self.regions = tuple(dict.fromkeys(regions)) or self._default_regions()
        if max_attempts is None:
            max_attempts = int(os.environ.get("AWS_MAX_ATTEMPTS") or 5)
        self._config = _client_config(max_attempts=max_attempts)
        # botocore's retries["max_attempts"] counts the retries (the initial call is extra);
        # total_max_attempts counts every attempt: one call and one retry.
        self._optional_config = _client_config(
            total_max_attempts=min(max_attempts + 1, OPTIONAL_ATTEMPTS)
        )
        self._stack = contextlib.AsyncExitStack()
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self.calls: Counter[str] = Counter()
        """HTTP requests by service (``ecs``), service and region (``ecs:eu-west-1``), operation
        (``ecs.DescribeTasks``) and operation in a region (``ecs:eu-west-1.DescribeTasks``)."""
        self.account: str | None = account
        """The account id, once known (given, or read by :meth:`caller_account`)."""
        self.caller_arn: str | None = None
        """The ARN of the caller, once read by :meth:`caller_account`."""

    def _default_regions(self) -> tuple[str, ...]:
        # AWS_REGION first, as the other AWS SDKs and the CLI v2 read it; then botocore's chain
        # (AWS_DEFAULT_REGION, the profile's region).
        region = os.environ.get("AWS_REGION") or self.session.get_config_variable("region")
        if not region:
            raise SetupError(
                "no AWS region: pass --region REGION or set AWS_REGION "
                "(or run `fgtop demo`, which needs no AWS account)"
            )
        return (region,)

    async def check_credentials(self) -> None:
        """Fail with a :class:`SetupError` when the credential chain finds nothing."""
        try:
            creds = await self.session.get_credentials()
        except (BotoCoreError, ValueError) as exc:
            raise SetupError(f"AWS credentials could not be loaded: {one_line(exc)}") from exc
        if creds is None:
            raise SetupError(
                "no AWS credentials found: set AWS_PROFILE or pass --profile, run `aws sso login`, "
                "or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                "(or run `fgtop demo`, which needs no AWS account)"
            )

    async def client(self, service: str, region: str, *, optional: bool = False) -> Any:
        """The client for ``service`` in ``region``, created once and closed by :meth:`close`.

        Args:
            service: The botocore service name (``ecs``).
            region: The region.
            optional: For an optional source: a 5xx or a throttle is retried at most once
                (:data:`OPTIONAL_ATTEMPTS`).
        """
        key = (service, region, optional)
        client: Any = self._clients.get(key)
        if client is None:
            config = self._optional_config if optional else self._config
            try:
                ctx = self.session.create_client(service, region_name=region, config=config)
                client = await self._stack.enter_async_context(ctx)
            except (NoRegionError, NoCredentialsError) as exc:
                raise SetupError(one_line(exc)) from exc
            events = client.meta.events
            events.register("provide-client-params.*.*", _guard)
            events.register("before-send.*.*", self._count_factory(service, region))
            self._clients[key] = client
        return client

    def _count_factory(self, service: str, region: str):
        def count(event_name: str = "", **_: Any) -> None:
            self.calls[service] += 1
            self.calls[f"{service}:{region}"] += 1
            op = event_name.rsplit(".", 1)[-1]
            self.calls[f"{service}.{op}"] += 1
            self.calls[f"{service}:{region}.{op}"] += 1

        return count

    async def caller_account(self) -> str | None:
        """The account id from STS GetCallerIdentity, or None when it cannot be read."""
        if self.account is None:
            try:
                sts = await self.client("sts", self.regions[0])
                identity = await sts.get_caller_identity()
                self.account = identity["Account"]
                self.caller_arn = identity.get("Arn")
            except (ClientError, BotoCoreError, KeyError, CredentialsError):
                return None
        return self.account

    async def close(self) -> None:
        """Close every client (idempotent)."""
        self._clients.clear()
        await self._stack.aclose()


def _client_config(**attempts: int) -> AioConfig:
    """Retries (botocore's adaptive mode unless ``AWS_RETRY_MODE`` says otherwise; ``attempts``:
    ``max_attempts`` or ``total_max_attempts``) and timeouts of one client."""
    return AioConfig(
        retries={"mode": os.environ.get("AWS_RETRY_MODE") or "adaptive", **attempts},
        connect_timeout=5,
        read_timeout=20,
        max_pool_connections=20,
    )


_LOADER: Any = None
"""The botocore data loader every session shares (see :func:`_share_loader`)."""


def _share_loader(session: AioSession) -> None:
    """Give ``session`` the data loader of the first session made: its service models are read
    and parsed once for the process, not once per session (each account has a session of its
    own: at 20 accounts, ~200 MB of duplicate models otherwise)."""
    global _LOADER  # noqa: PLW0603 - one per process, like botocore's own default session
    if _LOADER is None:
        _LOADER = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _LOADER)


class _Given:
    """A credential provider that hands out one credentials object (an assumed role's)."""

    METHOD = "fgtop-account"
    CANONICAL_NAME = "fgtop-account"

    def __init__(self, credentials: Any) -> None:
        self.credentials = credentials

    async def load(self) -> Any:
        return self.credentials


def _check_config(session: AioSession, profile: str | None) -> None:
    """Read the AWS config files now, so a missing profile or a broken file is one line."""
    try:
        session.get_scoped_config()
    except ProfileNotFound as exc:
        name = profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        origin = "--profile" if profile else "AWS_PROFILE"
        raise SetupError(
            f"AWS profile {name!r} (from {origin}) not found in {_config_file()} or "
            f"{_credentials_file()}: check the name (`aws configure list-profiles`)"
        ) from exc
    except ConfigParseError as exc:
        path = getattr(exc, "kwargs", {}).get("path") or _config_file()
        raise SetupError(
            f"cannot parse the AWS config file {path}: fix its syntax "
            "(`[profile NAME]` sections of `key = value` lines)"
        ) from exc


def _config_file() -> str:
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def _credentials_file() -> str:
    return os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"


def _check_endpoint() -> None:
    """``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``) must be URLs."""
    for name, value in sorted(os.environ.items()):
        if not (name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_")) or not value:
            continue
        if not (is_valid_endpoint_url(value) or is_valid_ipv6_endpoint_url(value)):
            raise SetupError(
                f"{name}={value!r} is not a URL: set it to one like https://host:port, or unset it"
            )


def _guard(model: Any = None, **_: Any) -> None:
    """Refuse, before any request is built, any operation not on the allow-list.

    The allow-list (:mod:`fgtop.sources.allowlist`) names exact (service, operation) pairs:
    a mutating call and an unlisted read (``sts:GetSessionToken``) are refused alike.
    """
    name = getattr(model, "name", "")
    service = getattr(getattr(model, "service_model", None), "service_name", "")
    if not is_read_only(service, name):
        raise ReadOnlyViolation(f"fgtop is read-only: refused {service}:{name}")


def is_read_only(service: str, operation: str) -> bool:
    """Whether ``service``'s ``operation`` (``"ecs", "ListTasks"``) is on the allow-list."""
    return is_allowed(service, operation)
