"""Policy markdown to safe HTML, with stable anchors and highlight spans.

Policy text is untrusted. Markdown is converted with raw HTML disabled, then the output is
parsed again into a small tree through a whitelist of tags and attributes: no scripts, no
styles, no event handlers, no images (their alt text is kept), and links only to
``http``, ``https``, ``mailto`` or in-page anchors. The same tree gives the plain text of
every block (paragraph, heading, list item, table cell), which is what the classifier reads
and what highlight offsets refer to.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import markdown
from markdown import util
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor

BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "pre", "dt", "dd"}
)
CONTAINER_TAGS = BLOCK_TAGS | {
    "ul", "ol", "table", "thead", "tbody", "tr", "blockquote", "dl", "div"
}
INLINE_TAGS = frozenset(
    {"a", "em", "strong", "b", "i", "u", "code", "sup", "sub", "del", "s", "small", "span", "br"}
)
VOID_TAGS = frozenset({"br", "hr"})
ALLOWED_TAGS = CONTAINER_TAGS | INLINE_TAGS | {"hr"}
# Every other HTML element name (HTML5, obsolete and SVG/MathML roots). These tags are removed
# but their content stays as text, even for script, style or textarea: a policy's words are
# shown, never run and never hidden. A tag with any other name (``<usersname>`` in a URL
# template) is not markup at all and is shown literally.
HTML_ELEMENTS = ALLOWED_TAGS | frozenset({
    "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "base",
    "basefont", "bdi", "bdo", "bgsound", "big", "blink", "body", "button", "canvas", "caption",
    "center", "cite", "col", "colgroup", "data", "datalist", "details", "dfn", "dialog", "dir",
    "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "frameset",
    "head", "header", "hgroup", "html", "iframe", "image", "img", "input", "ins", "isindex",
    "kbd", "keygen", "label", "legend", "link", "listing", "main", "map", "mark", "marquee",
    "math", "menu", "menuitem", "meta", "meter", "multicol", "nav", "nextid", "nobr", "noembed",
    "noframes", "noscript", "object", "optgroup", "option", "output", "param", "picture",
    "plaintext", "portal", "progress", "q", "rb", "rp", "rt", "rtc", "ruby", "samp", "script",
    "search", "section", "select", "slot", "source", "spacer", "strike", "style", "summary",
    "svg", "table", "template", "textarea", "tfoot", "time", "title", "track", "tt", "var",
    "video", "wbr", "xmp",
})
# Removed elements that end a line of text where they stand (so words never run together).
_BREAKING_ELEMENTS = HTML_ELEMENTS - INLINE_TAGS - {
    "abbr", "acronym", "bdi", "bdo", "big", "cite", "data", "dfn", "font", "ins", "kbd", "label",
    "mark", "nobr", "q", "samp", "strike", "time", "tt", "var", "wbr"
}
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DROP_WHEN_EMPTY = HEADING_TAGS | {"p"}
# Where loose text found directly inside a container goes: a block the container may hold.
_LOOSE_TEXT_WRAPPER = {"ul": "li", "ol": "li", "dl": "dd", "tr": "td"}
SAFE_URL = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)
BLOCK_SEPARATOR = "\n\n"


@dataclass
class Node:
    """A sanitized HTML element: tag, attributes and mixed content (str or Node)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[str | Node] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    """One paragraph-like element: its anchor, tag and plain text, at ``start`` in the text."""

    index: int
    anchor: str
    tag: str
    text: str
    start: int
    number: int | None = None  # an item of a numbered list: its number ("3." shows 3)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS


@dataclass
class Document:
    """A parsed, sanitized policy: the tree and its blocks in reading order."""

    root: Node
    blocks: list[Block]

    @property
    def text(self) -> str:
        """The rendered plain text: block texts joined by blank lines."""
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Mark:
    """A styled range of the rendered text. ``anchor`` adds a jump target at its start;
    ``title`` is a tooltip (give anchored marks a distinct one: Qt imports many anchors in
    quadratic time unless the text after each has a format of its own)."""

    start: int
    end: int
    style: str
    anchor: str | None = None
    priority: int = 0
    title: str | None = None


def safe_url(url: str) -> str | None:
    """The URL if it is safe to show as a link, else ``None``."""
    cleaned = html.unescape(url)
    # (The space is the one printable character that is a space: most addresses need no
    # character taken out, and are not taken apart to find that out.)
    if not cleaned.isprintable() or " " in cleaned:
        cleaned = "".join(ch for ch in cleaned if ch.isprintable() and not ch.isspace())
    return cleaned if SAFE_URL.match(cleaned) else None


