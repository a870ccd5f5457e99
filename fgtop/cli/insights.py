"""``fgtop insights --service S --since 1h 'QUERY'``: a Logs Insights query, printed for scripts.

The service is found by one live poll (the same sources as the dashboard); its log groups come
from its task definitions' ``awslogs`` options (the current one, those of its deployments and
of its tasks). The rows go to stdout as a text table (``--format json``: one document with the
rows, the statistics and the cost); the bytes scanned and the cost go to stderr in text mode.
Every value is sanitised: no escape sequence reaches the terminal.

Exit codes: 0 the query completed, 1 it failed (malformed, denied, timed out), 2 bad input
(no such service, a bad ``--since``, no credentials).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from fgtop.cli.settings import live_options
from fgtop.engine.build import build_engine
from fgtop.engine.live_insights import plan_request
from fgtop.errors import SetupError, fail
from fgtop.feed import InsightsRequest
from fgtop.model import Service, Snapshot
from fgtop.sources.insights import InsightsQuery, Progress
from fgtop.text.durations import parse_duration
from fgtop.text.sanitize import clean

EXIT_FAILED = 1
COLUMN_CHARS = 60
"""Widest a column other than the last is padded to (its values are capped there)."""


def find_service(snapshot: Snapshot, name: str) -> Service:
    """The service named ``name`` (or its ARN) in the polled clusters.

    Raises:
        SetupError: None matches, or several clusters have one.
    """
    found = [s for s in snapshot.services if name in (s.name, s.arn)]
    if len(found) > 1:
        accounts = len({s.account for s in found}) > 1
        where = ", ".join(
            sorted(
                f"{s.cluster} ({s.region}{', ' + snapshot.account_label(s.account) if accounts else ''})"
                for s in found
            )
        )
        more = " (and --account NAME)" if accounts else ""
        raise SetupError(
            f"service {name!r} is in several clusters: {where}; pass --cluster NAME "
            f"(and --region){more}"
        )
    if not found:
        regions = ", ".join(snapshot.regions) or "no region"
        raise SetupError(
            f"no service {name!r} in {regions} ({len(snapshot.services)} services polled)"
        )
    return found[0]


def table(rows: tuple[dict[str, str], ...]) -> list[str]:
    """Rows as aligned text lines (a header first), every value sanitised."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    names = list(columns)
    if not names:
        return []
    cells = [[clean(row.get(n, ""), max_chars=None) for n in names] for row in rows]
    head = [clean(n, max_chars=COLUMN_CHARS) for n in names]
    widths = [
        min(COLUMN_CHARS, max([len(head[i]), *(len(c[i]) for c in cells)]))
        for i in range(len(names))
    ]

    def line(values: list[str]) -> str:
        out = []
        for i, value in enumerate(values):
            if i < len(values) - 1:
                value = value if len(value) <= widths[i] else value[: widths[i] - 1] + "…"
                out.append(value.ljust(widths[i]))
            else:
                out.append(value)
        return "  ".join(out).rstrip()

    return [line(head), *(line(c) for c in cells)]


def document(result: Progress, request: InsightsRequest, groups: list[tuple[str, str]]) -> dict:
    """The ``--format json`` document."""
    return {
        "query": request.query,
        "start": request.start,
        "end": request.end,
        "log_groups": [{"region": r, "group": g} for r, g in groups],
        "status": result.status,
        "rows": list(result.rows),
        "statistics": {
            "bytes_scanned": result.bytes_scanned,
            "records_matched": result.records_matched,
            "records_scanned": result.records_scanned,
        },
        "cost_usd": round(result.cost, 6),
        "messages": list(result.messages),
    }


def _say(message: str) -> None:
    print(f"fgtop: {clean(message, max_chars=1000)}", file=sys.stderr, flush=True)


async def main(args: Any) -> int:
    """Poll once, find the service, run the query, print; the exit code."""
    opts = live_options(args)
    opts.metrics = False
    opts.why = False  # the query needs the service's tasks only
    opts.service = None  # --service names the query's service here, not a dashboard focus
    engine = await build_engine(opts)
    try:
        snapshot = await engine.poll_once()
        service = find_service(snapshot, args.service)
        now = time.time()
        request = InsightsRequest(
            snapshot,
            args.query,
            now - args.since_seconds,
            now,
            tasks=snapshot.tasks_of(service),
            services=(service,),
        )
        plan = plan_request(request)
        for note in plan.notes:
            _say(note)
        if not plan.groups:
            _say(f"service {service.name} has no CloudWatch Logs group to query")
            return EXIT_FAILED
        aws = engine.aws_of(service.account)
        if aws is None:
            raise SetupError("no AWS session")
        query = InsightsQuery(
            aws, plan.groups, args.query, request.start, request.end, timeout=args.timeout_seconds
        )
        result = Progress()
        async for result in query.progress():  # noqa: B007 - the last report is the result
            pass
        groups = list(plan.groups)
        if args.format == "json":
            json.dump(document(result, request, groups), sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            for text in table(result.rows):
                print(text)
            size = result.bytes_scanned / 1024**3
            _say(
                f"{result.status.lower()}: {len(result.rows)} row{'s' if len(result.rows) != 1 else ''}, "
                f"{size:.3f} GB scanned "
                f"(${result.cost:.4f}) in {len(groups)} log group{'s' if len(groups) != 1 else ''}"
            )
        sys.stdout.flush()
        for message in result.messages:
            _say(message)
        return 0 if result.status == "Complete" else EXIT_FAILED
    finally:
        await engine.stop()


def run(args: argparse.Namespace) -> int:
    """``fgtop insights``: 0 completed, 1 the query failed, 2 bad input."""
    if not args.service:
        return fail("--service NAME is required (the service whose log groups to query)")
    if not args.query.strip():
        return fail("the query is empty")
    try:
        args.since_seconds = parse_duration(args.since)
        args.timeout_seconds = parse_duration(args.timeout)
    except ValueError as exc:
        return fail(f"--since/--timeout: {exc}")
    try:
        return asyncio.run(main(args))
    except SetupError as exc:
        return fail(str(exc))
