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
from typing import Any, NamedTuple, TypeVar, cast

from fgtop.errors import SetupError, os_reason, too_many_files
from fgtop.paths import default_config_path
from fgtop.text.durations import parse_duration
from fgtop.text.toml_errors import display_path, key_line, syntax_message

DEFAULT_THEME = "fgtop-dark"
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
T = TypeVar("T")


class ConfigError(SetupError):
    """A bad config file or flag: one line, shown to the user, exit code 2."""


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


@dataclass(frozen=True)
class Check:
    """How a key's value is validated, and the type word the README shows for it."""

    type: str
    """``number``, ``integer``, ``bool``, ``string``, ``list of strings``..."""
    parse: Callable[[Any], Any]
    """Returns the value to keep, or raises :class:`_Bad`."""


def _number(
    minimum: float | None = None, maximum: float | None = None, strict_min: bool = False
) -> Check:
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

    return Check("number", check)


def _integer(minimum: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _Bad(f"a whole number >= {minimum}")
        return value

    return Check("integer", check)


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


_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
_ACCOUNT_KEYS = ("name", "profile", "role_arn", "external_id", "source_profile", "regions")


def _account(value: Any) -> dict[str, Any]:
    """One ``[[accounts]]`` table, checked: a name, and a profile or a role to assume."""
    if not isinstance(value, dict):
        raise _Bad("a table")
    unknown = [k for k in value if k not in _ACCOUNT_KEYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], _ACCOUNT_KEYS, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise _Bad(f'a table of {", ".join(_ACCOUNT_KEYS)}: unknown key "{unknown[0]}"{hint}')
    out: dict[str, Any] = {}
    for key in ("name", "profile", "role_arn", "external_id", "source_profile"):
        if key in value:
            try:
                out[key] = _text(value[key])
            except _Bad:
                raise _Bad(f"a table whose {key} is a non-empty string") from None
    if "name" not in out:
        raise _Bad("a table with a name (what the screens call the account)")
    if ("profile" in out) == ("role_arn" in out):
        raise _Bad("a table with either a profile or a role_arn")
    if "role_arn" in out and not _ROLE_ARN_RE.match(out["role_arn"]):
        raise _Bad(
            'a table whose role_arn is a role ARN like "arn:aws:iam::123456789012:role/fgtop"'
        )
    for key in ("external_id", "source_profile"):
        if key in out and "role_arn" not in out:
            raise _Bad(f"a table with a role_arn when it has a {key}")
    if "regions" in value:
        try:
            out["regions"] = _regions(value["regions"])
        except _Bad as bad:
            raise _Bad(f"a table whose regions are {bad}") from None
    return out


def _accounts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad("a list of tables ([[accounts]] sections)")
    return [dict(v) for v in value]


def _role_name(value: Any) -> str:
    text = _text(value)
    if not _ROLE_NAME_RE.match(text):
        raise _Bad('a role name like "OrganizationAccountAccessRole" (not an ARN)')
    return text


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


BOOLEAN = Check("bool", _boolean)
TEXT = Check("string", _text)
STRINGS = Check("list of strings", _strings)
REGIONS = Check("list of strings", _regions)
TABLES = Check("array of tables", _tables)
ACCOUNTS = Check("array of tables", _accounts)
ROLE_NAME = Check("string", _role_name)
DURATION = Check("duration", _duration)


@dataclass(frozen=True)
class Setting:
    """What a config key is, beside its name and default: its check and its documentation."""

    check: Check
    doc: str
    """What it does (the README's "meaning" column)."""
    shown: str | None = None
    """The default as the README writes it, when not the value itself (``"1h"``)."""


def setting(default: T, check: Check, doc: str, *, shown: str | None = None) -> T:
    """Declare a config key: a field of :class:`Config` with its check and its documentation.

    Args:
        default: The value when neither the file nor a flag sets it (an empty list for lists).
        check: Validates a value from the file or a flag.
        doc: One line for the README's config table.
        shown: The default as the README writes it, when not the value itself.
    """
    meta = {"setting": Setting(check, doc, shown)}
    if isinstance(default, list):
        return cast(T, field(default_factory=list, metadata=meta))
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Config:
    """Everything the config file can set (and the command line can override).

    Each key is declared once, here: its type, default, check and documentation (the README's
    config table is generated from them by ``python bench/config_table.py --write``).
    """

    regions: list[str] = setting(
        [],
        REGIONS,
        "AWS regions to watch at once; empty: the profile's or `AWS_REGION`'s default region",
    )
    profile: str | None = setting(
        None, TEXT, "AWS named profile; unset: the standard credential chain"
    )
    contexts: list[str] = setting(
        [],
        STRINGS,
        "kubeconfig contexts to read EKS Fargate pods from; empty: the current context",
    )
    eks: bool = setting(
        False, BOOLEAN, "discover EKS clusters and their Fargate profiles in the watched regions"
    )
    refresh: float = setting(5.0, _number(1), "seconds between task refreshes (at least 1)")
    api_budget: float = setting(
        5.0,
        _number(0, strict_min=True),
        "average ECS API calls per second per region; refreshes stretch to stay inside it",
    )
    call_timeout: float = setting(
        10.0,
        _number(1, 300),
        "seconds one AWS call may take before its source is marked stale (1 to 300)",
    )
    theme: str = setting(
        DEFAULT_THEME,
        TEXT,
        "theme to start with: a shipped one or a file in `~/.config/fgtop/themes/`",
    )
    log_buffer: int = setting(10000, _integer(100), "log lines kept per log view (at least 100)")
    include_ec2: bool = setting(False, BOOLEAN, "show ECS tasks on EC2 capacity as well as Fargate")
    all_pods: bool = setting(False, BOOLEAN, "show every pod, not only those scheduled on Fargate")
    alerts: list[dict[str, Any]] = setting(
        [],
        TABLES,
        "alert rules, one `[[alerts]]` table each (keys: `name`, `kind`, `threshold`, "
        "`minutes`, `severity`, `scope`, `max_severity`, `enabled`)",
    )
    default_alerts: bool = setting(
        True, BOOLEAN, "apply the built-in alert rules as well as `alerts`"
    )
    headroom: float = setting(
        0.7,
        _number(0, 1, strict_min=True),
        "a smaller size is advised only where the peaks stay under this fraction of it "
        "(above 0, at most 1)",
    )
    metrics_window: int = setting(
        3600,
        DURATION,
        'default chart window: seconds or `"15m"`, `"1h"`, `"3h"`, `"12h"` (1m to 12h)',
        shown='"1h"',
    )
    savings_plan_discount: float = setting(
        0.0,
        _number(0, 0.72),
        "your Compute Savings Plan discount as a fraction (0 to 0.72), taken off on-demand "
        "Fargate compute only (not Spot, not storage); figures then show list price less it",
    )
    accounts: list[dict[str, Any]] = setting(
        [],
        ACCOUNTS,
        "accounts to watch at once, one `[[accounts]]` table each: `name`, and `profile` or "
        "`role_arn` (with optional `external_id` and `source_profile`), optional `regions` "
        "(see [Many accounts](#many-accounts))",
    )
    org_role: str | None = setting(
        None,
        ROLE_NAME,
        "discover the organization's accounts (`organizations:ListAccounts`) and assume this "
        "role in each; run from the management or a delegated administrator account",
    )
    org_accounts: list[str] = setting(
        [],
        STRINGS,
        "with `org_role`: only these accounts (ids, or name patterns such as `prod-*`)",
    )
    compute_optimizer: bool = setting(
        True,
        BOOLEAN,
        "ask AWS Compute Optimizer for its ECS service recommendations (every 30 minutes, "
        "needs `compute-optimizer:GetECSServiceRecommendations`) and show them in the cost "
        "panel beside fgtop's own right-sizing",
    )
    optional_wait: float = setting(
        2.0,
        _number(0, 60),
        "seconds `fgtop snapshot` waits for each optional source (metrics, Compute Optimizer) "
        "from its start (metrics start once the task list is in); ECS and Kubernetes are "
        "always waited for; a late one is marked `late` in `sources` (0 to 60)",
    )
    source: Path | None = None
    """The file this config was read from (None when defaults or no file)."""
    alert_lines: list[int] = field(default_factory=list)
    """Line number in ``source`` of each entry of ``alerts``, for error messages."""

    @property
    def multi_account(self) -> bool:
        """Whether accounts are listed or discovered (rather than one profile or chain)."""
        return bool(self.accounts or self.org_role)


class ConfigKey(NamedTuple):
    """One config key as documented (the README's table)."""

    key: str
    type: str
    default: str
    meaning: str


def _default_text(key: str, spec: Setting) -> str:
    """The default as the README writes it: ``unset``, or TOML in backquotes."""
    if spec.shown is not None:
        return f"`{spec.shown}`"
    value = getattr(Config(), key)
    if value is None:
        return "unset"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{json.dumps(value)}`"


_SPECS: dict[str, Setting] = {
    f.name: f.metadata["setting"] for f in dataclasses.fields(Config) if "setting" in f.metadata
}
"""Every config key's setting, in file order."""

CONFIG_KEYS: list[ConfigKey] = [
    ConfigKey(key, spec.check.type, _default_text(key, spec), spec.doc)
    for key, spec in _SPECS.items()
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
        if too_many_files(exc):  # not the file's fault
            raise ConfigError(f"{os_reason(exc)} (reading {name})") from None
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
        if spec.check.type.startswith("list") and isinstance(value, str):
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
            values[key] = spec.check.parse(value)
        except _Bad as bad:
            problems.append((line, f"{where}: {key} must be {bad}, got {_show(value)}"))
    if problems:
        problems.sort(key=lambda p: p[0])
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(problems[0][1] + more)
    if "accounts" in values:
        values["accounts"] = _check_accounts(values["accounts"], text, name)
        if "org_role" in values:
            raise ConfigError(
                f"{_where(name, text, 'org_role')}: org_role and [[accounts]] cannot both be "
                "set: the organization's accounts are discovered (narrow them with org_accounts)"
            )
    if "alerts" in values:
        values["alert_lines"] = [
            key_line(text, "alerts", index=i) or key_line(text, "alerts") or 0
            for i in range(len(values["alerts"]))
        ]
    return Config(**values, source=path)


def _check_accounts(tables: list[dict[str, Any]], text: str, name: str) -> list[dict[str, Any]]:
    """Every ``[[accounts]]`` table checked; the first problem named with its line."""
    out = []
    seen: dict[str, int] = {}
    for i, table in enumerate(tables):
        line = key_line(text, "accounts", index=i) or key_line(text, "accounts") or 0
        where = f"{name}:{line}" if line else name
        try:
            account = _account(table)
        except _Bad as bad:
            raise ConfigError(f"{where}: [[accounts]] must be {bad}") from None
        key = account["name"].lower()
        if key in seen:
            raise ConfigError(
                f'{where}: [[accounts]] name "{account["name"]}" is used twice '
                "(each account needs its own name)"
            )
        seen[key] = i
        out.append(account)
    return out


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
        if spec.check is TABLES or spec.check is ACCOUNTS:
            raise TypeError(f"merge_cli: {key} cannot be set from the command line")
        if spec.check.type == "integer" and isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        elif spec.check.type == "number" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        try:
            changes[key] = spec.check.parse(value)
        except _Bad as bad:
            flag = "--" + key.replace("_", "-")
            raise ConfigError(f"{flag} must be {bad}, got {_show(value)}") from None
    return dataclasses.replace(config, **changes)
