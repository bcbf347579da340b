"""Safe HTML rendering and anchors."""

from __future__ import annotations

import unicodedata

from reader.analysis.document import Mark, parse_policy, render_policy_html, to_html
from reader.sources.corpus import Corpus

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
    for forbidden in ("<script", "onerror", "onclick", "onmouseover", "javascript:",
                      "<img", "evil.test", "<iframe", "<style", "src="):
        assert forbidden not in html, forbidden
    # What a script or style element holds is policy text: shown, escaped, never run.
    assert "alert('x')" in html and "body{display:none}" in html
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


def test_mis_decoded_text_is_repaired_and_the_rest_kept():
    from reader.sources.repair import repair_text

    assert repair_text("We use \u00e2\u0080\u009cGoogle Analytics\u00e2\u0080\u009d.") == (
        "We use \u201cGoogle Analytics\u201d.")
    assert repair_text("stored on the user¡¯s computer") == "stored on the user\u2019s computer"
    assert repair_text("a user?s friends; don?t. Why? Because.") == (
        "a user\u2019s friends; don\u2019t. Why? Because.")
    assert repair_text("what&aposs in them, &apos;quoted&apos;") == "what's in them, 'quoted'"
    assert repair_text("You can \ufb01nd \u201ccurly\u201d and ＡＢＣ") == (
        "You can find \u201ccurly\u201d and ＡＢＣ")
    assert repair_text("plain ascii & <b>html</b> &amp;") == "plain ascii & <b>html</b> &amp;"


def test_the_check_for_mis_decoded_text_on_bytes_finds_what_the_text_search_finds():
    # repair_text decides whether ftfy runs from the UTF-8 bytes (without plain ASCII):
    # every character of the Basic Multilingual Plane and past it, alone and between
    # others, with a byte order mark and CR line ends in the bytes as files have them.
    from reader.sources.repair import _NEEDS_FTFY, needs_ftfy

    characters = [chr(c) for c in [*range(0xD800), *range(0xE000, 0x10000),
                                   0x1F600, 0x10FFFF]]
    for character in characters:
        for text in (character, f"d\u2019{character}\u00e9\n", f"\u00e2{character}\u00ac"):
            expected = _NEEDS_FTFY.search(text) is not None
            assert needs_ftfy(text) is expected, repr(text)
            data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
            assert needs_ftfy(text, data) is expected, repr(text)


def test_letters_written_with_combining_marks_are_read_composed():
    # "Verschlu\u0308sselung" (u + COMBINING DIAERESIS, as Finya's policy in the dating
    # bundle writes it) read as two words, "verschlu" and "sselung": search for the word
    # did not find it. Text is read in composed form (NFC), with or without mojibake.
    from reader.sources.repair import repair_text

    assert repair_text("Verschlu\u0308sselung der Daten") == "Verschl\u00fcsselung der Daten"
    assert repair_text("caf\u0065\u0301 \u00e2\u0080\u009cx\u00e2\u0080\u009d") == (
        "caf\u00e9 \u201cx\u201d")
    assert repair_text("\u212b ohm \u2126") == "\u00c5 ohm \u03a9"  # singletons
    for kept in ("Verschl\u00fcsselung", "\ufeffplain", "\u0915\u093c\u093f", "한국어",
                 "\u0308 a lone mark"):
        assert repair_text(kept) == unicodedata.normalize("NFC", kept)


