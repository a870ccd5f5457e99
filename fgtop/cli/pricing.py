"""``fgtop pricing update|show``: refresh the Fargate price table, or print the one in use.

``update`` asks the AWS Price List API (``pricing:GetProducts``, served from us-east-1 whatever
the regions watched) for the Fargate prices of the AmazonECS offer and writes them to the user's
cache directory; fgtop then uses whichever of the bundled and the cached table is newer.
``show`` prints that table as plain text: its date, source and origin, and per region a line
for x86 and one for ARM with the on-demand and FARGATE_SPOT prices per vCPU-hour and GB-hour (four
significant digits) and the date of the Spot prices, marking every figure that is derived rather
than published and saying where each Spot figure comes from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TextIO

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.cli.settings import load_settings
from fgtop.cost.prices import (
    CACHE_FILE,
    PriceTable,
    RegionPrices,
    default_cache_dir,
    load_price_table,
    parse_price_table,
)
from fgtop.errors import SetupError, fail
from fgtop.sources.errors import one_line

HEADERS = ("region", "arch", "vCPU-h", "GB-h", "Spot vCPU-h", "Spot GB-h", "Spot as of")
ARCHES = (("x86", "linux_x86", "spot_x86"), ("ARM", "linux_arm", "spot_arm"))
"""(label, on-demand RegionPrices field, Spot RegionPrices field) of each line of a region."""
SIGNIFICANT = 4
"""Significant digits ``show`` prints a price with."""


def _origin(table: PriceTable) -> str:
    return "bundled with fgtop" if table.origin == "bundled" else f"cache {table.origin}"


def significant(value: Decimal, digits: int = SIGNIFICANT) -> str:
    """``value`` rounded half-up to ``digits`` significant digits, in plain notation.

    ``0.01288871`` gives ``0.01289``, ``0.0696`` gives ``0.06960``, ``0.004445`` stays.
    """
    if not value:
        return "0"
    quantum = Decimal(1).scaleb(value.adjusted() - digits + 1)
    return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")


def _spot_date(prices: RegionPrices, figure: str) -> str:
    if figure in prices.derived:
        return "derived"
    return (prices.spot_arm_as_of if figure == "spot_arm" else prices.spot_as_of) or "undated"


def _spot_source(prices: RegionPrices, figure: str) -> str:
    text = prices.spot_arm_source if figure == "spot_arm" else prices.spot_source
    return text or "not stated"


def print_table(table: PriceTable, out: TextIO, regions: list[str] | None = None) -> None:
    """Print a price table as plain text (no colour, no escape sequences).

    Args:
        table: The table.
        out: Where to write.
        regions: Only these regions (all when None or empty).
    """
    out.write(f"Fargate price table of {table.taken_at} ({_origin(table)})\n")
    out.write(f"source: {table.source}\n")
    out.write("US dollars per hour, Linux, on-demand and FARGATE_SPOT, four significant digits\n")
    out.write(
        "~ Spot: x86 and ARM64 (platform 1.4.0+), no Windows, no EKS pods; "
        "its price moves, so it is dated\n"
    )
    out.write("* derived: scaled from another figure, not a published one\n\n")
    names = [r for r in regions or sorted(table.regions) if r in table.regions]
    rows = [[*HEADERS[:2], *(h + "  " for h in HEADERS[2:6]), HEADERS[6]]]
    for name in names:
        prices = table.regions[name]
        for i, (label, on_demand, spot) in enumerate(ARCHES):
            row = [name if i == 0 else "", label]
            for rate_name in (on_demand, on_demand, spot, spot):
                rate = getattr(prices, rate_name)
                value = rate.gb_hour if len(row) % 2 else rate.vcpu_hour
                tilde = rate_name == spot and table.spot_is_estimate
                mark = ("~" if tilde else "") + ("*" if rate_name in prices.derived else "")
                row.append(significant(value) + mark.ljust(2))  # marks in their own slot
            row.append(_spot_date(prices, spot))
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")
    sources: dict[str, list[str]] = {}
    for name in names:  # a region's x86 and ARM Spot figures mostly share their source
        prices = table.regions[name]
        texts = [(label, _spot_source(prices, spot)) for label, _, spot in ARCHES]
        if len({text for _, text in texts}) == 1:
            sources.setdefault(texts[0][1], []).append(name)
            continue
        for label, text in texts:
            sources.setdefault(text, []).append(f"{name} {label}")
    if sources:
        out.write("\nSpot figures:\n")
        for text, where in sorted(sources.items(), key=lambda kv: (len(kv[1]), kv[0])):
            out.write(f"  {', '.join(where)}: {text}\n")
    missing = sorted(set(regions or ()) - set(table.regions))
    if missing:
        out.write(f"\nnot in this table: {', '.join(missing)} (costs there show as unknown)\n")


def show(args: argparse.Namespace) -> int:
    """``fgtop pricing show``: print the table in use; exit 0."""
    table = load_price_table()
    for warning in table.warnings:
        print(f"fgtop: {warning}", file=sys.stderr)
    print_table(table, sys.stdout, list(getattr(args, "regions", None) or ()))
    cache = default_cache_dir() / CACHE_FILE
    if table.origin == "bundled":
        state = "not used: not newer" if cache.exists() else "none yet: `fgtop pricing update`"
        print(f"\ncache: {cache} ({state})")
    return 0


def _denied(exc: ClientError) -> str:
    err = exc.response.get("Error", {})
    code = err.get("Code", "")
    if code in {"AccessDenied", "AccessDeniedException"}:
        return "access denied: needs pricing:GetProducts (the AWS Price List API, us-east-1)"
    return f"{code}: {err.get('Message', '')}".strip(": ") or one_line(exc)


async def _update(profile: str | None, dest: Path) -> Path:
    from fgtop.sources.aws import Aws
    from fgtop.sources.pricing import update_prices

    aws = Aws(profile, ["us-east-1"])  # the Price List API answers from us-east-1
    try:
        await aws.check_credentials()
        return await update_prices(aws, dest)
    finally:
        await aws.close()


def update(args: argparse.Namespace) -> int:
    """``fgtop pricing update``: refresh the table into the cache; one line; exit 0 or 2."""

    dest = default_cache_dir()
    try:
        profile = load_settings(args).profile
        path = asyncio.run(_update(profile, dest))
    except SetupError as exc:
        return fail(str(exc))
    except ClientError as exc:
        return fail(f"pricing update failed: {_denied(exc)}")
    except (BotoCoreError, OSError, TimeoutError, ValueError) as exc:
        return fail(f"pricing update failed: {one_line(exc)}")
    written = parse_price_table(json.loads(path.read_text(encoding="utf-8")), str(path))
    table = load_price_table(dest)
    if table.origin == str(path):
        status = "now in use"
    else:
        status = f"the {_origin(table)} table of {table.taken_at} is as new and stays in use"
    print(
        f"fgtop: wrote {path} (Fargate prices of {written.taken_at}, "
        f"{len(written.regions)} regions); {status}"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """``fgtop pricing ACTION``: the exit code."""
    if args.action == "update":
        return update(args)
    return show(args)
