"""The ``fgtop`` command line's parsers: one per subcommand, each put together from the groups
of options it uses, so its ``--help`` lists only those (``fgtop insights --help`` shows no
dashboard option)."""

from __future__ import annotations

import argparse

from fgtop import __version__
from fgtop.cli.serve_checks import MAX_COLUMNS, MAX_ROWS, MAX_VIEWERS, VIEWER_MEMORY_MB

DESCRIPTION = """\
top for AWS Fargate: every ECS task and EKS pod of an account, live.

commands:
  fgtop [options]              open the live dashboard (the default)
  fgtop demo                   replay the bundled incident recording; needs no AWS account
  fgtop snapshot [options]     poll once, print JSON or a table, exit
                               (--replay FILE|DIR --at TIME: a moment of a recording)
  fgtop record -o FILE|DIR     record the live session headless; DIR: the flight recorder
  fgtop replay FILE|DIR        open the dashboard on a recording (--follow: as it is written)
  fgtop serve                  one flight recorder, any number of browser and terminal viewers
  fgtop serve --demo           the demo in browsers (http://127.0.0.1:8080/); no AWS account
  fgtop logs TARGET            print a task's, service's or pod's logs
  fgtop diff A [B]             what differs between two task definitions (or a family's last two)
  fgtop diff SVC --deployment latest   what a service deployment changed (revisions, digests)
  fgtop insights --service S QUERY
                               run a CloudWatch Logs Insights query over a service's log groups
  fgtop pricing update|show    refresh the Fargate price table from the AWS Pricing API, or show it

`fgtop COMMAND --help` lists each command's own options.

Credentials come from the standard AWS chain: AWS_PROFILE or --profile, SSO, environment
variables, instance and container roles. AWS_ENDPOINT_URL is honoured like every AWS SDK.
fgtop is read-only: it calls only the AWS read operations listed in the README (IAM
permissions); any other call is refused before it is sent.
"""


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A subcommand's parser; a description with line breaks keeps them."""
    fmt = argparse.RawDescriptionHelpFormatter if "\n" in description else argparse.HelpFormatter
    return argparse.ArgumentParser(prog=prog, description=description, formatter_class=fmt)


# Each subcommand's parser is put together from the groups of options it uses, so its
# ``--help`` lists only those (``fgtop insights --help`` has no dashboard options).


def add_aws_options(
    p: argparse.ArgumentParser,
    *,
    region_help: str | None = None,
    org: bool = True,
    account: bool = False,
) -> None:
    """Who and where: ``--profile`` (repeatable: several accounts), ``--region``,
    ``--config``; ``--org-role`` and ``--org-accounts`` (``org``: the commands that watch an
    estate); ``--account`` (``account``: the commands that act on one of the accounts)."""
    g = p.add_argument_group("AWS")
    g.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="AWS named profile (default: AWS_PROFILE or the default chain)"
        + (
            "; repeat to watch several accounts at once"
            if org
            else "; repeated, the accounts to choose from with --account"
            if account
            else ""
        ),
    )
    if org:
        g.add_argument(
            "--org-role",
            metavar="ROLE_NAME",
            help="watch every account of the AWS Organization: list them (run from the "
            "management or a delegated administrator account) and assume this role in each",
        )
        g.add_argument(
            "--org-accounts",
            action="append",
            metavar="ID|PATTERN",
            help="with --org-role: only these accounts (ids or name patterns like 'prod-*'; "
            "repeat, or separate with commas)",
        )
    if account:
        g.add_argument(
            "--account",
            metavar="NAME|ID",
            help="with several accounts watched ([[accounts]], --profile repeated, --org-role): "
            "only this one (its name or id)",
        )
    g.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="REGION",
        help=region_help
        or "region to watch; repeat for several (default: AWS_REGION / the profile's region)",
    )
    g.add_argument(
        "--config", metavar="FILE", help="config file (default $XDG_CONFIG_HOME/fgtop/config.toml)"
    )


def add_cluster_option(g: argparse._ActionsContainer) -> None:
    """``--cluster``, repeatable."""
    g.add_argument(
        "--cluster",
        action="append",
        dest="clusters",
        metavar="NAME",
        help="ECS cluster name or ARN to watch; repeat for several (default: all)",
    )


