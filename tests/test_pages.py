"""Printing on pages: each line once, where Qt's own print_ puts it (a heading that would end
a page starts the next one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pypdfium2
import pytest
from conftest import pdf_policy_characters
from PySide6.QtGui import QTextCursor, QTextDocument, QTextFormat

from reader.output.export import build_document, print_document, write_document_pdf
from reader.output.highlight import HighlightedPolicy
from reader.output.pages import page_break_positions
from reader.sources.corpus import Corpus

# A line of audiomidi.com's cookie paragraphs (each of its two lines is printed once).
LINE_AT_A_BREAK = "accepting new cookies"


@pytest.fixture
def audiomidi(embedded_corpus) -> HighlightedPolicy:
    return HighlightedPolicy.of(Corpus.open(embedded_corpus).load("audiomidi.com"))


def page_texts(path: Path) -> tuple[list[str], list[str]]:
    """Each page's whole text, and its text within the page's box."""
    whole, within = [], []
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            width, height = page.get_size()
            text_page = page.get_textpage()
            whole.append(text_page.get_text_range())
            within.append(text_page.get_text_bounded(0, 0, width, height))
    finally:
        pdf.close()
    return whole, within


def letters(texts: list[str]) -> list[str]:
    """Each page's text without spaces, line breaks and pdfium's marks for a hyphen ending
    a line (extraction within a box marks and joins a word broken over lines differently)."""
    return ["".join(text.split()).replace("\x02", "").replace("\ufffe", "") for text in texts]


def qt_print(item: HighlightedPolicy, out: Path, monkeypatch,
             headings: Sequence[str] = ()) -> Path:
    """The PDF export as Qt's QTextDocument.print_ prints it, with the ``headings`` (their
    texts) starting a new page as ours starts a heading that would end a page."""
    return qt_print_document(lambda: build_document(item), out, monkeypatch, headings)


def qt_print_document(make: Callable[[], QTextDocument], out: Path, monkeypatch,
                      headings: Sequence[str] = ()) -> Path:
    import reader.output.pages as pages

    def qt_print_(document: QTextDocument, device) -> None:
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text() in headings:
                block_format = block.blockFormat()
                block_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(block_format)
            block = block.next()
        document.print_(device)

    monkeypatch.setattr(pages, "print_pages", qt_print_)
    return write_document_pdf(make, out, "Qt")


def print_ours(make: Callable[[], QTextDocument], out: Path,
               monkeypatch) -> tuple[Path, list[str]]:
    """Our PDF of the document ``make()`` builds, and the headings it moved to the next page
    (their texts)."""
    import reader.output.pages as pages

    moved: list[str] = []
    find = pages.headings_ending_pages

    def recorded(document: QTextDocument, page_height: float):
        found = find(document, page_height)
        moved.extend(block.text() for block in found)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(pages, "headings_ending_pages", recorded)
        return write_document_pdf(make, out, "ours"), moved


def test_qt_print_writes_the_line_before_a_break_again_off_the_next_page(audiomidi, tmp_path,
                                                                        monkeypatch):
    """What reader.output.pages works around: if this fails, Qt no longer does it. Which
    lines run over audiomidi.com's breaks depends on the layout (header, fonts), so the test
    asks only that some page holds text above its top, text the page above printed too."""
    whole, within = page_texts(qt_print(audiomidi, tmp_path / "qt.pdf", monkeypatch))
    pairs = list(zip(letters(whole), letters(within), strict=True))
    assert any(len(all_) > len(shown) for all_, shown in pairs)
    for number, (all_, shown) in enumerate(pairs):
        if number and len(all_) > len(shown):
            repeated = all_.replace(shown, "", 1)
            assert repeated and repeated in letters(within)[number - 1]


def test_each_line_is_printed_once_on_the_pages_qt_gives_it(audiomidi, tmp_path, monkeypatch):
    """Qt's pages, where a heading that would end a page starts the next one."""
    ours, moved = print_ours(lambda: build_document(audiomidi), tmp_path / "ours.pdf",
                             monkeypatch)
    whole, within = page_texts(ours)
    assert sum(t.count(LINE_AT_A_BREAK) for t in whole) == audiomidi.document.text.count(
        LINE_AT_A_BREAK) == 2
    assert letters(whole) == letters(within)
    pdf_policy_characters(ours)  # asserts no page holds text off its box
    _, qt_within = page_texts(qt_print(audiomidi, tmp_path / "qt.pdf", monkeypatch, moved))
    assert letters(within) == letters(qt_within)
    assert len(within) == len(qt_within) >= 3


def test_no_paragraph_runs_over_a_break_once_printed(audiomidi, tmp_path):
    from PySide6.QtGui import QPdfWriter

    from reader.output.pages import print_pages

    document = build_document(audiomidi)
    writer = QPdfWriter(str(tmp_path / "out.pdf"))
    writer.setResolution(300)
    print_pages(document, writer)
    assert page_break_positions(document, document.pageSize().height()) == []
    del writer


