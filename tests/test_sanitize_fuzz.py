"""Property-based fuzzing of the sanitiser: every word of hostile markup is shown, nothing runs.

Policies are generated from words and markup. Words match ``zq[a-z]+`` and markup never
contains such a word, so "the words in the file" are simply the words the generator wrote:
markdown syntax, tag names, attributes and URLs are markup; the content of any element
(script, style, textarea, noscript, a comment...) and the alt text of an image are text.
"Words shown" are the words of the parsed document's text (what search, the classifier and
the PDF read) and of the rendered HTML as Qt's text engine displays it.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.analysis.document import (
    ALLOWED_TAGS,
    SAFE_URL,
    TABLE_MARGIN_PX,
    parse_policy,
    to_html,
)

WORD_PATTERN = re.compile(r"zq[a-z]+")
FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

words = st.text(alphabet="abcdefghijklmnopqrstuvwxy", min_size=2, max_size=5).map(
    lambda s: "zq" + s
)
HOSTILE_URLS = [
    "https://evil.test/pixel.gif", "//evil.test/x", "javascript:alert(1)", "JaVaScRiPt&#58;x",
    "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "mailto:a@b.test", "#top",
    "http://ok.test/a b", "vbscript:msgbox", " javascript:alert(2)",
]
ATTRIBUTES = [
    "", ' src="{url}"', " src={url}", ' href="{url}"', ' onerror="alert(1)"',
    ' onclick=steal()', ' style="background:url({url})"', ' class="x"', " hidden",
    ' srcset="{url} 2x"', ' action="{url}"', ' formaction="{url}"', ' data="{url}"',
    ' background="{url}"', ' poster="{url}"', ' xlink:href="{url}"', " autofocus onfocus=x()",
    ' id="p0"', ' name="p1"', ' align="center"', ' align="javascript:x"',
]
DANGEROUS_TAGS = [
    "script", "style", "iframe", "embed", "frame", "frameset", "noscript", "textarea", "select",
    "option", "object", "template", "svg", "math", "title", "head", "form", "plaintext", "xmp",
    "noembed", "noframes", "img", "input", "button", "base", "link", "meta", "video", "audio",
    "source", "body", "html", "table", "tr", "td", "th", "li", "ul", "ol", "p", "div", "h2",
    "pre", "blockquote", "a", "b", "em", "span", "br", "hr", "section", "center", "font",
    "marquee", "details", "dl", "dt", "dd", "thead", "tbody", "code", "applet", "canvas",
]
UNKNOWN_TAGS = ["usersname", "company-name", "foo", "x", "your_id"]


@st.composite
def tags(draw) -> str:
    """One HTML tag, open, close or self-closing, with hostile attributes (no words)."""
    name = draw(st.sampled_from(DANGEROUS_TAGS + UNKNOWN_TAGS))
    if draw(st.booleans()) and name not in UNKNOWN_TAGS:
        name = name.upper() if draw(st.booleans()) else name.capitalize()
    kind = draw(st.sampled_from(["open", "open", "close", "self"]))
    if kind == "close":
        return f"</{name}>"
    attrs = ""
    if name not in UNKNOWN_TAGS:
        for _ in range(draw(st.integers(0, 2))):
            url = draw(st.sampled_from(HOSTILE_URLS))
            attrs += draw(st.sampled_from(ATTRIBUTES)).format(url=url)
    return f"<{name}{attrs}{' /' if kind == 'self' else ''}>"


INLINE_FORMS = [
    "{w}", "{w}", "{w}", "*{w}*", "**{w}**", "`{w}`", "[{w}]({u})", "![{w}]({u})",
    '<img alt="{w}" src="{u}">', "<!-- {w} -->", "<script>alert('{w}')</script>",
    "<style>p{{color:red}} {w}</style>", "<textarea>{w}", "<noscript>{w}",
    '<a href="{u}">{w}</a>', "{t}", "{t}", "{t} {w} {t}", "&amp;", "&lt;", "&#60;", "&apos",
    "<https://ok.test/x>", "<{w}@mail.test>", "<", ">", "&", "\\", "*", "_", "|", "#",
]


@st.composite
def inline_pieces(draw) -> str:
    """A word, a word in inline markdown or HTML, a tag, an entity or a URL."""
    form = draw(st.sampled_from(INLINE_FORMS))
    return form.format(
        w=draw(words) if "{w}" in form else "",
        u=draw(st.sampled_from(HOSTILE_URLS)).replace(" ", "%20") if "{u}" in form else "",
        t=draw(tags()) if "{t}" in form else "",
    )


@st.composite
def lines(draw) -> str:
    pieces = draw(st.lists(inline_pieces(), min_size=1, max_size=6))
    return " ".join(pieces)


@st.composite
def blocks(draw) -> str:
    """A markdown block: paragraph, heading, (nested) list, quote, table, code or raw HTML."""
    kind = draw(st.sampled_from(
        ["para", "para", "heading", "list", "quote", "table", "code", "html", "wrapped"]
    ))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(lines())
    if kind == "list":
        items = draw(st.lists(st.tuples(st.integers(0, 3), lines()), min_size=1, max_size=5))
        marker = draw(st.sampled_from(["- ", "* ", "1. "]))
        return "\n".join("    " * depth + marker + line for depth, line in items)
    if kind == "quote":
        return "\n".join("> " + line for line in draw(st.lists(lines(), min_size=1, max_size=3)))
    if kind == "table":
        columns = draw(st.integers(1, 4))
        rows = draw(st.lists(st.lists(words, min_size=columns, max_size=columns),
                             min_size=1, max_size=4))
        header = "| " + " | ".join(f"h{i}" for i in range(columns)) + " |"
        rule = "|" + "---|" * columns
        return "\n".join([header, rule] + ["| " + " | ".join(row) + " |" for row in rows])
    if kind == "code":
        return "```\n" + draw(lines()) + "\n```"
    if kind == "html":
        return draw(tags()) + "\n" + draw(lines())
    if kind == "wrapped":
        return "\n".join(draw(st.lists(lines(), min_size=2, max_size=4)))
    return draw(lines())


policies = st.lists(blocks(), min_size=1, max_size=8).map("\n\n".join)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def shown_by_qt(html: str) -> str:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


@pytest.fixture(scope="module")
def qt_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


@FUZZ_SETTINGS
@given(source=policies)
def test_every_word_of_hostile_markup_is_shown_and_nothing_runs(source, qt_app):
    expected = WORD_PATTERN.findall(source)
    document = parse_policy(source)
    assert WORD_PATTERN.findall(document.text) == expected
    html = to_html(document)
    assert WORD_PATTERN.findall(shown_by_qt(html)) == expected

    collector = _TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, tag
        if tag == "table":  # the renderer's own ruling and margins, never the policy's
            assert attrs == {"border": "1", "cellspacing": "0", "cellpadding": "3",
                             "style": f"margin-top:{TABLE_MARGIN_PX}px;"
                                      f"margin-bottom:{TABLE_MARGIN_PX}px"}, attrs
            continue
        if tag == "pre":  # its lines wrap (the renderer's style, never the policy's)
            assert attrs == {"style": "white-space:pre-wrap"}, attrs
            continue
        if tag == "ol":  # a list that goes on ("3."): a number, nothing else
            assert set(attrs) <= {"start"} and (attrs.get("start") or "1").isdigit(), attrs
            continue
        assert set(attrs) <= {"href", "name", "align"}, (tag, attrs)
        if "href" in attrs:
            assert tag == "a" and SAFE_URL.match(attrs["href"] or ""), attrs
            assert not (attrs["href"] or "").lower().startswith(("javascript", "data", "//"))


@pytest.mark.parametrize("tag", ["<embed src=x>", "<frame>", "<textarea>", "<noscript>",
                                 "<iframe src=https://evil.test>", "<plaintext>", "<xmp>",
                                 "<title>", "<select>", "<template>", "<svg>", "<style>"])
def test_text_after_an_unclosed_dangerous_tag_is_shown(tag):
    """Issue 11: everything after these tags disappeared."""
    for source in (f"# Policy\n\nWe collect {tag} your email.\n\n## Sharing\n\nWe *sell* it.",
                   f"# Policy\n\nWe collect your email.\n\n{tag}\n\n## Sharing\n\nWe *sell* it."):
        document = parse_policy(source)
        assert "your email." in document.text
        # What follows is still formatted: a heading, emphasis (not raw markdown source).
        assert [(b.tag, b.text) for b in document.blocks][-2:] == [
            ("h2", "Sharing"), ("p", "We sell it.")]
        assert "<embed" not in to_html(document) and "<iframe" not in to_html(document)


def test_template_placeholders_that_are_not_html_are_shown_literally():
    document = parse_policy("Visit http://digg.com/users/<usersname>/profile to edit it.")
    assert "http://digg.com/users/<usersname>/profile" in document.text
    assert "&lt;usersname&gt;" in to_html(document)
