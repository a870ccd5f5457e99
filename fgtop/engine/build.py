"""Building the live data path: the AWS layer, the sources and the engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from fgtop.config import Config
from fgtop.engine.core import Engine, Source
from fgtop.errors import SetupError
from fgtop.sources.alarms import AlarmsSource
from fgtop.sources.aws import Aws
from fgtop.sources.cloudwatch import CloudWatchSource
from fgtop.sources.deployments import DeploymentsSource
from fgtop.sources.ecs import EcsSource, check_clusters
from fgtop.sources.elb_health import TargetHealthSource
from fgtop.sources.optimizer import OptimizerSource
from fgtop.sources.scaling import ScalingSource
from fgtop.sources.taskdef_cache import RevisionCache, TaskDefCache

log = logging.getLogger(__name__)


@dataclass
class LiveOptions:
    """What the user asked to watch: the config file with the command line over it."""

    config: Config = field(default_factory=Config)
    clusters: list[str] = field(default_factory=list)
    service: str | None = None
    metrics: bool = True
    why: bool = True
    """The why sources (deployments, target health, alarms, scaling); off for the commands
    that poll only to find a target (``fgtop logs``, ``fgtop insights``)."""


async def build_engine(opts: LiveOptions) -> Engine:
    """Create the AWS layer, check credentials, region and clusters, and build the engine.

    Raises:
        SetupError: With a one-line message for the user (exit code 2).
    """
    cfg = opts.config
    aws = Aws(cfg.profile, cfg.regions, call_timeout=cfg.call_timeout)
    try:
        await aws.check_credentials()
        ecs_sources = [
            EcsSource(
                aws,
                region,
                clusters=opts.clusters,
                include_ec2=cfg.include_ec2,
                refresh=cfg.refresh,
                budget=cfg.api_budget,
                focus_service=opts.service,
                taskdef_cache=TaskDefCache(),
            )
            for region in aws.regions
        ]
        await check_clusters(ecs_sources, opts.clusters)
        sources: list[Source] = list(ecs_sources)
        if opts.why:
            sources += why_sources(aws, cfg.api_budget)
        if opts.metrics:
            sources.append(CloudWatchSource(aws))
        if cfg.compute_optimizer:  # free to call, so --no-metrics leaves it on
            sources.append(OptimizerSource(aws, aws.regions))
        sources += await kube_sources(aws, cfg)
        account = await aws.caller_account()
    except BaseException:
        await aws.close()
        raise
    engine = Engine(
        sources,
        meta={"account": account, "profile": cfg.profile, "regions": tuple(aws.regions)},
    )
    engine.closers.append(aws.close)
    return engine


def why_sources(aws: Aws, budget: float) -> list[Source]:
    """The optional sources that say why, per watched region: ECS service deployments,
    load-balancer target health, CloudWatch alarms and Service Auto Scaling (each degrades
    alone; each spends a fifth of ``budget``)."""
    revisions = RevisionCache()
    out: list[Source] = []
    for region in aws.regions:
        out += [
            DeploymentsSource(aws, region, budget=budget, revisions=revisions),
            TargetHealthSource(aws, region, budget=budget),
            AlarmsSource(aws, region, budget=budget),
            ScalingSource(aws, region, budget=budget),
        ]
    return out


async def kube_sources(aws: Aws, cfg: Config) -> list[Source]:
    """Kubernetes sources: kubeconfig contexts, and EKS clusters discovered with ``--eks``.

    Without ``--context`` and without a kubeconfig there are simply no pods; an unknown
    ``--context`` is an error.
    """
    if not (cfg.contexts or cfg.eks or _kubeconfig_exists()):
        return []  # no pods to watch: not even import the Kubernetes client
    from fgtop.sources.eks import discover_eks, merge_connections
    from fgtop.sources.kube import KubeSource
    from fgtop.sources.kubeconfig import (
        KubeconfigUnreadable,
        KubeConnection,
        kubeconfig_connections,
    )

    connections: list[KubeConnection] = []
    try:
        connections = [*kubeconfig_connections(cfg.contexts)]
    except KubeconfigUnreadable:
        raise  # a broken file is worth saying even when no context was asked for
    except SetupError:
        if cfg.contexts:
            raise
    if cfg.eks:
        found = await discover_eks(aws)
        connections = merge_connections(connections, found.connections)
        for error in found.errors:
            log.warning("EKS discovery: %s", error)
    return [KubeSource(c, all_pods=cfg.all_pods) for c in connections]


def _kubeconfig_exists() -> bool:
    """Whether a kubeconfig file is there (``KUBECONFIG`` paths or ``~/.kube/config``)."""
    import os
    from pathlib import Path

    paths = (
        os.environ.get("KUBECONFIG", "").split(os.pathsep) if os.environ.get("KUBECONFIG") else []
    )
    paths = paths or [str(Path.home() / ".kube" / "config")]
    return any(p and Path(p).expanduser().is_file() for p in paths)
