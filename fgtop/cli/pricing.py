"""``fgtop pricing update|show``: refresh the Fargate price table, or print the one in use.

``update`` asks the AWS Price List API (``pricing:GetProducts``, served from us-east-1 whatever
the regions watched) for the Fargate prices of the AmazonECS offer and writes them to the user's
cache directory; fgtop then uses whichever of the bundled and the cached table is newer.
``show`` prints that table as plain text: its date, source and origin, and per region the x86
and ARM prices per vCPU-hour and GB-hour and the Spot (Linux x86 only) prices with their date,
marking every figure that is derived rather than published and saying where Spot comes from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from decimal import Decimal
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

COLUMNS = (
    ("x86 vCPU-h", "linux_x86", "vcpu_hour"),
    ("x86 GB-h", "linux_x86", "gb_hour"),
    ("ARM vCPU-h", "linux_arm", "vcpu_hour"),
    ("ARM GB-h", "linux_arm", "gb_hour"),
    ("Spot x86 vCPU-h", "spot_x86", "vcpu_hour"),
    ("Spot x86 GB-h", "spot_x86", "gb_hour"),
)
"""(header, RegionPrices rate field, Rate field) of each price column of ``show``."""


def _origin(table: PriceTable) -> str:
    return "bundled with fgtop" if table.origin == "bundled" else f"cache {table.origin}"


def _price(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _spot_date(prices: RegionPrices) -> str:
    if prices.spot_is_derived:
        return "derived"
    return prices.spot_as_of or "undated"


def print_table(table: PriceTable, out: TextIO, regions: list[str] | None = None) -> None:
    """Print a price table as plain text (no colour, no escape sequences).

    Args:
        table: The table.
        out: Where to write.
        regions: Only these regions (all when None or empty).
    """
    out.write(f"Fargate price table of {table.taken_at} ({_origin(table)})\n")
    out.write(f"source: {table.source}\n")
    out.write("US dollars per hour, Linux, on-demand unless marked Spot\n")
    out.write(
        "~ Spot: Linux x86 only (Fargate Spot runs no ARM64 or Windows task); "
        "its price moves, so it is dated\n"
    )
    out.write("* derived: scaled from another figure, not a published one\n\n")
    names = [r for r in regions or sorted(table.regions) if r in table.regions]
    rows = [["region", *(header + "  " for header, _, _ in COLUMNS), "Spot as of"]]
    for name in names:
        prices = table.regions[name]
        row = [name]
        for _, rate_name, field in COLUMNS:
            value = _price(getattr(getattr(prices, rate_name), field))
            spot = rate_name.startswith("spot") and table.spot_is_estimate
            mark = ("~" if spot else "") + ("*" if rate_name in prices.derived else "")
            row.append(value + mark.ljust(2))  # marks in their own slot: the numbers align
        row.append(_spot_date(prices))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")
    sources: dict[str, list[str]] = {}
    for name in names:
        sources.setdefault(table.regions[name].spot_source or "not stated", []).append(name)
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
