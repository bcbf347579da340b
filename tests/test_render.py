"""Safe HTML rendering and anchors."""

from __future__ import annotations

from reader.analysis.document import Mark, parse_policy, render_policy_html, to_html

HOSTILE = """# Policy

We care. <script>alert('x')</script> Really.

<img src="https://evil.test/pixel.gif" onerror="alert(1)">

![tracker](https://evil.test/t.png)

Click [here](javascript:alert(1)) or [there](JaVaScRiPt&#58;alert(2)) or [safe](https://ok.test/a).

<a href="https://ok.test" onclick="steal()">link</a> <div onmouseover="x()">hover</div>

<iframe src="https://evil.test"></iframe><style>body{display:none}</style>
"""


def test_hostile_markup_is_neutralised():
    html = render_policy_html(HOSTILE).lower()
    for forbidden in ("<script", "alert('x')", "onerror", "onclick", "onmouseover", "javascript:",
                      "<img", "evil.test", "<iframe", "<style", "display:none"):
        assert forbidden not in html, forbidden
    assert 'href="https://ok.test/a"' in html
    assert "[image: tracker]" in html
    assert "we care." in html and "really." in html


def test_blocks_have_stable_anchors_and_text():
    document = parse_policy("# Title\n\nFirst para.\n\n- item one\n- item two\n\nLast *para*.")
    assert [(b.anchor, b.tag, b.text) for b in document.blocks] == [
        ("p0", "h1", "Title"), ("p1", "p", "First para."), ("p2", "li", "item one"),
        ("p3", "li", "item two"), ("p4", "p", "Last para."),
    ]
    assert document.text == "Title\n\nFirst para.\n\nitem one\n\nitem two\n\nLast para."
    html = to_html(document)
    assert html.count('<a name="p') == 5
    assert parse_policy("# Title\n\nFirst para.").blocks[1].anchor == "p1"


def test_marks_wrap_text_across_inline_elements():
    document = parse_policy("Intro. We **really** sell data. End.")
    text = document.text
    start = text.index("We")
    end = text.index("data.") + len("data.")
    html = to_html(document, [Mark(start, end, "background-color:#EE8866", "s0")])
    assert '<a name="s0"></a><span style="background-color:#EE8866">We </span>' in html
    assert '<strong><span style="background-color:#EE8866">really</span></strong>' in html
    assert '<span style="background-color:#EE8866"> sell data.</span> End.' in html


def test_tables_and_entities():
    document = parse_policy("| a | b |\n|---|---|\n| c &amp; d | <b>e</b> |")
    assert [b.text for b in document.blocks] == ["a", "b", "c & d", "e"]
    assert "c &amp; d" in to_html(document)
