"""Several AWS accounts: how each is reached, and credentials that last a night.

An account is reached through a named profile, or by assuming a role (``role_arn``, with an
optional ``external_id``) with the credentials of a source profile or of the standard chain.
An assumed role's credentials are refreshable: aiobotocore renews them before they expire
(from 15 minutes before, "advisory": a failure keeps the current ones; from 10 minutes
before, "mandatory": a failure is raised), on whichever call comes first, so the data has no
gap. The :class:`AccountSource` of each account asks for its credentials once a minute, so a
renewal also happens when no other call is due, and says in one line naming the account why
they cannot be had (the role cannot be assumed, the SSO session expired); that account's other
sources fail with the same line, and every other account goes on.

Every call goes through the :class:`~fgtop.sources.aws.Aws` layer of its account (the
read-only guard, the call counters): ``sts:AssumeRole`` is made with the source credentials'
own guarded STS client, and is the only operation on the allow-list that is not a read of
the estate.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiobotocore.credentials import AioCredentialResolver, AioDeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from fgtop.model import Account
from fgtop.sources.aws import CALL_TIMEOUT, Aws
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.errors import CredentialsError, one_line

# aiobotocore logs a failed renewal with its traceback: with no handler configured, Python's
# last-resort handler would print it on the terminal. The account's one line says it instead.
for _name in ("aiobotocore.credentials", "botocore.credentials"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

SESSION_NAME = "fgtop"
"""The ``RoleSessionName`` of every assumed role (CloudTrail shows it)."""
DURATION = 3600
"""Seconds an assumed role's credentials last (the default maximum session of a role, and
the most role chaining allows)."""
CHECK_INTERVAL = 60.0
"""Seconds between two looks at an account's credentials."""
RETRY_AFTER = 30.0
"""Seconds an account whose credentials failed is not asked again: its sources fail with the
same line meanwhile (a denied role is not asked to every source's every call)."""
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
"""A role ARN (the account id is its fifth field)."""
RENEW_WINDOW = (900, 600)
"""Seconds before expiry an assumed role is renewed: from the first (advisory: a failure keeps
the current credentials), at the latest from the second (mandatory: a failure is raised).
aiobotocore's own defaults."""
DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
EXPIRED = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "RequestExpired"}
)


@dataclass(frozen=True)
class AccountSpec:
    """One account to watch, as the command line or the config file names it."""

    name: str | None = None
    """The display name (None: the profile's name, else the account id)."""
    profile: str | None = None
    """The named profile whose credentials read the account."""
    role_arn: str | None = None
    """The role to assume in the account (instead of a profile)."""
    external_id: str | None = None
    """The ``ExternalId`` the role's trust policy asks for."""
    source_profile: str | None = None
    """The profile whose credentials assume the role (None: the shared profile, or the
    standard chain)."""
    regions: tuple[str, ...] = ()
    """This account's regions (empty: the shared ones)."""
    account_id: str | None = None
    """The account id when known before any call (from the role ARN, or the organization)."""

    @property
    def label(self) -> str:
        """Its display name: the name, else the profile, else the account id."""
        return self.name or self.profile or self.account_id or "default"


def role_account_id(role_arn: str) -> str | None:
    """The account id of a role ARN (``arn:aws:iam::123456789012:role/x``), or None."""
    match = ROLE_ARN.match(role_arn)
    return match.group(1) if match else None


def account_line(label: str, account_id: str | None, reason: str) -> str:
    """One line naming an account and what is wrong: ``account prod (123…): reason``."""
    who = label if not account_id or label == account_id else f"{label} ({account_id})"
    return f"account {who}: {reason}"


def credentials_reason(exc: BaseException, spec: AccountSpec) -> str:
    """Why an account's credentials cannot be had, in a few words with what to do."""
    profile = spec.source_profile or spec.profile
    name = type(exc).__name__
    if name in {"UnauthorizedSSOTokenError", "SSOTokenLoadError", "TokenRetrievalError"}:
        run = f"aws sso login --profile {profile}" if profile else "aws sso login"
        return f"the SSO session has expired: run {run}"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "Error")
        if getattr(exc, "operation_name", "") == "AssumeRole":
            if code in DENIED:
                return (
                    f"cannot assume {spec.role_arn}: AccessDenied (the caller needs "
                    "sts:AssumeRole on it, and the role's trust policy must name the caller)"
                )
            if code in EXPIRED:
                whose = f"profile {profile}" if profile else "the source credentials"
                return f"cannot assume {spec.role_arn}: {code} ({whose} expired or invalid)"
            return f"cannot assume {spec.role_arn}: {one_line(exc)}"
        if code in EXPIRED:
            return f"{code}: the credentials expired or are invalid (renew them and restart)"
    if name == "NoCredentialsError":
        return "no credentials found for it"
    return one_line(exc)


