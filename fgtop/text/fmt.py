"""Small formatting helpers for screens, kinds and the printer: ages, sizes, times (pure)."""

from __future__ import annotations

from datetime import datetime

from fgtop.text.sanitize import safe_str


def age(since: float | None, now: float) -> str:
    """A compact age like ``42s``, ``17m``, ``3h12m``, ``5d``; ``-`` when unknown."""
    if since is None:
        return "-"
    secs = max(0, int(now - since))
    if secs < 60:
        return f"{secs}s"
    if secs < 3600:
        return f"{secs // 60}m"
    if secs < 86400:
        h, m = divmod(secs // 60, 60)
        return f"{h}h{m:02d}m"
    return f"{secs // 86400}d"


def vcpu(units: int | None) -> str:
    """CPU units as vCPU (``0.25``, ``1``, ``4``); ``?`` when unknown."""
    if units is None:
        return "?"
    value = units / 1024
    return f"{value:g}"


def gib(mib: int | None) -> str:
    """MiB as GB (``0.5``, ``2``); ``?`` when unknown."""
    if mib is None:
        return "?"
    return f"{mib / 1024:g}"


def size(cpu: int | None, memory: int | None) -> str:
    """``0.5vCPU/1GB``."""
    return f"{vcpu(cpu)}vCPU/{gib(memory)}GB"


def clock(ts: float | None) -> str:
    """Local wall-clock time ``HH:MM:SS``."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def same_day(ts: float, ref: float) -> bool:
    """Whether two instants fall on the same local calendar day."""
    return datetime.fromtimestamp(ts).date() == datetime.fromtimestamp(ref).date()


def stamp(ts: float | None, ref: float) -> str:
    """``HH:MM:SS`` for a time on the day of ``ref``, else with its date: ``11-27 19:03:54``.

    ``ref`` is the day being looked at (the replay clock, or now live); a year apart, the
    date has its year (``2025-11-27 19:03:54``).
    """
    if ts is None:
        return "-"
    moment, day = datetime.fromtimestamp(ts), datetime.fromtimestamp(ref)
    if moment.date() == day.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%m-%d %H:%M:%S" if moment.year == day.year else "%Y-%m-%d %H:%M:%S")


def when(ts: float | None) -> str:
    """Local date and time ``YYYY-MM-DD HH:MM:SS``."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def short_arn(arn: str) -> str:
    """The last part of an ARN (or pod key), printable and capped: it is shown, never parsed."""
    return safe_str(arn.rsplit("/", 1)[-1], max_chars=120)
