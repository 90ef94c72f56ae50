"""TBX in and out: TBX v3 (TBX-Basic dialect, DCA style) and TBX v2 (martif) written and read.

Writing follows ISO 30042:2019 core structure — conceptEntry / langSec /
termSec, or v2's termEntry / langSet / tig — with the TBX-Basic data
categories a CAT tool or terminology manager expects. Reading is tolerant of real exports (MultiTerm, Microsoft's
terminology collection, OmegaT's samples): ids that start with digits,
ntig/termGrp nesting, data categories in any case, languages other than zh/en
skipped rather than refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lxml import etree
from lxml.builder import ElementMaker

from termtm.corpus.script import has_han
from termtm.errors import ParseError
from termtm.formats.inputs import MAX_SEGMENT_CHARS, MAX_TERM_CHARS, Problems, quoted
from termtm.formats.tmx import iso_date
from termtm.formats.xmlsafe import parse_xml
from termtm.safetext import without_controls as _x
from termtm.terms.model import PARTS_OF_SPEECH, TERM_TYPES, Concept, Term, TermBase, TermStatus
from termtm.terms.pinyin import to_pinyin

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANG_CODES = {"zh": "zh-CN", "en": "en"}
_STATUS_OUT = {s: f"{s.value}Term-admn-sts" for s in TermStatus}


@dataclass(frozen=True, slots=True)
class Context:
    """A context sentence for a term, and the tuid it comes from."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Dialect:
    """The element names of one TBX version: v3's conceptEntry/langSec/termSec, or v2's termEntry/langSet/tig."""

    root: str
    namespace: str | None
    entry: str
    lang_section: str
    term_section: str


V3 = Dialect("tbx", TBX_NS, "conceptEntry", "langSec", "termSec")
V2 = Dialect("martif", None, "termEntry", "langSet", "tig")


def write_tbx(
    termbase: TermBase,
    contexts: Mapping[tuple[str, str, str], Sequence[Context]],
    date: str,
    title: str = "termtm term base",
    dialect: Dialect = V3,
) -> bytes:
    """The term base as a TBX-Basic document (UTF-8 bytes), v3 (DCA style) or, with `dialect=V2`, v2 (martif)
    for the tools that read only the older one; `date` is YYYY-MM-DD."""
    E = ElementMaker(namespace=dialect.namespace, nsmap={None: dialect.namespace} if dialect.namespace else None)
    attrs = (
        {"type": "TBX-Basic", "style": "dca", XML_LANG: "en"}
        if dialect is V3
        else {"type": "TBX-Basic", XML_LANG: "en"}
    )
    root = getattr(E, dialect.root)(attrs)
    file_desc = E.fileDesc(
        E.titleStmt(E.title(title)),
        E.sourceDesc(E.p("Written by termtm from its reviewed term base (glossary/*.yaml).")),
    )
    header = E.tbxHeader(file_desc) if dialect is V3 else E.martifHeader(file_desc)
    body = E.body()
    root.extend([header, E.text(body)])
    for concept in termbase:
        body.append(_concept(E, dialect, _xml_safe(concept), contexts, date))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xml_safe(c: Concept) -> Concept:
    """The concept without characters XML cannot hold (stored before the store checked for them)."""
    terms = tuple(replace(t, text=_x(t.text), pinyin=_x(t.pinyin), note=_x(t.note)) for t in c.terms)
    texts = {"subject": _x(c.subject), "definition": _x(c.definition), "note": _x(c.note), "changeid": _x(c.changeid)}
    return replace(c, id=_x(c.id), terms=terms, **texts)


