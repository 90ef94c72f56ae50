"""XML parsing that refuses external entities, entity expansion and oversize input."""

from __future__ import annotations

from lxml import etree

from termtm.errors import ParseError

MAX_XML_BYTES = 50 * 1024 * 1024
"""Largest XML upload accepted: a 50 MB TMX holds several hundred thousand units."""


def check_xml(data: bytes, name: str = "input") -> None:
    """Raise ParseError if the XML is too large or declares entities (XXE, billion laughs)."""
    if len(data) > MAX_XML_BYTES:
        raise ParseError(f"{name} is {len(data)} bytes; the limit is {MAX_XML_BYTES}: split the file")
    head = data[:65536]
    if b"<!ENTITY" in head or b"<!ENTITY" in data:
        raise ParseError(f"{name} declares XML entities, which termtm refuses (XXE / entity expansion); remove them")


def parse_xml(data: bytes, name: str = "input") -> etree._Element:
    """Parse XML with no network, no DTD loading and no entity resolution."""
    check_xml(data, name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ParseError(f"{name} is not well-formed XML: {err}") from err
