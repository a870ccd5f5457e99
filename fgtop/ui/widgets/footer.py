"""The key footer: Textual's ``Footer``, recomposed only when the keys it shows change.

Textual's ``Footer`` rebuilds all its keys on every bindings signal of its screen (each focus
change, each mount while the screen is being composed): at start-up that was about 18
rebuilds of 13 keys, each key restyled twice, some 0.8 s of the demo's first frame under the
profiler. This one compares what it would show (key, label, action, enabled, tooltip) with
what it shows and rebuilds only when that differs.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple[Any, ...]:
    """What a footer on ``screen`` would show (the bindings marked ``show``)."""
    return tuple(
        (binding.key, binding.description, binding.action, enabled, tooltip)
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """A ``Footer`` that rebuilds only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        """Rebuild when what the footer would show differs from what it shows."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            keys = shown_keys(screen)
            if keys == self._keys:
                return
            self._keys = keys
            self.call_after_refresh(self.recompose)
