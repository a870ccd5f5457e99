"""How an account's credential failure is worded: one line naming the account and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, UnauthorizedSSOTokenError

from fgtop.sources.accounts import (
    RETRY_AFTER,
    AccountSpec,
    NamedCredentials,
    account_line,
    credentials_reason,
    role_account_id,
)
from fgtop.sources.errors import CredentialsError, one_line

ROLE = "arn:aws:iam::222222222222:role/fgtop-read"


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, operation)


def test_role_account_id() -> None:
    assert role_account_id(ROLE) == "222222222222"
    assert role_account_id("arn:aws-cn:iam::333333333333:role/path/x") == "333333333333"
    assert role_account_id("arn:aws:iam::2222:role/x") is None
    assert role_account_id("fgtop-read") is None


def test_the_reasons() -> None:
    role = AccountSpec(name="staging", role_arn=ROLE, source_profile="ops")
    assert credentials_reason(client_error("AccessDenied", "AssumeRole"), role) == (
        f"cannot assume {ROLE}: AccessDenied (the caller needs sts:AssumeRole on it, and the "
        "role's trust policy must name the caller)"
    )
    assert credentials_reason(client_error("ExpiredToken", "AssumeRole"), role) == (
        f"cannot assume {ROLE}: ExpiredToken (profile ops expired or invalid)"
    )
    sso = AccountSpec(name="dev", profile="dev-sso")
    assert credentials_reason(UnauthorizedSSOTokenError(), sso) == (
        "the SSO session has expired: run aws sso login --profile dev-sso"
    )
    assert credentials_reason(NoCredentialsError(), sso) == "no credentials found for it"
    assert credentials_reason(client_error("ExpiredTokenException", "ListTasks"), sso).startswith(
        "ExpiredTokenException: the credentials expired"
    )


def test_account_line_names_the_account_once() -> None:
    assert account_line("prod", "111111111111", "x") == "account prod (111111111111): x"
    assert account_line("111111111111", "111111111111", "x") == "account 111111111111: x"
    assert account_line("dev", None, "x") == "account dev: x"


class Failing:
    method = "sso"

    def __init__(self) -> None:
        self.asked = 0
        self.fail = True

    async def get_frozen_credentials(self) -> str:
        self.asked += 1
        if self.fail:
            raise UnauthorizedSSOTokenError()
        return "frozen"


async def test_a_failed_renewal_is_raised_as_the_accounts_line() -> None:
    spec = AccountSpec(name="dev", profile="dev-sso")
    inner, now = Failing(), [100.0]
    creds = NamedCredentials(
        inner,
        lambda exc: account_line("dev", None, credentials_reason(exc, spec)),
        clock=lambda: now[0],
    )
    assert creds.method == "sso"
    with pytest.raises(CredentialsError) as err:
        await creds.get_frozen_credentials()
    line = "account dev: the SSO session has expired: run aws sso login --profile dev-sso"
    assert str(err.value) == line
    assert one_line(err.value) == line  # what the engine shows as the source's reason
    # Every source of the account fails with the line for RETRY_AFTER, not asking again...
    now[0] += RETRY_AFTER - 1
    with pytest.raises(CredentialsError, match="run aws sso login"):
        await creds.get_frozen_credentials()
    assert inner.asked == 1
    # ...then asks again, and recovers.
    now[0] += 1
    inner.fail = False
    assert await creds.get_frozen_credentials() == "frozen"
    assert inner.asked == 2
