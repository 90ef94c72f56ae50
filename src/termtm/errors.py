"""The project's error hierarchy: every message tells the user what to do."""

from __future__ import annotations


class TermTMError(Exception):
    """Base class for errors that the CLI and the web layer report to the user."""


class LayoutError(TermTMError):
    """The reviewed layout or correction list does not fit the raw text."""


class DocumentError(TermTMError):
    """A document file is malformed."""


class UnsupportedFormat(TermTMError):
    """A file's extension names no format that termtm reads or writes."""


class ParseError(TermTMError):
    """An input file could not be parsed; nothing was imported."""


class UnknownLanguage(TermTMError):
    """A language code is not one termtm understands."""


class AlignmentError(TermTMError):
    """Two inputs cannot be aligned as given."""
