"""Printing on pages: each line once, where Qt's own print_ puts it."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
from conftest import pdf_policy_characters

from reader.output.export import build_document, print_document, write_document_pdf
from reader.output.highlight import HighlightedPolicy
from reader.output.pages import page_break_positions
from reader.sources.corpus import Corpus

# audiomidi.com's cookie paragraphs run over the breaks after pages 2 and 3.
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


def qt_print(item: HighlightedPolicy, out: Path, monkeypatch) -> Path:
    """The PDF export as Qt's QTextDocument.print_ prints it."""
    import reader.output.pages as pages

    monkeypatch.setattr(pages, "print_pages", lambda document, device: document.print_(device))
    return write_document_pdf(lambda: build_document(item), out, "Qt")


def test_qt_print_writes_the_line_before_a_break_again_off_the_next_page(audiomidi, tmp_path,
                                                                        monkeypatch):
    """What reader.output.pages works around: if this fails, Qt no longer does it."""
    whole, within = page_texts(qt_print(audiomidi, tmp_path / "qt.pdf", monkeypatch))
    assert sum(t.count(LINE_AT_A_BREAK) for t in whole) == 4
    assert sum(t.count(LINE_AT_A_BREAK) for t in within) == 2


def test_each_line_is_printed_once_on_the_pages_qt_gives_it(audiomidi, tmp_path, monkeypatch):
    ours = write_document_pdf(lambda: build_document(audiomidi), tmp_path / "ours.pdf", "ours")
    whole, within = page_texts(ours)
    assert sum(t.count(LINE_AT_A_BREAK) for t in whole) == audiomidi.document.text.count(
        LINE_AT_A_BREAK) == 2
    assert letters(whole) == letters(within)
    pdf_policy_characters(ours)  # asserts no page holds text off its box
    _, qt_within = page_texts(qt_print(audiomidi, tmp_path / "qt.pdf", monkeypatch))
    assert letters(within) == letters(qt_within)
    assert len(within) == 4


def test_no_paragraph_runs_over_a_break_once_printed(audiomidi, tmp_path):
    from PySide6.QtGui import QPdfWriter

    from reader.output.pages import print_pages

    document = build_document(audiomidi)
    writer = QPdfWriter(str(tmp_path / "out.pdf"))
    writer.setResolution(300)
    print_pages(document, writer)
    assert page_break_positions(document, document.pageSize().height()) == []
    del writer


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


def test_a_forced_line_break_at_a_page_end_is_no_paragraph_to_cut(shared_corpus, tmp_path,
                                                                   monkeypatch):
    """1-day.co.nz's "<br>You can write to us at:" breaks after the line break alone. The
    cut takes the line break out (a cut that kept it left a paragraph of two lines, the
    second on the next page, cut again and again, each time pushing every later page down
    by a line). Its pages are Qt's pages, each line once."""
    item = HighlightedPolicy.of(Corpus.open(shared_corpus).load("1-day.co.nz"))
    ours = write_document_pdf(lambda: build_document(item), tmp_path / "ours.pdf", "ours")
    whole, within = page_texts(ours)
    assert letters(whole) == letters(within)
    _, qt_within = page_texts(qt_print(item, tmp_path / "qt.pdf", monkeypatch))
    assert letters(within) == letters(qt_within)
    assert letters(within)[8].startswith("Youcanwritetousat:")
