"""EKS discovery against moto's server, reaching the fake Kubernetes API with EKS tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws
from fgtop.sources.eks import ENDPOINT_OVERRIDE_ENV, EksConnection, discover_eks
from fgtop.sources.eks_token import decode_token
from fgtop.sources.kube import KubeSource
from tests.fakes.kube_server import FakeKube, eks_token_checker, make_pod, wait_until

ROLE = "arn:aws:iam::123456789012:role/eks"
VPC = {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]}


EKS_CLUSTER = "shop-prod"
SECRET = "testing"  # the moto fixture's AWS_SECRET_ACCESS_KEY


def eks_token_for(cluster: str):
    """The fake API server accepts only tokens signed for ``cluster`` with the test secret."""
    return eks_token_checker(cluster, SECRET)


@pytest.fixture
def eks(boto) -> None:
    client = boto("eks", "eu-west-1")
    client.create_cluster(name=EKS_CLUSTER, roleArn=ROLE, resourcesVpcConfig=VPC)
    client.create_fargate_profile(
        fargateProfileName="fp-shop",
        clusterName=EKS_CLUSTER,
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "shop"}, {"namespace": "jobs", "labels": {"tier": "batch"}}],
    )
    client.create_fargate_profile(
        fargateProfileName="fp-system",
        clusterName=EKS_CLUSTER,
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}],
    )
    boto("eks", "us-east-1").create_cluster(name="other", roleArn=ROLE, resourcesVpcConfig=VPC)


@pytest.fixture
async def aws(moto: str) -> AsyncIterator[Aws]:
    layer = Aws(regions=["eu-west-1", "us-east-1"])
    yield layer
    await layer.close()


async def test_discovers_clusters_and_fargate_profiles(eks: None, aws: Aws) -> None:
    found = await discover_eks(aws)
    assert found.errors == []
    by_name = {c.name: c for c in found.connections}
    assert set(by_name) == {EKS_CLUSTER, "other"}
    shop = by_name[EKS_CLUSTER]
    assert shop.region == "eu-west-1" and shop.context is None
    assert shop.endpoint and shop.endpoint.startswith("https://")
    profiles = {p.name: p for p in shop.fargate_profiles}
    assert set(profiles) == {"fp-shop", "fp-system"}
    assert profiles["fp-shop"].matches("shop", {})
    assert profiles["fp-shop"].matches("jobs", {"tier": "batch"})
    assert not profiles["fp-shop"].matches("jobs", {})
    assert by_name["other"].fargate_profiles == ()
    # ListClusters x2 regions, DescribeCluster x2, ListFargateProfiles x2, DescribeFP x2
    assert aws.calls["eks"] == 8


async def test_watches_pods_with_an_in_process_token(eks: None, aws: Aws, monkeypatch) -> None:
    async with FakeKube(accept=eks_token_for(EKS_CLUSTER)) as kube:
        kube.add("pods", make_pod("cart-1", "shop", profile="fp-shop"))
        monkeypatch.setenv(ENDPOINT_OVERRIDE_ENV, kube.url)
        found = await discover_eks(aws, ["eu-west-1"])
        [conn] = found.connections
        source = KubeSource(conn, backoff=(0.05, 0.2), coalesce=0.01)
        engine = Engine([source])
        await engine.start()
        try:
            await wait_until(lambda: [p.name for p in engine.snapshot.pods] == ["cart-1"])
            pod = engine.snapshot.pods[0]
            assert pod.cluster == EKS_CLUSTER and pod.context is None
            assert pod.region == "eu-west-1" and pod.fargate_profile == "fp-shop"
            [cluster] = engine.snapshot.kube_clusters
            assert {p.name for p in cluster.fargate_profiles} == {"fp-shop", "fp-system"}
            assert all(t.startswith("k8s-aws-v1.") for t in kube.tokens_seen)
            assert not eks_token_for("other")(kube.tokens_seen[0])  # bound to the cluster name
            assert conn.tokens_made == 1
            # A 401 (token refused) makes a new token at once.
            kube.accept = lambda token: False
            kube.gone("pods")
            await wait_until(lambda: source.state() == "error")
            assert conn.tokens_made >= 2
            kube.accept = eks_token_for(EKS_CLUSTER)
            await wait_until(lambda: source.state() == "watching")
        finally:
            await engine.stop()


async def test_token_is_refreshed_after_ten_minutes(eks: None, aws: Aws) -> None:
    async with FakeKube(accept=eks_token_for(EKS_CLUSTER)) as kube:
        [conn] = (await discover_eks(aws, ["eu-west-1"], endpoint_override=kube.url)).connections
        api = await conn.client()
        try:
            assert conn.token is not None
            first = conn.token
            await conn.refresh(api.configuration)
            assert conn.token is first  # fresh: kept
            from dataclasses import replace

            conn.token = replace(first, created_at=first.created_at - 601)
            await conn.refresh(api.configuration)
            assert conn.token is not first and conn.tokens_made == 2
            assert api.configuration.api_key["BearerToken"] == f"Bearer {conn.token.token}"
        finally:
            await api.close()
            await conn.close()


async def test_token_uses_the_sessions_sts_endpoint(moto: str, aws: Aws) -> None:
    conn = EksConnection(aws, EKS_CLUSTER, "us-east-1", "https://example.invalid")
    cfg = await conn.configure()
    token = cfg.api_key["BearerToken"].removeprefix("Bearer ")
    url = decode_token(token)
    assert url.startswith(f"{moto}/?Action=GetCallerIdentity&")  # AWS_ENDPOINT_URL applies
    assert "%2Fus-east-1%2Fsts%2Faws4_request" in url
    assert aws.calls["sts"] == 0  # signed locally: no request sent


async def test_ca_file_is_written_and_removed(moto: str, aws: Aws) -> None:
    import base64
    import os

    pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    conn = EksConnection(
        aws, "c", "us-east-1", "https://x.eks.amazonaws.com", base64.b64encode(pem).decode()
    )
    path = conn._write_ca()  # noqa: SLF001
    assert Path(path).read_bytes() == pem
    await conn.close()
    assert not os.path.exists(path)


async def test_denied_region_is_one_line(moto: str, monkeypatch) -> None:
    layer = Aws(regions=["eu-west-1"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    try:
        found = await discover_eks(layer)
    finally:
        await layer.close()
    assert found.connections == []
    [error] = found.errors
    assert error.startswith("EKS eu-west-1: ") and "\n" not in error


async def test_kubeconfig_context_and_discovery_merge(eks: None, aws: Aws, tmp_path: Path) -> None:
    from fgtop.sources.eks import merge_connections
    from fgtop.sources.kubeconfig import kubeconfig_connections
    from tests.fakes.kube_server import write_kubeconfig

    arn = f"arn:aws:eks:eu-west-1:123456789012:cluster/{EKS_CLUSTER}"
    config = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:1", token="t", context=arn)
    contexts = kubeconfig_connections(config_file=str(config))
    found = await discover_eks(aws)
    merged = merge_connections(contexts, found.connections)
    assert [(c.name, c.context) for c in merged] == [(EKS_CLUSTER, arn), ("other", None)]
    assert {p.name for p in merged[0].fargate_profiles} == {"fp-shop", "fp-system"}