def add_watch_options(p: argparse.ArgumentParser, *, pods: bool = True) -> None:
    """What to watch: clusters, EC2 tasks, and (``pods``) Kubernetes contexts and EKS."""
    g = p.add_argument_group("what to watch")
    add_cluster_option(g)
    g.add_argument("--include-ec2", action="store_true", default=None, help="show EC2 tasks too")
    if not pods:
        return
    g.add_argument(
        "--context",
        action="append",
        dest="contexts",
        metavar="NAME",
        help="kubeconfig context to watch for EKS pods; repeat for several",
    )
    g.add_argument(
        "--eks", action="store_true", default=None, help="discover EKS clusters in the regions"
    )
    g.add_argument(
        "--all-pods",
        action="store_true",
        default=None,
        help="show every pod, not only Fargate ones",
    )


def add_poll_options(p: argparse.ArgumentParser, *, repeated: bool = True) -> None:
    """How to poll: ``--no-metrics``, and for a poll that repeats ``--refresh``, ``--api-budget``."""
    g = p.add_argument_group("polling")
    if repeated:
        g.add_argument(
            "--refresh", type=float, metavar="SECONDS", help="task refresh interval (default 5)"
        )
        g.add_argument(
            "--api-budget",
            type=float,
            metavar="CALLS",
            help="average ECS calls per second per region (default 5); refresh stretches to fit",
        )
    g.add_argument("--no-metrics", action="store_true", help="do not call CloudWatch GetMetricData")


def add_theme_option(p: argparse.ArgumentParser) -> None:
    """``--theme``: the screens' colours."""
    p.add_argument("--theme", help="colour theme (see README); `T` cycles themes in the app")


def add_recorder_options(
    p: argparse.ArgumentParser, *, default_retain: str | None = None
) -> argparse._ArgumentGroup:
    """The options of ``fgtop record`` that ``fgtop serve`` shares (their group)."""
    g = p.add_argument_group("recording")
    g.add_argument(
        "--retain",
        default=None,
        metavar="TIME",
        help="flight recorder: delete segments older than this, e.g. 48h, 7d "
        f"(default: {default_retain or 'keep all'})",
    )
    g.add_argument(
        "--segment",
        default=None,
        metavar="TIME",
        help="flight recorder: start a new segment file every TIME (default 1h)",
    )
    g.add_argument(
        "--redact",
        action="store_true",
        help="mask account IDs, IP addresses and secrets: secret-named values, and by value "
        "JWTs, AWS access keys, password=... forms (see README); the file header says so",
    )
    g.add_argument(
        "--no-logs", action="store_true", help="do not record the tasks' CloudWatch log lines"
    )
    return g


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The main parser (dashboard) and one parser per subcommand."""
    main = _parser("fgtop", DESCRIPTION)
    add_aws_options(main)
    add_watch_options(main)
    add_poll_options(main)
    main.add_argument(
        "--service", help="open straight on this ECS service (shown once its cluster is polled)"
    )
    add_theme_option(main)
    main.add_argument("--version", action="version", version=f"fgtop {__version__}")
    subs: dict[str, argparse.ArgumentParser] = {
        "demo": _demo_parser(),
        "snapshot": _snapshot_parser(),
        "record": _record_parser(),
        "replay": _replay_parser(),
        "serve": serve_parser(),
        "logs": _logs_parser(),
        "diff": _diff_parser(),
        "insights": _insights_parser(),
        "pricing": _pricing_parser(),
    }
    return main, subs


def _demo_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop demo",
        "Replay the bundled recording of a production incident. Offline; no AWS account needed.",
    )
    add_theme_option(p)
    return p


def _snapshot_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop snapshot",
        """Poll once and print the whole state to stdout, then exit 0. JSON schema: see README.

