"""fgtop.cost is a data layer: importing all of it must not import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_cost_never_imports_textual() -> None:
    code = (
        "import sys\n"
        "import fgtop.cost.estimate, fgtop.cost.prices, fgtop.cost.pricing_api\n"
        "import fgtop.cost.rightsizing, fgtop.cost.sizes\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
