"""Align two editions of a document: articles and paragraphs are hard anchors.

Articles pair by id and paragraphs by position (the English edition is written
paragraph for paragraph); sentences are aligned inside each paragraph pair, so
an error can never spill across a paragraph boundary. Titles, headings and
bylines are one segment each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from termtm.align import cues
from termtm.align.dp import Bead
from termtm.align.sentences import EMBED_KIND, align_sentences
from termtm.corpus.segment import split_en, split_zh
from termtm.embed import Embedder
from termtm.errors import AlignmentError
from termtm.model import Document, ParaKind, Provenance, Segment, Status


def align_documents(
    zh: Document,
    en: Document,
    *,
    embedder: Embedder | None = None,
    runs: Embedder | None = None,
    printed: Callable[[str, ParaKind], bool] = lambda article, kind: False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Segment]:
    """Pair the editions sentence by sentence; every Chinese sentence lands in one segment.

    `runs` is the run encoder (see sentences.span_vectors). `progress(done, total)`
    is called after each paragraph, for a progress bar.
    """
    _check_shape(zh, en)
    total = sum(len(a.paragraphs) for a in zh.articles)
    zh_all = [p.text for a in zh.articles for p in a.paragraphs]
    en_all = [p.text for a in en.articles for p in a.paragraphs]
    ratio = cues.length_ratio(zh_all, en_all)
    if embedder is not None:  # one batch for the whole document; a memoising embedder then answers each paragraph
        embedder.encode(
            [s for t in zh_all for s in split_zh(t)] + [s for t in en_all for s in split_en(t)], kind=EMBED_KIND
        )
    segments: list[Segment] = []
    for za, ea in zip(zh.articles, en.articles, strict=True):
        for pno, (zp, ep) in enumerate(zip(za.paragraphs, ea.paragraphs, strict=True)):
            provenance = Provenance.PRINTED if printed(za.id, zp.kind) else Provenance.TRANSLATED
            status = Status.APPROVED if provenance is Provenance.PRINTED else Status.DRAFT
            if zp.kind is ParaKind.BODY:
                zs, es = split_zh(zp.text), split_en(ep.text)
                beads = _attach_orphans(align_sentences(zs, es, embedder=embedder, ratio=ratio, runs=runs))
            else:
                zs, es, beads = [zp.text], [ep.text], [Bead((0,), (0,))]
            for sno, bead in enumerate(beads):
                segments.append(
                    Segment(
                        tuid=f"{zh.id}:{za.id}:p{pno:03d}:s{sno:02d}",
                        zh="".join(zs[i] for i in bead.src),
                        en=" ".join(es[j] for j in bead.tgt),
                        document=zh.id,
                        article=za.id,
                        paragraph=pno,
                        sentence=sno,
                        kind=zp.kind,
                        provenance=provenance,
                        status=status,
                    )
                )
            if progress:
                progress(1, total)
    return segments


def _attach_orphans(beads: Sequence[Bead]) -> list[Bead]:
    """Fold 1-0 and 0-1 beads into a neighbour, so that no memory unit has an empty side."""
    out: list[Bead] = []
    pending: Bead | None = None
    for bead in beads:
        if pending is not None:
            bead = pending.joined(bead)
            pending = None
        if bead.src and bead.tgt:
            out.append(bead)
        elif out:
            out[-1] = out[-1].joined(bead)
        else:
            pending = bead
    if pending is not None:
        out.append(pending)
    return out


def _check_shape(zh: Document, en: Document) -> None:
    """Refuse editions whose articles or paragraph counts differ, naming the first difference."""
    zids = [a.id for a in zh.articles]
    eids = [a.id for a in en.articles]
    if zids != eids:
        raise AlignmentError(f"the editions have different articles: zh {zids} vs en {eids}")
    for za, ea in zip(zh.articles, en.articles, strict=True):
        if len(za.paragraphs) != len(ea.paragraphs):
            raise AlignmentError(
                f"article {za.id}: {len(za.paragraphs)} Chinese paragraphs but {len(ea.paragraphs)} English ones"
            )
        for n, (zp, ep) in enumerate(zip(za.paragraphs, ea.paragraphs, strict=True)):
            if zp.kind is not ep.kind:
                raise AlignmentError(f"article {za.id} paragraph {n}: {zp.kind} in Chinese but {ep.kind} in English")