With --replay FILE_OR_DIR --at TIME, print the same document for a moment of a recording (a
file, or a flight recorder's directory) instead, with no AWS call: the frame shown at TIME and
what the dashboard derives for it, its history (problems since, alerts, timeline) included.""",
    )
    add_aws_options(p)
    add_watch_options(p)
    add_poll_options(p, repeated=False)
    p.add_argument(
        "--format", choices=["json", "table"], default="json", help="output format (default json)"
    )
    p.add_argument(
        "--redact",
        action="store_true",
        help="mask account IDs, IP addresses and secrets (by name and by value), as "
        "fgtop record --redact does",
    )
    p.add_argument(
        "--optional-wait",
        type=float,
        metavar="SECONDS",
        help="seconds to wait for each optional source (metrics, Compute Optimizer) from its "
        "start; ECS and Kubernetes are always waited for; the late ones are marked in `sources` "
        "(default 2; config key optional_wait)",
    )
    p.add_argument(
        "--replay",
        metavar="FILE_OR_DIR",
        help="print a moment of this recording (or flight recorder directory) instead of polling",
    )
    p.add_argument(
        "--at",
        metavar="TIME",
        help="with --replay: HH:MM[:SS] (local time, on the recording's day), an ISO time "
        "(2026-11-28T10:15:00Z), +90s from the start or -5m from the end",
    )
    return p


def _record_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop record",
        """Record the live state to FILE, headless.

With a directory (-o DIR, an existing directory, or with --retain or --segment) it is a flight
recorder: one segment file per --segment in DIR, segments older than --retain deleted, one
stderr line per segment finished. `fgtop replay DIR` shows the whole directory;
`fgtop replay --follow DIR` shows it while it is being written. The region, credentials,
clusters and contexts are checked before the file is created.""",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE|DIR",
        help="recording file to write, or the flight recorder's directory",
    )
    p.add_argument(
        "--duration",
        default=None,
        metavar="TIME",
        help="stop after e.g. 30s, 30m, 2h (default: until Ctrl-C)",
    )
    add_aws_options(p)
    add_watch_options(p)
    add_poll_options(p)
    add_recorder_options(p)
    return p


def _replay_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop replay",
        "Open the dashboard on a recording, or on a flight recorder's directory as one "
        "timeline. With --follow, new frames appear as the recorder writes them; a follower "
        "makes no AWS or Kubernetes call and needs no credentials.",
    )
    p.add_argument(
        "file", metavar="FILE|DIR", help="a recording made by fgtop record, or its directory"
    )
    p.add_argument("--loop", action="store_true", help="start again at the end")
    p.add_argument(
        "--follow",
        action="store_true",
        help="show new frames as the recorder writes them; seeking back pauses following, "
        "`]` (to the end) resumes it",
    )
    add_theme_option(p)
    return p


def serve_parser() -> argparse.ArgumentParser:
    """``fgtop serve``'s parser (its own options, the recorder's, and what to serve)."""
    p = _parser(
        "fgtop serve",
        f"""One flight recorder, any number of viewers.

Runs `fgtop record -o DIR` and serves `fgtop replay --follow DIR` to every browser that opens
the printed URL (textual-serve); terminals can follow the same DIR with
`fgtop replay --follow DIR`. Only the recorder calls AWS and Kubernetes; the region,
credentials, clusters and contexts are checked before the URL is printed. With --demo or
--replay it serves a recording instead: no recorder, no AWS account, no credentials.

It binds to 127.0.0.1. On any other address it requires a token (--token or FGTOP_SERVE_TOKEN,
else one generated and printed once at start), checked on every HTTP request and websocket
and never logged: the dashboard shows an account's internals. Serve plain HTTP only on a
network you trust, or put it behind a TLS proxy (--public-url). The page loads nothing from
outside this server (its fonts and scripts are served with it).

