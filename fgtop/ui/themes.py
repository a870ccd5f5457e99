"""Theme files: Textual themes plus status colours and status glyphs.

A theme file is TOML (see ``themes/fgtop-dark.toml``). Shipped themes come from the
``themes`` resource folder, user themes from ``$XDG_CONFIG_HOME/fgtop/themes/*.toml``. A bad
file never crashes fgtop: it becomes one line (file, line, what is wrong) for the app to show,
and the default theme is used instead. Status is never shown by colour alone: every status
has a glyph, and :meth:`FgtopTheme.status_text` always pairs glyph, word and colour.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.resources
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.theme import Theme

from fgtop.config import DEFAULT_THEME
from fgtop.paths import user_themes_dir
from fgtop.resources import resource_dir
from fgtop.text.toml_errors import key_line, syntax_message

STATUS_KEYS = ("running", "pending", "stopped", "failed", "healthy", "unhealthy", "unknown")
"""The statuses every theme colours and marks with a glyph."""
_REQUIRED = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
_TOP_KEYS = {"name", "dark", "boost", "status", "glyphs", "variables", *_REQUIRED}
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DEFAULT_GLYPHS = {
    "running": "●",
    "pending": "◐",
    "stopped": "○",
    "failed": "✖",
    "healthy": "✔",
    "unhealthy": "✘",
    "unknown": "?",
}
# Raw statuses from ECS (task last status, health), Kubernetes (pod phase) -> status keys.
_RAW_STATUS = {
    "running": "running",
    "active": "running",
    "succeeded": "stopped",
    "pending": "pending",
    "provisioning": "pending",
    "activating": "pending",
    "deactivating": "pending",
    "stopping": "pending",
    "deprovisioning": "pending",
    "draining": "pending",
    "stopped": "stopped",
    "inactive": "stopped",
    "failed": "failed",
    "error": "failed",
    "healthy": "healthy",
    "unhealthy": "unhealthy",
    "unknown": "unknown",
}


class ThemeError(Exception):
    """A bad theme file, as one line naming the file and what is wrong."""


@dataclass
class FgtopTheme(Theme):
    """A Textual theme with fgtop's status colours and glyphs."""

    status: dict[str, str] = field(default_factory=dict)
    """Colour (``#rrggbb``) of each of :data:`STATUS_KEYS`."""
    glyphs: dict[str, str] = field(default_factory=dict)
    """Symbol of each of :data:`STATUS_KEYS`, so status never relies on colour alone."""
    path: Path | None = None
    """The file the theme came from (None for themes derived in code)."""

    def status_color(self, status: str) -> str:
        """The colour of a status key or a raw ECS/Kubernetes status."""
        return self.status.get(status_key(status), self.foreground or "#ffffff")

    def glyph(self, status: str) -> str:
        """The glyph of a status key or a raw ECS/Kubernetes status."""
        return self.glyphs.get(status_key(status), "?")

    def status_text(self, status: str, label: str | None = None) -> Text:
        """``<glyph> <label>`` in the status colour (label defaults to the raw status).

        The label is plain text, never markup.
        """
        word = status if label is None else label
        return Text(f"{self.glyph(status)} {word}", style=Style(color=self.status_color(status)))


def status_key(raw: str) -> str:
    """Map a raw status (``RUNNING``, ``PROVISIONING``, ``Succeeded``, ``HEALTHY``...) to a key.

    Unknown values map to ``"unknown"``.
    """
    return _RAW_STATUS.get(raw.strip().lower(), "unknown")


_BUILTIN_FALLBACK = {
    "running": "#4ebf71",
    "pending": "#ffa62b",
    "stopped": "#8b96a3",
    "failed": "#ba3c5b",
    "healthy": "#4ebf71",
    "unhealthy": "#ba3c5b",
    "unknown": "#8b96a3",
}


def theme_variable_defaults() -> dict[str, str]:
    """CSS variables ``$status-<key>`` with defaults, for ``App.get_theme_variable_defaults``."""
    return {f"status-{key}": colour for key, colour in _BUILTIN_FALLBACK.items()}