def _concept(
    E: ElementMaker,
    dialect: Dialect,
    concept: Concept,
    contexts: Mapping[tuple[str, str, str], Sequence[Context]],
    date: str,
) -> etree._Element:
    entry = getattr(E, dialect.entry)(id=concept.id)
    entry.append(E.descrip(concept.subject, type="subjectField"))
    if concept.note:
        entry.append(E.note(concept.note))
    entry.append(E.transacGrp(E.transac("origination", type="transactionType"), E.date(date)))
    if concept.changeid:  # an editor's change: when and who, as TBX-Basic records a modification
        entry.append(
            E.transacGrp(
                E.transac("modification", type="transactionType"),
                E.date(iso_date(concept.changedate)),
                E.transacNote(concept.changeid, type="responsibility"),
            )
        )
    for lang in ("en", "zh"):
        terms = concept.terms_in(lang)
        if not terms:
            continue
        sec = getattr(E, dialect.lang_section)({XML_LANG: LANG_CODES[lang]})
        if lang == "en" and concept.definition:
            sec.append(E.descripGrp(E.descrip(concept.definition, type="definition")))
        for term in terms:
            sec.append(_term(E, dialect, concept, term, contexts.get((concept.id, lang, term.text), ())))
        entry.append(sec)
    return entry


def _term(
    E: ElementMaker, dialect: Dialect, concept: Concept, term: Term, contexts: Sequence[Context]
) -> etree._Element:
    sec = getattr(E, dialect.term_section)(E.term(term.text))
    sec.append(E.termNote(term.type, type="termType"))
    sec.append(E.termNote(term.pos, type="partOfSpeech"))
    sec.append(E.termNote(_STATUS_OUT[term.status], type="administrativeStatus"))
    if term.pinyin:
        sec.append(E.termNote(term.pinyin, type="pronunciation"))
    for ctx in contexts[:1]:
        sec.append(E.descripGrp(E.descrip(_x(ctx.text), type="context"), E.admin(_x(ctx.source), type="source")))
    note = term.note
    if term.status is TermStatus.DEPRECATED and (pref := concept.preferred(term.lang)):
        note = f"{note} Use: {pref.text}".strip()
    if note:
        sec.append(E.note(note))
    return sec


@dataclass(frozen=True, slots=True)
class TermFile:
    """A term base file read whole: its concepts, and how many language sections in other languages were left out."""

    concepts: list[Concept]
    skipped: dict[str, int]


def read_tbx(data: bytes, name: str, prefix: str) -> list[Concept]:
    """Concepts of a TBX v2 or v3 file, or a ParseError naming every bad entry; ids are prefixed with `prefix`."""
    return read_tbx_file(data, name, prefix).concepts


def read_tbx_file(data: bytes, name: str, prefix: str) -> TermFile:
    """Like read_tbx, with the counts of what was left out.

    Language sections in languages other than Chinese and English are left out and counted: real term
    bases are multilingual. A language section without a language, an empty term, a control character
    or an overlong text is an error.
    """
    root = parse_xml(data, name, roots=("martif", "tbx"))
    entries = [e for e in root.iter() if _local(e) in ("termEntry", "conceptEntry")]
    problems = Problems(name)
    skipped: Counter[str] = Counter()
    seen: dict[str, str] = {}
    concepts = []
    for n, entry in enumerate(entries):
        raw_id = entry.get("id") or ""
        where = f"entry {n + 1}" + (f" (id {quoted(raw_id)})" if raw_id else "")
        if not _entry_ok(entry, where, problems, skipped) or (concept := _read_entry(entry, n, prefix)) is None:
            continue
        if concept.id in seen:
            problems.add(where, f"its id becomes {concept.id!r}, as that of {seen[concept.id]} does: ids must differ")
        seen.setdefault(concept.id, where)
        concepts.append(concept)
    problems.raise_if_any()
    if not concepts:
        raise ParseError(f"{name}: no entry with a Chinese or English term; nothing was imported")
    return TermFile(concepts, dict(sorted(skipped.items())))