class _SanitizingParser(HTMLParser):
    """Build a whitelisted :class:`Node` tree; text is always kept, whatever tag holds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("div")
        self.stack: list[Node] = [self.root]

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> Node | None:
        if tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), "")
            if alt.strip():
                self.handle_data(f"[image: {alt}]")
            return None
        if tag not in ALLOWED_TAGS:
            if tag not in HTML_ELEMENTS:
                self.handle_data(self.get_starttag_text() or f"<{tag}>")
            elif tag in _BREAKING_ELEMENTS:
                self._break_line()
            return None
        if tag in CONTAINER_TAGS or tag == "hr":
            # A block never sits inside an inline element: close the open inline ones.
            while self.stack[-1].tag not in CONTAINER_TAGS and len(self.stack) > 1:
                self.stack.pop()
        clean: dict[str, str] = {}
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), None)
            url = safe_url(href) if href else None
            if url:
                clean["href"] = url
        elif tag in {"td", "th"}:
            align = next((v for k, v in attrs if k == "align"), None)
            if align in {"left", "right", "center"}:
                clean["align"] = align
        elif tag == "ol":  # a list that goes on after a paragraph: "3." stays "3."
            start = next((v for k, v in attrs if k == "start"), None) or ""
            if start.isascii() and start.isdigit() and 1 < int(start) < 1_000_000:
                clean["start"] = str(int(start))
        node = Node(tag, clean)
        self.stack[-1].children.append(node)
        return node

    def _break_line(self) -> None:
        parent = self.stack[-1]
        if parent.children and parent.children[-1] != "\n":
            parent.children.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = self._open(tag, attrs)
        if node is not None and tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            if tag not in HTML_ELEMENTS:
                self.handle_data(f"</{tag}>")
            elif tag in _BREAKING_ELEMENTS:
                self._break_line()
            return
        if tag in VOID_TAGS:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def set_cdata_mode(self, *args: object, **kwargs: object) -> None:
        """Never read an element's content as raw text (the base class does for <script>).

        Markdown has already rendered what a script or style element holds, and an unclosed
        one would turn the rest of the policy into raw source: its content is parsed like any
        other, through the same whitelist.
        """

    def close(self) -> None:
        super().close()
        if self.rawdata:  # whatever the base class could not parse is still text
            self.handle_data(self.rawdata)
            self.rawdata = ""

    def handle_data(self, data: str) -> None:
        if data:
            self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        # A comment is hidden on a web page, but in a policy file it is text someone wrote.
        self.handle_data(f" {data} ")

    def unknown_decl(self, data: str) -> None:
        self.handle_data(f" {data.removeprefix('CDATA[')} ")

    def handle_pi(self, data: str) -> None:
        self.handle_data(f" {data.rstrip('?')} ")


def _is_inline(child: str | Node) -> bool:
    return isinstance(child, str) or child.tag not in CONTAINER_TAGS


def _has_text(run: list[str | Node]) -> bool:
    return any(
        child.strip() if isinstance(child, str) else _has_text(child.children) for child in run
    )


def _wrap_loose(run: list[str | Node], tag: str) -> list[str | Node]:
    """Loose inline content as blocks of ``tag``, split at blank lines like paragraphs."""
    if tag == "p" and all(isinstance(child, str) for child in run):
        text = "".join(run)  # type: ignore[arg-type]
        return [Node(tag, children=[part]) for part in re.split(r"\n\s*\n", text)
                if part.strip()]
    return [Node(tag, children=list(run))]


def _normalize(node: Node, in_pre: bool = False) -> None:
    """Give every piece of text a block, and turn soft line breaks into spaces.

    Loose text directly in a container (from raw HTML) gets a block of its own, and text
    after a nested list inside a list item becomes a paragraph, so no word is left outside
    the document's blocks or glued to another.
    """
    in_pre = in_pre or node.tag == "pre"
    is_block = node.tag in BLOCK_TAGS
    is_container = node.tag in CONTAINER_TAGS
    wrapper = "p" if is_block else _LOOSE_TEXT_WRAPPER.get(node.tag, "p")
    children: list[str | Node] = []
    run: list[str | Node] = []
    seen_container = False

    def flush() -> None:
        if not run:
            return
        if _has_text(run) and is_container and (seen_container or not is_block):
            children.extend(_wrap_loose(run, wrapper))
        else:
            children.extend(run)
        run.clear()

    for child in node.children:
        if _is_inline(child):
            if isinstance(child, str) and not in_pre:
                # No-break spaces from PDF conversions would glue whole lines together.
                child = _soften_line_breaks(child.replace("\u00a0", " "))
            elif isinstance(child, Node):
                _normalize(child, in_pre)
            run.append(child)
            continue
        flush()
        seen_container = True
        if child.tag in _DROP_WHEN_EMPTY and not _has_text(child.children):
            continue  # an empty "# " title would be a tall blank line
        if node.tag in {"table", "thead", "tbody", "tfoot"} and child.tag in BLOCK_TAGS:
            child = Node("tr", children=[child])
        _normalize(child, in_pre)
        children.append(child)
    flush()
    if node.tag in {"table", "thead", "tbody"}:
        children = [_table_row(child) for child in children]
    if node.tag in {"td", "th"}:
        children = _cell_bullets(children)
    node.children = children


_CELL_ITEM = re.compile(r"^(\s*)[*+-][ \t]+")


def _cell_bullets(children: list[str | Node]) -> list[str | Node]:
    """A table cell's "*   item" lines read as bullets ("• item"): markdown makes no list
    inside a cell, and pages write one there with <br> (Spotify's and 17 more of the 132
    documents of the PGA bundle showed rows of literal asterisks). Only a marker that
    starts the cell or a line, followed by text, is one: a lone "-" stays."""
    out: list[str | Node] = []
    line_start = True
    for number, child in enumerate(children):
        if isinstance(child, Node):
            line_start = child.tag == "br"
        elif line_start and (found := _CELL_ITEM.match(child)):
            rest = child[found.end():]
            follows = children[number + 1] if number + 1 < len(children) else None
            if rest.strip() or (isinstance(follows, Node) and follows.tag != "br"
                                and _has_text(follows.children)):
                child = f"{found.group(1)}\u2022 {rest}"
            line_start = False
        elif child.strip():
            line_start = False
        out.append(child)
    return out


def _table_row(child: str | Node) -> str | Node:
    """Loose text wrapped as a block directly in a table gets a row and a cell."""
    if isinstance(child, Node) and child.tag == "p":
        return Node("tr", children=[Node("td", children=child.children)])
    return child


_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_SENTENCE_STOP = ".!?:;"


def _soften_line_breaks(text: str) -> str:
    """Source line breaks inside a paragraph become spaces, as a browser shows them.

    A break stays after a sentence stop or after a short line followed by a capital (a
    heading or list written as lines), so the segmenter still ends a sentence there.
    """
    if "\n" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        before = text[:match.start()].rstrip()
        after = text[match.end():]
        line = before[before.rfind("\n") + 1:]
        if not after:
            return match.group()
        if not before:
            return " " if after[0].islower() else "\n"
        if before[-1] in _SENTENCE_STOP or (len(line) < 50 and not after[0].islower()):
            return "\n"
        return " "

    return _LINE_BREAK.sub(replace, text)


def sanitize_html(fragment: str) -> Node:
    """Parse an HTML fragment into a whitelisted tree where every text has a block."""
    parser = _SanitizingParser()
    parser.feed(fragment)
    parser.close()
    _normalize(parser.root)
    return parser.root


_BLANKED_LINE = re.compile(r"(?<=\n) +\n")  # markdown's NormalizeWhitespace rule
_BLANKED_FIRST_LINE = re.compile(r"(?:^|(?<=\n)) +\n")  # ...in a slice after a line break
_LINES_PER_SLICE = 2000


class _NormalizeWhitespaceInSlices(Preprocessor):
    """Markdown's ``NormalizeWhitespace`` preprocessor, with the same result, run on slices
    of lines: over a whole 4 MB policy each of its C calls (``re.sub``, ``expandtabs``,
    ``split``) holds Python's lock for tens of milliseconds (see :mod:`reader.slices`)."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for start in range(0, len(lines), _LINES_PER_SLICE):
            last = start + _LINES_PER_SLICE >= len(lines)
            # A slice keeps the line break after its last line (a "\r\n" is never cut).
            source = "\n".join(lines[start:start + _LINES_PER_SLICE]) + ("" if last else "\n")
            source = source.replace(util.STX, "").replace(util.ETX, "")
            source = source.replace("\r\n", "\n").replace("\r", "\n") + ("\n\n" if last else "")
            source = source.expandtabs(self.md.tab_length)
            blanked = _BLANKED_FIRST_LINE if start else _BLANKED_LINE
            source = blanked.sub("\n", source)
            out += source.split("\n") if last else source.split("\n")[:-1]
        return out


