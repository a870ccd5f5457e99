"""The ``fgtop`` command line.

``fgtop [live options]`` opens the dashboard; subcommands: ``demo``, ``snapshot``,
``record``, ``replay``, ``logs``, ``pricing update``, ``diff``. Bad input gets one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from fgtop import __version__
from fgtop.cli.output import check_surroundings
from fgtop.cli.serve_checks import MAX_COLUMNS, MAX_ROWS, MAX_VIEWERS, VIEWER_MEMORY_MB
from fgtop.errors import fail, os_reason, too_many_files

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
  fgtop logs TARGET            print a task's, service's or pod's logs
  fgtop diff A [B]             what differs between two task definitions (or a family's last two)
  fgtop diff SVC --deployment latest   what a service deployment changed (revisions, digests)
  fgtop insights --service S QUERY
                               run a CloudWatch Logs Insights query over a service's log groups
  fgtop pricing update|show    refresh the Fargate price table from the AWS Pricing API, or show it

Credentials come from the standard AWS chain: AWS_PROFILE or --profile, SSO, environment
variables, instance and container roles. AWS_ENDPOINT_URL is honoured like every AWS SDK.
fgtop is read-only: it calls only the AWS read operations listed in the README (IAM
permissions); any other call is refused before it is sent.
"""


def _live_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("live options")
    g.add_argument(
        "--profile", help="AWS named profile (default: AWS_PROFILE or the default chain)"
    )
    g.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="REGION",
        help="region to watch; repeat for several (default: AWS_REGION / the profile's region)",
    )
    g.add_argument(
        "--cluster",
        action="append",
        dest="clusters",
        metavar="NAME",
        help="ECS cluster name or ARN to watch; repeat for several (default: all)",
    )
    g.add_argument("--service", help="open straight on this ECS service (with --cluster)")
    g.add_argument(
        "--refresh", type=float, metavar="SECONDS", help="task refresh interval (default 5)"
    )
    g.add_argument(
        "--api-budget",
        type=float,
        metavar="CALLS",
        help="average ECS calls per second per region (default 5); refresh stretches to fit",
    )
    g.add_argument("--include-ec2", action="store_true", default=None, help="show EC2 tasks too")
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
    g.add_argument("--no-metrics", action="store_true", help="do not call CloudWatch GetMetricData")
    g.add_argument(
        "--config", metavar="FILE", help="config file (default $XDG_CONFIG_HOME/fgtop/config.toml)"
    )
    return p


def _ui_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--theme", help="colour theme (see README); `T` cycles themes in the app")
    return p


def add_recorder_options(p: argparse.ArgumentParser, *, default_retain: str | None = None) -> None:
    """The options of ``fgtop record`` that ``fgtop serve`` shares."""
    p.add_argument(
        "--retain",
        default=default_retain,
        metavar="TIME",
        help="flight recorder: delete segments older than this, e.g. 48h, 7d "
        f"(default: {default_retain or 'keep all'})",
    )
    p.add_argument(
        "--segment",
        default=None,
        metavar="TIME",
        help="flight recorder: start a new segment file every TIME (default 1h)",
    )
    p.add_argument(
        "--redact",
        action="store_true",
        help="mask account IDs, IP addresses and secrets: secret-named values, and by value "
        "JWTs, AWS access keys, password=... forms (see README); the file header says so",
    )
    p.add_argument(
        "--no-logs", action="store_true", help="do not record the tasks' CloudWatch log lines"
    )


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The main parser (dashboard) and one parser per subcommand."""
    live, ui = _live_parent(), _ui_parent()
    fmt = argparse.RawDescriptionHelpFormatter
    main = argparse.ArgumentParser(
        prog="fgtop", description=DESCRIPTION, parents=[live, ui], formatter_class=fmt
    )
    main.add_argument("--version", action="version", version=f"fgtop {__version__}")
    subs: dict[str, argparse.ArgumentParser] = {}
    subs["demo"] = argparse.ArgumentParser(
        prog="fgtop demo",
        parents=[ui],
        description="Replay the bundled recording of a production incident. Offline; no AWS account needed.",
    )
    snap = argparse.ArgumentParser(
        prog="fgtop snapshot",
        parents=[live],
        formatter_class=fmt,
        description="""Poll once and print the whole state to stdout, then exit 0. JSON schema: see README.