def test_the_quick_check_for_composed_text_agrees_with_unicode():
    # is_composed reads only the characters that are not ASCII and never calls a text
    # composed that is not: every character of the Basic Multilingual Plane and past it,
    # alone, after an ASCII letter and after an accented one; and every mark that
    # composes with an ASCII letter is among those it looks for.
    import sys

    from reader.sources.repair import _MARKS_AFTER_ASCII, _non_ascii, is_composed

    characters = [chr(c) for c in [*range(0x80, 0xD800), *range(0xE000, 0x10000),
                                   0x1D15E, 0x2F800, 0x10FFFF]]
    for character in characters:
        for text in (character, f"a{character}", f"\u00e9{character}.", f"A{character}b"):
            if is_composed(_non_ascii(text)):  # (else the text is composed: exact)
                assert unicodedata.is_normalized("NFC", text), repr(text)
    for code in range(0x80, sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<") and int(parts[0], 16) < 0x80:
            assert _MARKS_AFTER_ASCII.match(chr(int(parts[1], 16))), hex(code)


def test_real_mojibake_policy_is_repaired(shared_corpus):
    from reader.sources.corpus import read_policy

    policy = read_policy(shared_corpus / "0" / "0c" / "0ca" / "0calc.com.md")
    assert not any("\x80" <= ch <= "\x9f" for ch in policy.body)
    assert "\u00e2\u0080" not in policy.body
    assert "a tool called \u201cGoogle Analytics\u201d" in policy.body
    assert "Google\u2019s ability" in policy.body


def test_wrapped_lines_of_a_converted_pdf_are_re_joined_into_paragraphs():
    lines = [
        "Data Policy",
        "This policy describes the information we process to support Facebook, Instagram,",
        "Messenger and other products offered by Facebook (Facebook",
        "Products). You can find additional tools in the Settings.",
        "Information we collect",
        "To provide the Products, we must process information about you. The types of",
        "information we collect depend on how you use our Products; we log",
        "7",
        "the time and duration of your activities. Learn more about how you can",
        "control who can see the things you share and",
        "the people you share with.",
    ]
    document = parse_policy("\n\n \n\n".join(lines))
    assert [block.text for block in document.blocks] == [
        "Data Policy",
        "This policy describes the information we process to support Facebook, Instagram, "
        "Messenger and other products offered by Facebook (Facebook Products). You can find "
        "additional tools in the Settings.",
        "Information we collect",
        "To provide the Products, we must process information about you. The types of "
        "information we collect depend on how you use our Products; we log the time and "
        "duration of your activities. Learn more about how you can control who can see the "
        "things you share and the people you share with.",
        "7",
    ]


def test_ordinary_paragraphs_are_not_joined():
    body = "# Title\n\nIntroduction\n\nWe collect data\n\nYour choices\n\nyou may opt out.\n"
    assert [b.text for b in parse_policy(body).blocks] == [
        "Title", "Introduction", "We collect data", "Your choices", "you may opt out."]


def test_soft_line_breaks_inside_a_paragraph_do_not_end_sentences():
    from reader.analysis.segment import segment

    document = parse_policy(
        "We collect your email address when you\nsign up, and we share it with\n"
        "partners.\nContact\nWrite to us at any time.")
    sentences = [document.text[s.start:s.end] for p in segment(document) for s in p.sentences]
    assert sentences == ["We collect your email address when you sign up, and we share it "
                         "with partners.", "Contact", "Write to us at any time."]


def test_layout_table_remnants_read_as_lines_and_real_tables_stay():
    remnant = ("|  |  [Info for Consumers](https://x.test/a) |   \n---|---|---  \n|  |   \n"
               "|  |  Internet Privacy  |   \n|  |  |  |  |\n\nAfter the table.")
    document = parse_policy(remnant)
    assert [b.text for b in document.blocks] == [
        "Info for Consumers", "Internet Privacy", "After the table."]
    assert "<table" not in to_html(document)
    empty = parse_policy("|  |  |  |\n---|---|---\n  |  |  \n\nText.")
    assert [b.text for b in empty.blocks] == ["Text."]
    table = parse_policy("| Data | Use |\n|---|---|\n| Email | Ads |\n|  | Support |")
    assert [b.text for b in table.blocks] == ["Data", "Use", "Email", "Ads", "Support"]
    assert '<table border="1"' in to_html(table)


def table_rows(html: str) -> list[list[list[str]]]:
    """The cells of each table in rendered HTML: tables, rows, cell texts (tags taken out,
    a line break as a new line)."""
    import html as html_module
    import re

    def text(cell: str) -> str:
        return html_module.unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", "\n")))

    return [[[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
            for table in re.findall(r"<table[^>]*>(.*?)</table>", html, re.S)]


def test_a_table_without_edge_pipes_is_a_table():
    """apple.com's and wikipedia.org's tables ("A | B" over "---|---", no pipe at either
    edge) read as lines of text with pipes; also after a line of text (yamaha-motor.co.id),
    with its header indented."""
    document = parse_policy(
        "Write to us:\n\n**Country or Region:**|  **Contact Information:**  \n---|---  \n"
        "United States| [privacy@apple.com](mailto:privacy@apple.com)  \n"
        "Canada| [privacy-ca@apple.com](mailto:privacy-ca@apple.com)  \n  \nAfter it.")
    assert table_rows(to_html(document)) == [[
        ["Country or Region:", "Contact Information:"],
        ["United States", "privacy@apple.com"], ["Canada", "privacy-ca@apple.com"]]]
    assert [b.text for b in document.blocks] == [
        "Write to us:", "Country or Region:", "Contact Information:", "United States",
        "privacy@apple.com", "Canada", "privacy-ca@apple.com", "After it."]
    after_text = parse_policy("4. Joint use\n     Purpose of use | Same as above  \n---|---  \n"
                              "YMC Group | Yamaha Motor Co., Ltd.  \nThe end.")
    assert table_rows(to_html(after_text)) == [[
        ["Purpose of use", "Same as above"], ["YMC Group", "Yamaha Motor Co., Ltd."]]]
    assert [b.text for b in after_text.blocks][-1] == "The end."
    # In a policy whose lines were wrapped into paragraphs, no line is joined to a table.
    wrapped = parse_policy(
        "We collect data when you\n\nsign up and when\n\nyou log in, and we\n\nshare it with "
        "these partners\n\nPartner | Purpose\n---|---\nacme | ads\n\nthe end of it\n\nand more")
    assert table_rows(to_html(wrapped)) == [[["Partner", "Purpose"], ["acme", "ads"]]]
    assert [b.text for b in wrapped.blocks][-1] == "the end of it and more"


def test_a_cell_that_goes_on_in_indented_lines_keeps_them():
    """wikipedia.org: the definition of "personal information" goes on, after a blank
    line, in indented lines (a), (b), (c); the table's last row follows them."""
    document = parse_policy(
        "When we say... | ... we mean:  \n---|---  \n"
        '"contributions" | Content you add.  \n'
        '"personal information" | Information about you: \n\n'
        "    (a) your real name;\n    (b) your age; and\n    (c) your account.  \n"
        '"third party" | Others.  \n  \nAfter it.')
    assert table_rows(to_html(document)) == [[
        ["When we say...", "... we mean:"], ['"contributions"', "Content you add."],
        ['"personal information"',
         "Information about you:\n(a) your real name;\n(b) your age; and\n(c) your account."],
        ['"third party"', "Others."]]]
    assert document.blocks[-1].text == "After it."


def test_pipe_rows_that_are_no_table_stay_text_with_every_word():
    """A layout's remnant without edge pipes (nist.gov's icons, sba.gov's lone pipe) is
    text; a row with more cells than its header has columns is no table (markdown left
    the extra cells' words out); a header and a rule with no row under them are no table
    (markdown gave them an empty row)."""
    remnant = parse_policy("[*](https://x.test/d) |  [](https://x.test/b)  \n---|---  \n  \n"
                           "**Privacy Policy**\n\n     |   \n---|---\n\nText.")
    assert [b.text for b in remnant.blocks] == ["* · ", "Privacy Policy", "Text."]
    assert "<table" not in to_html(remnant)
    for body in ("| a | b |\n|---|---|\n| c | d | e |", "a | b\n---|---\nc | d | e"):
        assert "e" in [word for b in parse_policy(body).blocks for word in b.text.split()]
    header_only = parse_policy("**Cookie name** |  **Description**  \n---|---  \n  \nMUID")
    assert [b.text for b in header_only.blocks] == ["Cookie name · Description", "MUID"]


def test_tables_without_edge_pipes_of_real_policies(shared_corpus):
    corpus = Corpus.open(shared_corpus)
    apple = table_rows(to_html(parse_policy(corpus.load("apple.com").body)))
    assert apple == [[["Country or Region:", "Contact Information:"],
                      *([place, address] for place, address in APPLE_ADDRESSES)]]
    wikipedia = table_rows(to_html(parse_policy(corpus.load("wikipedia.org").body)))
    assert len(wikipedia) == 1 and [row[0] for row in wikipedia[0]] == WIKIPEDIA_TERMS
    assert wikipedia[0][6][1].endswith("when associated with your user account.")
    assert wikipedia[0][6][1].count("\n") == 3


APPLE_ADDRESSES = [
    ("United States", "privacy@apple.com"), ("Canada", "privacy-ca@apple.com"),
    ("Latin America", "privacy-la@apple.com"), ("Europe", "privacyeurope@apple.com"),
    ("Japan", "privacy-japan@apple.com"), ("Australia", "privacy@apple.com.au"),
    ("Asia/Pacific", "privacy@asia.apple.com")]
WIKIPEDIA_TERMS = [
    "When we say...", '"the Wikimedia Foundation" / "the Foundation" / "we" / "us" / "our"',
    '"Wikimedia Sites" / "our services"', '"you" / "your" / "me"',
    '"this Policy" / "this Privacy Policy"', '"contributions"', '"personal information"',
    '"third party" / "third parties"']


def test_table_cells_carry_no_anchor_elements():
    """An anchor or id in every cell made Qt lay out a 3,000-row table in minutes."""
    rows = "".join(f"| c{i} | purpose {i} |\n" for i in range(50))
    html = to_html(parse_policy("# T\n\n| Name | Purpose |\n|---|---|\n" + rows))
    assert "<td><a name" not in html and "<th><a name" not in html and " id=" not in html
    assert '<h1><a name="p0"></a>T</h1>' in html


def test_indented_block_is_text_not_code():
    """Scraped pages keep nested lists' indentation after a paragraph; markdown read such a
    block as code: raw "* [link](url)" in a typewriter font, lines cut off at the edge."""
    document = parse_policy(
        "This includes:\n\n      * details of how you used our service\n"
        "      * [Internet protocol address](https://example.test/ip).\n\nAfter.\n\n"
        "        i.      You may send an email to [help@example.test ](mailto:help@example.test)")
    assert [(b.tag, b.text) for b in document.blocks] == [
        ("p", "This includes:"), ("li", "details of how you used our service"),
        ("li", "Internet protocol address."), ("p", "After."),
        ("p", "i.      You may send an email to help@example.test ")]
    html = to_html(document)
    assert "<pre" not in html and "<code" not in html
    assert '<a href="https://example.test/ip">' in html
    assert '<a href="mailto:help@example.test">' in html


def test_reference_definitions_are_text_not_dropped():
    """Markdown took a reference definition out of the page: a policy's list of sources
    ("[1]: http://...") vanished without a trace. It is text now, and a reference to it
    reads as written."""
    document = parse_policy(
        "See [our notes][1] and [cookies].\n\n"
        '[1]: http://example.test/notes "Notes on privacy"\n'
        "[cookies]: https://example.test/cookies\n\nAfter.")
    assert [b.text for b in document.blocks] == [
        "See [our notes][1] and [cookies].",
        '[1]: http://example.test/notes "Notes on privacy"\n'
        "[cookies]: https://example.test/cookies",
        "After."]
    assert "href" not in to_html(document)  # no link made from a definition


def test_numbered_list_resumed_after_a_paragraph_keeps_its_numbers():
    document = parse_policy("1. Ask\n2. Send\n\nAddress: Tokyo\n\n3. We reply.\n\nNext:\n\n"
                            "1. a\n\n    text of a\n\n2. b\n\n* bullet")
    assert [(b.text, b.number) for b in document.blocks] == [
        ("Ask", 1), ("Send", 2), ("Address: Tokyo", None), ("We reply.", 3), ("Next:", None),
        ("a", 1), ("text of a", None), ("b", 2), ("bullet", None)]
    assert '<ol start="3">' in to_html(document)
    hostile = render_policy_html('<ol start="3x" onclick="x()"><li>a</li></ol>'
                                 '<ol start="99999999999"><li>b</li></ol>')
    assert "<ol><li>" in hostile and "start" not in hostile and "onclick" not in hostile


def test_qt_shows_the_list_numbers_and_wraps_preformatted_text(qapp):
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()
    shown.setHtml(render_policy_html("1. Ask\n\nAddress\n\n3. We reply.\n"))
    block = shown.findBlock(shown.toPlainText().index("We reply"))
    assert block.textList().itemText(block) == "3."
    shown.setHtml(render_policy_html("<pre>" + "a long line of words " * 40 + "</pre>"))
    shown.setTextWidth(400)
    assert shown.size().width() <= 400 and shown.firstBlock().layout().lineCount() > 5


def test_items_after_one_that_starts_with_a_list_keep_their_numbers(qapp):
    # YouTube's developer terms (III.J): "1.", then "2.  1.  For You...", then "3.".
    # Qt shows no number for an item that starts with a list of its own and numbered the
    # next one "2."; the list now goes on from "3." as a list of its own.
    from PySide6.QtGui import QTextDocument, QTextListFormat

    for markdown, numbers in (
            ("1. First.\n2.  1.  For you.\n\n    2.  For them.\n\n3. Last.\n4. End.",
             [1, 1, 2, 3, 4]),
            ("1. First.\n2. - a bullet\n3. Last.", [1, None, 3]),
            ("5. First.\n6.  1.  Inner.\n7. Last.", [5, 1, 7])):
        document = parse_policy(markdown)
        assert [b.number for b in document.blocks] == numbers, markdown
        shown = QTextDocument()
        shown.setHtml(to_html(document))
        block, labels = shown.begin(), []
        while block.isValid():
            listed = block.textList()
            numbered = listed and listed.format().style() == QTextListFormat.Style.ListDecimal
            labels.append(listed.itemText(block) if numbered else None)
            block = block.next()
        assert labels == [f"{n}." if n is not None else None for n in numbers], markdown
        assert shown.toPlainText().split() == document.text.split()


def test_quick_inline_step_gives_markdowns_html_on_real_policies():
    """Markdown's inline patterns are not tried on a text that holds nothing they need
    (a [, a <, a * or _...): the HTML of every policy of ../shared/corpus and pga-v1 is
    what Markdown's own inline step makes of it."""
    from conftest import shared_folder
    from markdown.treeprocessors import InlineProcessor

    from reader.analysis import document
    from reader.sources.corpus import parse_header, read_policy_text

    paths = sorted(shared_folder("corpus").rglob("*.md"))
    paths += sorted((shared_folder("history") / "pga-v1").rglob("*.md"))
    quick = document._markdown_converter()
    plain = document._markdown_converter()
    plain.treeprocessors.register(InlineProcessor(plain), "inline", 20)
    assert type(quick.treeprocessors["inline"]) is document._QuickInlineProcessor
    for path in paths:
        body = parse_header(read_policy_text(path))[1]
        assert quick.convert(body) == plain.convert(body), path
        quick.reset()
        plain.reset()
    assert len(paths) > 240


def test_a_link_keeps_the_address_it_had_each_invisible_character_taken_out():
    """safe_url keeps an address whose characters are all printable and no space as it is
    (the quick way) and otherwise takes out each unprintable or space character: the same
    address as taking out character by character, for every kind of space and control
    character."""
    from reader.analysis.document import safe_url

    def by_characters(url: str) -> str | None:
        import html as html_module

        cleaned = "".join(ch for ch in html_module.unescape(url)
                          if ch.isprintable() and not ch.isspace())
        return cleaned if cleaned.lower().startswith(("http://", "https://", "mailto:", "#")) \
            else None

    characters = [chr(code) for code in range(0x110000)]
    odd = [ch for ch in characters if ch.isspace()]  # (" " the one printable)
    odd += [ch for ch in characters if not ch.isprintable() and not ch.isspace()][::997]
    urls = ["https://example.com/a?b=1&amp;c=2", "#section", "mailto:a@b.org",
            "javascript:alert(1)", "https://exa mple.com", "https://example.com/\u00a0x",
            "&#104;ttps://example.com", "https://пример.рф/путь"]
    urls += [f"https://example.com/{ch}x{ch}" for ch in odd]
    urls += [f"{ch}https://example.com" for ch in odd]
    for url in urls:
        assert safe_url(url) == by_characters(url), repr(url)


def test_list_lines_in_a_table_cell_read_as_bullets():
    """Spotify's privacy policy (PGA bundle) writes lists inside table cells with <br>:
    markdown makes no list there, and the cells showed rows of literal asterisks."""
    document = parse_policy(
        "| Right | How |\n| --- | --- |\n"
        "| **Be informed** | We inform you:<br><br>*   through this Policy<br>*   through "
        "**the app**<br>- by answering |\n"
        "| Dash | - |\n| Minus | -5 degrees and a * star |\n")
    assert [(b.tag, b.text) for b in document.blocks] == [
        ("th", "Right"), ("th", "How"), ("td", "Be informed"),
        ("td", "We inform you:\n\n\u2022 through this Policy\n\u2022 through the app\n"
               "\u2022 by answering"),
        ("td", "Dash"), ("td", "-"), ("td", "Minus"), ("td", "-5 degrees and a * star")]
    assert "<strong>the app</strong>" in to_html(document)



def test_a_table_is_set_apart_from_the_text_around_it_and_its_parts_join(qapp):
    # Qt gives a table no margin: the paragraph after apple.com's contacts table sat right
    # under its last row. A table has a margin above and below; the parts a long table is
    # cut into (for speed) join without a gap between them.
    from PySide6.QtGui import QTextDocument, QTextTable

    from reader.analysis.document import TABLE_MARGIN_PX, TABLE_PART_ROWS, to_html_parts
    from reader.output.export import append_html

    rows = "\n".join(f"| row {n} | value {n} |" for n in range(TABLE_PART_ROWS * 2 + 5))
    for body, parts_expected in (("Before.\n\n| a | b |\n|---|---|\n| c | d |\n\nAfter.", 1),
                                 (f"Before.\n\n| a | b |\n|---|---|\n{rows}\n\nAfter.", 3)):
        document = parse_policy(body)
        shown = QTextDocument()
        append_html(shown, to_html_parts(document))
        tables = [f for f in shown.rootFrame().childFrames() if isinstance(f, QTextTable)]
        assert len(tables) == parts_expected
        margins = [(t.format().topMargin(), t.format().bottomMargin()) for t in tables]
        assert margins[0][0] == margins[-1][1] == TABLE_MARGIN_PX
        assert all(bottom == 0 for _, bottom in margins[:-1])
        assert all(top == 0 for top, _ in margins[1:])
        assert shown.toPlainText().split() == document.text.split()