class _IndentedBlockAsText(BlockProcessor):
    """An indented block outside a list item is read as text, not as a code block.

    Policies hold no code: their indentation is left over from a web page's nested lists
    and boxes (google.com's "      * [Internet protocol address](...)"). As a code block it
    showed raw markdown in a typewriter font on lines that never wrap, cut off at the
    window's and the PDF page's right edge. The block is taken out one indentation level
    at a time until it reads as a paragraph, list or heading.
    """

    def test(self, parent, block: str) -> bool:
        return block.startswith(" " * self.tab_length)

    def run(self, parent, blocks: list[str]) -> None:
        block, rest = self.detab(blocks.pop(0))
        if rest:
            blocks.insert(0, rest)
        blocks.insert(0, block)


# What each of Python-Markdown's inline patterns needs in a text to match there (its
# regular expression cannot match without one of these): where none is in the text, the
# pattern is not tried.
_INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_reference": ("[",),
    "short_image_ref": ("![",), "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",),
    "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
}

# Patterns that make a link of a reference defined elsewhere ("[text][id]", "[id]"); this
# converter reads no definitions ("[id]: http://...", see _markdown_converter), so they
# find none to make unless another step adds them.
_REFERENCE_PATTERNS = ("reference", "image_reference", "short_reference", "short_image_ref")
_ALL_TRIGGERS = frozenset(need for needs in _INLINE_TRIGGERS.values() for need in needs)