class NamedCredentials:
    """Any credentials object, whose failure to give fresh credentials names the account.

    The request signer asks :meth:`get_frozen_credentials` before every request; a renewal
    that fails (a mandatory one) raises :class:`~fgtop.sources.errors.CredentialsError`
    carrying :func:`account_line`, which the engine shows as the source's reason.
    """

    def __init__(
        self,
        inner: Any,
        describe: Callable[[BaseException], str],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.describe = describe
        self.method = getattr(inner, "method", "fgtop-account")
        self.clock = clock
        self._failed: tuple[float, str] | None = None
        """When the credentials last failed, and the line (asked again after RETRY_AFTER)."""

    async def get_frozen_credentials(self) -> Any:
        """The current credentials, renewed first when due.

        Raises:
            CredentialsError: They cannot be had (the same line, without asking again, for
                :data:`RETRY_AFTER` seconds after a failure).
        """
        if self._failed is not None and self.clock() - self._failed[0] < RETRY_AFTER:
            raise CredentialsError(self._failed[1])
        try:
            creds = await self.inner.get_frozen_credentials()
        except CredentialsError as exc:
            self._failed = (self.clock(), str(exc))
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to renew becomes the account's line
            self._failed = (self.clock(), self.describe(exc))
            raise CredentialsError(self._failed[1]) from exc
        self._failed = None
        return creds

    def get_account_id(self) -> Any:
        """The account id the credentials carry (for endpoints that use it)."""
        return self.inner.get_account_id()

    def get_deferred_property(self, name: str) -> Any:
        """botocore's lazy access to a credential property."""
        return self.inner.get_deferred_property(name)


class _Chain:
    """A credential provider: the standard chain of a session, its result named."""

    METHOD = "fgtop-account"
    CANONICAL_NAME = "fgtop-account"

    def __init__(self, resolver: Any, describe: Callable[[BaseException], str]) -> None:
        self.resolver = resolver
        self.describe = describe

    async def load(self) -> Any:
        creds = await self.resolver.load_credentials()
        return NamedCredentials(creds, self.describe) if creds is not None else None


class AssumedRole:
    """The refreshable credentials of a role, assumed with a base layer's credentials.

    Args:
        base: The AWS layer whose credentials assume the role (its STS client is guarded and
            counted like every other).
        spec: The account (``role_arn``, ``external_id``).
        clock: POSIX seconds, for deciding when to renew.
        duration: Seconds each set of credentials lasts.
        renew_window: (advisory, mandatory) seconds before expiry to renew (tests shorten
            the wait by widening it).
    """

    def __init__(
        self,
        base: Aws,
        spec: AccountSpec,
        *,
        clock: Callable[[], float] = time.time,
        duration: int = DURATION,
        renew_window: tuple[float, float] = RENEW_WINDOW,
    ) -> None:
        assert spec.role_arn
        self.base = base
        self.spec = spec
        self.clock = clock
        self.duration = duration
        self.renew_window = renew_window
        self.expires_at: float | None = None
        """When the credentials last got expire (POSIX seconds)."""
        self.assumed = 0
        """How many times the role was assumed (the first time and every renewal)."""
        self.attempts = 0
        """AssumeRole calls made, failed ones included."""

    def credentials(self, describe: Callable[[BaseException], str]) -> NamedCredentials:
        """Credentials that assume the role on first use and renew it before it expires."""
        inner = AioDeferredRefreshableCredentials(
            refresh_using=self.fetch,
            method="assume-role",
            time_fetcher=lambda: datetime.fromtimestamp(self.clock(), UTC),
        )
        # What botocore's RefreshableCredentials(advisory_timeout=, mandatory_timeout=) sets.
        inner._advisory_refresh_timeout, inner._mandatory_refresh_timeout = self.renew_window
        return NamedCredentials(inner, describe)

    async def fetch(self) -> dict[str, Any]:
        """Assume the role once; what aiobotocore's refreshable credentials want."""
        kwargs: dict[str, Any] = {
            "RoleArn": self.spec.role_arn,
            "RoleSessionName": SESSION_NAME,
            "DurationSeconds": self.duration,
        }
        if self.spec.external_id:
            kwargs["ExternalId"] = self.spec.external_id
        sts = await self.base.client("sts", self.base.regions[0])
        self.attempts += 1
        resp = await sts.assume_role(**kwargs)
        creds = resp["Credentials"]
        expiration = creds["Expiration"]
        if isinstance(expiration, str):
            expiration = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
        self.expires_at = expiration.timestamp()
        self.assumed += 1
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiration.isoformat(),
            "account_id": self.spec.account_id or role_account_id(self.spec.role_arn or ""),
        }


@dataclass
class Watched:
    """One watched account: its AWS layer and what the snapshot says of it."""

    aws: Aws
    info: Account
    spec: AccountSpec
    role: AssumedRole | None = None
    base: Aws | None = None
    """The layer whose credentials assume the role (closed with the account's)."""

    async def close(self) -> None:
        """Close the account's clients (and its base layer's)."""
        await self.aws.close()
        if self.base is not None:
            await self.base.close()


