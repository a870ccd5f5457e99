"""Status colours and glyphs, set from the active theme.

Status is never shown by colour alone: every status cell carries a glyph and a word. Which
kind a task, pod or health word is, is the model's (``Task.status_kind``, ``Pod.phase_kind``,
``health_kind``); the palette only says how each kind looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_STYLES = {
    "running": "green",
    "pending": "yellow",
    "stopped": "grey50",
    "failed": "bold red",
    "healthy": "green",
    "unhealthy": "bold red",
    "unknown": "grey50",
    "warning": "yellow",
}
DEFAULT_GLYPHS = {
    "running": "●",
    "pending": "◐",
    "stopped": "○",
    "failed": "✖",
    "healthy": "✔",
    "unhealthy": "✖",
    "unknown": "?",
    "warning": "▲",
}


@dataclass
class Palette:
    """Styles (Rich style strings) and glyphs for each status kind."""

    styles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STYLES))
    glyphs: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_GLYPHS))

    def style(self, kind: str) -> str:
        """The style of a status kind."""
        return self.styles.get(kind, "")

    def glyph(self, kind: str) -> str:
        """The glyph of a status kind."""
        return self.glyphs.get(kind, "")
