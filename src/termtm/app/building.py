"""Building the memory from the project's sources: the use case behind `termtm build` (and `termtm serve` on an
empty store).

The pipeline itself (clean, align, store, write the TMX, load the term base) is `termtm.build`; this module
ties it to a deployment's settings; the semantic index is brought up to date afterwards by
`app.transfer.update_search_index`, as after an import.
"""

from __future__ import annotations

from collections.abc import Callable

from termtm.app.documents import Encoders
from termtm.build import BuildResult, Paths
from termtm.build import build as run_pipeline
from termtm.config import Settings
from termtm.store import Store


def project_paths(settings: Settings) -> Paths:
    """Where the project's sources and outputs sit: under the settings' root."""
    return Paths(settings.root)


def build(
    settings: Settings,
    store: Store,
    encoders: Encoders,
    *,
    progress: Callable[[int, int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> BuildResult:
    """Clean, align and store the bulletin under the settings' root, write the TMX, load the term base.

    `progress(done, total)` follows the alignment paragraph by paragraph and `step(what)` names each stage
    as it begins, so that a caller can show what the build is doing; neither is needed.
    """
    return run_pipeline(
        project_paths(settings), store, encoders.embedder, progress=progress, runs=encoders.runs, step=step
    )
