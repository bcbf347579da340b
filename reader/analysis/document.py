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
from html.parser import HTMLParser

import markdown

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
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
     "head", "title", "textarea", "select", "form", "frame", "frameset"}
)
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

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_heading(self) -> bool:
        return self.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}


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
    """A styled range of the rendered text. ``anchor`` adds a jump target at its start."""

    start: int
    end: int
    style: str
    anchor: str | None = None
    priority: int = 0


def safe_url(url: str) -> str | None:
    """The URL if it is safe to show as a link, else ``None``."""
    cleaned = "".join(ch for ch in html.unescape(url) if ch.isprintable() and not ch.isspace())
    return cleaned if SAFE_URL.match(cleaned) else None


class _SanitizingParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("div")
        self.stack: list[Node] = [self.root]
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), "")
            if alt:
                self.handle_data(f"[image: {alt}]")
            return
        if tag not in ALLOWED_TAGS:
            return
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
        node = Node(tag, clean)
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            return
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS and not self.dropping:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in ALLOWED_TAGS or tag in VOID_TAGS:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self.dropping and data:
            self.stack[-1].children.append(data)


def sanitize_html(fragment: str) -> Node:
    """Parse an HTML fragment into a whitelisted tree."""
    parser = _SanitizingParser()
    parser.feed(fragment)
    parser.close()
    return parser.root


def _markdown_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def markdown_to_html(body: str) -> str:
    """Markdown to HTML (not yet sanitized: raw HTML passes, :func:`sanitize_html` cleans it)."""
    return _markdown_converter().convert(body)


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


def parse_policy(body: str) -> Document:
    """Markdown body -> sanitized :class:`Document` with numbered blocks."""
    root = sanitize_html(markdown_to_html(body))
    blocks: list[Block] = []
    offset = 0

    def visit(node: Node) -> None:
        nonlocal offset
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag in BLOCK_TAGS:
                text = _own_text(child)
                if text.strip():
                    anchor = f"p{len(blocks)}"
                    child.attrs["id"] = anchor
                    blocks.append(Block(len(blocks), anchor, child.tag, text, offset))
                    offset += len(text) + len(BLOCK_SEPARATOR)
            if child.tag in CONTAINER_TAGS:
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
        out.append(f'<span style="{html.escape(style)}">{piece}</span>' if style else piece)


def to_html(document: Document, marks: Iterable[Mark] = ()) -> str:
    """Serialize the document, wrapping marked ranges of block text in styled spans."""
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
            attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in child.attrs.items())
            out.append(f"<{child.tag}{attrs}>")
            if own is not None:
                out.append(f'<a name="{own.anchor}"></a>')
                write(child, own, own.start)
            elif child.tag in CONTAINER_TAGS:
                write(child, None, 0)
            else:
                pos = write(child, block, pos)
            out.append(f"</{child.tag}>")
        return pos

    write(document.root, None, 0)
    return "".join(out)


def _blocks_overlapping(blocks: list[Block], starts: list[int], start: int, end: int):
    i = max(0, bisect.bisect_right(starts, start) - 1)
    while i < len(blocks) and blocks[i].start < end:
        if blocks[i].end > start:
            yield blocks[i]
        i += 1


def render_policy_html(body: str) -> str:
    """Convenience: a policy body straight to safe HTML (no highlights)."""
    return to_html(parse_policy(body))
