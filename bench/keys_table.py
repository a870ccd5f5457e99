"""Print the README's Keys and ``:`` commands tables, or rewrite them in README.md (``--write``).

Both come from the declarations the app runs on: the bindings (their help text is the
binding's ``tooltip``), the kinds' columns (the sort letters) and the command declarations
(:func:`fgtop.ui.commands.commands`), through :mod:`fgtop.ui.keys`, as the help screen does.
They sit in README.md between ``<!-- keys-table -->`` / ``<!-- /keys-table -->`` and
``<!-- commands-table -->`` / ``<!-- /commands-table -->``; tests/ui/test_keys_table.py fails
when either differs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fgtop.ui.app import FgtopApp  # noqa: E402
from fgtop.ui.keys import commands_markdown, keys_markdown  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"


def block(name: str) -> re.Pattern[str]:
    """The README block between ``<!-- name -->`` and ``<!-- /name -->``."""
    return re.compile(rf"(<!-- {name} -->\n)(.*?)(<!-- /{name} -->)", re.S)


def tables() -> dict[str, str]:
    """Each generated table by its marker name."""
    return {
        "keys-table": keys_markdown(FgtopApp.BINDINGS),
        "commands-table": commands_markdown(),
    }


def readme_table(text: str, name: str) -> str | None:
    """The table between the markers of ``text``, or None without markers."""
    m = block(name).search(text)
    return m.group(2).rstrip("\n") if m else None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the tables in README.md")
    args = parser.parse_args(argv)
    made = tables()
    if not args.write:
        print("\n\n".join(made.values()))
        return 0
    text = README.read_text(encoding="utf-8")
    for name, table in made.items():
        if readme_table(text, name) is None:
            print(f"README.md has no <!-- {name} --> markers", file=sys.stderr)
            return 1
        text = block(name).sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(3), text)
    README.write_text(text, "utf-8")
    print(f"rewrote the keys and commands tables in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
