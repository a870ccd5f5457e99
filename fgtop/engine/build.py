"""Building the live data path: the AWS layer of each account, the sources and the engine."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from fgtop.config import Config
from fgtop.engine.core import Engine, Source
from fgtop.errors import SetupError
from fgtop.model import Account
from fgtop.sources.accounts import (
    RENEW_WINDOW,
    AccountSource,
    AccountSpec,
    Watched,
    learn_account,
    open_account,
)
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
    account: str | None = None
    """``--account``: watch only this one of the configured accounts (name or id)."""
    renew_window: tuple[float, float] = RENEW_WINDOW
    """(advisory, mandatory) seconds before they expire that assumed roles' credentials are
    renewed (tests widen it to see a renewal within a second)."""


async def build_engine(opts: LiveOptions) -> Engine:
    """Create the AWS layer of each account, check credentials, region and clusters, and
    build the engine.

    One account (a profile or the standard chain) is watched as it always was; with
    ``[[accounts]]``, several ``--profile`` or ``--org-role``, each account gets its own AWS
    layer and its own sources (ECS per region, CloudWatch, Compute Optimizer, and an
    :class:`AccountSource` for its credentials), named ``ecs:eu-west-1@prod``.

    Raises:
        SetupError: With a one-line message for the user (exit code 2).
    """
    if not opts.config.multi_account:
        return await _single(opts)
    return await _several(opts)


async def _single(opts: LiveOptions) -> Engine:
    cfg = opts.config
    aws = Aws(cfg.profile, cfg.regions, call_timeout=cfg.call_timeout)
    try:
        await aws.check_credentials()
        account = await aws.caller_account()
        if opts.account and opts.account not in (account, cfg.profile):
            watched = cfg.profile or account or "the default credentials"
            raise SetupError(
                f"--account {opts.account}: not a watched account (watched: {watched})"
            )
        ecs_sources = [
            EcsSource(
                aws,
                region,
                clusters=opts.clusters,
                include_ec2=cfg.include_ec2,
                refresh=cfg.refresh,
                budget=cfg.api_budget,
                focus_service=opts.service,
                taskdef_cache=TaskDefCache(account=account),
            )
            for region in aws.regions
        ]
        await check_clusters(ecs_sources, opts.clusters)
        sources: list[Source] = list(ecs_sources)
        if opts.why:
            sources += why_sources(aws, cfg.api_budget, account)
        if opts.metrics:
            sources.append(CloudWatchSource(aws))
        if cfg.compute_optimizer:  # free to call, so --no-metrics leaves it on
            sources.append(OptimizerSource(aws, aws.regions))
        sources += await kube_sources([aws], cfg)
    except BaseException:
        await aws.close()
        raise
    accounts = (Account(id=account, name=cfg.profile, regions=aws.regions),) if account else ()
    engine = Engine(
        sources,
        meta={
            "account": account,
            "profile": cfg.profile,
            "regions": tuple(aws.regions),
            "accounts": accounts,
        },
    )
    engine.closers.append(aws.close)
    return engine


def why_sources(aws: Aws, budget: float, account: str | None = None) -> list[Source]:
    """The optional sources that say why, per watched region: ECS service deployments,
    load-balancer target health, CloudWatch alarms and Service Auto Scaling (each degrades
    alone; each spends a fifth of ``budget``). ``account``: whose revision cache folder (a
    cache never mixes credentials)."""
    revisions = RevisionCache(account=account)
    out: list[Source] = []
    for region in aws.regions:
        out += [
            DeploymentsSource(aws, region, budget=budget, revisions=revisions),
            TargetHealthSource(aws, region, budget=budget),
            AlarmsSource(aws, region, budget=budget),
            ScalingSource(aws, region, budget=budget),
        ]
    return out


async def _several(opts: LiveOptions) -> Engine:
    cfg = opts.config
    specs = await account_specs(cfg)
    if opts.account:
        specs = [pick_account(specs, opts.account)]
    bases: dict[str | None, Aws] = {}  # one session per source profile assumes the roles
    watched = [
        open_account(
            spec,
            regions=tuple(cfg.regions),
            base_profile=cfg.profile,
            call_timeout=cfg.call_timeout,
            renew_window=opts.renew_window,
            bases=bases,
        )
        for spec in specs
    ]
    try:
        await asyncio.gather(*(learn_account(w) for w in watched))
        _unique_labels(watched)
        several = len(watched) > 1
        sources: list[Source] = []
        ecs_sources: list[EcsSource] = []
        for w in watched:
            mine: list[Source] = [AccountSource(w)]
            ecs = [
                EcsSource(
                    w.aws,
                    region,
                    clusters=opts.clusters,
                    include_ec2=cfg.include_ec2,
                    refresh=cfg.refresh,
                    budget=cfg.api_budget,
                    focus_service=opts.service,
                    # Each account its own folder: a cache never mixes credentials. An
                    # account whose id is not known yet keeps its task definitions in memory.
                    taskdef_cache=TaskDefCache(account=w.info.id) if w.info.id else None,
                )
                for region in w.aws.regions
            ]
            ecs_sources += ecs
            mine += ecs
            if opts.why:
                mine += why_sources(w.aws, cfg.api_budget, w.info.id or None)
            if opts.metrics:
                mine.append(CloudWatchSource(w.aws))
            if cfg.compute_optimizer:
                mine.append(OptimizerSource(w.aws, w.aws.regions))
            if several:
                for source in mine[1:]:
                    source.name = f"{source.name}@{w.info.label}"
            sources += mine
        # An account whose credentials fail is left out of the check (it degrades alone).
        await check_clusters(ecs_sources, opts.clusters, skip_failing=True)
        sources += await kube_sources([w.aws for w in watched], cfg)
    except BaseException:
        for w in watched:
            await w.close()
        raise
    regions = tuple(dict.fromkeys(r for w in watched for r in w.aws.regions))
    single = watched[0].info if not several else None
    engine = Engine(
        sources,
        meta={
            "account": single.id or None if single else None,
            "profile": single.profile if single else None,
            "regions": regions,
            "accounts": tuple(w.info for w in watched),
        },
    )
    engine.closers += [w.close for w in watched]
    return engine


async def account_specs(cfg: Config) -> list[AccountSpec]:
    """The accounts to watch: ``[[accounts]]``, or the organization's with ``org_role``."""
    if cfg.org_role:
        from fgtop.sources.org import discover

        base = Aws(cfg.profile, cfg.regions, call_timeout=cfg.call_timeout)
        try:
            await base.check_credentials()
            return await discover(base, cfg.org_role, cfg.org_accounts)
        finally:
            await base.close()
    return [
        AccountSpec(
            name=a["name"],
            profile=a.get("profile"),
            role_arn=a.get("role_arn"),
            external_id=a.get("external_id"),
            source_profile=a.get("source_profile"),
            regions=tuple(a.get("regions") or ()),
        )
        for a in cfg.accounts
    ]


