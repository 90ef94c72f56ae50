"""Fault injection for the crash tests: die with SIGKILL at a named point when TERMTM_KILL_AT names it.

A `kill -9` at a random moment rarely lands inside the few milliseconds that matter (between writing an
index's files and switching to them, inside an import's transaction); a checkpoint makes the tests hit
those moments every time. Outside the tests the variable is unset and a checkpoint costs one dict lookup.
"""

from __future__ import annotations

import os
import signal


def checkpoint(name: str) -> None:
    """SIGKILL this process if TERMTM_KILL_AT is `name`: no cleanup, no flush, like a power cut."""
    if os.environ.get("TERMTM_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
