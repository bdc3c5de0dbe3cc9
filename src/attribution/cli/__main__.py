"""``python -m attribution.cli``: the ``attribution`` command."""

import sys

from attribution.cli import main

sys.exit(main())
