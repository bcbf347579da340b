"""Split a parsed policy into paragraphs and sentences with offsets into its rendered text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.analysis.document import Document

MAX_SENTENCE_CHARS = 600

# A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace and an
# uppercase letter, digit, quote or bracket; a line break inside a block also ends one.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[A-Z0-9\"“'(\[•·-])|\n+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|Inc|Ltd|Co|Corp|Mr|Mrs|Ms|Dr|St|No|vs|U\.S|U\.K|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|incl|Sec|art)\.|\b[A-Z]\.)$"
)
_SOFT_BREAK = re.compile(r"[;:,]\s+|\s+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Paragraph:
    """A block of the document, with the nearest heading above it for context."""

    index: int
    anchor: str
    start: int
    end: int
    text: str
    heading: str
    is_heading: bool
    sentences: tuple[Sentence, ...]

    @property
    def context_text(self) -> str:
        """Text given to the classifier: heading and paragraph, as OPP-115 segments read."""
        if self.heading and not self.is_heading:
            return f"{self.heading}\n{self.text}"
        return self.text


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` pairs in ``text``, whitespace trimmed, long ones split."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(1) or "")
        if match.group().strip("\n") and _ABBREVIATIONS.search(text[start:match.start()]):
            continue
        bounds.extend(_trimmed(text, start, end))
        start = match.end()
    bounds.extend(_trimmed(text, start, len(text)))
    return [piece for s, e in bounds for piece in _split_long(text, s, e)]


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a run-on sentence into pieces of at most MAX_SENTENCE_CHARS at soft breaks."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = None
        for match in _SOFT_BREAK.finditer(text, start + MAX_SENTENCE_CHARS // 2, limit):
            cut = match.end()
        if cut is None or cut <= start:
            cut = limit
        pieces.extend(_trimmed(text, start, cut))
        start = cut
    pieces.extend(_trimmed(text, start, end))
    return pieces


def segment(document: Document) -> list[Paragraph]:
    """Paragraphs (one per block) with their sentences; offsets are into ``document.text``."""
    paragraphs: list[Paragraph] = []
    heading = ""
    for block in document.blocks:
        if block.is_heading:
            heading = block.text.strip()
        sentences = tuple(
            Sentence(block.start + s, block.start + e, block.index)
            for s, e in sentence_bounds(block.text)
        )
        paragraphs.append(
            Paragraph(block.index, block.anchor, block.start, block.end, block.text,
                      heading, block.is_heading, sentences)
        )
    return paragraphs
