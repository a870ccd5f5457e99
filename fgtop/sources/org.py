"""``--org-role``: the accounts of an AWS Organization, each reached by assuming one role.

``organizations:ListAccounts`` (every page) answers only in the organization's management
account or a delegated administrator account; anywhere else AWS denies it, and fgtop says
which account must run it (``organizations:DescribeOrganization``, which every member account
may call, names the management account). Accounts that are not ACTIVE are left out; the
account running the discovery is watched with its own credentials, every other one through
``arn:<partition>:iam::<id>:role/<ROLE_NAME>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.errors import SetupError
from fgtop.sources.accounts import AccountSpec
from fgtop.sources.aws import Aws
from fgtop.sources.errors import CredentialsError, one_line

DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
NOT_IN_USE = "AWSOrganizationsNotInUseException"
PAGE_SIZE = 20
"""Accounts per ListAccounts page (the most AWS allows)."""


def matches(patterns: Sequence[str], account_id: str, name: str) -> bool:
    """Whether an account is one of ``--org-accounts``: an id, or a name pattern (``*``,
    ``?``; case-insensitive). No pattern: every account."""
    if not patterns:
        return True
    low = name.lower()
    return any(p == account_id or fnmatchcase(low, p.lower()) for p in patterns)


async def discover(
    base: Aws, role_name: str, patterns: Sequence[str] = (), *, page_size: int = PAGE_SIZE
) -> list[AccountSpec]:
    """The organization's ACTIVE accounts matching ``patterns``, as accounts to watch.

    Args:
        base: The AWS layer of the management (or delegated administrator) account.
        role_name: The role to assume in each member account.
        patterns: ``--org-accounts``: ids or name patterns; empty: all.
        page_size: Accounts per ListAccounts page.

    Raises:
        SetupError: ListAccounts denied (naming the account that must run it), no
            organization, nothing matching.
    """
    region = base.regions[0]
    caller = await base.caller_account()
    client = await base.client("organizations", region)
    listed: list[dict[str, Any]] = []
    try:
        token: str | None = None
        while True:
            kwargs = {"MaxResults": page_size} | ({"NextToken": token} if token else {})
            page = await client.list_accounts(**kwargs)
            listed += page.get("Accounts") or ()
            token = page.get("NextToken")
            if not token:
                break
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in DENIED or status == 403:
            raise SetupError(await _denied(base, caller)) from exc
        if code == NOT_IN_USE:
            raise SetupError(
                f"--org-role: account {caller or '(unknown)'} is not in an AWS Organization "
                "(list the accounts in [[accounts]] instead)"
            ) from exc
        raise SetupError(f"--org-role: cannot list the accounts: {one_line(exc)}") from exc
    except (BotoCoreError, CredentialsError) as exc:
        raise SetupError(f"--org-role: cannot list the accounts: {one_line(exc)}") from exc
    partition = _partition(base.caller_arn)
    out: list[AccountSpec] = []
    for a in listed:
        account_id, name = str(a.get("Id") or ""), str(a.get("Name") or "")
        state = a.get("State") or a.get("Status") or "ACTIVE"
        if not account_id or state != "ACTIVE" or not matches(patterns, account_id, name):
            continue
        if account_id == caller:  # the discovering account: its own credentials
            out.append(AccountSpec(name=name or None, profile=base.profile, account_id=caller))
            continue
        role = f"arn:{partition}:iam::{account_id}:role/{role_name}"
        out.append(AccountSpec(name=name or None, role_arn=role, account_id=account_id))
    if not out:
        which = f" matching --org-accounts {', '.join(patterns)}" if patterns else ""
        raise SetupError(f"--org-role: no ACTIVE account in the organization{which}")
    return out


async def _denied(base: Aws, caller: str | None) -> str:
    """The line for a denied ListAccounts: who asked, and which account must run it."""
    who = f"account {caller}" if caller else "these credentials"
    management = None
    try:
        client = await base.client("organizations", base.regions[0])
        desc = (await client.describe_organization()).get("Organization") or {}
        management = desc.get("MasterAccountId")
    except (ClientError, BotoCoreError, CredentialsError):
        pass
    if management and management == caller:
        return (
            f"--org-role: organizations:ListAccounts is denied to account {caller}, the "
            "management account: the credentials used need that permission"
        )
    where = f"the management account {management}" if management else "the management account"
    return (
        f"--org-role: organizations:ListAccounts is denied to {who}: run fgtop with the "
        f"credentials of {where} or of a delegated administrator account (--profile)"
    )


def _partition(arn: str | None) -> str:
    """The partition of the caller (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"
