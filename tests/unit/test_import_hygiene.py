"""The data layers never import Textual (DESIGN.md): model, sources, engine, recording, cost.

Every module of those packages (and the other pure modules outside fgtop/ui) is imported in a
fresh interpreter; not one Textual module may be loaded.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import fgtop

PACKAGES = [
    "fgtop.model",
    "fgtop.sources",
    "fgtop.recording",
    "fgtop.cost",
    "fgtop.engine",
    "fgtop.derive",
    "fgtop.text",
    "fgtop.printer",
]
PURE = [
    "fgtop.config",
    "fgtop.errors",
    "fgtop.paths",
    "fgtop.ui.commands",
    "fgtop.cli.logs",
    "fgtop.cli.pricing",
    "fgtop.cli.snapshot",
    "fgtop.cli.record",
]


def data_modules() -> list[str]:
    """Every module of the data packages, found on disk (a new module is covered at once)."""
    root = Path(fgtop.__file__).parent
    names = list(PURE)
    for package in PACKAGES:
        path = root / package.split(".", 1)[1]
        names.append(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
    return names


def test_data_layers_never_import_textual() -> None:
    modules = data_modules()
    assert "fgtop.sources.ecs" in modules and "fgtop.recording.reader" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_check_can_fail() -> None:
    """The same probe does see Textual when a UI module is imported."""
    code = "import sys, fgtop.ui.app\nprint(any(m.startswith('textual') for m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True"
