"""Load the reviewed YAML term base in glossary/, checking every field.

The YAML files are the source of truth that reviewers read in diffs; this
module turns them into Concepts and refuses anything it cannot represent
faithfully in TBX, naming the file and concept so that the fix is obvious.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from termtm.corpus.script import has_han
from termtm.errors import TermTMError
from termtm.model import LANGS, PARTS_OF_SPEECH, TERM_TYPES, Concept, Term, TermBase, TermStatus
from termtm.terms.pinyin import to_pinyin

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_CONCEPT_KEYS = {"id", "subject", "definition", "note", "zh", "en"}
_TERM_KEYS = {"text", "type", "status", "pos", "pinyin", "note"}
_NAME_SUBJECTS = {"organization", "government of China", "governments of the GMS", "person", "place"}


class GlossaryError(TermTMError):
    """The term base source is malformed; the message names the file and concept."""


def load_glossary(folder: Path) -> TermBase:
    """Every *.yaml file of `folder`, in name order, as one term base with unique ids."""
    if not folder.is_dir():
        raise GlossaryError(f"no glossary folder at {folder}: create it or pass --root")
    concepts: list[Concept] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "exclusions.yaml":
            continue
        concepts.extend(parse_file(path.read_text(encoding="utf-8"), path.name))
    _check_unique(concepts)
    return TermBase(concepts)


def parse_file(text: str, name: str) -> list[Concept]:
    """Concepts of one YAML file; its top-level `subject` applies to each concept that names none."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise GlossaryError(f"{name}: not valid YAML: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("concepts"), list):
        raise GlossaryError(f"{name}: expected a mapping with `subject:` and a `concepts:` list")
    subject = str(data.get("subject") or "")
    return [parse_concept(raw, subject, f"glossary/{name}") for raw in data["concepts"]]


def parse_concept(raw: Any, subject: str, origin: str) -> Concept:
    """One concept mapping → Concept; the first term of each language defaults to preferred."""
    where = f"{origin}: concept {raw.get('id', '?') if isinstance(raw, dict) else raw!r}"
    if not isinstance(raw, dict):
        raise GlossaryError(f"{where}: expected a mapping")
    unknown = set(raw) - _CONCEPT_KEYS
    if unknown:
        raise GlossaryError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_CONCEPT_KEYS)}")
    cid = str(raw.get("id", ""))
    if not _ID.match(cid):
        raise GlossaryError(f"{where}: id must start with a letter and use lower-case letters, digits and hyphens")
    subj = str(raw.get("subject") or subject)
    if not subj:
        raise GlossaryError(f"{where}: no subject (set `subject:` in the file or the concept)")
    terms: list[Term] = []
    for lang in LANGS:
        items = raw.get(lang)
        if not isinstance(items, list) or not items:
            raise GlossaryError(f"{where}: needs a non-empty `{lang}:` list of terms")
        terms.extend(_term(item, lang, n, subj, where) for n, item in enumerate(items))
    for lang in LANGS:
        if not any(t.status is TermStatus.PREFERRED for t in terms if t.lang == lang):
            raise GlossaryError(f"{where}: no preferred {lang} term; mark one `status: preferred`")
    return Concept(
        id=cid,
        subject=subj,
        terms=tuple(terms),
        definition=_clean(raw.get("definition")),
        note=_clean(raw.get("note")),
        origin=origin,
    )


def _term(item: Any, lang: str, n: int, subject: str, where: str) -> Term:
    """One term; a bare string is shorthand for `{text: …}`."""
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict) or not item.get("text"):
        raise GlossaryError(f"{where}: {lang} term {n + 1} needs `text:`")
    unknown = set(item) - _TERM_KEYS
    if unknown:
        raise GlossaryError(f"{where}: term {item['text']!r}: unknown field(s) {sorted(unknown)}")
    text = str(item["text"]).strip()
    ttype = str(item.get("type", "fullForm"))
    if ttype not in TERM_TYPES:
        raise GlossaryError(f"{where}: term {text!r}: type {ttype!r} is not one of {sorted(TERM_TYPES)}")
    try:
        status = TermStatus(item.get("status", "preferred" if n == 0 else "admitted"))
    except ValueError:
        raise GlossaryError(f"{where}: term {text!r}: status must be preferred, admitted or deprecated") from None
    pos = str(item.get("pos") or ("properNoun" if subject in _NAME_SUBJECTS else "noun"))
    if pos not in PARTS_OF_SPEECH:
        raise GlossaryError(f"{where}: term {text!r}: pos {pos!r} is not one of {sorted(PARTS_OF_SPEECH)}")
    # A reviewed override keeps its syllables; punctuation is dropped as in generated pinyin.
    override = " ".join(re.findall(r"[^\W_]+", str(item.get("pinyin") or "")))
    pinyin = override or (to_pinyin(text) if lang == "zh" and has_han(text) else "")
    return Term(lang, text, ttype, status, pos, pinyin, _clean(item.get("note")))


def _clean(value: Any) -> str:
    """Folded YAML text as one line without surrounding space."""
    return " ".join(str(value).split()) if value else ""


def _check_unique(concepts: Iterable[Concept]) -> None:
    """Ids must be unique across files, and a term may not name two concepts in one language unless deprecated."""
    seen: dict[str, str] = {}
    for c in concepts:
        if c.id in seen:
            raise GlossaryError(f"{c.origin}: concept id {c.id!r} is already used in {seen[c.id]}")
        seen[c.id] = c.origin