class _QuickInlineProcessor(InlineProcessor):
    """Markdown's inline step, with the same result, that does not try a pattern on a text
    holding nothing it needs to match (see :data:`_INLINE_TRIGGERS`): each text was tried
    against each of the 14 patterns in Python, 18% of the conversion of a policy's
    paragraphs. Such a pattern is passed over in the loop itself (trying it would return
    no match and start the next pattern at 0), without a call for it, and so are the
    reference patterns while there is no reference definition (see
    :data:`_REFERENCE_PATTERNS`): Markdown on the history chart's chunks 18% fewer
    instructions again."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._patterns: list[tuple[object, tuple[str, ...] | None]] | None = None
        self._without_references: list[tuple[object, tuple[str, ...] | None]] = []

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """Markdown's ``__handleInline`` (the same steps), passing over the patterns whose
        triggers ``data`` does not hold."""
        if isinstance(data, util.AtomicString):
            return data
        if self._patterns is None:  # (the patterns are registered after this step)
            registry = self.inlinePatterns
            needs_of = {id(registry[name]): needs for name, needs in _INLINE_TRIGGERS.items()
                        if name in registry}
            self._patterns = [(pattern, needs_of.get(id(pattern)))
                              for pattern in registry]  # (in their order)
            # Without reference definitions a reference pattern changes nothing (a
            # "[text][id]" whose id is not defined stays text): it needs what is never there.
            unused = {id(registry[name]) for name in _REFERENCE_PATTERNS if name in registry}
            self._without_references = [(pattern, () if id(pattern) in unused else needs)
                                         for pattern, needs in self._patterns]
        patterns = self._patterns if self.md.references else self._without_references
        apply = self._InlineProcessor__applyPattern
        startIndex = 0
        count = len(patterns)
        present: set[str] | None = None  # the triggers in data (found again when it changes)
        while patternIndex < count:
            pattern, needs = patterns[patternIndex]
            if needs is not None:
                if present is None:
                    present = {need for need in _ALL_TRIGGERS if need in data}
                if present.isdisjoint(needs):
                    patternIndex += 1
                    startIndex = 0
                    continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)
            if matched:
                present = None
            else:
                patternIndex += 1
        return data


def _markdown_converter() -> markdown.Markdown:
    # Extension objects, not names: a name is looked up among the installed packages'
    # entry points, which took 80 ms of the first policy shown.
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    converter = markdown.Markdown(extensions=[TableExtension(), SaneListExtension()],
                                  output_format="html")
    converter.preprocessors.register(_NormalizeWhitespaceInSlices(converter),
                                     "normalize_whitespace", 30)
    converter.parser.blockprocessors.register(_IndentedBlockAsText(converter.parser), "code", 80)
    # A reference definition ("[1]: http://example.com/notes") is text: markdown took it out
    # of the page (a footnote list of addresses vanished); "[text][1]" then reads as written.
    converter.parser.blockprocessors.deregister("reference")
    converter.treeprocessors.register(_QuickInlineProcessor(converter), "inline", 20)
    return converter


_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)


def _comments_as_text(body: str) -> str:
    """An HTML comment's words are text in a policy file (markdown would also move them)."""
    if "<!--" not in body:
        return body
    return _COMMENT.sub(lambda match: f" {match.group(1).strip(' -')} ", body)


_BLANK_LINES = re.compile(r"(\n[ \t\u00a0]*\n(?:[ \t\u00a0]*\n)*)")
# (the last alternative: a table without edge pipes, "A | B" over "---|---")
_NOT_PROSE = re.compile(r"^(?: {4}|\t| {0,3}(?:#|>|[-*+]\s|\d+[.)]\s|\||<|```|~~~|[-=_]{3,}\s*$)"
                        r"|[^\n]*\|[^\n]*\n {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|)")
_PAGE_FURNITURE = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+(?:of|/)\s+\d{1,4})?\s*$",
                             re.IGNORECASE)
_PARAGRAPH_STOP = ".!?:"  # a line ending in one of these is not continued in the next
_WRAP_ENDINGS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "its", "of",
    "on", "or", "our", "that", "the", "their", "this", "to", "with", "your",
})


def _is_prose(chunk: str) -> bool:
    return bool(chunk.strip()) and not _NOT_PROSE.match(chunk)


def _is_bold_line(line: str) -> bool:
    line = line.strip()
    return len(line) > 4 and line.startswith("**") and line.endswith("**")


def _continues(before: str, after: str, width: float) -> bool:
    """Whether the line ending ``before`` was wrapped and the sentence goes on in ``after``."""
    line = before.rstrip().rsplit("\n", 1)[-1].rstrip("*_ ")
    head = after.lstrip().lstrip("*_")
    if not line or not head or line[-1] in _PARAGRAPH_STOP:
        return False
    if head[0].islower():
        return True
    if _is_bold_line(after.lstrip().split("\n", 1)[0]) != _is_bold_line(before.rsplit("\n", 1)[-1]):
        return False  # plain text then a bold line (or back): a heading, not a wrapped line
    return len(line) >= 0.6 * width or line.rsplit(None, 1)[-1].lower() in _WRAP_ENDINGS


@lru_cache(maxsize=1 << 14)  # versions of a policy share most paragraphs
def _wrap_features(chunk: str) -> tuple[bool, bool, bool]:
    """What deciding to re-join wrapped lines looks at in a paragraph: whether it is prose,
    ends without a stop, and starts in lower case."""
    return (_is_prose(chunk), chunk.rstrip().rstrip("*_ ")[-1:] not in _PARAGRAPH_STOP,
            chunk.lstrip().lstrip("*_")[:1].islower())


