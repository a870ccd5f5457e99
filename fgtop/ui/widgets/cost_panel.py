"""The cost panel (``c``): burn rate, projection, breakdowns, Spot savings, right-sizing
(fgtop's own, and AWS Compute Optimizer's beside it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from fgtop.cost.estimate import HOURS_PER_MONTH, CostSummary
from fgtop.cost.rightsizing import ARM, RESIZE, SPOT, Held, Suggestion
from fgtop.cost.sizes import format_size
from fgtop.model.optimizer import EcsRecommendation, OptimizerStatus, status_line
from fgtop.text.money import hourly, money
from fgtop.text.sanitize import clean, safe

MAX_ROWS = 12
"""Rows shown per breakdown table (the largest first)."""

__all__ = ["MAX_ROWS", "CostPanel", "hourly", "money"]


MORE_HINT = " (m or enter: show all)"


def _more(n: int) -> Text:
    return Text(f"{n} more{MORE_HINT}", style="dim")


def _breakdown(
    title: str,
    rows: dict[str, Decimal],
    labels: dict[str, str],
    total: Decimal,
    expanded: bool = False,
) -> Table:
    table = Table(title=title, title_justify="left", expand=True, show_edge=False, pad_edge=False)
    table.add_column("name", ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column("$/h", justify="right")
    table.add_column("$/month", justify="right")
    table.add_column("share", justify="right")
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))
    limit = len(ordered) if expanded else MAX_ROWS
    for key, rate in ordered[:limit]:
        share = f"{rate / total:.0%}" if total else "-"
        table.add_row(
            Text(clean(labels.get(key, key), max_chars=200)),
            hourly(rate),
            money(rate * HOURS_PER_MONTH),
            share,
        )
    if len(ordered) > limit:
        rest = sum((r for _, r in ordered[limit:]), Decimal(0))
        table.add_row(
            _more(len(ordered) - limit),
            hourly(rest),
            money(rest * HOURS_PER_MONTH),
            f"{rest / total:.0%}" if total else "-",
        )
    return table


def _change(s: Suggestion) -> Text:
    if s.kind == RESIZE:
        return Text(f"{format_size(*s.current)} → {format_size(*s.proposed)}")
    if s.kind == ARM:
        spot = f", {s.on_spot} on Spot to ARM Spot" if s.on_spot else ""
        return Text(f"move to ARM (Graviton){spot}: check images are multi-arch")
    if s.kind == SPOT:
        return Text(f"{s.tasks - 1} of {s.tasks} tasks to FARGATE_SPOT")
    return Text(s.kind)


def _evidence(s: Suggestion) -> Text:
    ev = s.evidence
    if ev is None:
        return Text("-", style="dim")
    return Text(
        f"CPU peak {ev.cpu_peak:.0f}% p95 {ev.cpu_p95:.0f}% · "
        f"mem peak {ev.memory_peak:.0f}% p95 {ev.memory_p95:.0f}% · {ev.samples} samples"
    )


def _savings_table(title: str, rows: Sequence[Suggestion], expanded: bool) -> Table:
    table = Table(title=title, title_justify="left", expand=True, show_edge=False, pad_edge=False)
    table.add_column("service", no_wrap=True, overflow="ellipsis")
    table.add_column("change")
    table.add_column("saves $/h", justify="right")
    table.add_column("$/month", justify="right")
    table.add_column("evidence")
    limit = len(rows) if expanded else MAX_ROWS
    for s in rows[:limit]:
        table.add_row(
            Text(clean(s.service_name, max_chars=200)),
            _change(s),
            hourly(s.per_hour_savings),
            money(s.monthly_savings),
            _evidence(s),
        )
    if len(rows) > limit:
        rest = rows[limit:]
        table.add_row(
            _more(len(rest)),
            Text(""),
            hourly(sum((s.per_hour_savings for s in rest), Decimal(0))),
            money(sum((s.monthly_savings for s in rest), Decimal(0))),
            Text(""),
        )
    return table


HELD_TITLE = "Held back: no smaller size, Spot or ARM while the service is unwell"


def _held(held: Sequence[Held]) -> Table:
    table = Table(
        title=HELD_TITLE, title_justify="left", expand=True, show_edge=False, pad_edge=False
    )
    table.add_column("service", no_wrap=True, overflow="ellipsis")
    table.add_column("why (in its window)")
    for h in held:  # one line per reason; the reasons quote stop reasons: outside text
        why = Text("\n").join(Text(clean(r, max_chars=300)) for r in h.reasons)
        table.add_row(Text(clean(h.service_name, max_chars=200)), why)
    return table


def _suggestions(
    suggestions: Sequence[Suggestion], held: Sequence[Held] = (), expanded: bool = False
) -> RenderableType:
    """Smaller sizes under "Right-sizing", Spot and ARM under their own heading, then the
    services held back (and why); $/h and $/month for each saving."""
    resize = [s for s in suggestions if s.kind == RESIZE]
    capacity = [s for s in suggestions if s.kind != RESIZE]
    parts: list[RenderableType] = []
    if resize:
        title = "Right-sizing: smaller sizes (largest savings first)"
        parts.append(_savings_table(title, resize, expanded))
    elif not capacity:
        parts.append(
            Text(
                "Right-sizing: no suggestions (needs an hour of CPU and memory data per service).",
                style="dim",
            )
        )
    else:
        parts.append(
            Text(
                "Right-sizing: no smaller size (the peaks leave no room under the headroom).",
                style="dim",
            )
        )
    if capacity:
        parts += [
            Text(""),
            _savings_table(
                "Cheaper capacity: Spot and ARM (largest savings first)", capacity, expanded
            ),
        ]
    if held:
        parts += [Text(""), _held(held)]
    return Group(*parts)


def _safe_saving(suggestions: Sequence[Suggestion], held: Sequence[Held]) -> Text:
    """``Safe saving up to $0.41/h ($299.30/month) ...``: the largest suggestion of each
    service (they are alternatives, not added up), services in trouble held back."""
    best: dict[str, Decimal] = {}
    for s in suggestions:
        best[s.service_arn] = max(best.get(s.service_arn, Decimal(0)), s.per_hour_savings)
    text = Text("\nSafe saving ", style="bold")
    total = sum(best.values(), Decimal(0))
    if best:
        text.append(f"up to {hourly(total)}", style="bold green")
        n = len(best)
        text.append(
            f" ({money(total * HOURS_PER_MONTH)}/month): the largest suggestion below for each "
            f"of {n} service{'s' if n != 1 else ''}"
        )
    else:
        text.append("none yet", style="bold")
        text.append(" (no suggestion below)")
    if held:
        n = len(held)
        text.append(f"; {n} service{'s' if n != 1 else ''} in trouble held back", style="yellow")
    return text


def _size(cpu: int | None, memory: int | None) -> str:
    return format_size(cpu, memory) if cpu and memory else "size unknown"


def _aws_option(rec: EcsRecommendation) -> tuple[Text, Text]:
    """AWS's recommended change and its estimated monthly savings."""
    best = rec.best
    current = _size(rec.current_cpu, rec.current_memory)
    if best is None:
        return Text(f"{current} (no option given)", style="dim"), Text("-", style="dim")
    change = Text(f"{current} → {_size(best.cpu, best.memory)}")
    if best.monthly_savings is None:
        return change, Text("-", style="dim")
    currency = best.currency or "USD"
    if currency == "USD":
        return change, Text(money(best.monthly_savings))
    return change, safe(f"{best.monthly_savings:,.2f} {currency}")


