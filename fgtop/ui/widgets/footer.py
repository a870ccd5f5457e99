"""The key footer: Textual's ``Footer``, recomposed only when the keys it shows change.

Textual's ``Footer`` rebuilds all its keys on every bindings signal of its screen (each focus
change, each mount while the screen is being composed): at start-up that was about 18
rebuilds of 13 keys, each key restyled twice, some 0.8 s of the demo's first frame under the
profiler. This one compares what it would show (key, label, action, enabled, tooltip) with
what it shows and rebuilds only when that differs.

It shows ``esc`` and ``?`` first, then the focused widget's keys, the screen's and the app's: at
80 columns the keys on the right are cut, never ``esc`` or ``?``.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("escape", "question_mark")
"""Keys the footer shows first, whatever has the focus."""


def footer_bindings(screen: Screen) -> list[tuple[Binding, bool, str]]:
    """The keys a footer on ``screen`` shows, in order: ``esc`` and ``?`` first, then the
    others as Textual orders them (the focused widget's first); one per action."""
    seen: set[str] = set()
    shown: list[tuple[Binding, bool, str]] = []
    for _, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in seen:
            seen.add(binding.action)
            shown.append((binding, enabled, tooltip))
    first = sorted((b for b in shown if b[0].key in FIRST), key=lambda b: FIRST.index(b[0].key))
    return first + [b for b in shown if b[0].key not in FIRST]


def shown_keys(screen: Screen) -> tuple[Any, ...]:
    """What a footer on ``screen`` would show (the bindings marked ``show``), in order."""
    return tuple(
        (binding.key, binding.description, binding.action, enabled, tooltip)
        for binding, enabled, tooltip in footer_bindings(screen)
    )


class KeyFooter(Footer):
    """A ``Footer`` that rebuilds only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        """The keys, ``esc`` and ``?`` first; the command palette's on the right."""
        if not self._bindings_ready:
            return
        shown = footer_bindings(self.screen)
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _tooltip = found
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

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
