"""Counted nouns in the messages left: "1 passage added", "1 change", "1 file could not be
read", "Exported 2 PDF files", "1 passage" in the CLI (reader/wording.py)."""

from __future__ import annotations

import re

from conftest import wait_idle

from reader.analysis.diff import Change, Passage, PolicyDiff
from reader.output.diff_export import summary_html, write_diff_pdf
from reader.output.export import ExportReport
from reader.wording import counted, noun_for


def one_change_diff() -> PolicyDiff:
    return PolicyDiff("2019-03-01", "2020-05-02",
                      [Change("added", None, Passage("We sell your data.",
                                                     ("third_party_sharing",)))])


def test_noun_for():
    assert noun_for(1, "passage") == "passage" and noun_for(0, "passage") == "passages"
    assert noun_for(2, "policy") == "policies"


def test_diff_totals_in_the_summary_and_the_pdf(tmp_path):
    import pdfplumber

    html = summary_html(one_change_diff())
    assert "1 passage added, 0 removed, 0 changed (reworded)." in html
    assert "1 passages" not in html
    out = write_diff_pdf("example.com", one_change_diff(), tmp_path / "diff.pdf")
    with pdfplumber.open(out) as pdf:
        text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "1 passage added, 0 removed, 0 changed" in text
    assert "Sharing with third parties: 1 passage added" in text


def test_history_says_one_change(qtbot, tmp_path):
    from reader.sources.corpus import Corpus
    from reader.ui.history_panel import HistoryDialog

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "example.com.md").write_text("# Privacy\n\nWe keep your data safe.\n", "utf-8")
    dialog = HistoryDialog(Corpus.open(folder), "example.com")
    qtbot.addWidget(dialog)
    dialog.diff = one_change_diff()
    dialog.change_position = -1
    dialog._show_position()
    assert dialog.position_label.text() == "1 change (N / P or F8 / Shift+F8 to step)"
    dialog.diff.changes.append(dialog.diff.changes[0])
    dialog._show_position()
    assert dialog.position_label.text().startswith("2 changes (")


def test_gui_messages_count_files(make_window, qtbot, tmp_path, demo_corpus):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for source in sorted(demo_corpus.glob("*.md"))[:2]:
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "broken.example.md").write_bytes(b"\x00\x01\x02binary")
    window = make_window(folder)
    wait_idle(qtbot, window)
    assert "; 1 file could not be read" in window.statusBar().currentMessage()
    assert "1 files" not in window.statusBar().currentMessage()

    window._export_finished(ExportReport(written=[tmp_path / "a.pdf", tmp_path / "b.pdf"]))
    assert window.statusBar().currentMessage() == f"Exported 2 PDF files to {tmp_path}"
    window._export_finished(ExportReport(written=[], cancelled=True))
    assert window.statusBar().currentMessage() == "Exported 0 PDF files (cancelled)"
    assert counted(1, "PDF file") == "1 PDF file"


def test_cli_classify_says_one_passage(capsys, tmp_path):
    from reader.cli import main

    (tmp_path / "tiny.example.md").write_text(
        "# Privacy\n\nWe use encryption to protect your personal information.\n", "utf-8")
    assert main(["classify", "--corpus", str(tmp_path), "tiny.example"]) == 0
    out = capsys.readouterr().out
    assert "Security                            1 passage\n" in out
    assert "1 passages" not in out


def test_compare_tooltips_and_pdf_count_in_the_right_number(qtbot):
    from reader.analysis.compare import PRACTICE_ROW, compare_companies
    from reader.output.compare_export import comparison_html
    from reader.paths import embedded_corpus_dir
    from reader.sources.corpus import Corpus
    from reader.ui.compare_view import CompareModel

    # bizdesign.com has 1 retention passage ("BizSecure may also retain customer comments").
    comparison = compare_companies(Corpus.open(embedded_corpus_dir()),
                                   ["bizdesign.com", "audiomidi.com"])
    model = CompareModel()
    model.set_comparison(comparison)
    tips = [model._tooltip(row, column) for row in comparison.rows
            for column in range(len(comparison.companies)) if row.kind == PRACTICE_ROW]
    ones = [t for t in tips if ": 1 passage of " in t]
    assert ones and not any(re.search(r"\b1 passages", t) for t in tips)
    # one company of two on each side of a difference: "has", "does not"
    differing = [model._row_tooltip(row) for row in comparison.differing()]
    assert differing and not any(" have passages;" in t or " have none." in t
                                 or " state it;" in t or " do not." in t for t in differing)
    assert any(" has passages; " in t or " states it; " in t for t in differing)
    html = comparison_html(comparison)
    count = len(comparison.differing())
    assert f"marks the {counted(count, 'row')} where the companies differ" in html