def _wraps(features: list[tuple[bool, bool, bool]]) -> int:
    """How many prose paragraphs (see :func:`_wrap_features`) stop mid-sentence: no stop,
    and the next one is prose starting in lower case."""
    return sum(1 for (prose, open_end, _), (next_prose, _, lower_start)
               in zip(features, features[1:], strict=False)
               if prose and open_end and next_prose and lower_start)


# A paragraph's first character after the blank lines before it, its spaces and its * and _
# (what _wrap_features reads of it): found for each paragraph but the first.
_PARAGRAPH_START = re.compile(r"\n[ \t\u00a0]*\n\s*[*_]*(.)")


def _lower_starts(body: str) -> int:
    """At least as many as the paragraphs after the first that start in lower case (see
    :func:`_wrap_features`; one regular expression over the body, where cutting it into
    paragraphs and reading each took 1.5 ms for a 200 KB policy)."""
    return sum(map(str.islower, _PARAGRAPH_START.findall(body)))


def _rejoin_wrapped_lines(body: str) -> str:
    """Re-join sentences that a PDF or old web page broke into one paragraph per line.

    Only in a body where many paragraphs evidently stop mid-sentence (no stop, and the next
    one starts in lower case): then a paragraph without a final stop continues into the next
    when that starts in lower case, or the line is near the wrapping width, or it ends with a
    word like "and". A page number between the halves moves after the joined paragraph.
    """
    if _lower_starts(body) < 3:  # fewer than 3 paragraphs can continue one before them
        return body
    parts = _BLANK_LINES.split(body)
    chunks, separators = parts[0::2], parts[1::2]
    features = [_wrap_features(chunk) for chunk in chunks]
    wraps = _wraps(features)
    if wraps < 3 or wraps < 0.05 * len(chunks):
        return body
    prose = [feature[0] for feature in features]
    lengths = sorted(
        len(chunk.rstrip().rsplit("\n", 1)[-1])
        for chunk, is_prose in zip(chunks, prose, strict=True) if is_prose
    )
    width = lengths[int(0.9 * (len(lengths) - 1))]
    out: list[str] = [chunks[0]]
    held: list[str] = []  # page furniture waiting for the end of the joined paragraph
    joinable = prose[0]
    i = 1
    while i < len(chunks):
        chunk = chunks[i]
        if (joinable and _PAGE_FURNITURE.match(chunk) and i + 1 < len(chunks)
                and prose[i + 1] and chunks[i + 1].lstrip("*_ ")[:1].islower()
                and _continues(out[-1], chunks[i + 1], width)):
            held.append(chunk)
            i += 1
            continue
        if joinable and prose[i] and _continues(out[-1], chunk, width):
            out[-1] = out[-1].rstrip() + " " + chunk.lstrip()
        else:
            for furniture in held:
                out.extend(["\n\n", furniture])
            held.clear()
            out.extend([separators[i - 1], chunk])
            joinable = prose[i]
        i += 1
    for furniture in held:
        out.extend(["\n\n", furniture])
    return "".join(out)


