"""Print the README's IAM permissions table, or rewrite it in README.md (``--write``).

The table comes from :data:`fgtop.sources.allowlist.PERMISSIONS`, the read-only guard's
allow-list, so the documented permissions are the ones fgtop can call. It sits in README.md
between ``<!-- iam-table -->`` and ``<!-- /iam-table -->``, and the policies of a watched
member account and of the account that runs ``--org-role`` between ``<!-- iam-member -->``
and ``<!-- iam-discovering -->`` markers; tests/unit/test_allowlist.py fails when they
differ. ``--policy`` prints a minimal IAM policy document instead (``--policy member``,
``--policy discovering``: those two).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fgtop.sources.allowlist import (  # noqa: E402
    discovering_policy,
    iam_policy,
    iam_table,
    member_policy,
)

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- iam-table -->\n)(.*?)(<!-- /iam-table -->)", re.S)


POLICIES = {
    "iam-member": member_policy,
    "iam-discovering": discovering_policy,
}
"""README marker -> the policy document written between its markers."""


def _block(marker: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {marker} -->\n)(.*?)(<!-- /{marker} -->)", re.S)


def readme_table(text: str) -> str | None:
    """The table between the markers of ``text``, or None without markers."""
    m = BLOCK.search(text)
    return m.group(2).rstrip("\n") if m else None


def policy_block(name: str) -> str:
    """The README's fenced JSON of the policy ``name`` (a key of :data:`POLICIES`)."""
    return "```json\n" + json.dumps(POLICIES[name](), indent=2) + "\n```"


def readme_policy(text: str, name: str) -> str | None:
    """The policy block between the ``name`` markers of ``text``, or None without them."""
    m = _block(name).search(text)
    return m.group(2).rstrip("\n") if m else None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    parser.add_argument(
        "--policy",
        nargs="?",
        const="all",
        choices=["all", "member", "discovering"],
        help="print an IAM policy document (every permission, a watched member account's, "
        "or the --org-role account's)",
    )
    args = parser.parse_args(argv)
    if args.policy:
        policy = {"all": iam_policy, "member": member_policy, "discovering": discovering_policy}
        print(json.dumps(policy[args.policy](), indent=2))
        return 0
    if not args.write:
        print(iam_table())
        return 0
    text = README.read_text(encoding="utf-8")
    if readme_table(text) is None:
        print("README.md has no <!-- iam-table --> markers", file=sys.stderr)
        return 1
    text = BLOCK.sub(lambda m: m.group(1) + iam_table() + "\n" + m.group(3), text)
    for name in POLICIES:
        text = _block(name).sub(
            lambda m, name=name: m.group(1) + policy_block(name) + "\n" + m.group(3), text
        )
    README.write_text(text, "utf-8")
    print(f"rewrote the IAM table in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
