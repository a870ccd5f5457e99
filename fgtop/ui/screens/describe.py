"""The describe view (``d``): the raw document of a task, service, task definition or pod.

Shown as highlighted JSON or YAML (``y`` toggles), with secrets masked by
:func:`fgtop.text.masking.mask_document`; ``t`` switches between a task or service and its task
definition; ``c`` copies the masked text. The document is data: it goes through
:class:`rich.syntax.Syntax`, never through markup.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from fgtop.kinds import registry
from fgtop.model import Snapshot
from fgtop.text.masking import mask_document
from fgtop.text.sanitize import clean, safe
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar


def find_described(snapshot: Snapshot, key: str) -> Any:
    """The resource a describe key names, of a kind that has a raw document (None: none)."""
    item = registry.find(snapshot, key)
    kind = registry.kind_of(item)
    return item if kind is not None and kind.describable else None


def raw_document(item: Any, snapshot: Snapshot) -> dict[str, Any]:
    """The unmasked document of a resource, as its kind tells it."""
    kind = registry.kind_of(item)
    doc = kind.describe(item, snapshot) if kind is not None else None
    return doc if doc is not None else {}


def render_document(doc: Any, fmt: str) -> str:
    """``doc`` as JSON (indent 2) or YAML text, printable: what is shown and copied.

    Control characters, escape sequences and bidi overrides inside values are shown as visible
    escapes (JSON and YAML leave C1 controls and bidi overrides raw); values are never cut.
    """
    if fmt == "yaml":
        import yaml  # on first use: the first frame does not need PyYAML

        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    else:
        text = json.dumps(doc, indent=2, ensure_ascii=False)
    return clean(text, max_chars=None, newlines=True)


class DescribeScreen(FgtopScreen):
    """The masked raw document of one resource, as JSON or YAML."""

    DEFAULT_CSS = """
    DescribeScreen #describe-title { height: 1; padding: 0 1; }
    DescribeScreen #describe-scroll { height: 1fr; }
    DescribeScreen #describe-body { width: auto; min-width: 100%; }
    """

    BINDINGS: ClassVar = [
        Binding("y", "toggle_format", "JSON/YAML", tooltip="JSON or YAML"),
        Binding(
            "t",
            "toggle_task_definition",
            "Task definition",
            tooltip="the task or service, or its task definition",
        ),
        Binding("c", "copy", "Copy", tooltip="copy to the clipboard"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        """The task, service or task definition ARN, or pod key, being described."""
        self.format = "json"
        """``json`` or ``yaml``."""
        self.show_task_definition = False
        """Whether ``t`` switched to the task definition of the task or service."""
        self.text = ""
        """The masked document text as shown (what ``c`` copies)."""
        self.vanished = False

    def compose(self) -> ComposeResult:
        """Header, title line, the scrolling document, footer."""
        yield HeaderBar()
        yield Static(id="describe-title")
        with VerticalScroll(id="describe-scroll"):
            yield Static(id="describe-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the document (the frame is rendered by the catch-up)."""
        self.query_one("#describe-scroll").focus()

    def show_empty(self) -> None:
        """Before the first frame: nothing to describe yet."""
        self._show_missing()

    # -- what is shown -------------------------------------------------------------------

    def current(self, snapshot: Snapshot) -> Any:
        """The resource shown: the one named by the key, or its task definition after ``t``."""
        item = find_described(snapshot, self.key)
        if self.show_task_definition and item is not None:
            kind = registry.kind_of(item)
            definition = kind.definition(item, snapshot) if kind is not None else None
            return find_described(snapshot, definition) if definition else None
        return item

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Re-render if the document changed (the scroll position is kept otherwise)."""
        self._show_document(snapshot)

    def _show_document(self, snapshot: Snapshot | None, force: bool = False) -> None:
        item = self.current(snapshot) if snapshot is not None else None
        if item is None or snapshot is None:
            self._show_missing()
            return
        text = render_document(mask_document(raw_document(item, snapshot)), self.format)
        if text == self.text and not self.vanished and not force:
            return
        self.vanished = False
        self.text = text
        kind = registry.kind_of(item)
        title = Text()
        title.append(f"{kind.name if kind else '?'} ", "bold")
        title.append_text(safe(kind.label(item) if kind else self.key))
        title.append(f"  ·  {self.format.upper()}  ·  secrets masked", "dim")
        self.query_one("#describe-title", Static).update(title)
        dark = getattr(self.app.current_theme, "dark", True)
        syntax = Syntax(
            text,
            self.format,
            theme="monokai" if dark else "default",
            background_color="default",
            word_wrap=False,
        )
        self.query_one("#describe-body", Static).update(syntax)

    def _show_missing(self) -> None:
        self.vanished = True
        self.text = ""
        what = "task definition of " if self.show_task_definition else ""
        line = Text(what) + safe(self.key)
        line.append(" is no longer reported (stopped, deleted or not fetched).")
        self.query_one("#describe-title", Static).update(line)
        self.query_one("#describe-body", Static).update("")

    # -- actions -------------------------------------------------------------------------

    def action_toggle_format(self) -> None:
        """Switch between JSON and YAML."""
        self.format = "yaml" if self.format == "json" else "json"
        self._show_document(self.fgtop.snapshot, force=True)

    def action_toggle_task_definition(self) -> None:
        """Switch between a task or service and its task definition."""
        snapshot = self.fgtop.snapshot
        item = find_described(snapshot, self.key) if snapshot is not None else None
        kind = registry.kind_of(item)
        if snapshot is None or kind is None or kind.definition(item, snapshot) is None:
            self.notify("only tasks and services have a task definition to switch to")
            return
        self.show_task_definition = not self.show_task_definition
        self._show_document(snapshot, force=True)
        self.query_one("#describe-scroll", VerticalScroll).scroll_home(animate=False)

    def action_copy(self) -> None:
        """Copy the masked document to the clipboard."""
        if not self.text:
            self.notify("nothing to copy", severity="warning")
            return
        self.app.copy_to_clipboard(self.text)
        self.notify("copied", timeout=2)
