"""The settings every live subcommand shares: the config file with the command line over it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fgtop.config import Config, load_config, merge_cli
from fgtop.derive.alerts import alert_rules

if TYPE_CHECKING:
    from fgtop.engine.build import LiveOptions


def load_settings(args: argparse.Namespace) -> Config:
    """The config file (``--config`` or the default path) with the command line over it."""
    path = getattr(args, "config", None)
    config = load_config(Path(path) if path else None)
    overrides = {
        "profile": getattr(args, "profile", None),
        "regions": getattr(args, "regions", None),
        "contexts": getattr(args, "contexts", None),
        "refresh": getattr(args, "refresh", None),
        "api_budget": getattr(args, "api_budget", None),
        "include_ec2": getattr(args, "include_ec2", None),
        "eks": getattr(args, "eks", None),
        "all_pods": getattr(args, "all_pods", None),
        "theme": getattr(args, "theme", None),
        "optional_wait": getattr(args, "optional_wait", None),
    }
    config = merge_cli(config, **{k: v for k, v in overrides.items() if v is not None})
    alert_rules(config)  # a bad [[alerts]] table is a config error at start, not at run time
    return config


def live_options(args: argparse.Namespace) -> LiveOptions:
    """LiveOptions from the config file and the command line."""
    # Imported here: ``fgtop demo`` loads its settings without the live composition.
    from fgtop.engine.build import LiveOptions

    return LiveOptions(
        config=load_settings(args),
        clusters=list(getattr(args, "clusters", None) or ()),
        service=getattr(args, "service", None),
        metrics=not getattr(args, "no_metrics", False),
    )
