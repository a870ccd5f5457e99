"""EKS discovery (``--eks``): clusters, endpoints, CAs and Fargate profiles of the watched regions.

Discovery uses only ``eks:ListClusters``, ``eks:DescribeCluster``, ``eks:ListFargateProfiles``
and ``eks:DescribeFargateProfile``. Each cluster becomes an :class:`EksConnection` whose bearer
token is signed in-process (:mod:`fgtop.sources.eks_token`), so the aws CLI is not needed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from kubernetes_asyncio.client import Configuration

from fgtop.model.kube import FargateProfile, FargateSelector
from fgtop.sources.aws import Aws
from fgtop.sources.eks_token import EksToken, eks_token
from fgtop.sources.errors import one_line
from fgtop.sources.kubeconfig import KubeConnection

ENDPOINT_OVERRIDE_ENV = "FGTOP_EKS_ENDPOINT_OVERRIDE"
"""When set, every discovered cluster's Kubernetes API is reached at this URL (tests)."""


class EksConnection(KubeConnection):
    """A discovered EKS cluster, authenticated with an in-process STS-presigned token.

    Args:
        aws: The AWS layer whose credentials sign the token.
        name: The EKS cluster name.
        region: Its region.
        endpoint: The API server URL from DescribeCluster.
        ca_data: The base64 certificate authority data from DescribeCluster.
        fargate_profiles: Its Fargate profiles.
        endpoint_override: Reach the API at this URL instead (tests); defaults to
            ``$FGTOP_EKS_ENDPOINT_OVERRIDE``.
    """

    def __init__(
        self,
        aws: Aws,
        name: str,
        region: str,
        endpoint: str | None,
        ca_data: str | None = None,
        fargate_profiles: Iterable[FargateProfile] = (),
        *,
        endpoint_override: str | None = None,
    ) -> None:
        super().__init__(
            name, region=region, endpoint=endpoint, fargate_profiles=tuple(fargate_profiles)
        )
        self.aws = aws
        self.account = aws.account
        self.ca_data = ca_data
        self.endpoint_override = endpoint_override or os.environ.get(ENDPOINT_OVERRIDE_ENV)
        self.token: EksToken | None = None
        self.tokens_made = 0
        self._ca_file: str | None = None

    async def configure(self) -> Configuration:
        """A Configuration for the cluster's endpoint, its CA and a fresh token."""
        host = (self.endpoint_override or self.endpoint or "").rstrip("/")
        if not host:
            raise ConnectionError(f"EKS cluster {self.name} has no endpoint yet")
        configuration = Configuration(host=host)
        if host.startswith("https") and self.ca_data:
            configuration.ssl_ca_cert = self._write_ca()
        await self._new_token(configuration)
        return configuration

    def _write_ca(self) -> str:
        if self._ca_file is None:
            pem = base64.b64decode(self.ca_data or "")
            fd, path = tempfile.mkstemp(prefix="fgtop-eks-ca-", suffix=".pem")
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            self._ca_file = path
        return self._ca_file

    async def _new_token(self, configuration: Configuration) -> None:
        assert self.region is not None
        self.token = await eks_token(self.aws, self.name, self.region)
        self.tokens_made += 1
        configuration.api_key["BearerToken"] = f"Bearer {self.token.token}"

    async def refresh(self, configuration: Configuration, *, force: bool = False) -> None:
        """Sign a new token when the current one is 10 minutes old, or after a 401."""
        if not force and self.token is not None and not self.token.stale(time.time()):
            return
        async with self._lock:
            if not force and self.token is not None and not self.token.stale(time.time()):
                return
            await self._new_token(configuration)

    async def close(self) -> None:
        """Remove the CA file written for the client."""
        if self._ca_file:
            with contextlib.suppress(OSError):
                os.remove(self._ca_file)
            self._ca_file = None