def test_paragraphs_are_cut_at_every_break_in_one_edit(tmp_path, monkeypatch):
    """The cuts at page breaks are one edit of the document: Qt lays it out again once,
    not after each cut (a diff report of 2,569 changes, each a small table, took 92 ms a
    cut and 40 s for its PDF). Every cut is made, and no text is lost."""
    from PySide6.QtGui import QPdfWriter

    from reader.output import pages

    calls: list[tuple[int, int, int, bool]] = []
    cut = pages.cut_paragraphs_at

    def counted(document: QTextDocument, positions: list[int]) -> None:
        edits: list[int] = []

        def edited(*_args) -> None:
            edits.append(1)

        blocks, words = document.blockCount(), document.toPlainText().split()
        document.contentsChange.connect(edited)
        cut(document, positions)
        document.contentsChange.disconnect(edited)
        calls.append((len(positions), len(edits), document.blockCount() - blocks,
                      document.toPlainText().split() == words))

    monkeypatch.setattr(pages, "cut_paragraphs_at", counted)
    words = " ".join(f"word{n}" for n in range(150))
    (tmp_path / "long.test.md").write_text(
        "# Long\n\n" + "\n\n".join(f"{n}. {words}." for n in range(40)), "utf-8")
    item = HighlightedPolicy.of(Corpus.open(tmp_path).load("long.test"))
    writer = QPdfWriter(str(tmp_path / "out.pdf"))
    writer.setResolution(300)
    pages.print_pages(build_document(item), writer)
    del writer
    assert sum(cuts for cuts, *_ in calls) >= 5
    assert all(edits == 1 and added == cuts and same
               for cuts, edits, added, same in calls if cuts), calls


def test_printing_on_a_printer_prints_each_line_once(audiomidi, tmp_path, qapp):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    print_document(audiomidi, printer)
    del printer
    whole, within = page_texts(tmp_path / "printed.pdf")
    assert len(whole) >= 3
    assert letters(whole) == letters(within)
    assert sum(t.count(LINE_AT_A_BREAK) for t in whole) == 2


FORCED_BREAK_PARAGRAPH = (
    "We will do our best to answer every question you ask us about your personal "
    "information in a timely and appropriate manner.<br>You can write to us at:<br>"
    "Attn: 1-day Customer Services<br>152 Collins Road<br>Melville, Hamilton<br>New Zealand")


def forced_break_document(fillers: int):
    """A document whose last paragraph, after a heading and ``fillers`` lines, holds forced
    line breaks (<br>) as 1-day.co.nz's address does."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    lines = "".join(f"Line {n} before the address.<br>" for n in range(fillers))
    document.setHtml(f"<h1>Contact</h1><p>{lines}</p><p>{FORCED_BREAK_PARAGRAPH}</p>")
    return document


def test_a_forced_line_break_at_a_page_end_is_no_paragraph_to_cut(qapp, tmp_path, monkeypatch):
    """A page that breaks right after a forced line break (1-day.co.nz's "<br>You can write
    to us at:"). The cut takes the line break out (a cut that kept it left a paragraph of two
    lines, the second on the next page, cut again and again, each time pushing every later
    page down by a line). Its pages are Qt's pages, each line once."""
    for fillers in range(30, 70):  # the number that puts the break after that <br>
        ours, moved = print_ours(lambda n=fillers: forced_break_document(n),
                                 tmp_path / "ours.pdf", monkeypatch)
        whole, within = page_texts(ours)
        if len(within) > 1 and letters(within)[-1].startswith("Youcanwritetousat:"):
            break
    else:
        pytest.fail("no number of paragraphs put a page break after the forced line break")
    assert letters(whole) == letters(within) and moved == []
    qt = qt_print_document(lambda n=fillers: forced_break_document(n), tmp_path / "qt.pdf",
                           monkeypatch)
    qt_whole, qt_within = page_texts(qt)
    assert letters(within) == letters(qt_within)
    assert letters(qt_whole) != letters(qt_within)  # Qt's own print_ repeats the line


def test_1_day_co_nz_prints_each_line_once_on_qt_pages(shared_corpus, tmp_path, monkeypatch):
    item = HighlightedPolicy.of(Corpus.open(shared_corpus).load("1-day.co.nz"))
    ours, moved = print_ours(lambda: build_document(item), tmp_path / "ours.pdf", monkeypatch)
    whole, within = page_texts(ours)
    assert letters(whole) == letters(within)
    _, qt_within = page_texts(qt_print(item, tmp_path / "qt.pdf", monkeypatch, moved))
    assert letters(within) == letters(qt_within)


