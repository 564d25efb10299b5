"""``python -m bankgame`` is the ``bankgame`` command."""

import sys

from .cli import main

sys.exit(main())
