"""The settings every live subcommand shares: the config file with the command line over it."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from fgtop.config import Config, ConfigError, load_config, merge_cli
from fgtop.derive.alerts import alert_rules

if TYPE_CHECKING:
    from fgtop.engine.build import LiveOptions


def load_settings(args: argparse.Namespace) -> Config:
    """The config file (``--config`` or the default path) with the command line over it.

    Accounts: ``--profile`` repeated watches those profiles' accounts (named after them);
    ``--profile`` once names the one account (and, with ``--org-role``, the account that
    discovers the others); ``--org-role`` discovers them. Either way the command line wins
    over the file's ``[[accounts]]``.
    """
    path = getattr(args, "config", None)
    config = load_config(Path(path) if path else None)
    profiles = getattr(args, "profile", None)
    profiles = list(dict.fromkeys([profiles] if isinstance(profiles, str) else profiles or []))
    org_accounts = [
        p.strip()
        for value in getattr(args, "org_accounts", None) or ()
        for p in value.split(",")
        if p.strip()
    ]
    overrides = {
        "profile": profiles[0] if len(profiles) == 1 else None,
        "org_role": getattr(args, "org_role", None),
        "org_accounts": org_accounts or None,
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
    if len(profiles) > 1:
        if config.org_role:
            raise ConfigError("--org-role takes one --profile (the account that lists the others)")
        accounts = [{"name": p, "profile": p} for p in profiles]
        config = dataclasses.replace(config, profile=None, accounts=accounts)
    elif profiles or getattr(args, "org_role", None):
        config = dataclasses.replace(config, accounts=[])
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
        account=getattr(args, "account", None),
    )
