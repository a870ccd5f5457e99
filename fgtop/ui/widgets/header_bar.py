"""The header: account, regions, profile, LIVE/REPLAY badge, refresh age, API calls."""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from fgtop.model import Snapshot, SourceHealth
from fgtop.text import fmt
from fgtop.text.sanitize import safe

HEADER_CHARS = 200
"""Cap on one outside value (an error, a note, a profile) in the header."""
PROBLEM_LINES = 4
"""Sources with a problem shown one per line at most; the rest are counted on the last."""


class HeaderBar(Static):
    """Two lines at the top of the dashboard, and one more per source with a problem
    (essential sources first: ECS and Kubernetes before metrics and Compute Optimizer)."""

    mode: reactive[str] = reactive("live")
    """``live``, ``replay``, ``demo``, ``following`` or ``follow paused``."""
    paused: reactive[bool] = reactive(False)
    recording: reactive[str | None] = reactive(None)
    """The path being recorded to, or None."""
    replay_info: reactive[str] = reactive("")
    """Replay clock text (time, speed) shown in the badge."""
    narrowed: reactive[str] = reactive("")
    """What ``:account`` / ``:region`` / ``:cluster`` narrowed the screens to ('': nothing)."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.snapshot: Snapshot | None = None
        self.received_at: float | None = None
        self._lines = 2
        """Lines the header takes: two, and one per source with a problem (at most four)."""

    def on_mount(self) -> None:
        """Tick once a second so the refresh age stays true."""
        self.set_interval(1.0, self.refresh)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Take a new snapshot (the header grows or shrinks with the sources' problems)."""
        lines = 2 + min(PROBLEM_LINES, len(_problems(snapshot)))
        layout = self.snapshot is None or lines != self._lines
        self._lines = lines
        self.snapshot = snapshot
        self.received_at = time.monotonic()
        self.refresh(layout=layout)

    def render(self) -> Text:
        """Compose the two header lines as Text (names are data, never markup)."""
        s = self.snapshot
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" fgtop ", style="bold reverse")
        if self.mode == "live":
            text.append(
                " PAUSED " if self.paused else " LIVE ",
                style="bold black on yellow" if self.paused else "bold black on green",
            )
        else:
            labels = {"demo": "DEMO", "following": "FOLLOWING", "follow paused": "FOLLOW PAUSED"}
            label = labels.get(self.mode, "REPLAY")
            # The clock says ▶ or ⏸ (paused) itself.
            text.append(f" {label} {self.replay_info} ", style="bold black on cyan")
        if self.recording:
            text.append(" ● REC ", style="bold white on red")
        if s is None:
            text.append("  waiting for the first refresh…")
            return text
        if s.multi_account:
            # Several accounts: their names (an account whose credentials fail is marked).
            text.append("  accounts ")
            for i, account in enumerate(s.watched_accounts):
                if i:
                    text.append(", ")
                text.append_text(_safe(account.label, style="bold yellow" if account.error else ""))
                if account.error:
                    text.append(" ⚠", style="bold yellow")
        else:
            text.append("  account ")
            text.append_text(_safe(s.account or "?"))
            text.append("  profile ")
            text.append_text(_safe(s.profile or "default"))
        text.append("  regions ")
        text.append_text(_safe(", ".join(s.regions) or "?"))
        if self.narrowed:
            text.append_text(_safe(f"  ▸ {self.narrowed}", style="bold reverse"))
        text.append("\n")
        if self.mode == "live" and self.received_at is not None:
            text.append(f" refreshed {int(time.monotonic() - self.received_at)}s ago")
        else:
            text.append(f" at {fmt.when(s.taken_at)}")
        # A follower shows the recorder's spend: the one bill every viewer shares.
        spender = "recorder's API calls" if self.mode.startswith("follow") else "API calls"
        text.append(f"  {spender} {s.api_calls}")
        loading = s.loading
        if loading is not None:
            loaded, expected = loading
            text.append(f"  loading {loaded:,} / ~{expected:,} tasks", style="bold yellow")
        usage = s.metrics_usage
        if usage.metrics_requested:
            text.append(
                f"  metrics {usage.metrics_requested} (${usage.cost_usd:.4f}, ~${usage.cost_per_hour_usd:.4f}/h)"
            )
        for h in s.sources:
            if h.state and h.ok:
                style = "dim" if h.state == "watching" else "yellow"
                text.append_text(_safe(f"  {h.name} {h.state}", style=style))
        for note in s.notes:
            text.append_text(_safe(f"  ⓘ {note}", style="italic"))
        bad = _problems(s)
        shown = bad if len(bad) <= PROBLEM_LINES else bad[: PROBLEM_LINES - 1]
        for h in shown:
            text.append("\n")
            # An account's own line names the account already.
            line = h.error if h.name.startswith("account@") else f"{h.name}: {h.error}"
            text.append_text(_safe(f" ⚠ {line}", style="bold yellow"))
        if len(shown) < len(bad):
            rest = bad[len(shown) :]
            text.append("\n")
            text.append_text(
                _safe(
                    f" ⚠ {len(rest)} more sources with problems: "
                    + ", ".join(h.name for h in rest),
                    style="bold yellow",
                )
            )
        return text


def _problems(snapshot: Snapshot) -> list[SourceHealth]:
    """The sources with a problem, essential first; an account's line said once (every source
    of an account whose credentials fail says that account's line: it shows once, as the
    account's); sources of no named account each keep their line, even with the same error."""
    bad = sorted((h for h in snapshot.sources if not h.ok), key=lambda h: not h.essential)
    out: list[SourceHealth] = []
    said: set[tuple[str, str]] = set()
    for h in bad:
        if h.account is not None and h.error is not None:
            if (h.account, h.error) in said:
                continue
            said.add((h.account, h.error))
        out.append(h)
    return out


def _safe(value: object, style: str = "") -> Text:
    """Outside text (names, errors, notes) for the header: plain, printable, capped."""
    return safe(value, max_chars=HEADER_CHARS, style=style)