def as_fgtop_theme(theme: Theme) -> FgtopTheme:
    """The theme itself if it is an FgtopTheme, else a copy with derived status colours.

    Used when the user picks one of Textual's built-in themes.
    """
    if isinstance(theme, FgtopTheme):
        return theme
    derived = dict(_BUILTIN_FALLBACK)
    for key, source in (
        ("running", theme.success),
        ("healthy", theme.success),
        ("pending", theme.warning),
        ("failed", theme.error),
        ("unhealthy", theme.error),
    ):
        if source:
            derived[key] = source
    values = {f.name: getattr(theme, f.name) for f in fields(Theme)}
    values["variables"] = {**{f"status-{k}": v for k, v in derived.items()}, **theme.variables}
    return FgtopTheme(**values, status=derived, glyphs=dict(_DEFAULT_GLYPHS))


def _fail(name: str, text: str, message: str, key: str, table: tuple[str, ...] = ()) -> ThemeError:
    line = key_line(text, key, table) if key else None
    return ThemeError(f"{name}:{line}: {message}" if line else f"{name}: {message}")


def _closest(key: str, valid: Any) -> str:
    close = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _colour(name: str, text: str, key: str, value: Any, table: tuple[str, ...] = ()) -> str:
    if not isinstance(value, str) or not _COLOUR_RE.match(value):
        label = ".".join((*table, key))
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        raise _fail(name, text, f'{label} must be a colour like "#1e90ff", got {shown}', key, table)
    return value.lower()


