"""What a reviewer does to an alignment: merge, split, move a sentence across a boundary, unpair a sentence.

Pure functions over a list of beads in document order. Each returns the new list, in which every sentence
of both sides is still in exactly one bead and in order, or raises ReviewError saying why the operation
does not apply (nothing is changed then).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from termtm.align.dp import Bead
from termtm.errors import TermTMError

BeadSide = Literal["src", "tgt"]


class ReviewError(TermTMError):
    """An operation that does not apply to this bead or sentence."""


def _at(beads: Sequence[Bead], k: int) -> Bead:
    if not 0 <= k < len(beads):
        raise ReviewError(f"there is no bead {k + 1}: the alignment has {len(beads)}")
    return beads[k]


def merge(beads: Sequence[Bead], k: int) -> list[Bead]:
    """Merge bead k with the next one."""
    a = _at(beads, k)
    if k + 1 >= len(beads):
        raise ReviewError(f"bead {k + 1} is the last: there is no next bead to merge it with")
    b = beads[k + 1]
    return [*beads[:k], Bead(a.src + b.src, a.tgt + b.tgt), *beads[k + 2 :]]


def split(beads: Sequence[Bead], k: int, src_at: int, tgt_at: int) -> list[Bead]:
    """Split bead k in two: its first `src_at` source and first `tgt_at` target sentences, and the rest."""
    b = _at(beads, k)
    if not (0 <= src_at <= len(b.src) and 0 <= tgt_at <= len(b.tgt)):
        raise ReviewError(f"bead {k + 1} has {len(b.src)} source and {len(b.tgt)} target sentences: split inside it")
    first, second = Bead(b.src[:src_at], b.tgt[:tgt_at]), Bead(b.src[src_at:], b.tgt[tgt_at:])
    if not (first.src or first.tgt) or not (second.src or second.tgt):
        raise ReviewError(f"splitting bead {k + 1} there leaves an empty part: choose a point inside the bead")
    return [*beads[:k], first, second, *beads[k + 1 :]]


def move(beads: Sequence[Bead], k: int, side: BeadSide, direction: Literal["down", "up"]) -> list[Bead]:
    """Move one sentence across the boundary after bead k: `down` sends bead k's last sentence of `side` to
    the start of bead k+1, `up` brings bead k+1's first one to the end of bead k. A bead left empty goes."""
    a = _at(beads, k)
    if k + 1 >= len(beads):
        raise ReviewError(f"bead {k + 1} is the last: there is no boundary after it")
    b = beads[k + 1]
    a_ids, b_ids = _ids(a, side), _ids(b, side)
    if direction == "down":
        if not a_ids:
            raise ReviewError(f"bead {k + 1} has no {_name(side)} sentence to move")
        a_ids, b_ids = a_ids[:-1], (a_ids[-1], *b_ids)
    else:
        if not b_ids:
            raise ReviewError(f"bead {k + 2} has no {_name(side)} sentence to move")
        a_ids, b_ids = (*a_ids, b_ids[0]), b_ids[1:]
    new = [_with(a, side, a_ids), _with(b, side, b_ids)]
    return [*beads[:k], *[x for x in new if x.src or x.tgt], *beads[k + 2 :]]


def unpair(beads: Sequence[Bead], side: BeadSide, index: int) -> list[Bead]:
    """Mark a sentence as having no counterpart: it leaves its bead for a one-sided bead of its own.

    Only the first or last sentence of a side of a bead can leave it (the others would break the order):
    split the bead first for one in the middle.
    """
    for k, b in enumerate(beads):
        ids = _ids(b, side)
        if index not in ids:
            continue
        if len(b.src) + len(b.tgt) == 1:
            raise ReviewError(f"{_name(side)} sentence {index + 1} has no counterpart already")
        alone = Bead((index,), ()) if side == "src" else Bead((), (index,))
        rest = _with(b, side, tuple(i for i in ids if i != index))
        if ids[0] == index:
            new = [alone, rest]
        elif ids[-1] == index:
            new = [rest, alone]
        else:
            raise ReviewError(
                f"{_name(side)} sentence {index + 1} is in the middle of bead {k + 1}: split the bead first"
            )
        return [*beads[:k], *[x for x in new if x.src or x.tgt], *beads[k + 1 :]]
    raise ReviewError(f"there is no {_name(side)} sentence {index + 1}")


def _ids(b: Bead, side: BeadSide) -> tuple[int, ...]:
    return b.src if side == "src" else b.tgt


def _with(b: Bead, side: BeadSide, ids: tuple[int, ...]) -> Bead:
    return Bead(ids, b.tgt) if side == "src" else Bead(b.src, ids)


def _name(side: BeadSide) -> str:
    return "source" if side == "src" else "target"
