"""Where the facts card and the category panel meet: a category with no passage whose fact
the card states says so (panel, CLI, PDF), its row steps to the fact's sentence without
highlighting or counting it, and a stated fact whose sentence is no passage of its category
says so in the card's tooltip, ``facts --json`` and the PDF. The decision is unchanged."""

from __future__ import annotations

import json

import pdfplumber
from PySide6.QtCore import Qt

from reader.analysis.fact_categories import (
    category_row_note,
    fact_category,
    facts_beside_categories,
    facts_json_notes,
)
from reader.analysis.taxonomy import category
from reader.analysis.tints import highlight_colour
from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus
from reader.ui.category_panel import CategoryPanel

ACCESS_ROW = ("Access, edit, delete\nHow you can see, correct, download or delete your data."
              "\n0 passages · stated in the facts card: View or edit your data")
ACCESS_NOTE = "none of its 2 sentences is a passage of \u201cAccess, edit, delete\u201d"


def _normal(text: str) -> str:
    return " ".join(text.replace("\u2029", " ").replace("\u2028", " ").split())


def _audiomidi(embedded_corpus) -> HighlightedPolicy:
    return HighlightedPolicy.of(Corpus.open(embedded_corpus).load("audiomidi.com"))


def test_one_mapping_of_facts_to_categories(embedded_corpus):
    assert fact_category("security:measures") == "data_security"
    assert fact_category("choice:opt_in") == "user_choice"
    assert fact_category("purpose:advertising") is None  # collection and sharing both
    analysis = _audiomidi(embedded_corpus).analysis
    assert analysis.passage_counts()["user_access"] == 0
    beside = facts_beside_categories(analysis)
    assert {c: [f.id for f in facts] for c, facts in beside.categories.items()} == {
        "user_access": ["access:view_edit"]}
    assert category_row_note(beside.categories["user_access"]) == ACCESS_ROW.split("\n")[2]
    notes = facts_json_notes(analysis)
    assert notes["access:view_edit"] == ACCESS_NOTE
    assert notes["choice:contact_company"] == (
        "its sentence is not a passage of \u201cYour choices\u201d")
    assert notes["choice:opt_in"] == (
        "its first sentence is not a passage of \u201cYour choices\u201d (1 of its 3 is)")
    assert "collects:cookies" not in notes  # its best sentence is a Collection passage
    # Only stated facts of one category are compared: no purpose, nothing not stated.
    stated = {f.id for f in analysis.facts if f.stated and fact_category(f.id)}
    assert set(notes) <= stated


def test_panel_row_says_it_and_steps_to_the_facts_sentence(make_window, qtbot):
    window = make_window()
    window.select_company("audiomidi.com")
    panel = window.category_panel
    qtbot.waitUntil(lambda: panel._shown is not None
                    and panel._shown.policy.domain == "audiomidi.com")
    item = panel.items["user_access"]
    assert item.text(0) == ACCESS_ROW
    assert item.text(1) == "0" and item.childCount() == 0  # not counted, nothing listed
    assert item.isDisabled() is False
    assert "not counted" in item.toolTip(0)
    # Other categories without passage and without a stated fact stay as they were.
    policy_change = panel.items["policy_change"]
    assert policy_change.text(0) == (f"{category('policy_change').name}\n"
                                     f"{category('policy_change').explanation}")
    assert policy_change.isDisabled()
    counts = dict(panel._shown.counts())
    html = window.browser.toHtml()
    fact = next(f for f in window.facts_card.facts if f.id == "access:view_edit")
    text = window.facts_card._text
    sentences = [_normal(text[e.start:e.end]) for e in fact.evidence]
    rect = panel.tree.visualItemRect(item)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.browser.textCursor().hasSelection())
    cursor = window.browser.textCursor()
    assert _normal(cursor.selectedText()) == sentences[0]
    # Scrolled into view, marked as the facts card marks it (selected), not coloured.
    shown = window.browser.cursorRect(cursor)
    assert 0 <= shown.top() < window.browser.viewport().height()
    colour = highlight_colour("user_access", window.look).lower()
    assert cursor.charFormat().background().color().name().lower() != colour
    assert window.browser.toHtml() == html  # nothing re-highlighted
    assert dict(panel._shown.counts()) == counts and item.text(1) == "0"
    # Activated again (keyboard): the next sentence, as the card steps.
    panel.tree.setCurrentItem(item)
    with qtbot.waitSignal(panel.evidence_activated):
        panel.tree.itemActivated.emit(item, 0)
    assert _normal(window.browser.textCursor().selectedText()) == sentences[1]
    # The card's tooltip says the same.
    assert window.facts_card.fact_tooltip("access:view_edit") == (
        ACCESS_NOTE[0].upper() + ACCESS_NOTE[1:] + ".")
    assert window.facts_card.fact_tooltip("purpose:marketing") == ""


