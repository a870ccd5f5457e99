"""Status colours and glyphs, set from the active theme.

Status is never shown by colour alone: every status cell carries a glyph and a word.
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


def task_status_kind(last_status: str, exit_abnormal: bool) -> str:
    """Map an ECS task status to a palette kind."""
    status = last_status.upper()
    if status == "RUNNING":
        return "running"
    if status == "STOPPED" or status == "DEPROVISIONING" or status == "STOPPING":
        return "failed" if exit_abnormal else "stopped"
    return "pending"


def health_kind(health: str) -> str:
    """Map an ECS/Kubernetes health word to a palette kind."""
    h = health.upper()
    if h == "HEALTHY":
        return "healthy"
    if h == "UNHEALTHY":
        return "unhealthy"
    return "unknown"


def pod_phase_kind(phase: str, reason: str | None) -> str:
    """Map a pod phase (and its reason) to a palette kind."""
    if reason and phase != "Succeeded":
        return "failed" if phase != "Pending" else "pending"
    return {
        "Running": "running",
        "Pending": "pending",
        "Succeeded": "stopped",
        "Failed": "failed",
    }.get(phase, "unknown")