It answers only requests for its own name or an IP address, opens a websocket only from its
own page (or --public-url), caps a browser's terminal at {MAX_COLUMNS}x{MAX_ROWS}, and runs at most
--max-viewers viewers, each under --viewer-memory, with no AWS credentials and no token in
its environment.""",
    )
    what = p.add_argument_group("what to serve (default: a live flight recorder)")
    one = what.add_mutually_exclusive_group()
    one.add_argument(
        "--demo",
        action="store_true",
        help="serve the bundled demo recording (no AWS account needed)",
    )
    one.add_argument(
        "--replay",
        metavar="FILE|DIR",
        help="serve this recording, or a flight recorder's directory (no AWS account needed)",
    )
    web = p.add_argument_group("the web server")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    web.add_argument(
        "--token",
        help="the token viewers must give (default: FGTOP_SERVE_TOKEN; on a non-local host "
        "without one, a generated one)",
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers reach the server at (behind a proxy; default from --host)",
    )
    web.add_argument(
        "--max-viewers",
        type=int,
        default=MAX_VIEWERS,
        metavar="N",
        help=f"browser sessions at once; one more is refused (default {MAX_VIEWERS})",
    )
    web.add_argument(
        "--viewer-memory",
        type=int,
        default=VIEWER_MEMORY_MB,
        metavar="MIB",
        help=f"address-space limit of each browser session's viewer (default {VIEWER_MEMORY_MB})",
    )
    add_aws_options(p)
    add_watch_options(p)
    add_poll_options(p)
    add_recorder_options(p, default_retain="48h").add_argument(
        "--dir",
        metavar="DIR",
        help="the flight recorder's directory (default $XDG_STATE_HOME/fgtop/recordings, "
        "i.e. ~/.local/state/fgtop/recordings)",
    )
    return p


def _logs_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop logs",
        "Print sanitised log lines of a task (id or ARN), a service name, or namespace/pod.",
    )
    p.add_argument(
        "target", metavar="TARGET", help="task id or ARN, service name, or namespace/pod"
    )
    p.add_argument("--container", metavar="NAME", help="only this container")
    p.add_argument(
        "--since",
        default="15m",
        metavar="TIME",
        help="how far back, e.g. 90s, 15m, 2h (default 15m)",
    )
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    p.add_argument(
        "--previous", action="store_true", help="pods: the previous (crashed) container's logs"
    )
    add_aws_options(p, account=True)
    add_watch_options(p)
    return p


def _insights_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop insights",
        "Run a CloudWatch Logs Insights query over the log groups of an ECS service "
        "(--service) and print the rows. Insights bills $0.005 per GB scanned. "
        "Exit 0 completed, 1 the query failed, 2 bad input.",
    )
    p.add_argument("query", metavar="QUERY", help="the query, in the Logs Insights language")
    p.add_argument(
        "--service",
        required=True,
        metavar="NAME",
        help="the ECS service (name or ARN) whose log groups the query reads",
    )
    p.add_argument(
        "--since", default="1h", metavar="TIME", help="how far back, e.g. 15m, 1h (default 1h)"
    )
    p.add_argument(
        "--timeout",
        default="2m",
        metavar="TIME",
        help="stop the query if it has not finished by then (default 2m)",
    )
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default text)"
    )
    add_aws_options(
        p, region_help="region of the service (default: AWS_REGION / the profile's)", account=True
    )
    add_watch_options(p, pods=False)
    return p


def _pricing_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop pricing",
        "Manage the price table: `update` refreshes it from the AWS Pricing API (us-east-1) "
        "into the cache, `show` prints the table in use.",
    )
    p.add_argument(
        "action", choices=["update", "show"], help="update: refresh from the AWS Pricing API"
    )
    add_aws_options(p, region_help="show: only this region's prices; repeat for several", org=False)
    return p


def _diff_parser() -> argparse.ArgumentParser:
    p = _parser(
        "fgtop diff",
        "Show what differs between two ECS task definitions (family:revision or ARN), "
        "container by container. `fgtop diff FAMILY` compares its latest two ACTIVE "
        "revisions, `fgtop diff FAMILY:REV` that revision with the one before it; "
        "`fgtop diff SERVICE --deployment latest|ARN` what an ECS service deployment changed "
        "(its source and target revisions: task definitions and resolved image digests). "
        "Secret-looking environment values show only `changed`.",
    )
    p.add_argument(
        "a",
        metavar="A",
        help="family, family:revision or task definition ARN (with --deployment: a service)",
    )
    p.add_argument("b", metavar="B", nargs="?", help="family:revision or ARN to compare A with")
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default text)"
    )
    p.add_argument(
        "--deployment",
        metavar="latest|ARN",
        help="compare the source and target revisions of this deployment of service A "
        "(latest: its newest; needs ecs:ListServiceDeployments, DescribeServiceDeployments, "
        "DescribeServiceRevisions)",
    )
    p.add_argument(
        "--cluster", help="the service's cluster, with --deployment (default: found by name)"
    )
    add_aws_options(
        p,
        region_help="region (default: AWS_REGION / the profile's region; an ARN's own region wins)",
        org=False,
        account=True,
    )
    return p
