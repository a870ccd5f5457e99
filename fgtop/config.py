"""The config file: ``$XDG_CONFIG_HOME/fgtop/config.toml``, validated with line numbers.

Every problem becomes one line naming the file, the line, the key and what is wrong, e.g.
``~/.config/fgtop/config.toml:7: refresh must be a number >= 1, got "fast"``. Command-line
flags override the file through :func:`merge_cli`. This module never imports Textual.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from fgtop.sources.errors import SetupError

DEFAULT_THEME = "fgtop-dark"
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(SetupError):
    """A bad config file or flag: one line, shown to the user, exit code 2."""


@dataclass(frozen=True)
class Config:
    """Everything the config file can set (and the command line can override)."""

    regions: list[str] = field(default_factory=list)
    """AWS regions to watch; empty means the profile's or environment's default region."""
    profile: str | None = None
    """AWS named profile; None means the standard credential chain."""
    contexts: list[str] = field(default_factory=list)
    """kubeconfig contexts to read pods from; empty means the current context."""
    eks: bool = False
    """Discover EKS clusters (and their Fargate profiles) in the watched regions."""
    refresh: float = 5.0
    """Seconds between task refreshes (at least 1)."""
    api_budget: float = 5.0
    """Average ECS API calls per second per region that fgtop may make."""
    theme: str = DEFAULT_THEME
    """Name of the theme to start with."""
    log_buffer: int = 10000
    """Log lines kept per tailed stream (at least 100)."""
    include_ec2: bool = False
    """Show ECS tasks on EC2 capacity as well as Fargate."""
    all_pods: bool = False
    """Show every pod, not only those scheduled on Fargate."""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    """Raw alert rules (``[[alerts]]`` tables), for ``fgtop.alerts.parse_rules``."""
    default_alerts: bool = True
    """Whether the built-in alert rules apply in addition to ``alerts``."""
    headroom: float = 0.8
    """Target peak utilisation for right-sizing advice (0 < headroom <= 1)."""
    metrics_window: int = 3600
    """Default chart window in seconds."""
    source: Path | None = None
    """The file this config was read from (None when defaults or no file)."""
    alert_lines: list[int] = field(default_factory=list)
    """Line number in ``source`` of each entry of ``alerts``, for error messages."""


class ConfigKey(NamedTuple):
    """Documentation of one config key (for the README and ``--help``)."""

    key: str
    type: str
    default: str
    meaning: str


class _Bad(Exception):
    """A value failed validation; the message completes ``<key> must be ...``."""


def _show(value: Any) -> str:
    """A value as the user would have written it in TOML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "a table"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(minimum: float | None = None, maximum: float | None = None, strict_min: bool = False):
    def check(value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        if ok and minimum is not None:
            ok = value > minimum if strict_min else value >= minimum
        if ok and maximum is not None:
            ok = value <= maximum
        if not ok:
            parts = []
            if minimum is not None:
                parts.append(f"{'>' if strict_min else '>='} {minimum:g}")
            if maximum is not None:
                parts.append(f"<= {maximum:g}")
            raise _Bad("a number " + " and ".join(parts) if parts else "a number")
        return float(value)

    return check


def _integer(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _Bad(f"a whole number >= {minimum}")
        return value

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("a non-empty string")
    return value.strip()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Bad("a list of strings")
    return [v.strip() for v in value]


def _regions(value: Any) -> list[str]:
    regions = _strings(value)
    for region in regions:
        if not _REGION_RE.match(region):
            raise _Bad(f'a list of AWS region names like "eu-west-1" ({_show(region)} is not one)')
    return regions


def _tables(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad("a list of tables ([[alerts]] sections)")
    return [dict(v) for v in value]


def _duration(value: Any) -> int:
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION_RE.match(value)):
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds is None or not 60 <= seconds <= 43200:
        raise _Bad('a duration from 1m to 12h (seconds, or a string like "15m" or "1h")')
    return int(seconds)


class _Spec(NamedTuple):
    type: str
    default: str
    meaning: str
    check: Callable[[Any], Any]


_SPECS: dict[str, _Spec] = {
    "regions": _Spec(
        "list of strings",
        "`[]`",
        "AWS regions to watch at once; empty: the profile's or `AWS_REGION`'s default region",
        _regions,
    ),
    "profile": _Spec(
        "string", "unset", "AWS named profile; unset: the standard credential chain", _text
    ),
    "contexts": _Spec(
        "list of strings",
        "`[]`",
        "kubeconfig contexts to read EKS Fargate pods from; empty: the current context",
        _strings,
    ),
    "eks": _Spec(
        "bool",
        "`false`",
        "discover EKS clusters and their Fargate profiles in the watched regions",
        _boolean,
    ),
    "refresh": _Spec("number", "`5`", "seconds between task refreshes (at least 1)", _number(1)),
    "api_budget": _Spec(
        "number",
        "`5`",
        "average ECS API calls per second per region; refreshes stretch to stay inside it",
        _number(0, strict_min=True),
    ),
    "theme": _Spec(
        "string",
        f'`"{DEFAULT_THEME}"`',
        "theme to start with: a shipped one or a file in `~/.config/fgtop/themes/`",
        _text,
    ),
    "log_buffer": _Spec(
        "integer", "`10000`", "log lines kept per tailed stream (at least 100)", _integer(100)
    ),
    "include_ec2": _Spec(
        "bool", "`false`", "show ECS tasks on EC2 capacity as well as Fargate", _boolean
    ),
    "all_pods": _Spec(
        "bool", "`false`", "show every pod, not only those scheduled on Fargate", _boolean
    ),
    "alerts": _Spec(
        "array of tables",
        "`[]`",
        "alert rules, one `[[alerts]]` section each (see Alerts)",
        _tables,
    ),
    "default_alerts": _Spec(
        "bool", "`true`", "apply the built-in alert rules as well as `alerts`", _boolean
    ),
    "headroom": _Spec(
        "number",
        "`0.8`",
        "target peak utilisation for right-sizing advice (above 0, at most 1)",
        _number(0, 1, strict_min=True),
    ),
    "metrics_window": _Spec(
        "duration",
        '`"1h"`',
        'default chart window: seconds or `"15m"`, `"1h"`, `"3h"`, `"12h"` (1m to 12h)',
        _duration,
    ),
}

CONFIG_KEYS: list[ConfigKey] = [
    ConfigKey(k, s.type, s.default, s.meaning) for k, s in _SPECS.items()
]
"""Every config key with its type, default and meaning, in file order."""


def config_keys_markdown() -> str:
    """A markdown table of every config key, for the README."""
    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| `{k.key}` | {k.type} | {k.default} | {k.meaning} |" for k in CONFIG_KEYS]
    return "\n".join(rows)


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


def _display(path: Path) -> str:
    """A path as shown in messages, with the home folder as ``~``."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


_HEADER_RE = re.compile(r"^\s*\[\[?\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def key_line(text: str, key: str, table: tuple[str, ...] = (), index: int = 0) -> int | None:
    """The 1-based line where ``key`` is set inside ``table`` (tomllib gives no positions).

    Args:
        text: The TOML source.
        key: The key to find (the first segment of a dotted key also matches).
        table: The table path the key lives in; ``()`` for the top level.
        index: Which occurrence to return (e.g. the n-th ``[[alerts]]`` header).

    Returns:
        The line number, or None when the key is not found.
    """
    current: tuple[str, ...] = ()
    seen = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER_RE.match(line):
            current = _dotted(header.group(1))
            if current[: len(table) + 1] == (*table, key) and len(current) == len(table) + 1:
                if seen == index:
                    return lineno
                seen += 1
            continue
        if current == table and (m := _KEY_RE.match(line)) and m.group(1).strip("\"'") == key:
            if seen == index:
                return lineno
            seen += 1
    if table == () and index == 0:  # a key only present as the prefix of sub-tables
        for lineno, line in enumerate(text.splitlines(), start=1):
            if (h := _HEADER_RE.match(line)) and _dotted(h.group(1))[0] == key:
                return lineno
    return None


def _where(name: str, text: str, key: str) -> str:
    line = key_line(text, key)
    return f"{name}:{line}" if line else name


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config file.

    Args:
        path: The file to read; None reads :func:`default_config_path`, where a missing file
            means all defaults. An explicit path that does not exist is an error.

    Returns:
        The validated configuration.

    Raises:
        ConfigError: One line naming the file, line and key of the first problem.
    """
    explicit = path is not None
    path = path if path is not None else default_config_path()
    name = _display(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{name}: config file not found") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read config file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{name}:{line}: config file is not valid UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(name, exc, text)) from None
    return _build(data, text, name, path)


def _syntax_message(name: str, exc: tomllib.TOMLDecodeError, text: str) -> str:
    message = str(exc).replace("\n", " ")
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if m:
        return f"{name}:{m.group(1)}:{m.group(2)}: invalid TOML: {message[: m.start()]}"
    m = re.search(r"\s*\(at end of document\)$", message)
    if m:
        last = max(1, len(text.splitlines()))
        return f"{name}:{last}: invalid TOML at end of file: {message[: m.start()]}"
    return f"{name}: invalid TOML: {message}"


def _build(data: dict[str, Any], text: str, name: str, path: Path) -> Config:
    problems: list[tuple[int, str]] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = key_line(text, key) or 0
        where = f"{name}:{line}" if line else name
        spec = _SPECS.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(_SPECS), n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append((line, f'{where}: unknown key "{key}"{hint}'))
            continue
        try:
            values[key] = spec.check(value)
        except _Bad as bad:
            problems.append((line, f"{where}: {key} must be {bad}, got {_show(value)}"))
    if problems:
        problems.sort(key=lambda p: p[0])
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(problems[0][1] + more)
    if "alerts" in values:
        values["alert_lines"] = [
            key_line(text, "alerts", index=i) or key_line(text, "alerts") or 0
            for i in range(len(values["alerts"]))
        ]
    return Config(**values, source=path)


def merge_cli(config: Config, **overrides: Any) -> Config:
    """Apply command-line flags over the config file.

    Args:
        config: The loaded configuration.
        **overrides: Config field names and flag values; None means "flag not given". An empty
            list also counts as not given (an ``action="append"`` flag never used).

    Returns:
        A new Config with the given values validated and applied.

    Raises:
        ConfigError: A flag value is invalid (named as ``--flag``).
        TypeError: An override names no config key (a programming error).
    """
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        spec = _SPECS.get(key)
        if spec is None:
            raise TypeError(f"merge_cli: unknown config key {key!r}")
        if value is None or (isinstance(value, list | tuple) and not value):
            continue
        if isinstance(value, tuple):
            value = list(value)
        if spec.check is _tables:
            raise TypeError(f"merge_cli: {key} cannot be set from the command line")
        if spec.type == "integer" and isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        elif spec.type == "number" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        try:
            changes[key] = spec.check(value)
        except _Bad as bad:
            flag = "--" + key.replace("_", "-")
            raise ConfigError(f"{flag} must be {bad}, got {_show(value)}") from None
    return dataclasses.replace(config, **changes)
