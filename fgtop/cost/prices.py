"""Fargate price tables: the bundled one, and a newer one refreshed into the user's cache.

Every figure is a :class:`~decimal.Decimal` read from a string, so no float error enters.
The loader is the only part of :mod:`fgtop.cost` that touches files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

BUNDLED_PATH = Path(__file__).with_name("prices.json")
"""The price table shipped with fgtop."""

CACHE_FILE = "prices.json"
"""The name of the refreshed table inside the cache directory."""

FORMAT = 1


@dataclass(frozen=True)
class Rate:
    """A price per vCPU-hour and per GB-hour (US dollars)."""

    vcpu_hour: Decimal
    gb_hour: Decimal


@dataclass(frozen=True)
class RegionPrices:
    """Every Fargate price fgtop needs in one region."""

    linux_x86: Rate
    linux_arm: Rate
    windows_x86: Rate
    """Windows compute, without the OS licence fee."""
    windows_license_vcpu_hour: Decimal
    """Windows OS licence fee per vCPU-hour, charged on top of :attr:`windows_x86`."""
    spot_x86: Rate
    """FARGATE_SPOT Linux x86. Spot prices move."""
    spot_arm: Rate
    """FARGATE_SPOT Linux ARM64 (offered since 2024-09-06). Windows has no Spot."""
    storage_gb_hour: Decimal
    """Ephemeral storage per GB-hour above the free 20 GB."""
    derived: tuple[str, ...] = ()
    """Names of the figures scaled from another figure rather than published."""
    spot_as_of: str = ""
    """ISO date the Spot figure was published (``""``: undated or derived)."""
    spot_source: str = ""
    """Where the Spot figure comes from, or how it was derived."""
    spot_arm_as_of: str = ""
    """ISO date the ARM Spot figure was published (``""``: undated or derived)."""
    spot_arm_source: str = ""
    """Where the ARM Spot figure comes from, or how it was derived."""

    @property
    def spot_is_derived(self) -> bool:
        """Whether the x86 Spot figure is scaled from another one rather than published."""
        return "spot_x86" in self.derived

    @property
    def spot_arm_is_derived(self) -> bool:
        """Whether the ARM Spot figure is scaled from another one rather than published."""
        return "spot_arm" in self.derived

    def spot(self, arm: bool) -> Rate:
        """The FARGATE_SPOT rate of ARM64 (``arm``) or x86 Linux tasks."""
        return self.spot_arm if arm else self.spot_x86


@dataclass(frozen=True)
class PriceTable:
    """A whole price table: when it was taken, where from, prices by region."""

    taken_at: str
    """ISO date (``YYYY-MM-DD``) the figures were taken."""
    source: str
    regions: dict[str, RegionPrices] = field(default_factory=dict)
    spot_is_estimate: bool = True
    notes: tuple[str, ...] = ()
    origin: str = "bundled"
    """``bundled`` or the path of the cached table it came from."""
    warnings: tuple[str, ...] = ()
    """One-line problems met while loading (e.g. a corrupt cache file that was ignored)."""

    def region(self, name: str | None) -> RegionPrices | None:
        """The prices of region ``name``, or None when the table lacks it."""
        return self.regions.get(name) if name else None


def _dec(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{what}: expected a decimal string, got {value!r}")
    try:
        out = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{what}: not a number: {value!r}") from exc
    if not out.is_finite() or out < 0:
        raise ValueError(f"{what}: not a price: {value!r}")
    return out


def _rate(data: Any, what: str) -> Rate:
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected an object")
    return Rate(_dec(data.get("vcpu_hour"), what), _dec(data.get("gb_hour"), what))


def scale_like(rate: Rate, spot: Rate, on_demand: Rate) -> Rate:
    """``rate`` x (``spot`` / ``on_demand``), per vCPU and per GB, kept to 8 decimal places.

    How a missing ARM Spot figure is derived: AWS gives x86 and ARM the same Spot discount in a
    region (us-east-1, eu-west-1 and sa-east-1 all show it), so ARM Spot is the ARM on-demand
    price x the region's x86 Spot/on-demand ratio.
    """

    def one(value: Decimal, s: Decimal, od: Decimal) -> Decimal:
        out = value * s / od if od else value
        return out.quantize(Decimal("0.00000001")).normalize()

    return Rate(
        one(rate.vcpu_hour, spot.vcpu_hour, on_demand.vcpu_hour),
        one(rate.gb_hour, spot.gb_hour, on_demand.gb_hour),
    )


def _region(name: str, data: Any) -> RegionPrices:
    if not isinstance(data, dict):
        raise ValueError(f"region {name}: expected an object")
    x86 = _rate(data.get("linux_x86"), f"{name}.linux_x86")
    arm = _rate(data.get("linux_arm"), f"{name}.linux_arm")
    spot_x86 = _rate(data.get("spot_x86"), f"{name}.spot_x86")
    derived = [str(d) for d in data.get("derived", ())]
    spot_source = str(data.get("spot_source") or "")
    if "spot_arm" in data:
        spot_arm = _rate(data.get("spot_arm"), f"{name}.spot_arm")
        arm_as_of = str(data.get("spot_arm_as_of") or "")
        arm_source = str(data.get("spot_arm_source") or "")
    else:  # a table written before fgtop knew ARM Spot: derive it, and say so
        spot_arm = scale_like(arm, spot_x86, x86)
        arm_as_of, arm_source = "", "derived: ARM on-demand x this region's x86 Spot ratio"
        derived.append("spot_arm")
    return RegionPrices(
        linux_x86=x86,
        linux_arm=arm,
        windows_x86=_rate(data.get("windows_x86"), f"{name}.windows_x86"),
        windows_license_vcpu_hour=_dec(
            data.get("windows_license_vcpu_hour"), f"{name}.windows_license_vcpu_hour"
        ),
        spot_x86=spot_x86,
        spot_arm=spot_arm,
        storage_gb_hour=_dec(data.get("storage_gb_hour"), f"{name}.storage_gb_hour"),
        derived=tuple(dict.fromkeys(derived)),
        spot_as_of=str(data.get("spot_as_of") or ""),
        spot_source=spot_source,
        spot_arm_as_of=arm_as_of,
        spot_arm_source=arm_source,
    )


def parse_price_table(data: Any, origin: str = "bundled") -> PriceTable:
    """Build a :class:`PriceTable` from the JSON document of a price table.

    Raises:
        ValueError: When the document is not a valid price table.
    """
    if not isinstance(data, dict):
        raise ValueError("a price table is a JSON object")
    taken_at = data.get("taken_at")
    if not isinstance(taken_at, str) or len(taken_at) < 10:
        raise ValueError("price table has no taken_at date")
    regions_data = data.get("regions")
    if not isinstance(regions_data, dict) or not regions_data:
        raise ValueError("price table has no regions")
    regions = {name: _region(name, r) for name, r in regions_data.items()}
    return PriceTable(
        taken_at=taken_at,
        source=str(data.get("source", "unknown")),
        regions=regions,
        spot_is_estimate=bool(data.get("spot_is_estimate", True)),
        notes=tuple(str(n) for n in data.get("notes", ())),
        origin=origin,
    )


def _rate_json(rate: Rate) -> dict[str, str]:
    return {"vcpu_hour": str(rate.vcpu_hour), "gb_hour": str(rate.gb_hour)}


def price_table_json(table: PriceTable) -> dict[str, Any]:
    """The JSON document of ``table`` (the inverse of :func:`parse_price_table`)."""
    return {
        "format": FORMAT,
        "taken_at": table.taken_at,
        "source": table.source,
        "currency": "USD",
        "spot_is_estimate": table.spot_is_estimate,
        "notes": list(table.notes),
        "regions": {
            name: {
                "linux_x86": _rate_json(r.linux_x86),
                "linux_arm": _rate_json(r.linux_arm),
                "windows_x86": _rate_json(r.windows_x86),
                "windows_license_vcpu_hour": str(r.windows_license_vcpu_hour),
                "spot_x86": _rate_json(r.spot_x86),
                "spot_as_of": r.spot_as_of,
                "spot_source": r.spot_source,
                "spot_arm": _rate_json(r.spot_arm),
                "spot_arm_as_of": r.spot_arm_as_of,
                "spot_arm_source": r.spot_arm_source,
                "storage_gb_hour": str(r.storage_gb_hour),
                "derived": list(r.derived),
            }
            for name, r in sorted(table.regions.items())
        },
    }


def default_cache_dir() -> Path:
    """``platformdirs.user_cache_dir("fgtop")``, where refreshed tables go."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fgtop"))


def load_price_table(cache_dir: Path | None = None) -> PriceTable:
    """The newest price table fgtop has: the bundled one or the refreshed one in the cache.

    Args:
        cache_dir: Where ``fgtop pricing update`` wrote ``prices.json``; None means the
            user's cache directory.

    Returns:
        Whichever table has the later ``taken_at`` (the bundled one on a tie). A cached file
        that cannot be read or parsed is ignored, and the reason kept in ``warnings``.
    """
    bundled = parse_price_table(json.loads(BUNDLED_PATH.read_text(encoding="utf-8")))
    path = (cache_dir if cache_dir is not None else default_cache_dir()) / CACHE_FILE
    if not path.exists():
        return bundled
    try:
        cached = parse_price_table(json.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warning = f"ignored corrupt price table {path}: {reason}"
        return replace(bundled, warnings=(*bundled.warnings, warning))
    return cached if cached.taken_at >= bundled.taken_at else bundled
