"""``python -m remote_store_harness.cli``: the same as the ``remote-store-harness`` script."""

import sys

from . import main

sys.exit(main())