def pick_account(specs: Sequence[AccountSpec], wanted: str) -> AccountSpec:
    """The account ``--account`` names (its name, profile or id; names case-insensitive).

    Raises:
        SetupError: None or several match.
    """
    low = wanted.lower()
    found = [
        s
        for s in specs
        if wanted == s.account_id or low in {(s.name or "").lower(), (s.profile or "").lower()}
    ]
    if len(found) == 1:
        return found[0]
    names = ", ".join(s.label for s in specs)
    if not found:
        raise SetupError(f"--account {wanted}: not a watched account (watched: {names})")
    raise SetupError(f"--account {wanted}: several accounts match (give the id): {names}")


async def one_account(
    cfg: Config, wanted: str | None = None, arn: str | None = None
) -> tuple[Aws, Callable[[], Awaitable[None]]]:
    """The AWS layer of one account, for a command that reads one (``fgtop diff``), and
    what closes it.

    With several accounts configured: the one ``--account`` names (``wanted``), else the one
    an ARN argument lives in, else the only one; several left is an error naming them.

    Raises:
        SetupError: No such account, or several and no way to choose.
    """
    if not cfg.multi_account:
        aws = Aws(cfg.profile, cfg.regions, call_timeout=cfg.call_timeout)
        return aws, aws.close
    specs = await account_specs(cfg)
    if wanted:
        spec = pick_account(specs, wanted)
    else:
        from fgtop.model import arn_account
        from fgtop.sources.accounts import role_account_id

        owner = arn_account(arn or "")
        if owner:
            specs = [
                s
                for s in specs
                if (s.account_id or role_account_id(s.role_arn or "")) in (owner, None)
            ]
        if len(specs) != 1:
            names = ", ".join(s.label for s in specs)
            raise SetupError(f"several accounts are configured: pick one with --account ({names})")
        spec = specs[0]
    w = open_account(
        spec, regions=tuple(cfg.regions), base_profile=cfg.profile, call_timeout=cfg.call_timeout
    )
    return w.aws, w.close


def _unique_labels(watched: Sequence[Watched]) -> None:
    """Give accounts sharing a display name their id beside it (organizations allow it)."""
    seen: dict[str, int] = {}
    for w in watched:
        seen[w.info.label] = seen.get(w.info.label, 0) + 1
    for w in watched:
        if seen[w.info.label] > 1 and w.info.id:
            w.info = dataclasses.replace(w.info, name=f"{w.info.label} ({w.info.id})")


async def kube_sources(layers: Sequence[Aws], cfg: Config) -> list[Source]:
    """Kubernetes sources: kubeconfig contexts, and EKS clusters discovered with ``--eks``
    in every watched account.

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
        found = await asyncio.gather(*(discover_eks(aws) for aws in layers))
        discovered = [c for f in found for c in f.connections]
        connections = merge_connections(connections, discovered)
        for f, aws in zip(found, layers, strict=True):
            for error in f.errors:
                who = f"{aws.label}: " if aws.label and len(layers) > 1 else ""
                log.warning("EKS discovery: %s%s", who, error)
    sources: list[Source] = []
    names: set[str] = set()
    for conn in connections:
        source = KubeSource(conn, all_pods=cfg.all_pods)
        if source.name in names:  # the same cluster name in two accounts
            source.name = f"{source.name}@{conn.account}"
        names.add(source.name)
        sources.append(source)
    return sources


def _kubeconfig_exists() -> bool:
    """Whether a kubeconfig file is there (``KUBECONFIG`` paths or ``~/.kube/config``)."""
    import os
    from pathlib import Path

    paths = (
        os.environ.get("KUBECONFIG", "").split(os.pathsep) if os.environ.get("KUBECONFIG") else []
    )
    paths = paths or [str(Path.home() / ".kube" / "config")]
    return any(p and Path(p).expanduser().is_file() for p in paths)