@dataclass
class EksDiscovery:
    """What ``--eks`` found: a connection per cluster and a one-line error per failure."""

    connections: list[EksConnection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_fargate_profile(profile: dict[str, Any], cluster: str) -> FargateProfile:
    """A :class:`FargateProfile` from a DescribeFargateProfile ``fargateProfile``."""
    selectors = tuple(
        FargateSelector(
            namespace=str(s.get("namespace", "")),
            labels={str(k): str(v) for k, v in (s.get("labels") or {}).items()},
        )
        for s in profile.get("selectors") or ()
    )
    return FargateProfile(
        name=str(profile.get("fargateProfileName", "")),
        cluster=cluster,
        status=str(profile.get("status", "ACTIVE")),
        selectors=selectors,
    )


async def discover_eks(
    aws: Aws, regions: Iterable[str] | None = None, *, endpoint_override: str | None = None
) -> EksDiscovery:
    """Find the EKS clusters (and their Fargate profiles) of the watched regions.

    A region or cluster that cannot be read adds a one-line error and is skipped; the rest
    are still returned.

    Args:
        aws: The AWS layer.
        regions: Regions to look in; defaults to ``aws.regions``.
        endpoint_override: Reach every cluster's API here instead (tests).
    """
    found = EksDiscovery()
    results = await asyncio.gather(
        *(
            _discover_region(aws, r, endpoint_override)
            for r in (regions if regions is not None else aws.regions)
        )
    )
    for connections, errors in results:
        found.connections.extend(connections)
        found.errors.extend(errors)
    return found


async def _discover_region(
    aws: Aws, region: str, override: str | None
) -> tuple[list[EksConnection], list[str]]:
    try:
        eks = await aws.client("eks", region)
        names: list[str] = []
        async for page in eks.get_paginator("list_clusters").paginate():
            names.extend(page.get("clusters", []))
    except (ClientError, BotoCoreError, OSError) as exc:
        return [], [f"EKS {region}: {one_line(exc)}"]
    results = await asyncio.gather(
        *(_describe(aws, eks, region, n, override) for n in sorted(names)),
        return_exceptions=True,
    )
    connections: list[EksConnection] = []
    errors: list[str] = []
    for name, result in zip(sorted(names), results, strict=True):
        if isinstance(result, EksConnection):
            connections.append(result)
        elif isinstance(result, ClientError | BotoCoreError | OSError):
            errors.append(f"EKS {region}/{name}: {one_line(result)}")
        elif isinstance(result, BaseException):
            raise result
    return connections, errors


async def _describe(
    aws: Aws, eks: Any, region: str, name: str, override: str | None
) -> EksConnection:
    cluster = (await eks.describe_cluster(name=name))["cluster"]
    profile_names: list[str] = []
    async for page in eks.get_paginator("list_fargate_profiles").paginate(clusterName=name):
        profile_names.extend(page.get("fargateProfileNames", []))
    described = await asyncio.gather(
        *(
            eks.describe_fargate_profile(clusterName=name, fargateProfileName=p)
            for p in profile_names
        )
    )
    profiles = tuple(parse_fargate_profile(d["fargateProfile"], name) for d in described)
    return EksConnection(
        aws,
        name,
        region,
        cluster.get("endpoint"),
        (cluster.get("certificateAuthority") or {}).get("data"),
        profiles,
        endpoint_override=override,
    )


def merge_connections(
    contexts: Iterable[KubeConnection], discovered: Iterable[EksConnection]
) -> list[KubeConnection]:
    """Kubeconfig contexts plus discovered clusters, each cluster once.

    A context written by ``aws eks update-kubeconfig`` (``arn:aws:eks:REGION:...:cluster/NAME``)
    and a discovered cluster with the same name, region (and account, when both are known)
    are the same cluster: the context is kept (the user chose it) and gains the cluster's
    Fargate profiles.
    """
    found = {(c.name, c.region, c.account): c for c in discovered}
    merged: list[KubeConnection] = []
    for conn in contexts:
        twin = None
        for key in list(found) if conn.region else ():
            same_account = conn.account is None or key[2] in (None, conn.account)
            if key[:2] == (conn.name, conn.region) and same_account:
                twin = found.pop(key)
                break
        if twin is not None and not conn.fargate_profiles:
            conn.fargate_profiles = twin.fargate_profiles
        merged.append(conn)
    merged.extend(found.values())
    return merged
