"""Repair mis-decoded policy text (mojibake, C1 controls, stray entities) where it is safe,
and body text that a scraper marked as headings.

Archived policies were often decoded with the wrong charset on their way here: UTF-8 read as
Windows-1252 (``â€™``, C1 control characters), GBK read as Latin-1 (``¡¯``), or a
curly apostrophe lost to ``?`` (``user?s``). ftfy repairs the first kind reliably; the two
others get small, explicit rules. What cannot be repaired is kept as it is: repair never
removes words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache


@lru_cache(maxsize=1)
def _ftfy():
    """ftfy and its options, imported when a text first needs it (importing it took 60 ms
    of the app's start-up, and most policies never need it): repair the encoding, but keep
    the text's own typography (curly quotes, full-width CJK punctuation) and leave HTML
    entities to the markdown renderer."""
    import ftfy

    return ftfy, ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False,
                                      fix_character_width=False, explain=False)

# GBK-encoded punctuation read as Latin-1: "¡¯" is a right single quote, "¡°" a left double.
_GBK_PUNCTUATION = re.compile("¡[¡-¿]")
# A curly apostrophe replaced by "?" inside a contraction or possessive: "user?s", "don?t".
_LOST_APOSTROPHE = re.compile(r"\?(?=(?:s|t|re|ll|ve|d|m)\b)")
# HTML's ``&apos`` (often written without its semicolon by PDF converters).
_APOS_ENTITY = re.compile(r"&apos;?")


def _apostrophe_after_letter(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1:match.start()]
    return "\u2019" if before.isascii() and before.isalpha() else match.group()


def _gbk_to_unicode(match: re.Match[str]) -> str:
    try:
        decoded = match.group().encode("latin-1").decode("gbk")
    except UnicodeError:
        return match.group()
    return decoded if len(decoded) == 1 and not decoded.isalnum() else match.group()


# Characters that only ftfy's repairs need: C1 controls, the lead bytes of UTF-8 read as
# Windows-1252/Latin-1, Latin ligatures, and the control/terminal characters ftfy removes.
_NEEDS_FTFY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00c2\u00c3\u00c5\u00e2"
                         "\u00ef\u00f0\ufb00-\ufb06\u2028\u2029\ufffd]")


# The same characters in UTF-8: an ASCII control byte, or a lead byte with the continuation
# bytes of its own character (a match never starts inside a character's bytes).
_NEEDS_FTFY_UTF8 = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]"
                              b"|\xc3[\x82\x83\x85\xa2\xaf\xb0]|\xef\xac[\x80-\x86]"
                              b"|\xe2\x80[\xa8\xa9]|\xef\xbf\xbd")
_PLAIN_ASCII = bytes(range(0x20, 0x7f)) + b"\t\n\r"  # never part of such a character


def _non_ascii(text: str, utf8: bytes | None = None) -> bytes:
    """The UTF-8 bytes of ``text`` without plain ASCII (``utf8``: the text's bytes when at
    hand): whole characters, few in most policies."""
    if utf8 is None:
        utf8 = text.encode("utf-8", "surrogatepass")
    return utf8.translate(None, _PLAIN_ASCII)


def needs_ftfy(text: str, utf8: bytes | None = None, non_ascii: bytes | None = None) -> bool:
    """Whether ``text`` holds a character only ftfy's repairs need (see :data:`_NEEDS_FTFY`).
    ``utf8``: the text's UTF-8 bytes when at hand (a byte order mark or CR line ends
    aside); ``non_ascii``: what :func:`_non_ascii` gives. Checked on what is left of the
    bytes without plain ASCII, ten times faster than searching the text (0.2 ms, not
    2.3 ms, on a 290 KB policy)."""
    if text.isascii():
        return _NEEDS_FTFY.search(text) is not None
    if non_ascii is None:
        non_ascii = _non_ascii(text, utf8)
    return _NEEDS_FTFY_UTF8.search(non_ascii) is not None


# The combining marks that compose with an ASCII letter ("u" + U+0308 is "ü"; checked
# against every canonical composition of Unicode in tests).
_MARKS_AFTER_ASCII = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
                                "\ufe20-\ufe2f]")


def is_composed(non_ascii: bytes) -> bool:
    """Whether a text is in Unicode's composed form (NFC) already, from its characters
    that are not plain ASCII (see :func:`_non_ascii`); ``False`` when it may not be (a
    lone mark, say: composing it then changes nothing). ASCII characters never change,
    and a mark that composes with one is among :data:`_MARKS_AFTER_ASCII`; so the few
    other characters tell (0.02 ms, not 0.44 ms for the whole of a 290 KB policy)."""
    rest = non_ascii.decode("utf-8", "surrogatepass")
    return _MARKS_AFTER_ASCII.search(rest) is None and unicodedata.is_normalized("NFC", rest)


def repair_text(text: str, utf8: bytes | None = None) -> str:
    """``text`` with mojibake, control characters and stray ``&apos`` repaired, in
    composed form (``utf8``: see :func:`needs_ftfy`). A letter written as a base and a
    combining mark ("u" + U+0308, as macOS and some web pages write "ü") becomes the one
    letter: one word to search for and to classify, not two ("verschlu", "sselung")."""
    if not text.isascii():  # ASCII text is shown as it is
        non_ascii = _non_ascii(text, utf8)
        if needs_ftfy(text, non_ascii=non_ascii):
            ftfy, config = _ftfy()
            text = ftfy.fix_text(text, config=config)  # (composed by ftfy too)
        elif not is_composed(non_ascii):
            text = unicodedata.normalize("NFC", text)
    if "¡" in text:
        text = _GBK_PUNCTUATION.sub(_gbk_to_unicode, text)
    if "?" in text:
        text = _LOST_APOSTROPHE.sub(_apostrophe_after_letter, text)
    return _APOS_ENTITY.sub("'", text) if "&apos" in text else text


# A "##".."######" heading line, maybe inside a list item ("  * ####  The form asks..."):
# what may come before the marks on its line, the marks with the space after, its text.
_HEADING_PREFIX = re.compile(r"[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?")
_HEADING_MARKS = re.compile(r"#{2,6}[ \t]+(?=\S)")
# The whole line as one pattern: the definition :func:`heading_lines` follows (tests
# compare them).
_HEADING_LINE = re.compile(rf"^({_HEADING_PREFIX.pattern}){_HEADING_MARKS.pattern}(.*)$",
                           re.MULTILINE)


def heading_lines(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line start, line end, what precedes the marks, the heading's text) of each line
    :data:`_HEADING_LINE` matches, found from the ``##`` in ``text`` (0.17 ms on the longest
    real policy, where trying the pattern at every line took 1.09 ms)."""
    at = text.find("##")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        prefix = text[start:at]
        marks = _HEADING_MARKS.match(text, at, end)
        if marks and _HEADING_PREFIX.fullmatch(prefix):
            yield start, end, prefix, text[marks.end():end]
        at = text.find("##", end)


