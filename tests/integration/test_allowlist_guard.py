"""The read-only guard refuses, before any request is built, anything not on the allow-list."""

from __future__ import annotations

import pytest

from fgtop.sources.aws import Aws, ReadOnlyViolation


async def test_unlisted_reads_are_refused_before_any_request(moto: str) -> None:
    aws = Aws(regions=["us-east-1"])
    try:
        sts = await aws.client("sts", "us-east-1")
        ecr = await aws.client("ecr", "us-east-1")
        logs = await aws.client("logs", "us-east-1")
        with pytest.raises(ReadOnlyViolation, match="sts:GetSessionToken"):
            await sts.get_session_token()
        with pytest.raises(ReadOnlyViolation, match="ecr:GetAuthorizationToken"):
            await ecr.get_authorization_token()
        with pytest.raises(ReadOnlyViolation, match="logs:PutLogEvents"):
            await logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[])
        assert sum(aws.calls.values()) == 0  # nothing was sent
        # A listed read goes through the same guard and is sent.
        await sts.get_caller_identity()
        assert aws.calls["sts.GetCallerIdentity"] == 1
    finally:
        await aws.close()
