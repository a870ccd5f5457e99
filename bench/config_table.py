"""Print the README's config table, or rewrite it in README.md (``--write``).

The table comes from :class:`fgtop.config.Config`, where each key is declared once with its
type, default, check and documentation. It sits in README.md between ``<!-- config-table -->``
and ``<!-- /config-table -->``; tests/unit/test_config.py fails when it differs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fgtop.config import config_keys_markdown  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- config-table -->\n)(.*?)(<!-- /config-table -->)", re.S)


def readme_table(text: str) -> str | None:
    """The table between the markers of ``text``, or None without markers."""
    m = BLOCK.search(text)
    return m.group(2).rstrip("\n") if m else None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args(argv)
    if not args.write:
        print(config_keys_markdown())
        return 0
    text = README.read_text(encoding="utf-8")
    if readme_table(text) is None:
        print("README.md has no <!-- config-table --> markers", file=sys.stderr)
        return 1
    README.write_text(
        BLOCK.sub(lambda m: m.group(1) + config_keys_markdown() + "\n" + m.group(3), text),
        "utf-8",
    )
    print(f"rewrote the config table in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