def _optimizer(
    recommendations: Sequence[EcsRecommendation],
    status: OptimizerStatus | None,
    suggestions: Sequence[Suggestion],
) -> RenderableType:
    """AWS Compute Optimizer's findings per service, fgtop's own suggestion beside each."""
    line = status_line(status)
    if status is None and not recommendations:
        return Text("")  # not asked (turned off, or a recording made without it)
    if line is not None and not recommendations:
        style = "yellow" if status is not None and status.denied else "dim"
        return safe(line, style=style)
    if not recommendations:
        return Text(
            "Compute Optimizer: no ECS service recommendations for the services shown.",
            style="dim",
        )
    ours: dict[str, Suggestion] = {}
    for s in suggestions:  # largest savings first: keep each service's first
        ours.setdefault(s.service_arn, s)
    by_name = {(s.region, s.service_name): s for s in reversed(suggestions)}
    table = Table(
        title="AWS Compute Optimizer (its own findings, beside fgtop's right-sizing)",
        title_justify="left",
        expand=True,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("service", no_wrap=True, overflow="ellipsis")
    table.add_column("finding")
    table.add_column("AWS recommends")
    table.add_column("AWS saves/month", justify="right")
    table.add_column("fgtop suggests")
    for rec in recommendations:
        change, saves = _aws_option(rec)
        own = ours.get(rec.service_arn) or by_name.get((rec.region, rec.service_name))
        if own is None:
            mine = Text("-", style="dim")
        else:
            mine = _change(own)
            mine.append(f" ({money(own.monthly_savings)}/month)")
        table.add_row(
            safe(rec.service_name, max_chars=200),
            safe(rec.finding),
            change,
            saves,
            mine,
        )
    if line is None:
        return table
    return Group(table, safe(line, style="yellow" if status and status.denied else "dim"))


def _source(summary: CostSummary) -> Text:
    """Where the prices come from, the billing rules, and which figures are derived."""
    source = Text(f"Prices: table of {summary.price_table_date}, ", style="dim")
    source.append(summary.price_table_source, style="dim")
    source.append(
        ". Billing from image pull to stop, per second, one-minute minimum (15 minutes on Windows)."
    )
    dates = [(region, "", date) for region, date in summary.spot_dates.items()]
    dates += [(region, " ARM", date) for region, date in summary.spot_arm_dates.items()]
    if dates:
        dated = ", ".join(f"{r}{arm} {date or 'undated'}" for r, arm, date in sorted(dates))
        source.append(f" Spot rates as published: {dated}.")
    if summary.spot_is_estimate:
        source.append(" Spot prices vary.", style="italic")
    if summary.derived_figures:
        source.append(
            "\n* derived, not published (scaled from another figure; `fgtop pricing update` "
            "fetches exact ones): " + ", ".join(summary.derived_figures),
            style="yellow",
        )
    return source


def _matcher(text: str) -> Callable[[str], bool]:
    """Whether a name contains every word of ``text`` (case-insensitive)."""
    words = text.lower().split()
    return lambda name: all(w in name.lower() for w in words)


def _rows(
    rows: dict[str, Decimal], labels: dict[str, str], keep: Callable[[str], bool]
) -> dict[str, Decimal]:
    """The rows of a breakdown whose label (or key) passes ``keep``."""
    return {k: v for k, v in rows.items() if keep(labels.get(k, k))}


def _counted(
    title: str,
    rows: dict[str, Decimal],
    labels: dict[str, str],
    keep: Callable[[str], bool],
    filtering: str,
) -> str:
    """A breakdown's title; filtered, it says how many rows of how many (``3 of 12``)."""
    if not filtering:
        return title
    return f"{title} ({len(_rows(rows, labels, keep))} of {len(rows)})"


_Figures = tuple[
    CostSummary,
    list[Suggestion],
    float,
    float,
    Sequence[str],
    Sequence[EcsRecommendation],
    OptimizerStatus | None,
    Sequence[Held],
]
"""The arguments of the last :meth:`CostPanel.update_cost` (to redraw when expanded)."""


class CostPanel(VerticalScroll):
    """What the estate costs now, where it goes, and what it could cost."""

    DEFAULT_CSS = """
    CostPanel { height: 1fr; padding: 0 1; }
    CostPanel > Static { margin-bottom: 1; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.summary: CostSummary | None = None
        self.suggestions: list[Suggestion] = []
        self.held: list[Held] = []
        self.expanded = False
        """Every row of the breakdowns and savings (else the largest :data:`MAX_ROWS`)."""
        self.filter_text = ""
        """Only the rows (clusters, services, capacity providers, suggestions) whose name
        contains every word of it; the totals stay the estate's."""
        self._last: _Figures | None = None

    def compose(self) -> ComposeResult:
        """The sections, filled by :meth:`update_cost`."""
        yield Static(Text("Cost: waiting for the first refresh…", style="dim"), id="cost-total")
        yield Static("", id="cost-breakdown")
        yield Static("", id="cost-suggestions")
        optimizer = Static("", id="cost-optimizer")
        optimizer.display = False  # shown once Compute Optimizer has something to say
        yield optimizer
        yield Static("", id="cost-own")
        yield Static("", id="cost-source")

    def update_cost(
        self,
        summary: CostSummary,
        suggestions: list[Suggestion],
        own_cost_usd: float,
        own_cost_per_hour_usd: float,
        warnings: Sequence[str] = (),
        recommendations: Sequence[EcsRecommendation] = (),
        optimizer: OptimizerStatus | None = None,
        held: Sequence[Held] = (),
    ) -> None:
        """Show new figures.

        Args:
            summary: From :func:`fgtop.cost.estate.estate_cost`.
            suggestions: From :func:`fgtop.cost.rightsizing.suggest` (shown in that order).
            own_cost_usd: What fgtop's own API calls have cost so far.
            own_cost_per_hour_usd: What keeping fgtop open costs per hour.
            warnings: One-line notices (e.g. the price table's load warnings).
            recommendations: AWS Compute Optimizer's, for the services shown.
            optimizer: How the last look at Compute Optimizer went (None: not asked).
            held: Services held back from any cheaper capacity, with their reasons.
        """
        self._last = (
            summary,
            suggestions,
            own_cost_usd,
            own_cost_per_hour_usd,
            warnings,
            recommendations,
            optimizer,
            held,
        )
        self.summary = summary
        self.suggestions = list(suggestions)
        self.held = list(held)
        wide = self.expanded
        keep = _matcher(self.filter_text)
        if self.filter_text:
            suggestions = [s for s in suggestions if keep(s.service_name)]
            held = [h for h in held if keep(h.service_name)]
            recommendations = [r for r in recommendations if keep(r.service_name)]
        total = self._total(summary, warnings)
        total.append_text(_safe_saving(self.suggestions, self.held))
        self.query_one("#cost-total", Static).update(total)
        accounts: list[RenderableType] = []
        if len(summary.by_account) > 1:  # several accounts: what each costs, first
            accounts = [
                _breakdown(
                    "By account", summary.by_account, summary.labels, summary.per_hour, wide
                ),
                Text(""),
            ]
        self.query_one("#cost-breakdown", Static).update(
            Group(
                *accounts,
                _breakdown(
                    _counted(
                        "By cluster", summary.by_cluster, summary.labels, keep, self.filter_text
                    ),
                    _rows(summary.by_cluster, summary.labels, keep),
                    summary.labels,
                    summary.per_hour,
                    wide,
                ),
                Text(""),
                _breakdown(
                    _counted(
                        "By service", summary.by_service, summary.labels, keep, self.filter_text
                    ),
                    _rows(summary.by_service, summary.labels, keep),
                    summary.labels,
                    summary.per_hour,
                    wide,
                ),
                Text(""),
                _breakdown(
                    _counted(
                        "By capacity provider",
                        summary.by_capacity_provider,
                        {},
                        keep,
                        self.filter_text,
                    ),
                    _rows(summary.by_capacity_provider, {}, keep),
                    {},
                    summary.per_hour,
                    wide,
                ),
            )
        )
        self.query_one("#cost-suggestions", Static).update(_suggestions(suggestions, held, wide))
        section = _optimizer(recommendations, optimizer, suggestions)
        widget = self.query_one("#cost-optimizer", Static)
        widget.update(section)
        widget.display = not (isinstance(section, Text) and not section.plain)
        own = Text("fgtop's own AWS cost (CloudWatch GetMetricData): ")
        own.append(f"{money(own_cost_usd, 4)} so far, ~{hourly(own_cost_per_hour_usd)}")
        self.query_one("#cost-own", Static).update(own)
        self.query_one("#cost-source", Static).update(_source(summary))

    def set_filter(self, text: str) -> None:
        """Show only the rows whose name contains every word of ``text`` ("" shows all)."""
        self.filter_text = text
        if self._last is not None:
            self.update_cost(*self._last)

    def toggle_expanded(self) -> None:
        """Show every row ("N more" expanded), or the largest again."""
        self.expanded = not self.expanded
        if self._last is not None:
            self.update_cost(*self._last)

    @staticmethod
    def _total(summary: CostSummary, warnings: Sequence[str]) -> Text:
        text = Text()
        if summary.discount:
            text.append(f"list price less {summary.discount:.0%} Savings Plan", style="bold")
            text.append(" (on-demand compute only: not Spot, not storage)\n")
        else:
            text.append("list price (no Savings Plan discount configured)\n", style="dim")
        text.append("Burn rate ", style="bold")
        text.append(hourly(summary.per_hour), style="bold")
        text.append("   projected month at this rate (730 h) ")
        text.append(money(summary.per_month_projected), style="bold")
        text.append("\nSpot savings being realised ")
        text.append(hourly(summary.spot_savings_per_hour))
        text.append(f" ({money(summary.spot_savings_per_hour * HOURS_PER_MONTH)}/month)")
        if summary.spot_is_estimate:
            text.append("  (Spot figure is an estimate)", style="italic")
        if summary.discount:
            text.append("\nAt list price ")
            text.append(hourly(summary.per_hour_list))
            text.append(f" ({money(summary.per_month_projected_list)}/month)")
        if summary.minimum_charged:
            n = summary.minimum_charged
            text.append(
                f"\nOne-minute minimum adds {money(summary.minimum_charge, 4)} for {n} "
                f"task{'s' if n != 1 else ''}/pod{'s' if n != 1 else ''} that ran under a minute"
                " (short scheduled jobs)"
            )
        if summary.unpriced:
            n = len(summary.unpriced)
            reasons = sorted(set(summary.unpriced_reasons.values())) or ["size or region unknown"]
            text.append(
                f"\n⚠ {n} running task{'s' if n != 1 else ''}/pod{'s' if n != 1 else ''} not priced "
                f"({'; '.join(reasons)})",
                style="yellow",
            )
        for note in summary.notes:
            text.append(f"\n{note}", style="dim")
        for w in warnings:  # they may quote a price file's path or contents
            text.append("\n")
            text.append_text(safe(f"⚠ {w}", style="yellow"))
        return text
