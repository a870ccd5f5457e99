"""Building the live data path: the AWS layer, the sources and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from fgtop.engine import Engine, Source
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource, check_clusters


@dataclass
class LiveOptions:
    """What the user asked to watch (command line over config file)."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    service: str | None = None
    refresh: float = 5.0
    api_budget: float = 5.0
    include_ec2: bool = False
    contexts: list[str] = field(default_factory=list)
    eks: bool = False
    all_pods: bool = False
    metrics: bool = True


async def build_engine(opts: LiveOptions) -> Engine:
    """Create the AWS layer, check credentials, region and clusters, and build the engine.

    Raises:
        SetupError: With a one-line message for the user (exit code 2).
    """
    aws = Aws(opts.profile, opts.regions)
    try:
        await aws.check_credentials()
        sources: list[Source] = [
            EcsSource(
                aws,
                region,
                clusters=opts.clusters,
                include_ec2=opts.include_ec2,
                refresh=opts.refresh,
                budget=opts.api_budget,
            )
            for region in aws.regions
        ]
        await check_clusters(sources, opts.clusters)  # type: ignore[arg-type]
        account = await aws.caller_account()
    except BaseException:
        await aws.close()
        raise
    engine = Engine(
        sources,
        meta={"account": account, "profile": opts.profile, "regions": tuple(aws.regions)},
    )
    engine.closers.append(aws.close)
    return engine