def _entry_ok(entry: etree._Element, where: str, problems: Problems, skipped: Counter[str]) -> bool:
    """Record what is wrong with an entry's Chinese and English terms and its texts; True when nothing is."""
    before = len(problems.items)
    for sec in entry:
        if _local(sec) not in ("langSet", "langSec"):
            continue
        code = (sec.get(XML_LANG) or sec.get("lang") or "").strip()
        if not code:
            problems.add(where, f"a <{_local(sec)}> has no xml:lang")
        elif _lang(code) is None:
            skipped[code] += 1  # another language: not imported
        else:
            for term in (t for t in sec.iter() if _local(t) == "term"):
                problems.check(where, f"a term in {code}", "".join(term.itertext()), MAX_TERM_CHARS)
    for el in entry.iter():
        if _local(el) in ("descrip", "note", "termNote", "admin") and not _in_other_language(el):
            problems.check(where, f"a <{_local(el)}>", "".join(el.itertext()), MAX_SEGMENT_CHARS, blank_ok=True)
    return len(problems.items) == before


def _in_other_language(el: etree._Element) -> bool:
    """Is the element inside a language section that is neither Chinese nor English?"""
    for up in el.iterancestors():
        if _local(up) in ("langSet", "langSec"):
            return _lang(up.get(XML_LANG) or up.get("lang") or "") is None
    return False


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _read_entry(entry: etree._Element, n: int, prefix: str) -> Concept | None:
    """One termEntry/conceptEntry; definition and subject may sit at entry or language level."""
    raw_id = entry.get("id") or str(n + 1)
    cid = f"{prefix}-" + (re.sub(r"[^a-z0-9]+", "-", raw_id.lower()).strip("-") or str(n + 1))
    subject = definition = note = ""
    terms: list[Term] = []
    for el in entry.iter():
        tag, typ = _local(el), (el.get("type") or "")
        if tag == "descrip" and typ == "subjectField" and not subject:
            subject = _text(el)
        elif tag == "descrip" and typ == "definition" and not definition:
            definition = _text(el)
        elif tag == "note" and el.getparent() is entry and not note:
            note = _text(el)
    for sec in entry:
        if _local(sec) not in ("langSet", "langSec"):
            continue
        lang = _lang(sec.get(XML_LANG) or sec.get("lang") or "")
        if lang is None:
            continue
        holders = [h for h in sec.iter() if _local(h) in ("tig", "termGrp", "termSec")]
        for h in holders:
            term_el = next((t for t in h if _local(t) == "term"), None)
            if term_el is not None and _text(term_el):
                terms.append(_read_term(h, term_el, lang, first=not any(t.lang == lang for t in terms)))
    if not terms:
        return None
    return Concept(cid, subject or "imported", tuple(terms), definition, note)


def _read_term(holder: etree._Element, term_el: etree._Element, lang: str, first: bool) -> Term:
    notes = {(n.get("type") or "").lower(): _text(n) for n in holder.iter() if _local(n) == "termNote"}
    ttype = notes.get("termtype", "fullForm")
    pos = notes.get("partofspeech", "noun")
    pos = next((p for p in PARTS_OF_SPEECH if p.lower() == pos.lower().replace(" ", "")), "other")
    status_raw = notes.get("administrativestatus", "").lower()
    if "deprecated" in status_raw or "superseded" in status_raw:
        status = TermStatus.DEPRECATED
    elif "preferred" in status_raw or (not status_raw and first):
        status = TermStatus.PREFERRED
    else:
        status = TermStatus.ADMITTED
    text = _text(term_el)
    pinyin = notes.get("pronunciation", "") if lang == "zh" else ""
    if lang == "zh" and not pinyin and has_han(text):
        pinyin = to_pinyin(text)
    return Term(lang, text, ttype if ttype in TERM_TYPES else "fullForm", status, pos, pinyin)


def _lang(code: str) -> str | None:
    base = code.strip().replace("_", "-").lower().split("-")[0]
    return base if base in ("zh", "en") else None


def _text(el: etree._Element) -> str:
    """Element text with XML whitespace collapsed; an ideographic space (U+3000) inside a term is kept."""
    return re.sub(r"[ \t\r\n]+", " ", "".join(el.itertext())).strip(" \t\r\n")