_MARKUP = re.compile(r"\]\([^)]*\)|[*_`\[\]#]")
_STATEMENT_END = re.compile(r"[.!:;][\"'”’)]*$")
_WORD = re.compile(r"\w+")
BODY_HEADING_WORDS = 12  # a heading line this long that ends like a sentence reads as body text


@lru_cache(maxsize=4096)  # versions of a policy share most headings
def _is_statement(line_text: str) -> bool:
    """Whether a heading's text reads as a body sentence: at least
    :data:`BODY_HEADING_WORDS` words and ending with . ! : or ; (a question is an FAQ
    heading)."""
    plain = _MARKUP.sub("", line_text).strip()
    return len(_WORD.findall(plain)) >= BODY_HEADING_WORDS and bool(_STATEMENT_END.search(plain))


def demote_body_headings(text: str) -> str:
    """``text`` with its heading marks taken off body text when the policy marks its body
    as headings: some scraped policies (whitehouse.gov in ../shared/corpus) put ``####``
    before every paragraph, so the page was one run of headings and the classifier, which
    reads headings only as context, saw no paragraph to classify. Applies only when such
    statement headings (see :func:`_is_statement`) number at least 3 and outnumber the
    policy's plain paragraphs of as many words; every word is kept."""
    if "#" not in text:
        return text
    statements = [line for line in heading_lines(text) if _is_statement(line[3])]
    if len(statements) < 3:
        return text
    plain = sum(1 for line in text.splitlines()
                if not line.lstrip().startswith(("#", ">"))
                and len(_WORD.findall(line)) >= BODY_HEADING_WORDS)
    if len(statements) <= plain:
        return text
    parts, last = [], 0
    for start, end, prefix, heading in statements:
        parts += [text[last:start], prefix, heading]
        last = end
    parts.append(text[last:])
    return "".join(parts)