_PIPE_ROW = re.compile(r"^ {0,3}\|")
_PIPE_RULE = re.compile(r"^ {0,3}\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INDENTED_LINE = re.compile(r"^(?: {4}|\t)")


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") else row
    return [cell.strip() for cell in row.split("|")]


def _markdown_cells(row: str, border: bool) -> list[str]:
    """A row's cells as markdown's table cuts them at most (it does not cut at a pipe in a
    code span or after a backslash): edge pipes are taken off only in a table whose header
    has one."""
    row = row.strip(" ")
    if border:
        row = row[1:] if row.startswith("|") else row
        row = row[:-1] if row.endswith("|") else row
    return row.split("|")


def _is_table(rows: list[str]) -> bool:
    """Whether pipe rows read as a table: a header and a rule of as many columns, a row
    under them, cells mostly filled, and no row with more filled cells than the header has
    columns (markdown would leave their words out)."""
    if len(rows) < 3 or _PIPE_RULE.match(rows[1]) is None or _PIPE_RULE.match(rows[0]):
        return False
    columns = len(_cells(rows[0]))
    if columns != len(_cells(rows[1])):
        return False
    cells = [_cells(row) for row in rows if not _PIPE_RULE.match(row)]
    if sum(1 for row in cells for cell in row if cell) <= sum(map(len, cells)) / 4:
        return False
    border = rows[0].strip(" ").startswith("|") or rows[0].rstrip(" ").endswith("|")
    return all(not "".join(_markdown_cells(row, border)[columns:]).strip() for row in rows[2:])


def _table_remnant_as_text(rows: list[str]) -> list[str]:
    """A run of pipe rows as it should read: a table stays a table; the remnant of a page's
    layout table (see :func:`_is_table`) becomes one paragraph per row with text, its cells
    joined by " · "."""
    if _is_table(rows):
        return rows
    cells = [_cells(row) for row in rows if not _PIPE_RULE.match(row)]
    paragraphs = [" · ".join(cell for cell in row if cell) for row in cells]
    return [line for paragraph in paragraphs if paragraph for line in (paragraph, "")]


def _is_rule(line: str) -> bool:
    """A table's rule with a pipe ("---|---"): never a heading's underline."""
    return "|" in line and _PIPE_RULE.match(line) is not None


def _starts_bare_table(lines: list[str], i: int) -> bool:
    """Whether a table written without edge pipes ("A | B" over "---|---") starts at line
    ``i``."""
    return ("|" in lines[i] and not _PIPE_ROW.match(lines[i]) and not _PIPE_RULE.match(lines[i])
            and i + 1 < len(lines) and _is_rule(lines[i + 1]))


def _rows_end(lines: list[str], i: int, bare: bool) -> int:
    """Where the pipe rows from line ``i`` on end: rows start with a pipe, or are rules; in
    a table without edge pipes, every line holding a pipe is a row."""
    while i < len(lines) and (_PIPE_ROW.match(lines[i]) or _PIPE_RULE.match(lines[i])
                              or (bare and "|" in lines[i])):
        i += 1
    return i


def _cell_continuation(lines: list[str], end: int, rows: list[str]) -> int:
    """The line after an indented continuation of table ``rows``' last cell that starts
    at line ``end`` after blank lines (wikipedia.org's definition of "personal information"
    goes on in indented lines "(a) ...", "(b) ...", and its table after them), or ``end``
    when there is none: the indented lines must be followed straight away by a row that
    belongs to the table."""
    start = end
    while start < len(lines) and not lines[start].strip():
        start += 1
    after = start
    while (after < len(lines) and _INDENTED_LINE.match(lines[after]) and "|" not in lines[after]
           and not lines[after].lstrip().startswith("#")):  # (a heading starts a section)
        after += 1
    if (start == end or after == start or after == len(lines) or _PIPE_RULE.match(lines[after])
            or "|" not in lines[after] or not _is_table([*rows, lines[after]])):
        return end
    return after


def _flatten_table_remnants(body: str) -> str:
    """Turn runs of pipe rows that are not readable tables into plain paragraphs, and set a
    table apart from the lines around it by blank lines (markdown reads a table only as a
    block of its own: a table without edge pipes inside a paragraph read as lines of text
    with pipes)."""
    if "|" not in body:
        return body
    lines = body.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        bare = "|" in lines[i] and _starts_bare_table(lines, i)  # (each needs a pipe)
        if not (bare or "|" in lines[i] and (_PIPE_ROW.match(lines[i]) or _is_rule(lines[i]))):
            out.append(lines[i])
            i += 1
            continue
        end = _rows_end(lines, i + 2 if bare else i, bare)
        rows = lines[i:end]
        while _is_table(rows) and (after := _cell_continuation(lines, end, rows)) != end:
            # The indented lines join the last cell, each on a line of its own.
            more = [line.strip() for line in lines[end:after] if line.strip()]
            rows[-1] = "<br>".join([rows[-1].rstrip(), *more])
            end = _rows_end(lines, after, bare)
            rows += lines[after:end]
        if not _is_table(rows):
            out.extend(_table_remnant_as_text(rows))
        elif not _is_rule(rows[1]):  # "| A" over "---": a heading to markdown, left as it is
            out += rows
        else:
            out += [""] if out and out[-1].strip() else []
            out += [row.lstrip() for row in rows]  # (an indented line would read as code)
            out += [""] if end < len(lines) and lines[end].strip() else []
        i = end
    return "\n".join(out)


_CODE_SPAN_OR_TAG = re.compile(
    r"(`+)(?:(?!\n[ \t]*\n).)*?\1|</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>", re.DOTALL
)
# Removed here already so that markdown does not take an unclosed one (a <noscript> on its
# own line) as the start of a raw HTML block and leave the rest of the policy unformatted.
_FOREIGN_ELEMENTS = HTML_ELEMENTS - ALLOWED_TAGS - {"img"}


def _drop_foreign_tags(body: str) -> str:
    """Remove the tags (never the content) of HTML elements the sanitiser would remove anyway,
    except in code spans, where a tag is text."""
    if "<" not in body:
        return body

    # As _CODE_SPAN_OR_TAG.sub(...), but tried only where a match can start (a ` or a <,
    # found by str.find): one sub over a 4 MB policy is one C call of up to 0.5 s holding
    # Python's lock (a worker's lock: the window froze), and it is slower too.
    pieces: list[str] = []
    done = 0
    next_tag, next_code = body.find("<"), body.find("`")
    while next_tag >= 0 or next_code >= 0:
        at = next_code if next_tag < 0 or 0 <= next_code < next_tag else next_tag
        match = _CODE_SPAN_OR_TAG.match(body, at)
        resume = match.end() if match else at + 1
        if match and (name := match.group(2)) and name.lower() in _FOREIGN_ELEMENTS:
            pieces += (body[done:at], " ")
            done = resume
        if next_tag >= 0 and next_tag < resume:
            next_tag = body.find("<", resume)
        if next_code >= 0 and next_code < resume:
            next_code = body.find("`", resume)
    return "".join(pieces) + body[done:] if pieces else body


def markdown_to_html(body: str) -> str:
    """Markdown to HTML (not yet sanitized: raw HTML passes, :func:`sanitize_html` cleans it)."""
    body = _flatten_table_remnants(_drop_foreign_tags(_comments_as_text(body)))
    return _markdown_converter().convert(_rejoin_wrapped_lines(body))


def _own_text(node: Node) -> str:
    """Text of ``node`` without nested block containers (they are blocks of their own)."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in CONTAINER_TAGS:
            parts.append(_own_text(child))
    return "".join(parts)


def _starts_with_a_list(item: Node) -> bool:
    """Whether a list item's first content is a list of its own ("2.  1.  For you...")."""
    first = next((c for c in item.children if not isinstance(c, str) or c.strip()), None)
    return isinstance(first, Node) and first.tag in ("ol", "ul")


def _number_items_as_written(node: Node) -> None:
    """Qt shows no number for a list item that starts with a list of its own, and numbers
    the items after it one less than the policy does (YouTube's developer terms, III.J:
    "1.", then "2.  1.  For You...", then "3." shown as "2."). A numbered list is cut after
    such an item and goes on as a list starting at the next number, which Qt shows."""
    children: list[str | Node] = []
    for child in node.children:
        if isinstance(child, str):
            children.append(child)
            continue
        _number_items_as_written(child)
        if child.tag != "ol":
            children.append(child)
            continue
        number = int(child.attrs.get("start", 1))
        part = Node("ol", dict(child.attrs), [])
        children.append(part)
        cut_before_next = False
        for grandchild in child.children:
            if isinstance(grandchild, Node) and grandchild.tag == "li":
                if cut_before_next:
                    part = Node("ol", {**child.attrs, "start": str(number)}, [])
                    children.append(part)
                cut_before_next = _starts_with_a_list(grandchild)
                number += 1
            part.children.append(grandchild)
    node.children = children


def parse_policy(body: str) -> Document:
    """Markdown body -> sanitized :class:`Document` with numbered blocks."""
    root = sanitize_html(markdown_to_html(body))
    _number_items_as_written(root)
    blocks: list[Block] = []
    offset = 0

    item_number: int | None = None  # of a numbered item whose text is in a block inside it

    def visit(node: Node) -> None:
        nonlocal offset, item_number
        number = int(node.attrs.get("start", 1)) if node.tag == "ol" else None
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag == "li" and number is not None:
                item_number = number
                number += 1
            if child.tag in BLOCK_TAGS:
                text = _own_text(child)
                if text.strip():
                    anchor = f"p{len(blocks)}"
                    child.attrs["id"] = anchor
                    blocks.append(Block(len(blocks), anchor, child.tag, text, offset,
                                        item_number))
                    offset += len(text) + len(BLOCK_SEPARATOR)
                    item_number = None
            if child.tag in CONTAINER_TAGS:
                if child.tag in ("ol", "ul"):  # (an item's number is not shown on the
                    item_number = None  # items of a list it starts with)
                visit(child)

    visit(root)
    return Document(root, blocks)


def _flatten(marks: Sequence[Mark], start: int, end: int) -> list[tuple[int, int, list[Mark]]]:
    """Split [start, end) into pieces, each with the marks covering it."""
    cuts = {start, end}
    inside = [m for m in marks if m.end > start and m.start < end]
    for mark in inside:
        cuts.add(max(start, mark.start))
        cuts.add(min(end, mark.end))
    points = sorted(cuts)
    pieces = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [m for m in inside if m.start <= a and m.end >= b]
        pieces.append((a, b, covering))
    return pieces


def _style_of(marks: list[Mark]) -> str:
    return ";".join(m.style for m in sorted(marks, key=lambda m: m.priority) if m.style)


def _serialize_text(text: str, pos: int, marks: Sequence[Mark], out: list[str],
                    anchored: set[str]) -> None:
    if not marks:
        out.append(html.escape(text, quote=False))
        return
    for a, b, covering in _flatten(marks, pos, pos + len(text)):
        for mark in covering:
            if mark.anchor and mark.start == a and mark.anchor not in anchored:
                anchored.add(mark.anchor)
                out.append(f'<a name="{mark.anchor}"></a>')
        piece = html.escape(text[a - pos:b - pos], quote=False)
        style = _style_of(covering)
        titles = " · ".join(m.title for m in covering if m.title)
        title = f' title="{html.escape(titles)}"' if titles else ""
        out.append(f'<span style="{html.escape(style)}"{title}>{piece}</span>' if style or title
                   else piece)


def to_html(document: Document, marks: Iterable[Mark] = (), block_anchors: bool = True) -> str:
    """Serialize the document, wrapping marked ranges of block text in styled spans.

    ``block_anchors=False`` leaves out the per-block ``<a name>`` anchors: Qt's HTML
    import takes time quadratic in the number of anchors (a policy of 6,400 paragraphs: 14 s
    with them), so the viewer and the PDF keep only the anchors of marks.
    """
    return "".join(to_html_parts(document, marks, block_anchors, split=False))


PART_PIECES = 300  # about 10-20 KB of HTML per part: Qt imports one in a few ms
TABLE_PART_ROWS = 50


def to_html_parts(document: Document, marks: Iterable[Mark] = (), block_anchors: bool = True,
                  split: bool = True) -> list[str]:
    """:func:`to_html` in parts of whole top-level elements, tables of more than
    ``TABLE_PART_ROWS`` rows cut into tables of that many rows (no text is left out or
    repeated). Qt imports and lays out each part quickly: a big policy can be built part by
    part (the GUI thread is never held for long), and Qt lays out a table as one piece."""
    by_block: dict[int, list[Mark]] = {}
    starts = [block.start for block in document.blocks]
    for mark in marks:
        for block in _blocks_overlapping(document.blocks, starts, mark.start, mark.end):
            by_block.setdefault(block.index, []).append(mark)
    block_of_anchor = {block.anchor: block for block in document.blocks}
    out: list[str] = []
    anchored: set[str] = set()

    def write(node: Node, block: Block | None, pos: int) -> int:
        """Write ``node``'s children; return the text position after them."""
        block_marks = by_block.get(block.index, []) if block else []
        for child in node.children:
            if isinstance(child, str):
                if block is not None:
                    _serialize_text(child, pos, block_marks, out, anchored)
                    pos += len(child)
                else:
                    out.append(html.escape(child, quote=False))
                continue
            if child.tag == "br":
                out.append("<br>")
                if block is not None:
                    pos += 1
                continue
            if child.tag == "hr":
                out.append("<hr>")
                continue
            own = block_of_anchor.get(child.attrs.get("id", ""))
            # The block's id stays in the tree: its <a name> is the anchor, and an id attribute
            # on every table cell makes Qt's layout of a long table ten times slower.
            attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in child.attrs.items()
                            if k not in ("id", _JOINED))
            if child.tag == "table":  # ruled cells: a wide table stays readable when it wraps
                attrs += ' border="1" cellspacing="0" cellpadding="3"'
                attrs += _table_margins(child.attrs.get(_JOINED, ""))
            elif child.tag == "pre":  # its lines wrap: never cut off at the page's edge
                attrs += ' style="white-space:pre-wrap"'
            out.append(f"<{child.tag}{attrs}>")
            if own is not None:
                # anchors in cells: Qt lays a long table out 15x slower
                if block_anchors and child.tag not in {"td", "th"}:
                    out.append(f'<a name="{own.anchor}"></a>')
                write(child, own, own.start)
            elif child.tag in CONTAINER_TAGS:
                write(child, None, 0)
            else:
                pos = write(child, block, pos)
            out.append(f"</{child.tag}>")
        return pos

    if not split:
        write(document.root, None, 0)
        return ["".join(out)]
    parts: list[str] = []
    for child in document.root.children:
        for piece in _table_parts(child) if isinstance(child, Node) else [child]:
            write(Node("div", children=[piece]), None, 0)
            if len(out) >= PART_PIECES:
                parts.append("".join(out))
                out.clear()
    if out or not parts:
        parts.append("".join(out))
    return parts


