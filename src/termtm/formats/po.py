"""Write a memory as a gettext PO file: msgctxt the tuid, msgid the Chinese, msgstr the English.

The tuid goes in msgctxt so that two units with the same Chinese stay two entries (a PO file may hold a
msgid once per context). Translator's notes become extracted comments (`#.`). Escapes are only those
every PO reader knows (\\n \\t \\r \\" \\\\); other control characters are left out, as the TMX writer does.
"""

from __future__ import annotations

from collections.abc import Iterable

import termtm
from termtm.model import Lang, Segment
from termtm.safetext import without_controls

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"})


def po_string(text: str) -> str:
    """A PO string literal, quoted and escaped."""
    return '"' + without_controls(text).translate(_ESCAPES) + '"'


def write_po(segments: Iterable[Segment], *, tgt: Lang = Lang.EN) -> bytes:
    """The segments as a UTF-8 PO file whose header names the target language."""
    header = (
        f"Project-Id-Version: termtm {termtm.__version__}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Language: {tgt.value}\n"
        "X-Generator: termtm\n"
    )
    out = ["# termtm memory: msgctxt is the unit's tuid", 'msgid ""', f"msgstr {po_string(header)}", ""]
    for seg in segments:
        out += [f"#. {without_controls(line)}" for line in seg.note.splitlines() if line.strip()]
        out += [f"msgctxt {po_string(seg.tuid)}", f"msgid {po_string(seg.zh)}", f"msgstr {po_string(seg.en)}", ""]
    return "\n".join(out).encode("utf-8")
