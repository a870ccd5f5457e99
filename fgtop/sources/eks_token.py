"""EKS bearer tokens generated in-process, the same as ``aws eks get-token`` prints.

A token is ``k8s-aws-v1.`` followed by the unpadded base64url encoding of a presigned STS
``GetCallerIdentity`` URL whose signed headers include ``x-k8s-aws-id: <cluster name>``. The
URL is signed for 60 seconds; EKS accepts the token for 15 minutes after signing, so callers
refresh it well before that (:data:`REFRESH_AFTER`).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest

if TYPE_CHECKING:
    from fgtop.sources.aws import Aws

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_ID_HEADER = "x-k8s-aws-id"
URL_EXPIRES = 60
"""Seconds the presigned URL is valid for (``X-Amz-Expires``), as the aws CLI uses."""
TOKEN_LIFETIME = 15 * 60
"""Seconds EKS accepts a token after it was signed."""
REFRESH_AFTER = 10 * 60
"""Seconds after which fgtop makes a new token, well before it expires."""


@dataclass(frozen=True)
class EksToken:
    """A bearer token for one EKS cluster."""

    token: str
    created_at: float
    """POSIX seconds when it was signed."""

    @property
    def expires_at(self) -> float:
        """POSIX seconds after which EKS refuses it."""
        return self.created_at + TOKEN_LIFETIME

    def stale(self, now: float | None = None) -> bool:
        """Whether it is time to make a new token (:data:`REFRESH_AFTER` has passed)."""
        return (time.time() if now is None else now) >= self.created_at + REFRESH_AFTER


def sts_endpoint(region: str) -> str:
    """The regional STS endpoint EKS expects in a token for ``region``."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://sts.{region}.{suffix}"


def presigned_caller_identity_url(
    cluster: str, region: str, credentials: Any, *, endpoint_url: str | None = None
) -> str:
    """Presign an STS ``GetCallerIdentity`` GET request with ``x-k8s-aws-id`` signed in.

    Args:
        cluster: The EKS cluster name (the value of ``x-k8s-aws-id``).
        region: The region to sign for.
        credentials: botocore credentials (``access_key``, ``secret_key``, ``token``),
            e.g. frozen credentials from a session.
        endpoint_url: The STS endpoint; defaults to the regional one.

    Returns:
        The presigned URL.
    """
    base = (endpoint_url or sts_endpoint(region)).rstrip("/")
    request = AWSRequest(
        method="GET",
        url=f"{base}/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={CLUSTER_ID_HEADER: cluster},
    )
    SigV4QueryAuth(credentials, "sts", region, expires=URL_EXPIRES).add_auth(request)
    return request.prepare().url


def make_token(
    cluster: str, region: str, credentials: Any, *, endpoint_url: str | None = None
) -> str:
    """A bearer token for ``cluster``: ``k8s-aws-v1.`` + unpadded base64url of the URL.

    Args:
        cluster: The EKS cluster name.
        region: The cluster's region.
        credentials: botocore credentials with ``access_key``/``secret_key``/``token``.
        endpoint_url: The STS endpoint; defaults to the regional one.

    Returns:
        The token, as ``aws eks get-token`` prints it in ``status.token``.
    """
    url = presigned_caller_identity_url(cluster, region, credentials, endpoint_url=endpoint_url)
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")
    return TOKEN_PREFIX + encoded


def decode_token(token: str) -> str:
    """The presigned URL inside a token (for tests and debugging).

    Raises:
        ValueError: When ``token`` does not start with ``k8s-aws-v1.``.
    """
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not an EKS token")
    body = token[len(TOKEN_PREFIX) :]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")


async def eks_token(aws: Aws, cluster: str, region: str) -> EksToken:
    """Sign a fresh token for ``cluster`` with the credentials of ``aws``'s session.

    The STS endpoint is the one the session's STS client resolves (so ``AWS_ENDPOINT_URL``
    and FIPS settings apply). No request is sent.

    Raises:
        fgtop.sources.errors.SetupError: When no credentials can be found.
    """
    from fgtop.errors import SetupError

    creds = await aws.session.get_credentials()
    if creds is None:
        raise SetupError("no AWS credentials to sign an EKS token with")
    frozen = await creds.get_frozen_credentials()
    sts = await aws.client("sts", region)
    token = make_token(cluster, region, frozen, endpoint_url=sts.meta.endpoint_url)
    return EksToken(token=token, created_at=time.time())