def _table_parts(node: Node) -> list[Node]:
    """A long table as several tables of ``TABLE_PART_ROWS`` rows (others as they are)."""
    if node.tag != "table":
        return [node]
    rows: list[str | Node] = []
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                return [node]  # stray text in the table: keep it exactly where it is
        elif child.tag in {"thead", "tbody", "tfoot"}:
            if any(isinstance(c, str) and c.strip() for c in child.children):
                return [node]
            rows += [c for c in child.children if isinstance(c, Node)]
        else:
            rows.append(child)
    if len(rows) <= TABLE_PART_ROWS:
        return [node]
    starts = range(0, len(rows), TABLE_PART_ROWS)
    return [Node("table", {**node.attrs, _JOINED: " ".join(
                ([] if i == 0 else ["previous"]) + ([] if i == starts[-1] else ["next"]))},
                 [Node("tbody", {}, rows[i:i + TABLE_PART_ROWS])])
            for i in starts]


# A table is set apart from the text before and after it, as paragraphs are (Qt gives a
# table no margin: the paragraph after one sat right under its last row); the parts a
# long table is cut into (see _table_parts) join without a gap.
TABLE_MARGIN_PX = 10
_JOINED = "data-joined"  # on a part of a table: the parts it joins ("previous next")


def _table_margins(joined: str) -> str:
    """The style attribute of a table (or a part of one: ``joined``, see :data:`_JOINED`)."""
    sides = [f"margin-{side}:{TABLE_MARGIN_PX}px" for side, towards in
             (("top", "previous"), ("bottom", "next")) if towards not in joined]
    return f' style="{";".join(sides)}"' if sides else ""


def _blocks_overlapping(blocks: list[Block], starts: list[int], start: int, end: int):
    i = max(0, bisect.bisect_right(starts, start) - 1)
    while i < len(blocks) and blocks[i].start < end:
        if blocks[i].end > start:
            yield blocks[i]
        i += 1


def render_policy_html(body: str) -> str:
    """Convenience: a policy body straight to safe HTML (no highlights)."""
    return to_html(parse_policy(body))
