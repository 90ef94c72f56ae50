"""Monotone dynamic programming over a window of the alignment lattice.

Cell (i, j) means "the first i source and first j target sentences are
aligned". A window keeps, for every row i, only the cells lo[i] .. hi[i], so
time and memory grow with the document's length times the window's width,
not with the product of both lengths. Rows are ragged numpy arrays, and each
bead type is relaxed for a whole row at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from termtm.errors import AlignmentError


@dataclass(frozen=True, slots=True)
class Bead:
    """Indices of the source and target sentences aligned together.

    `confidence` is the probability that the bead is right, where the aligner computed one (see
    bead_marginals); it takes no part in equality, so a bead still equals the gold bead it matches.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float | None = field(default=None, compare=False)

    def joined(self, other: Bead) -> Bead:
        """This bead and the next as one; no surer than the less sure of the two."""
        sure = [c for c in (self.confidence, other.confidence) if c is not None]
        return Bead(self.src + other.src, self.tgt + other.tgt, min(sure) if sure else None)

    def shifted(self, i0: int, j0: int) -> Bead:
        """The same bead with its sentence numbers moved by i0 and j0 (a paragraph inside a text)."""
        return Bead(tuple(i0 + i for i in self.src), tuple(j0 + j for j in self.tgt), self.confidence)


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


class CostCache:
    """row_costs that remembers what it computed, so that a second pass (bead_marginals) reuses the costs."""

    def __init__(self, row_costs: RowCosts) -> None:
        self._row_costs = row_costs
        self._seen: dict[tuple[int, int, int, int, int], np.ndarray] = {}

    def __call__(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        key = (i, a, b, j0, j1)
        if key not in self._seen:
            self._seen[key] = self._row_costs(i, a, b, j0, j1)
        return self._seen[key]


def _log_prefix(values: np.ndarray) -> np.ndarray:
    """out[w] = log of the sum of exp(values[k]) over k < w (-inf at w = 0)."""
    out = np.full(len(values), -np.inf)
    if len(values) > 1:
        out[1:] = np.logaddexp.accumulate(values[:-1])
    return out


def bead_marginals(
    n: int,
    m: int,
    window: Window,
    types: Sequence[tuple[int, int]],
    row_costs: RowCosts,
    gap: Gap,
    beads: Sequence[Bead],
    temperature: float = 1.0,
) -> list[float]:
    """The posterior probability of each bead of a path, under the same lattice that best_path searches.

    Costs become weights exp(-cost / temperature) and the forward-backward algorithm sums over every
    path in the window: a bead's marginal is the share of that sum that passes through it. Where the
    best path is nearly the only good one its beads get values near 1; where another way of cutting
    scores almost as well, both share the mass, which is exactly where a reviewer should look. A run
    of one-sided beads gets its run's marginal. Costs come from row_costs (pass the CostCache that
    best_path used, so nothing is scored twice).
    """
    lo, hi, t = window.lo, window.hi, temperature
    opened, ext = gap.open / t, gap.extend / t
    width = [int(hi[i] - lo[i] + 1) for i in range(n + 1)]
    a_in = [np.full(w, -np.inf) for w in width]
    a_full = [np.full(w, -np.inf) for w in width]
    a_in[0][0] = 0.0
    down = np.full(m + 1, -np.inf)  # log sum over earlier rows r of a_full[r][j] + ext * r
    edges: list[list[tuple[int, int, int, int, np.ndarray]]] = [[] for _ in range(n + 1)]
    for i in range(n + 1):
        cols = slice(lo[i], hi[i] + 1)
        idx = np.arange(width[i])
        a_in[i] = np.logaddexp(a_in[i], down[cols] - opened - ext * i)
        a_full[i] = np.logaddexp(a_in[i], _log_prefix(a_in[i] + ext * idx) - opened - ext * idx)
        down[cols] = np.logaddexp(down[cols], a_full[i] + ext * i)
        if i == n:
            break
        for a, b in types:
            r = i + a
            if r > n:
                continue
            j0, j1 = max(lo[i], lo[r] - b), min(hi[i], hi[r] - b, m - b) + 1
            if j1 <= j0:
                continue
            weight = -row_costs(i, a, b, j0, j1) / t
            edges[i].append((a, b, j0, j1, weight))
            target = slice(j0 + b - lo[r], j1 + b - lo[r])
            a_in[r][target] = np.logaddexp(a_in[r][target], a_full[i][j0 - lo[i] : j1 - lo[i]] + weight)
    total = a_full[n][m - lo[n]]
    b_in = [np.full(w, -np.inf) for w in width]
    b_full = [np.full(w, -np.inf) for w in width]
    up = np.full(m + 1, -np.inf)  # log sum over later rows r of b_in[r][j] - ext * r
    for i in range(n, -1, -1):
        cols = slice(lo[i], hi[i] + 1)
        idx = np.arange(width[i])
        out = up[cols] - opened + ext * i
        for a, b, j0, j1, weight in edges[i]:
            r = i + a
            src = slice(j0 - lo[i], j1 - lo[i])
            out[src] = np.logaddexp(out[src], weight + b_in[r][j0 + b - lo[r] : j1 + b - lo[r]])
        if i == n:
            out[m - lo[n]] = np.logaddexp(out[m - lo[n]], 0.0)
        b_full[i] = out
        rev = (out - ext * idx)[::-1]
        b_in[i] = np.logaddexp(out, _log_prefix(rev)[::-1] - opened + ext * idx)
        up[cols] = np.logaddexp(up[cols], b_in[i] - ext * i)
    weights = {(a, b): {} for a, b in types}  # type: dict[tuple[int, int], dict[int, tuple[int, np.ndarray]]]
    for i in range(n):
        for a, b, j0, _j1, weight in edges[i]:
            weights[(a, b)][i] = (j0, weight)
    out_probs: list[float] = []
    i = j = 0
    k = 0
    while k < len(beads):
        bead = beads[k]
        a, b = len(bead.src), len(bead.tgt)
        if a and b:
            j0, weight = weights[(a, b)][i]
            logp = a_full[i][j - lo[i]] + weight[j - j0] + b_in[i + a][j + b - lo[i + a]] - total
            out_probs.append(float(np.exp(min(logp, 0.0))))
            i, j, k = i + a, j + b, k + 1
            continue
        run = 1
        while k + run < len(beads) and (len(beads[k + run].src), len(beads[k + run].tgt)) == (a, b):
            run += 1
        cost = opened + ext * run
        if a:  # a run of source sentences left out: from (i, j) down to (i + run, j)
            logp = a_full[i][j - lo[i]] - cost + b_in[i + run][j - lo[i + run]] - total
            i += run
        else:  # target sentences left out: from (i, j) right to (i, j + run)
            logp = a_in[i][j - lo[i]] - cost + b_full[i][j + run - lo[i]] - total
            j += run
        out_probs.extend([float(np.exp(min(logp, 0.0)))] * run)
        k += run
    return out_probs
