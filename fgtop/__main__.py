"""``python -m fgtop``."""

import sys

from fgtop.cli import main

sys.exit(main())
