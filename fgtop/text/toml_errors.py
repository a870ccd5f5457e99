"""One wording of TOML file errors (config and theme files): file, line, key, what is wrong.

tomllib gives no positions for keys, so :func:`key_line` finds them in the source text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


def display_path(path: Path) -> str:
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


def syntax_message(name: str, exc: tomllib.TOMLDecodeError, text: str) -> str:
    message = str(exc).replace("\n", " ")
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if m:
        return f"{name}:{m.group(1)}:{m.group(2)}: invalid TOML: {message[: m.start()]}"
    m = re.search(r"\s*\(at end of document\)$", message)
    if m:
        last = max(1, len(text.splitlines()))
        return f"{name}:{last}: invalid TOML at end of file: {message[: m.start()]}"
    return f"{name}: invalid TOML: {message}"
