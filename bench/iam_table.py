"""Print the README's IAM permissions table, or rewrite it in README.md (``--write``).

The table comes from :data:`fgtop.sources.allowlist.PERMISSIONS`, the read-only guard's
allow-list, so the documented permissions are the ones fgtop can call. It sits in README.md
between ``<!-- iam-table -->`` and ``<!-- /iam-table -->``; tests/unit/test_allowlist.py
fails when it differs. ``--policy`` prints a minimal IAM policy document instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fgtop.sources.allowlist import iam_policy, iam_table  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- iam-table -->\n)(.*?)(<!-- /iam-table -->)", re.S)


def readme_table(text: str) -> str | None:
    """The table between the markers of ``text``, or None without markers."""
    m = BLOCK.search(text)
    return m.group(2).rstrip("\n") if m else None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    parser.add_argument("--policy", action="store_true", help="print an IAM policy document")
    args = parser.parse_args(argv)
    if args.policy:
        print(json.dumps(iam_policy(), indent=2))
        return 0
    if not args.write:
        print(iam_table())
        return 0
    text = README.read_text(encoding="utf-8")
    if readme_table(text) is None:
        print("README.md has no <!-- iam-table --> markers", file=sys.stderr)
        return 1
    README.write_text(
        BLOCK.sub(lambda m: m.group(1) + iam_table() + "\n" + m.group(3), text), "utf-8"
    )
    print(f"rewrote the IAM table in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
