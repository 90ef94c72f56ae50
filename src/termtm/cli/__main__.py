"""`python -m termtm.cli …`: what `termtm serve --workers` and the crash tests run."""

import sys

from termtm.cli import main

sys.exit(main())
