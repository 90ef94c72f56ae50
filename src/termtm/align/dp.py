"""Monotone dynamic programming over a window of the alignment lattice.

Cell (i, j) means "the first i source and first j target sentences are
aligned". A window keeps, for every row i, only the cells lo[i] .. hi[i], so
time and memory grow with the document's length times the window's width,
not with the product of both lengths. Rows are ragged numpy arrays, and each
bead type is relaxed for a whole row at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from termtm.errors import AlignmentError


@dataclass(frozen=True, slots=True)
class Bead:
    """Indices of the source and target sentences aligned together."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]


def format_beads(beads: Sequence[Bead]) -> str:
    """Beads in the gold format of the MAC set: '[0,1]:[0]' per line."""
    return "".join(f"[{','.join(map(str, b.src))}]:[{','.join(map(str, b.tgt))}]\n" for b in beads)


@dataclass(frozen=True, slots=True)
class Window:
    """For each row i (0..n), the inclusive range of target positions lo[i]..hi[i] searched."""

    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def band(cls, n: int, m: int, width: int) -> Window:
        """Cells within `width` of the diagonal scaled to both lengths."""
        centre = np.arange(n + 1) * (m / max(n, 1))
        return cls.clamped(np.floor(centre - width), np.ceil(centre + width), m)

    @classmethod
    def around(cls, path: Sequence[tuple[int, int]], n: int, m: int, margin: int) -> Window:
        """Cells within `margin` rows and columns of a path of (i, j) cells."""
        lo = np.full(n + 1, m, dtype=np.int64)
        hi = np.zeros(n + 1, dtype=np.int64)
        for i, j in path:
            lo[i], hi[i] = min(lo[i], j), max(hi[i], j)
        lo = _sliding(lo, margin, np.minimum) - margin
        hi = _sliding(hi, margin, np.maximum) + margin
        return cls.clamped(lo, hi, m)

    @classmethod
    def clamped(cls, lo: np.ndarray, hi: np.ndarray, m: int) -> Window:
        """A window that is monotone and contains (0, 0) and (n, m), so that a path always exists."""
        lo = np.clip(lo, 0, m).astype(np.int64)
        hi = np.clip(hi, 0, m).astype(np.int64)
        lo[0], hi[-1] = 0, m
        lo = np.minimum.accumulate(lo[::-1])[::-1]  # lo never decreases along the rows
        hi = np.maximum.accumulate(hi)
        return cls(lo, np.maximum(hi, lo))

    def cells(self) -> int:
        """Number of cells searched."""
        return int((self.hi - self.lo + 1).sum())


