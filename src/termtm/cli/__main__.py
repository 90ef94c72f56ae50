"""`python -m termtm.cli …`, as `termtm …` (serve --workers builds an empty store this way)."""

import sys

from termtm.cli import main

sys.exit(main())
