"""``fgtop pricing update``: refresh the price table from the AWS Price List API.

Calls ``pricing:GetProducts`` (ServiceCode ``AmazonECS``, Fargate usage types) through the
read-only :class:`~fgtop.sources.aws.Aws` layer, and writes a table in the same JSON shape as
the bundled one into the user's cache directory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from fgtop.cost.prices import (
    BUNDLED_PATH,
    CACHE_FILE,
    PriceTable,
    Rate,
    RegionPrices,
    parse_price_table,
    price_table_json,
    scale_like,
)
from fgtop.sources.aws import Aws

PRICING_REGION = "us-east-1"
"""The Price List API answers from us-east-1 (also eu-central-1, ap-south-1)."""
SERVICE_CODE = "AmazonECS"
FILTERS = [{"Type": "CONTAINS", "Field": "usagetype", "Value": "Fargate"}]
SOURCE = "AWS Price List API (pricing:GetProducts, offer AmazonECS, Fargate usage types)"
ARM_RATIO = Decimal("0.8")
SPOT_RATIO = Decimal("0.302385")
"""Spot / on-demand of the published eu-west-1 Fargate Spot rate of 2026-09-28 ($0.01224056
against $0.04048 per vCPU-hour, $0.0013441 against $0.004445 per GB-hour): 70% off, used only
for a region whose x86 Spot price the API did not return (and marked derived)."""
DEFAULT_LICENSE = Decimal("0.046")

# Usage type prefixes, for products that carry no regionCode attribute.
PREFIXES = {
    "USE1": "us-east-1",
    "USE2": "us-east-2",
    "USW1": "us-west-1",
    "USW2": "us-west-2",
    "CAN1": "ca-central-1",
    "SAE1": "sa-east-1",
    "EU": "eu-west-1",
    "EUW1": "eu-west-1",
    "EUW2": "eu-west-2",
    "EUW3": "eu-west-3",
    "EUC1": "eu-central-1",
    "EUN1": "eu-north-1",
    "APS1": "ap-southeast-1",
    "APS2": "ap-southeast-2",
    "APS3": "ap-south-1",
    "APN1": "ap-northeast-1",
    "APN2": "ap-northeast-2",
}

_USAGE_RE = re.compile(
    r"^(?:(?P<prefix>[A-Z]{2,4}\d?)-)?(?P<spot>SpotUsage-)?Fargate-(?P<kind>[A-Za-z-]+?)(?::\w+)?$"
)
_KINDS = {
    "vCPU-Hours": ("x86", "vcpu"),
    "GB-Hours": ("x86", "gb"),
    "ARM-vCPU-Hours": ("arm", "vcpu"),
    "ARM-GB-Hours": ("arm", "gb"),
    "Windows-vCPU-Hours": ("windows", "vcpu"),
    "Windows-GB-Hours": ("windows", "gb"),
    "Windows-OS-Hours": ("license", "vcpu"),
    "EphemeralStorage-GB-Hours": ("storage", "gb"),
}


_SPOT_FIGURES = {"x86": "spot_x86", "arm": "spot_arm"}


def classify(usagetype: str) -> tuple[str | None, str, str] | None:
    """(region prefix, figure, unit) of a Fargate usage type, or None if not a Fargate price.

    ``USE1-Fargate-ARM-vCPU-Hours:perCPU`` gives ``("USE1", "arm", "vcpu")``; Spot usage
    types give ``spot_x86`` (``SpotUsage-Fargate-vCPU-Hours``, ``...-GB-Hours``) and
    ``spot_arm`` (``SpotUsage-Fargate-ARM-vCPU-Hours``, ``...-ARM-GB-Hours``: FARGATE_SPOT
    runs ARM64 Linux tasks since 2024-09-06) figures. Windows has no Fargate Spot.
    """
    m = _USAGE_RE.match(usagetype)
    if not m or m.group("kind") not in _KINDS:
        return None
    figure, unit = _KINDS[m.group("kind")]
    if m.group("spot"):
        if figure not in _SPOT_FIGURES:
            return None
        figure = _SPOT_FIGURES[figure]
    return m.group("prefix"), figure, unit


def on_demand_usd(product: dict[str, Any]) -> Decimal | None:
    """The first on-demand USD price per unit of a price list item."""
    for offer in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (offer.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is not None:
                return Decimal(usd).normalize()
    return None


def effective_date(product: dict[str, Any]) -> str:
    """The ``YYYY-MM-DD`` the first on-demand term of a price list item took effect, or ``""``."""
    for offer in (product.get("terms", {}).get("OnDemand") or {}).values():
        date = str(offer.get("effectiveDate") or "")[:10]
        if len(date) == 10:
            return date
    return ""


def spot_dates(items: list[dict[str, Any]], figure: str = "spot_x86") -> dict[str, str]:
    """Region -> the latest effective date of its Fargate Spot prices in the price list.

    ``figure`` is ``spot_x86`` or ``spot_arm``.
    """
    out: dict[str, str] = {}
    for item in items:
        attrs = (item.get("product") or {}).get("attributes") or {}
        found = classify(str(attrs.get("usagetype", "")))
        if found is None or found[1] != figure:
            continue
        region = attrs.get("regionCode") or PREFIXES.get(found[0] or "USE1")
        date = effective_date(item)
        if region and date:
            out[region] = max(out.get(region, ""), date)
    return out


def collect(items: list[dict[str, Any]]) -> dict[str, dict[tuple[str, str], Decimal]]:
    """Region -> {(figure, unit): price} from price list items; other items are skipped."""
    out: dict[str, dict[tuple[str, str], Decimal]] = {}
    for item in items:
        attrs = (item.get("product") or {}).get("attributes") or {}
        found = classify(str(attrs.get("usagetype", "")))
        if found is None:
            continue
        prefix, figure, unit = found
        region = attrs.get("regionCode") or PREFIXES.get(prefix or "USE1")
        price = on_demand_usd(item)
        if not region or price is None:
            continue
        out.setdefault(region, {})[(figure, unit)] = price
    return out


def _fmt(d: Decimal) -> Decimal:
    return d.quantize(Decimal("0.00000001")).normalize()


def build_region(
    figures: dict[tuple[str, str], Decimal],
    ref: RegionPrices,
    spot_date: str = "",
    spot_arm_date: str = "",
) -> RegionPrices | None:
    """Region prices from collected figures; missing ones are scaled and listed as derived.

    A missing x86 Spot price is the on-demand one x :data:`SPOT_RATIO`; a missing ARM Spot
    price is the ARM on-demand one x the region's x86 Spot/on-demand ratio (AWS gives both
    architectures the same Spot discount in a region), :data:`SPOT_RATIO` when that is derived
    too.

    Args:
        figures: What the API gave for the region.
        ref: The bundled us-east-1 prices, for the ratios of missing figures.
        spot_date: The effective date of the region's x86 Spot prices in the API answer.
        spot_arm_date: The same for its ARM Spot prices.

    Returns:
        None when the region lacks its Linux x86 vCPU or GB price.
    """
    if ("x86", "vcpu") not in figures or ("x86", "gb") not in figures:
        return None
    x86 = Rate(figures[("x86", "vcpu")], figures[("x86", "gb")])
    derived: list[str] = []

    def rate(name: str, field_name: str, fallback: Rate) -> Rate:
        v, g = figures.get((name, "vcpu")), figures.get((name, "gb"))
        if v is None or g is None:
            derived.append(field_name)
            return Rate(_fmt(fallback.vcpu_hour), _fmt(fallback.gb_hour))
        return Rate(v, g)

    scale_v = x86.vcpu_hour / ref.linux_x86.vcpu_hour
    scale_g = x86.gb_hour / ref.linux_x86.gb_hour
    arm = rate("arm", "linux_arm", Rate(x86.vcpu_hour * ARM_RATIO, x86.gb_hour * ARM_RATIO))
    win = rate(
        "windows",
        "windows_x86",
        Rate(ref.windows_x86.vcpu_hour * scale_v, ref.windows_x86.gb_hour * scale_g),
    )
    spot_x86 = rate(
        "spot_x86", "spot_x86", Rate(x86.vcpu_hour * SPOT_RATIO, x86.gb_hour * SPOT_RATIO)
    )
    if "spot_x86" in derived:
        spot_source = (
            "derived: no Spot price in the API answer; on-demand Linux x86 x "
            f"{SPOT_RATIO} (the published eu-west-1 Spot/on-demand ratio)"
        )
        spot_date = ""
    else:
        spot_source = "AWS Price List API (SpotUsage-Fargate usage types)"
    if "spot_x86" in derived:  # the same ratio, straight from the ARM price
        arm_fallback = Rate(arm.vcpu_hour * SPOT_RATIO, arm.gb_hour * SPOT_RATIO)
    else:
        arm_fallback = scale_like(arm, spot_x86, x86)
    spot_arm = rate("spot_arm", "spot_arm", arm_fallback)
    if "spot_arm" in derived:
        spot_arm_source = (
            "derived: no ARM Spot price in the API answer; on-demand ARM x this region's "
            "x86 Spot/on-demand ratio"
        )
        spot_arm_date = ""
    else:
        spot_arm_source = "AWS Price List API (SpotUsage-Fargate-ARM usage types)"
    license_ = figures.get(("license", "vcpu"))
    if license_ is None:
        license_ = DEFAULT_LICENSE
        derived.append("windows_license_vcpu_hour")
    storage = figures.get(("storage", "gb"))
    if storage is None:
        storage = _fmt(ref.storage_gb_hour * scale_v)
        derived.append("storage_gb_hour")
    return RegionPrices(
        linux_x86=x86,
        linux_arm=arm,
        windows_x86=win,
        windows_license_vcpu_hour=license_,
        spot_x86=spot_x86,
        spot_arm=spot_arm,
        storage_gb_hour=storage,
        derived=tuple(derived),
        spot_as_of=spot_date,
        spot_source=spot_source,
        spot_arm_as_of=spot_arm_date,
        spot_arm_source=spot_arm_source,
    )


def build_table(items: list[dict[str, Any]], taken_at: str) -> PriceTable:
    """A :class:`PriceTable` from GetProducts price list items.

    Raises:
        ValueError: When no region has Linux x86 Fargate prices.
    """
    bundled = parse_price_table(json.loads(BUNDLED_PATH.read_text(encoding="utf-8")))
    ref = bundled.regions["us-east-1"]
    regions: dict[str, RegionPrices] = {}
    dates, arm_dates = spot_dates(items), spot_dates(items, "spot_arm")
    for name, figures in sorted(collect(items).items()):
        built = build_region(figures, ref, dates.get(name, ""), arm_dates.get(name, ""))
        if built is not None:
            regions[name] = built
    if not regions:
        raise ValueError("the Price List API returned no Fargate prices")
    return PriceTable(
        taken_at=taken_at,
        source=SOURCE,
        regions=regions,
        spot_is_estimate=True,
        notes=(
            "Spot figures are Linux x86 and ARM64 (Fargate Spot runs no Windows task) and "
            "move with supply and demand: each region's is dated with its effective date.",
            "Figures listed under a region's 'derived' were missing from the API answer and "
            "were scaled from us-east-1 by the region's Linux x86 price ratio (x86 Spot: by "
            "the published eu-west-1 Spot/on-demand ratio; ARM Spot: by the region's x86 "
            "Spot/on-demand ratio).",
        ),
        origin="pricing-api",
    )


async def fetch_products(aws: Aws) -> list[dict[str, Any]]:
    """Every Fargate price list item of the AmazonECS offer, all pages."""
    client = await aws.client("pricing", PRICING_REGION)
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "ServiceCode": SERVICE_CODE,
            "Filters": FILTERS,
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        if token:
            kwargs["NextToken"] = token
        resp = await client.get_products(**kwargs)
        for raw in resp.get("PriceList", []):
            items.append(json.loads(raw) if isinstance(raw, str) else raw)
        token = resp.get("NextToken")
        if not token:
            return items


async def update_prices(aws: Aws, dest: Path, *, taken_at: str | None = None) -> Path:
    """Fetch current Fargate prices and write them as a price table.

    Args:
        aws: The AWS layer (needs ``pricing:GetProducts``).
        dest: The cache directory (``prices.json`` is written inside) or a ``.json`` path.
        taken_at: The date to stamp (default: today, UTC).

    Returns:
        The path written (atomically: a reader never sees half a file).
    """
    items = await fetch_products(aws)
    date = taken_at or dt.datetime.now(dt.UTC).date().isoformat()
    table = build_table(items, date)
    path = dest if dest.suffix == ".json" else dest / CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".prices-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(price_table_json(table), fh, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