def _sliding(values: np.ndarray, radius: int, op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """op (min or max) of each value with its neighbours up to `radius` rows away."""
    out = values.copy()
    for shift in range(1, radius + 1):
        out[shift:] = op(out[shift:], values[:-shift])
        out[:-shift] = op(out[:-shift], values[shift:])
    return out


RowCosts = Callable[[int, int, int, int, int], np.ndarray]
"""row_costs(i, a, b, j0, j1): costs of the beads of a source and b target sentences starting at
(i, j) for j in j0..j1-1."""

_DOWN, _RIGHT = -2, -3
"""Back-pointer codes for a run of 1-0 beads (source sentences left out) and of 0-1 beads."""


@dataclass(frozen=True, slots=True)
class Gap:
    """Cost of leaving k consecutive sentences of one side unaligned: open + k * extend.

    An affine cost (as in Gotoh's alignment) makes a single stray sentence
    expensive but a whole missing paragraph affordable, so that a gap comes
    out as one-sided beads instead of being smeared into merged beads.
    """

    open: float
    extend: float

    def cost(self, k: int) -> float:
        """Cost of a gap of k sentences."""
        return self.open + self.extend * k


def best_path(
    n: int, m: int, window: Window, types: Sequence[tuple[int, int]], row_costs: RowCosts, gap: Gap
) -> list[Bead]:
    """The cheapest sequence of beads from (0, 0) to (n, m) inside the window.

    Beads of `types` (both sides non-empty) cost what row_costs says; runs of
    one-sided beads cost `gap`. Raises AlignmentError if the window admits no path.
    """
    lo, hi = window.lo, window.hi
    best = [np.full(hi[i] - lo[i] + 1, np.inf) for i in range(n + 1)]
    back = [np.full(hi[i] - lo[i] + 1, -1, dtype=np.int8) for i in range(n + 1)]
    run = [np.zeros(hi[i] - lo[i] + 1, dtype=np.int64) for i in range(n + 1)]
    # down[j]: min over earlier rows r of best[r][j] - extend * r, and that r: where a source gap to column j opens.
    down = np.full(m + 1, np.inf)
    down_row = np.zeros(m + 1, dtype=np.int64)
    best[0][0] = 0.0
    for i in range(n + 1):
        row, cols = best[i], slice(lo[i], hi[i] + 1)
        _relax(row, back[i], run[i], down[cols] + gap.open + gap.extend * i, _DOWN, i - down_row[cols])
        _relax_right(row, back[i], run[i], gap)
        shifted = row - gap.extend * i
        better = shifted < down[cols]
        down[cols] = np.where(better, shifted, down[cols])
        down_row[cols] = np.where(better, i, down_row[cols])
        if i == n:
            break
        for t, (a, b) in enumerate(types):
            r = i + a
            if r > n:
                continue
            # Bead from (i, j) ends at (r, j + b): keep the js whose end lies inside row r.
            j0 = max(lo[i], lo[r] - b)
            j1 = min(hi[i], hi[r] - b, m - b) + 1
            if j1 <= j0 or not np.isfinite(row[j0 - lo[i] : j1 - lo[i]]).any():
                continue
            cand = row[j0 - lo[i] : j1 - lo[i]] + row_costs(i, a, b, j0, j1)
            target = slice(j0 + b - lo[r], j1 + b - lo[r])
            _relax(best[r][target], back[r][target], run[r][target], cand, t, 0)
    if not np.isfinite(best[n][m - lo[n]]):
        raise AlignmentError("no alignment path inside the search window; this is a bug, please report it")
    return _trace(n, m, lo, back, run, types)


def _relax(
    values: np.ndarray, back: np.ndarray, run: np.ndarray, cand: np.ndarray, code: int, length: np.ndarray | int
) -> None:
    """Lower values to cand where cand is cheaper, recording how each cell was reached (in place)."""
    better = cand < values
    values[better] = cand[better]
    back[better] = code
    run[better] = length[better] if isinstance(length, np.ndarray) else length


def _relax_right(row: np.ndarray, back: np.ndarray, run: np.ndarray, gap: Gap) -> None:
    """Target gaps inside one row: cell w may be reached from any cell k < w of the row, in one pass."""
    if len(row) < 2:
        return
    idx = np.arange(len(row))
    shifted = row - gap.extend * idx
    prefix = np.minimum.accumulate(shifted)
    # The latest k where the running minimum was attained, for the back pointer.
    origin = np.maximum.accumulate(np.where(shifted <= prefix, idx, 0))
    cand = np.full(len(row), np.inf)
    cand[1:] = prefix[:-1] + gap.open + gap.extend * idx[1:]
    _relax(row, back, run, cand, _RIGHT, np.concatenate([[0], idx[1:] - origin[:-1]]))


def _trace(
    n: int, m: int, lo: np.ndarray, back: list[np.ndarray], run: list[np.ndarray], types: Sequence[tuple[int, int]]
) -> list[Bead]:
    """Follow the back pointers from (n, m) to (0, 0); a gap becomes one one-sided bead per sentence."""
    beads: list[Bead] = []
    i, j = n, m
    while (i, j) != (0, 0):
        code, k = int(back[i][j - lo[i]]), int(run[i][j - lo[i]])
        if code == _DOWN:
            beads.extend(Bead((s,), ()) for s in range(i - 1, i - k - 1, -1))
            i -= k
        elif code == _RIGHT:
            beads.extend(Bead((), (t,)) for t in range(j - 1, j - k - 1, -1))
            j -= k
        else:
            a, b = types[code]
            beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
            i, j = i - a, j - b
    beads.reverse()
    return beads