def test_a_tables_header_row_is_printed_once_over_a_page_break(tmp_path):
    """Qt draws a table's header row (<thead>) again at the top of each page the table runs
    onto: the text was printed twice. Here it is printed once, with every other character."""
    from conftest import expected_pdf_characters

    from reader.sources.corpus import read_policy

    rows = "".join(f"Region {n} | privacy-{n}@example.com\n" for n in range(45))  # one part
    path = tmp_path / "example.com.md"
    before = "".join(f"Paragraph {n} before the table.\n\n" for n in range(25))
    path.write_text(f"# Privacy\n\n{before}Countryheader | Contactheader\n---|---\n{rows}"
                    "\nThe last words.\n", "utf-8")
    item = HighlightedPolicy.of(read_policy(path))
    pdf = write_document_pdf(lambda: build_document(item), tmp_path / "table.pdf", "table")
    printed, pages = pdf_policy_characters(pdf)
    assert printed == expected_pdf_characters(item.document, pages)
    whole, _ = page_texts(pdf)
    on = [number for number, text in enumerate(whole) if "Region" in text]
    assert len(on) >= 2  # the table runs over a page break
    assert sum(text.count("Countryheader") for text in whole) == 1
    assert "The last words." in whole[-1]


def test_everything_after_a_table_far_down_is_printed(tmp_path):
    """Qt lays a document out a part at a time after its page size is set: a table whose
    header rows were changed before that layout reached it left every block after the
    table without lines, never drawn (apple.com's last 570 characters)."""
    from PySide6.QtGui import QTextDocument

    def make() -> QTextDocument:
        document = QTextDocument()
        before = "".join(f"<p>Paragraph {n} before the table.</p>" for n in range(300))
        rows = "".join(f"<tr><td>r{n}</td><td>v{n}</td></tr>" for n in range(5))
        after = "".join(f"<p>After {n}.</p>" for n in range(20))
        document.setHtml(f"{before}<table><thead><tr><th>Head</th><th>Value</th></tr></thead>"
                         f"{rows}</table>{after}")
        return document

    whole, within = page_texts(write_document_pdf(make, tmp_path / "far.pdf", "far"))
    text = "".join(letters(within))
    assert letters(whole) == letters(within)
    assert text.count("HeadValue") == 1
    assert all(text.count(f"After{n}.") == 1 for n in range(20))


def test_apple_com_prints_its_table_once_and_what_follows(shared_corpus, tmp_path):
    from conftest import expected_pdf_characters

    item = HighlightedPolicy.of(Corpus.open(shared_corpus).load("apple.com"))
    pdf = write_document_pdf(lambda: build_document(item), tmp_path / "apple.pdf", "apple")
    printed, pages = pdf_policy_characters(pdf)
    assert printed == expected_pdf_characters(item.document, pages)
    text = "".join(letters(page_texts(pdf)[1]))
    assert text.count("CountryorRegion:") == 1
    assert text.count("©2004AppleComputer,Inc.Allrightsreserved.") == 1


def pdftotext_pages(path: Path) -> list[str]:
    """Each page's text as pdftotext reads it."""
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def test_a_heading_never_ends_a_page_apart_from_what_it_heads(tmp_path, monkeypatch):
    """4000a.cn's "Legend" (or "Policy text") heading ended a page, its paragraph on the
    next. A heading that would end a page (two headings in a row too) starts the next one:
    each character printed once, the pages numbered in order."""
    from conftest import expected_pdf_characters

    from reader.sources.corpus import read_policy

    path = tmp_path / "example.com.md"
    tried = []
    for fillers in range(30, 80):
        before = "".join(f"Paragraph {n} of the policy, before the section.\n\n"
                         for n in range(fillers))
        path.write_text(f"# Privacy\n\n{before}## Second section\n\n### What we collect\n\n"
                        "Headed paragraph starts here and goes on.\n", "utf-8")
        item = HighlightedPolicy.of(read_policy(path))
        pdf, moved = print_ours(lambda item=item: build_document(item), tmp_path / "h.pdf",
                                monkeypatch)
        tried.append(moved)
        if "What we collect" in moved:
            break
    else:
        pytest.fail(f"no number of paragraphs put the heading at a page's end: {tried}")
    assert "Second section" in moved  # it ended the page once the heading after it moved
    pages = pdftotext_pages(pdf)
    on = [number for number, text in enumerate(pages) if "Headed paragraph starts" in text]
    assert len(on) == 1
    assert "Second section" in pages[on[0]] and "What we collect" in pages[on[0]]
    assert "Second section" not in "".join(pages[:on[0]])
    assert [text.split()[-1] for text in pages] == [str(n) for n in range(1, len(pages) + 1)]
    printed, numbers = pdf_policy_characters(pdf)
    assert printed == expected_pdf_characters(item.document, numbers)


def test_4000a_cn_ends_no_page_with_a_heading(shared_corpus, tmp_path, monkeypatch):
    from conftest import expected_pdf_characters

    item = HighlightedPolicy.of(Corpus.open(shared_corpus).load("4000a.cn"))
    pdf, moved = print_ours(lambda: build_document(item), tmp_path / "4000a.pdf", monkeypatch)
    assert moved  # "Legend" or "Policy text", as the fonts lay the pages out
    headings = ["Legend", "Policy text", *(b.text for b in item.document.blocks if b.is_heading)]
    for text in pdftotext_pages(pdf):
        lines = [line.split() for line in text.splitlines() if line.strip()]
        last = lines[-2]  # the last line above the page number
        assert not any(heading.split()[-len(last):] == last for heading in headings), last
    printed, numbers = pdf_policy_characters(pdf)
    assert printed == expected_pdf_characters(item.document, numbers)
