"""XML parsing for every import (TMX, XLIFF, TBX): no entities, no DTD loading, no network, a size limit.

A file that declares entities or an internal DTD subset is refused before
the parser sees it (XXE, billion laughs, quadratic blow-up); a DOCTYPE that
only names an external DTD (`<!DOCTYPE tmx SYSTEM "tmx14.dtd">`, as most
TMX files carry) is accepted, and the DTD is never fetched. Parse errors are
turned into messages that say where and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from termtm.errors import ParseError
from termtm.formats.inputs import bom_encoding, check_not_binary, check_size, encoding_hint

HEAD_BYTES = 65536
"""How much of a file is searched for a DOCTYPE or entity declaration before parsing."""

_DOCTYPE = re.compile(r"""<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:"[^"]*"|'[^']*'))+)?\s*([\[>])""")
_DECLARED = re.compile(r"""<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_POSITION = re.compile(r",? line \d+, column \d+$")
_AMPLIFICATION = 114  # libxml2's XML_ERR_RESOURCE_LIMIT: entity amplification refused


def refused(name: str) -> ParseError:
    """The one message for entity and DTD tricks."""
    return ParseError(
        f"refused: {name} declares XML entities or a DTD internal subset (<!DOCTYPE … [ … ]>); termtm never "
        "expands entities or loads DTDs (XXE, billion laughs): remove the declarations and import again"
    )


def check_xml(data: bytes, name: str = "input") -> None:
    """Refuse, before parsing, a file that is too large, binary, or declares entities or an internal DTD subset."""
    check_size(len(data), name)
    check_not_binary(data, name)
    head = head_text(data)
    doctype = _DOCTYPE.search(head)
    if "<!ENTITY" in head or (doctype is not None and doctype.group(1) == "["):
        raise refused(name)


def head_text(data: bytes) -> str:
    """The first HEAD_BYTES as text, decoded by byte-order mark or UTF-16 sniffing, else as Latin-1 (for markup)."""
    chunk = data[:HEAD_BYTES]
    codec = bom_encoding(chunk)
    if codec is None and chunk.startswith(b"<\x00?\x00"):
        codec = "utf-16-le"
    elif codec is None and chunk.startswith(b"\x00<\x00?"):
        codec = "utf-16-be"
    return chunk.decode(codec or "latin-1", errors="ignore")


def parse_xml(data: bytes, name: str = "input", roots: Collection[str] = ()) -> etree._Element:
    """Parse XML safely; `roots` lists the root element names (without namespace) the format allows."""
    check_xml(data, name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise syntax_error(err, data, name) from err
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        raise refused(name)
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise ParseError(
            f"refused: {name} uses the entity {entity.text}, which it does not declare; termtm never loads a DTD "
            "to look it up: write the character itself"
        )
    kind = etree.QName(root).localname
    if roots and kind not in roots:
        expected = " or ".join(f"<{r}>" for r in roots)
        raise ParseError(f"{name}: the root element is <{kind}>, not {expected}: the file is of another kind")
    return root


def syntax_error(err: etree.XMLSyntaxError, data: bytes, name: str) -> ParseError:
    """A parse error as a message that says where, what and what to do."""
    if err.code == _AMPLIFICATION:
        return refused(name)
    line, column = err.position
    msg = _POSITION.sub("", (err.msg or str(err)).strip())
    where = f"{name}: line {line}, column {column}"
    if err.code == 4 and not data.strip():
        return ParseError(f"{name} is empty")
    if err.code == 4:
        return ParseError(f"{name} is not XML: it does not start with an element or an XML declaration")
    if "encoding" in msg.lower() or "utf-8" in msg.lower():
        declared = _DECLARED.search(head_text(data))
        enc = declared.group(1) if declared else "UTF-8"
        return ParseError(
            f"{where}: the bytes are not valid {enc}{encoding_hint(data) if enc.upper() == 'UTF-8' else ''}: "
            "convert the file to UTF-8, or declare its real encoding in the XML declaration"
        )
    if err.code == 9:
        char = _bad_char(msg)
        return ParseError(f"{where}: {char} is not allowed in XML: remove it")
    if "xmlParseEntityRef" in msg:
        return ParseError(f"{where}: a bare & that starts no entity: write it as &amp;")
    if err.code == 26:
        return ParseError(f"{where}: {msg}; write a literal & as &amp;")
    if _at_end(data, line):
        return ParseError(f"{where}: the file ends before the XML is complete (cut short?): {msg}")
    return ParseError(f"{where}: not well-formed XML: {msg}")


def _bad_char(msg: str) -> str:
    """Name the character of an invalid-character error: a control character or a lone surrogate."""
    found = re.search(r"value (\d+)", msg) or re.search(r"Char 0x([0-9A-Fa-f]+)", msg)
    if found is None:
        return "a control character"
    code = int(found.group(1)) if "value" in found.group(0) else int(found.group(1), 16)
    kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
    how = "character reference" if "CharRef" in msg else "raw character"
    return f"{kind} U+{code:04X} ({how})"


def _at_end(data: bytes, line: int) -> bool:
    """Is an error line the file's last (non-blank) line, i.e. the file is probably truncated?"""
    return line >= len(data.rstrip().splitlines())
