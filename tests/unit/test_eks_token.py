"""EKS tokens: the documented format, and a SigV4 signature checked independently."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.credentials import Credentials

from fgtop.sources.eks_token import (
    REFRESH_AFTER,
    TOKEN_LIFETIME,
    EksToken,
    decode_token,
    make_token,
    sts_endpoint,
)
from tests.fakes.kube_server import presigned_signature

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def test_token_format() -> None:
    token = make_token("prod-eks", "eu-west-1", CREDS)
    assert token.startswith("k8s-aws-v1.")
    body = token.removeprefix("k8s-aws-v1.")
    assert "=" not in body and "+" not in body and "/" not in body  # base64url, unpadded
    url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    assert url == decode_token(token)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://sts.eu-west-1.amazonaws.com"
    params = dict(parse_qsl(parts.query))
    assert params["Action"] == "GetCallerIdentity" and params["Version"] == "2011-06-15"
    assert params["X-Amz-Expires"] == "60"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert "x-k8s-aws-id" in params["X-Amz-SignedHeaders"].split(";")
    assert params["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
    assert params["X-Amz-Credential"].endswith("/eu-west-1/sts/aws4_request")
    assert "X-Amz-Security-Token" not in params


def test_signature_covers_the_cluster_name() -> None:
    url = decode_token(make_token("prod-eks", "eu-west-1", CREDS))
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    assert signature == presigned_signature(url, "prod-eks", CREDS.secret_key)
    assert signature != presigned_signature(url, "other-cluster", CREDS.secret_key)


def test_session_token_and_endpoint() -> None:
    creds = Credentials("ASIAEXAMPLE", "secret", "session/token+x")
    url = decode_token(make_token("c", "us-east-1", creds, endpoint_url="http://127.0.0.1:5000"))
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["X-Amz-Security-Token"] == "session/token+x"
    assert url.startswith("http://127.0.0.1:5000/?Action=GetCallerIdentity&")
    assert sts_endpoint("cn-north-1") == "https://sts.cn-north-1.amazonaws.com.cn"


def test_refresh_schedule() -> None:
    token = EksToken("t", created_at=1000.0)
    assert token.expires_at == 1000.0 + TOKEN_LIFETIME
    assert not token.stale(1000.0 + REFRESH_AFTER - 1)
    assert token.stale(1000.0 + REFRESH_AFTER)
    assert REFRESH_AFTER < TOKEN_LIFETIME


@pytest.mark.skipif(shutil.which("aws") is None, reason="aws CLI not installed")
def test_same_shape_as_aws_eks_get_token() -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": CREDS.access_key,
        "AWS_SECRET_ACCESS_KEY": CREDS.secret_key,
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    try:
        out = subprocess.run(
            ["aws", "eks", "get-token", "--cluster-name", "prod-eks"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"aws CLI unusable here: {exc}")
    theirs = decode_token(json.loads(out)["status"]["token"])
    ours = decode_token(make_token("prod-eks", "eu-west-1", CREDS))
    assert urlsplit(theirs).netloc == urlsplit(ours).netloc
    keys = lambda url: [k for k, _ in parse_qsl(urlsplit(url).query)]  # noqa: E731
    assert keys(theirs) == keys(ours)
    drop = {"X-Amz-Date", "X-Amz-Signature", "X-Amz-Credential"}
    same = lambda url: {k: v for k, v in parse_qsl(urlsplit(url).query) if k not in drop}  # noqa: E731
    assert same(theirs) == same(ours)
