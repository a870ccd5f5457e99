"""Where fgtop keeps its files: the config folder, the state folder, the cache."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """fgtop's config folder: ``$XDG_CONFIG_HOME/fgtop`` (default ``~/.config/fgtop``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fgtop"


def default_config_path() -> Path:
    """Where :func:`load_config` looks when given no path."""
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    """The folder of the user's own theme files."""
    return config_dir() / "themes"


def state_dir() -> Path:
    """fgtop's state folder: ``$XDG_STATE_HOME/fgtop`` (default ``~/.local/state/fgtop``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "fgtop"


def history_path() -> Path:
    """The file that keeps the ``:`` command-line history between runs."""
    return state_dir() / "command_history"


def cache_dir() -> Path:
    """fgtop's cache folder: ``platformdirs.user_cache_dir("fgtop")`` (``$XDG_CACHE_HOME``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fgtop"))