def open_account(
    spec: AccountSpec,
    *,
    regions: tuple[str, ...] = (),
    base_profile: str | None = None,
    call_timeout: float = CALL_TIMEOUT,
    clock: Callable[[], float] = time.time,
    renew_window: tuple[float, float] = RENEW_WINDOW,
    max_attempts: int | None = None,
    bases: dict[str | None, Aws] | None = None,
) -> Watched:
    """The AWS layer of one account (no call made yet: a role is assumed on first use).

    Args:
        spec: The account.
        regions: The shared regions (the account's own win).
        base_profile: The profile that assumes a role without a ``source_profile`` (the
            shared ``profile``); None: the standard chain.
        call_timeout: Seconds one call may take.
        clock: POSIX seconds (when to renew an assumed role's credentials).
        renew_window: (advisory, mandatory) seconds before expiry to renew them.
        bases: The layers that assume roles, by source profile, shared by the accounts
            opened with the same dict (one session for an organization's roles, not one each).
        max_attempts: Retry attempts per call (None: ``AWS_MAX_ATTEMPTS`` or 5).

    Raises:
        SetupError: A profile that does not exist, no region.
    """
    wanted = spec.regions or regions
    account_id = spec.account_id or (role_account_id(spec.role_arn) if spec.role_arn else None)
    label = spec.label if spec.name or spec.profile else (account_id or spec.label)

    def describe(exc: BaseException) -> str:
        return account_line(label, account_id, credentials_reason(exc, spec))

    if spec.role_arn:
        source = spec.source_profile or base_profile
        base = (bases or {}).get(source)
        if base is None:
            base = Aws(source, wanted, call_timeout=call_timeout, max_attempts=max_attempts)
            if bases is not None:
                bases[source] = base
        role = AssumedRole(base, spec, clock=clock, renew_window=renew_window)
        aws = Aws(
            None,
            wanted or base.regions,
            call_timeout=call_timeout,
            max_attempts=max_attempts,
            credentials=role.credentials(describe),
            account=account_id,
            label=label,
        )
        profile = spec.source_profile or base_profile
    else:
        base, role = None, None
        aws = Aws(
            spec.profile,
            wanted,
            call_timeout=call_timeout,
            max_attempts=max_attempts,
            account=account_id,
            label=label,
        )
        chain = aws.session.get_component("credential_provider")
        aws.session.register_component(
            "credential_provider", AioCredentialResolver([_Chain(chain, describe)])
        )
        profile = spec.profile
    info = Account(
        id=account_id or "",
        name=spec.name or spec.profile,
        regions=aws.regions,
        profile=profile,
        role_arn=spec.role_arn,
    )
    return Watched(aws=aws, info=info, spec=spec, role=role, base=base)


async def learn_account(watched: Watched) -> None:
    """Read the account id of a profile's account (STS GetCallerIdentity) when not known.

    A failure is no error here: the account's :class:`AccountSource` says it, in one line.
    """
    if watched.info.id:
        return
    account = await watched.aws.caller_account()
    if account:
        watched.info = dataclasses.replace(watched.info, id=account)


class AccountSource(PollingSource):
    """The state of one account's credentials: renewed when due, or why they cannot be had.

    Its part is the account's entry in ``Snapshot.accounts`` (with ``error`` and
    ``expires_at``); when the credentials fail, the entry says why and the source is marked
    stale with the same line.
    """

    interval = CHECK_INTERVAL

    def __init__(self, watched: Watched) -> None:
        self.watched = watched
        self.name = f"account@{watched.info.label}"
        self._error: str | None = None

    @property
    def account(self) -> str | None:
        """The account's id (None while it is not known)."""
        return self.watched.info.id or None

    def api_calls(self) -> int:
        """STS calls made for this account (AssumeRole with the source credentials, and
        GetCallerIdentity)."""
        role = self.watched.role
        return self.watched.aws.calls["sts"] + (role.attempts if role is not None else 0)

    def degraded(self) -> str | None:
        """The account's one line while its credentials cannot be had."""
        return self._error

    async def poll(self, ctx: SourceContext) -> Part:
        """Get the account's credentials (renewing them when due); return its entry."""
        w = self.watched
        try:
            creds = await w.aws.session.get_credentials()
            if creds is None:
                raise CredentialsError(
                    account_line(w.info.label, w.info.id or None, "no credentials found for it")
                )
            await creds.get_frozen_credentials()
            await learn_account(w)
            self._error = None
        except CredentialsError as exc:
            self._error = str(exc)
        except (BotoCoreError, ClientError) as exc:
            self._error = account_line(
                w.info.label, w.info.id or None, credentials_reason(exc, w.spec)
            )
        expires = w.role.expires_at if w.role is not None else None
        info = dataclasses.replace(w.info, error=self._error, expires_at=expires)
        return {"accounts": (info,)}