def load_theme_file(path: Path) -> FgtopTheme:
    """Read and validate one theme file.

    Args:
        path: A ``.toml`` theme file.

    Returns:
        The theme, with status colours also exposed as ``$status-<key>`` CSS variables.

    Raises:
        ThemeError: One line naming the file (and line) and what is wrong.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(
            f"{name}: cannot read theme file: {getattr(exc, 'strerror', exc)}"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(syntax_message(name, exc, text)) from None
    for key in data:
        if key not in _TOP_KEYS:
            raise _fail(name, text, f'unknown key "{key}"{_closest(key, _TOP_KEYS)}', key)
    for key in ("name", *_REQUIRED):
        if key not in data:
            raise ThemeError(f'{name}: missing key "{key}"')
    theme_name = data["name"]
    if not isinstance(theme_name, str) or not _NAME_RE.match(theme_name):
        msg = f"name must be lower-case letters, digits, - or _, got {theme_name!r}"
        raise _fail(name, text, msg, "name")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise _fail(name, text, f"dark must be true or false, got {dark!r}", "dark")
    colours: dict[str, Any] = {key: _colour(name, text, key, data[key]) for key in _REQUIRED}
    boost = _colour(name, text, "boost", data["boost"]) if "boost" in data else None
    status = _table(name, text, data, "status")
    glyphs = _table(name, text, data, "glyphs")
    status_colours = {
        key: _colour(name, text, key, value, ("status",)) for key, value in status.items()
    }
    derived = {
        "running": colours["success"],
        "healthy": colours["success"],
        "pending": colours["warning"],
        "failed": colours["error"],
        "unhealthy": colours["error"],
        "stopped": _BUILTIN_FALLBACK["stopped"],
        "unknown": _BUILTIN_FALLBACK["unknown"],
    }
    status_colours = {**derived, **status_colours}
    for key, glyph in glyphs.items():
        if not isinstance(glyph, str) or not 1 <= cell_len(glyph) <= 2 or not glyph.isprintable():
            msg = f"glyphs.{key} must be one or two printable characters, got {glyph!r}"
            raise _fail(name, text, msg, key, ("glyphs",))
    all_glyphs = {**_DEFAULT_GLYPHS, **glyphs}
    for group in (("running", "pending", "stopped", "failed"), ("healthy", "unhealthy", "unknown")):
        shown = [all_glyphs[k] for k in group]
        if len(set(shown)) != len(shown):
            msg = f"glyphs for {', '.join(group)} must all differ (status is never colour alone)"
            raise ThemeError(f"{name}: {msg}")
    variables = _table(name, text, data, "variables", any_key=True)
    for key, value in variables.items():
        if not isinstance(value, str):
            msg = f"variables.{key} must be a string, got {value!r}"
            raise _fail(name, text, msg, key, ("variables",))
    return FgtopTheme(
        name=theme_name,
        dark=dark,
        boost=boost,
        **colours,
        variables={**{f"status-{k}": v for k, v in status_colours.items()}, **variables},
        status=status_colours,
        glyphs=all_glyphs,
        path=path,
    )


def _table(
    name: str, text: str, data: dict[str, Any], key: str, any_key: bool = False
) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _fail(name, text, f"{key} must be a table ([{key}])", key)
    if not any_key:
        for sub in value:
            if sub not in STATUS_KEYS:
                msg = f'unknown {key} key "{sub}"{_closest(sub, STATUS_KEYS)}'
                raise _fail(name, text, msg, sub, (key,))
    return value


def shipped_themes_dir() -> Path:
    """The folder of the themes shipped with fgtop (checkout or installed wheel)."""
    folder = resource_dir("themes")
    if folder.is_dir():
        return folder
    # Installed without an __init__.py, fgtop.themes is a namespace package whose
    # importlib.resources root is a MultiplexedPath; its children are real paths.
    with contextlib.suppress(ModuleNotFoundError, OSError, TypeError):
        for child in importlib.resources.files("fgtop.themes").iterdir():
            if isinstance(child, Path):
                return child.parent
    return folder


def available_themes(
    user_dir: Path | None = None, errors: list[str] | None = None
) -> dict[str, FgtopTheme]:
    """Every loadable theme: shipped ones, then user ones (which may replace a shipped one).

    Args:
        user_dir: Folder of user theme files; None means :func:`fgtop.config.user_themes_dir`.
        errors: If given, one line per bad theme file is appended here; bad files are skipped.

    Returns:
        Themes by name: the default first, then shipped and user themes in file-name order.
    """
    themes: dict[str, FgtopTheme] = {}
    shipped = shipped_themes_dir()
    for folder in (shipped, user_dir if user_dir is not None else user_themes_dir()):
        try:
            files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
        except OSError:
            files = []
        if folder == shipped and not files and errors is not None:
            errors.append(f"no shipped themes found in {folder}")
        for path in files:
            try:
                theme = load_theme_file(path)
            except ThemeError as exc:
                if errors is not None:
                    errors.append(f"theme {exc}")
                continue
            themes[theme.name] = theme
    if DEFAULT_THEME in themes:  # the default first, so cycling starts from it
        themes = {DEFAULT_THEME: themes[DEFAULT_THEME], **themes}
    return themes


def register_themes(app: App[Any], themes: dict[str, FgtopTheme]) -> None:
    """Register every theme with the app (``app.theme = name`` then selects one)."""
    for theme in themes.values():
        app.register_theme(theme)


def resolve_theme(
    wanted: str | None, names: list[str], default: str = DEFAULT_THEME
) -> tuple[str, str | None]:
    """The theme to use for a requested name, and a one-line error when it does not exist.

    Args:
        wanted: The requested name (``--theme`` or the config file); None means the default.
        names: The names that can be used (fgtop's and, if wanted, Textual's built-in ones).
        default: The fallback.

    Returns:
        ``(name, None)`` or ``(default, "unknown theme ... using default")``.
    """
    if wanted is None or wanted in names:
        return (wanted or default), None
    hint = _closest(wanted, names)
    return default, f'unknown theme "{wanted}"{hint}; using {default}'


def next_theme_name(current: str, names: list[str]) -> str:
    """The theme after ``current`` in ``names``, wrapping around (the first if not found)."""
    if not names:
        return current
    if current not in names:
        return names[0]
    return names[(names.index(current) + 1) % len(names)]
