"""Helpers for reading what widgets show in Pilot tests."""

from __future__ import annotations

import io

from rich.console import Console


def plain(renderable: object, width: int = 160) -> str:
    """Render any Rich renderable (or a Static's content) to plain text."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
