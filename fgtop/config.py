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
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from fgtop.errors import SetupError
from fgtop.paths import default_config_path
from fgtop.text.durations import parse_duration
from fgtop.text.toml_errors import display_path, key_line, syntax_message

DEFAULT_THEME = "fgtop-dark"
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


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
    call_timeout: float = 10.0
    """Seconds one AWS call may take; past it that source is marked stale, the rest refresh."""
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
    """Raw alert rules (``[[alerts]]`` tables), for ``fgtop.derive.alerts.parse_rules``."""
    default_alerts: bool = True
    """Whether the built-in alert rules apply in addition to ``alerts``."""
    headroom: float = 0.8
    """Target peak utilisation for right-sizing advice (0 < headroom <= 1)."""
    metrics_window: int = 3600
    """Default chart window in seconds."""
    savings_plan_discount: float = 0.0
    """Compute Savings Plan discount on on-demand Fargate compute (0 to 0.72; not Spot, not
    storage)."""
    compute_optimizer: bool = True
    """Show AWS Compute Optimizer's ECS service recommendations in the cost panel."""
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
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            seconds = parse_duration(value)
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
    "call_timeout": _Spec(
        "number",
        "`10`",
        "seconds one AWS call may take before its source is marked stale (1 to 300)",
        _number(1, 300),
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
    "savings_plan_discount": _Spec(
        "number",
        "`0`",
        "your Compute Savings Plan discount as a fraction (0 to 0.72), taken off on-demand "
        "Fargate compute only (not Spot, not storage); figures then show list price less it",
        _number(0, 0.72),
    ),
    "compute_optimizer": _Spec(
        "bool",
        "`true`",
        "ask AWS Compute Optimizer for its ECS service recommendations (every 30 minutes, "
        "needs `compute-optimizer:GetECSServiceRecommendations`) and show them in the cost "
        "panel beside fgtop's own right-sizing",
        _boolean,
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
    name = display_path(path)
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
        raise ConfigError(syntax_message(name, exc, text)) from None
    return _build(data, text, name, path)


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
        if spec.type.startswith("list") and isinstance(value, str):
            # The command line may give "a,b"; the file says what it means with brackets.
            problems.append(
                (
                    line,
                    f"{where}: {key} must be a list, got {_show(value)} (write {key} = "
                    f"[{', '.join(_show(v.strip()) for v in value.split(',') if v.strip())}])",
                )
            )
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
