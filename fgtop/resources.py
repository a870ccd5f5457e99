"""Files shipped with fgtop: themes and the demo recording.

In a wheel they live in the ``fgtop.themes`` and ``fgtop.fixtures`` packages; in a source
checkout (editable install, tests) they are the top-level ``themes/`` and ``fixtures/``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def resource_dir(name: str) -> Path:
    """The folder of shipped ``themes`` or ``fixtures``."""
    checkout = Path(__file__).resolve().parent.parent / name
    if (checkout / "__init__.py").is_file():
        return checkout
    spec = importlib.util.find_spec(f"fgtop.{name}")
    if spec is not None and spec.origin:
        return Path(spec.origin).parent
    return checkout


def demo_recording() -> Path:
    """The bundled demo recording."""
    return resource_dir("fixtures") / "demo.fgrec"