With --replay FILE_OR_DIR --at TIME, print the same document for a moment of a recording (a
file, or a flight recorder's directory) instead, with no AWS call: the frame shown at TIME and
what the dashboard derives for it, its history (problems since, alerts, timeline) included.""",
    )
    snap.add_argument(
        "--format", choices=["json", "table"], default="json", help="output format (default json)"
    )
    snap.add_argument(
        "--redact",
        action="store_true",
        help="mask account IDs, IP addresses and secrets (by name and by value), as "
        "fgtop record --redact does",
    )
    snap.add_argument(
        "--optional-wait",
        type=float,
        metavar="SECONDS",
        help="seconds to wait for each optional source (metrics, Compute Optimizer) from its "
        "start; ECS and Kubernetes are always waited for; the late ones are marked in `sources` "
        "(default 2; config key optional_wait)",
    )
    snap.add_argument(
        "--replay",
        metavar="FILE_OR_DIR",
        help="print a moment of this recording (or flight recorder directory) instead of polling",
    )
    snap.add_argument(
        "--at",
        metavar="TIME",
        help="with --replay: HH:MM[:SS] (local time, on the recording's day), an ISO time "
        "(2026-11-28T10:15:00Z), +90s from the start or -5m from the end",
    )
    subs["snapshot"] = snap
    rec = argparse.ArgumentParser(
        prog="fgtop record",
        parents=[live],
        formatter_class=fmt,
        description="""Record the live state to FILE, headless.

With a directory (-o DIR, an existing directory, or with --retain or --segment) it is a flight
recorder: one segment file per --segment in DIR, segments older than --retain deleted, one
stderr line per segment finished. `fgtop replay DIR` shows the whole directory;
`fgtop replay --follow DIR` shows it while it is being written.""",
    )
    rec.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE|DIR",
        help="recording file to write, or the flight recorder's directory",
    )
    add_recorder_options(rec)
    rec.add_argument(
        "--duration",
        default=None,
        metavar="TIME",
        help="stop after e.g. 30s, 30m, 2h (default: until Ctrl-C)",
    )
    subs["record"] = rec
    rep = argparse.ArgumentParser(
        prog="fgtop replay",
        parents=[ui],
        description="Open the dashboard on a recording, or on a flight recorder's directory "
        "as one timeline. With --follow, new frames appear as the recorder writes them; a "
        "follower makes no AWS or Kubernetes call and needs no credentials.",
    )
    rep.add_argument(
        "file", metavar="FILE|DIR", help="a recording made by fgtop record, or its directory"
    )
    rep.add_argument("--loop", action="store_true", help="start again at the end")
    rep.add_argument(
        "--follow",
        action="store_true",
        help="show new frames as the recorder writes them; seeking back pauses following, "
        "`]` (to the end) resumes it",
    )
    subs["replay"] = rep
    serve = argparse.ArgumentParser(
        prog="fgtop serve",
        parents=[live],
        formatter_class=fmt,
        description=f"""One flight recorder, any number of viewers.

Runs `fgtop record -o DIR` and serves `fgtop replay --follow DIR` to every browser that opens
the printed URL (textual-serve); terminals can follow the same DIR with
`fgtop replay --follow DIR`. Only the recorder calls AWS and Kubernetes.

It binds to 127.0.0.1. On any other address it requires a token (--token or FGTOP_SERVE_TOKEN,
else one generated and printed once at start), checked on every HTTP request and websocket
and never logged: the dashboard shows an account's internals. Serve plain HTTP only on a
network you trust, or put it behind a TLS proxy (--public-url).

It answers only requests for its own name or an IP address, opens a websocket only from its
own page (or --public-url), caps a browser's terminal at {MAX_COLUMNS}x{MAX_ROWS}, and runs at most
--max-viewers viewers, each under --viewer-memory, with no AWS credentials and no token in
its environment.""",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serve.add_argument(
        "--dir",
        metavar="DIR",
        help="the flight recorder's directory (default $XDG_STATE_HOME/fgtop/recordings, "
        "i.e. ~/.local/state/fgtop/recordings)",
    )
    serve.add_argument(
        "--token",
        help="the token viewers must give (default: FGTOP_SERVE_TOKEN; on a non-local host "
        "without one, a generated one)",
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers reach the server at (behind a proxy; default from --host)",
    )
    serve.add_argument(
        "--max-viewers",
        type=int,
        default=MAX_VIEWERS,
        metavar="N",
        help=f"browser sessions at once; one more is refused (default {MAX_VIEWERS})",
    )
    serve.add_argument(
        "--viewer-memory",
        type=int,
        default=VIEWER_MEMORY_MB,
        metavar="MIB",
        help=f"address-space limit of each browser session's viewer (default {VIEWER_MEMORY_MB})",
    )
    add_recorder_options(serve, default_retain="48h")
    subs["serve"] = serve
    logs = argparse.ArgumentParser(
        prog="fgtop logs",
        parents=[live],
        description="Print sanitised log lines of a task (id or ARN), a service name, or namespace/pod.",
    )
    logs.add_argument(
        "target", metavar="TARGET", help="task id or ARN, service name, or namespace/pod"
    )
    logs.add_argument("--container", metavar="NAME", help="only this container")
    logs.add_argument(
        "--since",
        default="15m",
        metavar="TIME",
        help="how far back, e.g. 90s, 15m, 2h (default 15m)",
    )
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.add_argument(
        "--previous", action="store_true", help="pods: the previous (crashed) container's logs"
    )
    subs["logs"] = logs
    ins = argparse.ArgumentParser(
        prog="fgtop insights",
        parents=[live],
        description="Run a CloudWatch Logs Insights query over the log groups of an ECS service "
        "(--service) and print the rows. Insights bills $0.005 per GB scanned. "
        "Exit 0 completed, 1 the query failed, 2 bad input.",
    )
    ins.add_argument("query", metavar="QUERY", help="the query, in the Logs Insights language")
    ins.add_argument(
        "--since", default="1h", metavar="TIME", help="how far back, e.g. 15m, 1h (default 1h)"
    )
    ins.add_argument(
        "--timeout",
        default="2m",
        metavar="TIME",
        help="stop the query if it has not finished by then (default 2m)",
    )
    ins.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default text)"
    )
    subs["insights"] = ins
    pricing = argparse.ArgumentParser(
        prog="fgtop pricing", parents=[live], description="Manage the price table."
    )
    pricing.add_argument(
        "action", choices=["update", "show"], help="update: refresh from the AWS Pricing API"
    )
    subs["pricing"] = pricing
    subs["diff"] = _diff_parser()
    return main, subs


def _diff_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fgtop diff",
        description=(
            "Show what differs between two ECS task definitions (family:revision or ARN), "
            "container by container. `fgtop diff FAMILY` compares its latest two ACTIVE "
            "revisions, `fgtop diff FAMILY:REV` that revision with the one before it; "
            "`fgtop diff SERVICE --deployment latest|ARN` what an ECS service deployment changed "
            "(its source and target revisions: task definitions and resolved image digests). "
            "Secret-looking environment values show only `changed`."
        ),
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
    p.add_argument(
        "--profile", help="AWS named profile (default: AWS_PROFILE or the default chain)"
    )
    p.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="REGION",
        help="region (default: AWS_REGION / the profile's region; an ARN's own region wins)",
    )
    p.add_argument(
        "--config", metavar="FILE", help="config file (default $XDG_CONFIG_HOME/fgtop/config.toml)"
    )
    return p


COMMANDS: dict[str, tuple[str, str]] = {
    "dashboard": ("fgtop.cli.dashboard", "run_dashboard"),
    "demo": ("fgtop.cli.replay", "run_demo"),
    "replay": ("fgtop.cli.replay", "run_replay"),
    "snapshot": ("fgtop.cli.snapshot", "run"),
    "record": ("fgtop.cli.record", "run"),
    "serve": ("fgtop.cli.serve", "run"),
    "logs": ("fgtop.cli.logs", "run"),
    "insights": ("fgtop.cli.insights", "run"),
    "pricing": ("fgtop.cli.pricing", "run"),
    "diff": ("fgtop.cli.diff_deployment", "run_diff"),
}
"""The dispatch table: subcommand -> (module, function). Modules load on use, so ``fgtop
--help`` and ``fgtop snapshot`` never import Textual, and ``fgtop demo`` never
imports the live composition (the sources, botocore, kubernetes_asyncio)."""


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, name = COMMANDS[command]
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fgtop`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    check_surroundings()
    parser, subs = build_parser()
    command, rest = split_command(parser, subs, argv)
    if command == "snapshot":
        rest = joined_at(rest)
    args = subs[command].parse_args(rest) if command else parser.parse_args(rest)
    try:
        return _handler(command or "dashboard")(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`fgtop snapshot | head`): not an error worth a traceback.
        sys.stdout = None
        return 0
    except OSError as exc:
        if not too_many_files(exc):
            raise
        return fail(os_reason(exc))


def joined_at(argv: list[str]) -> list[str]:
    """``--at -5m`` as ``--at=-5m``: a time before the end starts with a dash, which argparse
    would take for an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] == "--at" and i + 1 < len(argv) and argv[i + 1][:1] == "-":
            out.append(f"--at={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def split_command(
    parser: argparse.ArgumentParser, subs: dict[str, argparse.ArgumentParser], argv: list[str]
) -> tuple[str | None, list[str]]:
    """Find the subcommand even after options (``fgtop --profile p snapshot``)."""
    takes_value = {
        opt for action in parser._actions if action.nargs != 0 for opt in action.option_strings
    }
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            break
        if token.startswith("-"):
            if token in takes_value:
                i += 1
        elif token in subs:
            return token, argv[:i] + argv[i + 1 :]
        else:
            break
        i += 1
    return None, argv


if __name__ == "__main__":
    sys.exit(main())