def test_category_search_is_unchanged(seed_index):
    def found(query: str) -> set[str]:
        return {hit.domain for hit in seed_index.search(query, limit=100).hits}

    assert "audiomidi.com" not in found("category:user_access")
    assert "audiomidi.com" in found("access:view_edit")


def test_cli_and_pdf_say_it(embedded_corpus, tmp_path, capsys):
    from reader.cli import main
    from reader.output.export import write_pdf

    assert main(["facts", "audiomidi.com", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert facts["access:view_edit"]["category_note"] == ACCESS_NOTE
    assert facts["purpose:marketing"]["category_note"] is None
    assert facts["access:view_edit"]["state"] == "stated"  # the documented fields stay
    assert main(["classify", "audiomidi.com"]) == 0
    assert ("  Access, edit, delete                0 passages · stated in the facts card: "
            "View or edit your data") in capsys.readouterr().out.splitlines()
    path = write_pdf(_audiomidi(embedded_corpus), tmp_path / "audiomidi.pdf")
    with pdfplumber.open(path) as pdf:
        first = " ".join(" ".join((page.extract_text() or "").split())
                         for page in pdf.pages[:2])
    assert f"({ACCESS_NOTE})" in first
    assert "0 passages · stated in the facts card: View or edit your data" in first


def test_va_gov_security_and_choices(qtbot, shared_corpus):
    item = HighlightedPolicy.of(Corpus.open(shared_corpus).load("va.gov"))
    panel = CategoryPanel()
    qtbot.addWidget(panel)
    panel.show_policy(item)
    security = panel.items["data_security"]
    assert security.text(0).split("\n")[2] == (
        "0 passages · stated in the facts card: Security measures")
    assert panel.items["user_choice"].text(0).split("\n")[2] == (
        "0 passages · stated in the facts card: Opt-in")
    assert item.counts()["data_security"] == 0 and security.text(1) == "0"
    fact = next(f for f in item.analysis.facts if f.id == "security:measures")
    evidence = fact.evidence[0]
    with qtbot.waitSignal(panel.evidence_activated) as signal:
        panel.tree.itemClicked.emit(security, 0)
    assert signal.args == [item.analysis.text[evidence.start:evidence.end],
                           evidence.start / len(item.analysis.text)]
    assert facts_json_notes(item.analysis)["security:measures"] == (
        "its sentence is not a passage of \u201cSecurity\u201d")


def test_the_comparison_says_it_and_opens_the_facts_sentence(embedded_corpus, qtbot,
                                                             tmp_path, capsys):
    """audiomidi.com has no Access passage but states "View or edit your data": the
    Compare window, its PDF, its table and --json say so, as the side panel does, and the
    cell opens the fact's sentence."""
    from reader.analysis.compare import PRACTICE_ROW, compare_companies
    from reader.cli import main
    from reader.output.compare_export import write_comparison_pdf
    from reader.ui.compare_view import CompareDialog, EvidenceRole

    corpus = Corpus.open(embedded_corpus)
    names = ["audiomidi.com", "bmtmicro.com"]
    comparison = compare_companies(corpus, names)
    access = comparison.row("user_access")
    audiomidi, bmtmicro = access.cells
    note = ACCESS_ROW.split("\n")[2]
    assert (audiomidi.count, audiomidi.note, audiomidi.value) == (
        0, note, "0 · stated in facts")
    fact = next(f for f in _audiomidi(embedded_corpus).analysis.facts
                if f.id == "access:view_edit")
    assert [e.start for e in audiomidi.note_evidence] == [e.start for e in fact.evidence]
    assert bmtmicro.note == "" and all(c.note == "" for r in comparison.rows_of(PRACTICE_ROW)
                                       if r.id != "user_access" for c in r.cells)

    assert main(["compare", *names, "--corpus", str(embedded_corpus), "--json"]) == 0
    practices = {r["id"]: r for r in json.loads(capsys.readouterr().out)["practices"]}
    assert practices["user_access"]["companies"]["audiomidi.com"]["note"] == note
    assert practices["user_access"]["companies"]["bmtmicro.com"]["note"] is None
    assert main(["compare", *names, "--corpus", str(embedded_corpus)]) == 0
    table = capsys.readouterr().out
    assert any(line.split()[:3] == ["Access,", "edit,", "delete"]
               and "0 · stated in facts" in line for line in table.splitlines())

    path = write_comparison_pdf(comparison, tmp_path / "compared.pdf")
    with pdfplumber.open(path) as pdf:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "stated in the facts card: View or edit your data" in text

    dialog = CompareDialog(corpus, names)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60000)
    row = next(n for n in range(dialog.model.rowCount())
               if dialog.model.row(n).id == "user_access")
    cell = dialog.model.index(row, 0)
    assert cell.data() == "0 · stated in facts"
    assert "View or edit your data" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert len(cell.data(EvidenceRole)) == len(fact.evidence)
    with qtbot.waitSignal(dialog.evidence_requested) as opened:
        dialog.open_cell(cell)
    assert opened.args == ["audiomidi.com", fact.evidence[0].start, fact.evidence[0].end]
