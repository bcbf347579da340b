"""The facts card at the top of the side panel: the policy's facts grouped, "not stated"
shown as such, and a click on a fact selects its evidence sentence in the viewer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.analysis.facts import card_rows, default_facts_model
from reader.ui.facts_card import FactsCard, card_html


def _normal(text: str) -> str:
    return " ".join(text.replace("\u2029", " ").replace("\u2028", " ").split())


def test_the_card_lists_the_shown_facts_grouped(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    card = window.facts_card
    qtbot_text = card.toPlainText()
    assert card.isVisible() and card.y() < window.category_panel.tree.y()
    facts = {fact.id: fact for fact in card.facts}
    assert list(facts) == list(default_facts_model().shown)
    assert facts["collects:financial"].stated and not facts["audience:children"].stated
    for title in ("Collects", "Purposes", "Shared with", "Retention", "Choices", "Access",
                  "Do Not Track", "Audiences", "Security"):
        assert title in qtbot_text
    assert "Contact details" in qtbot_text and "Financial data" in qtbot_text
    assert "not stated: Children, Californians" in qtbot_text
    assert "no fact reliable enough to show" in qtbot_text  # retention
    assert "F1 >= 0.75" in qtbot_text and "21 of 30" in qtbot_text


def test_clicking_a_fact_selects_its_evidence_in_the_viewer(make_window, qtbot):
    window = make_window()
    window.select_company("bmtmicro.com")
    card = window.facts_card
    financial = next(f for f in card.facts if f.id == "collects:financial")
    evidence = [_normal(card._text[e.start:e.end]) for e in financial.evidence]
    assert any("credit card" in sentence for sentence in evidence)
    qtbot.mouseClick(card.viewport(), Qt.MouseButton.LeftButton,
                     pos=card.link_position("collects:financial"))
    qtbot.waitUntil(lambda: window.browser.textCursor().hasSelection())
    assert _normal(window.browser.textCursor().selectedText()) == evidence[0]
    # The law-enforcement sentence of purpose:legal, by keyboard-free activation.
    assert card.activate("purpose:legal")
    selected = _normal(window.browser.textCursor().selectedText())
    assert "law enforcement" in selected
    assert not card.activate("audience:children")  # not stated: nothing to select


def test_the_card_before_a_policy_and_for_a_policy_stating_nothing(qtbot):
    card = FactsCard()
    qtbot.addWidget(card)
    assert "Open a policy" in card.toPlainText()
    facts = [f for f in card_rows([])]
    assert all(not row.stated for row in facts)
    html = card_html([])
    assert "no fact reliable enough to show" in html


def test_the_pdf_starts_with_the_same_card(embedded_corpus, tmp_path):
    import pdfplumber

    from reader.output.export import write_pdf
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    item = HighlightedPolicy.of(Corpus.open(embedded_corpus).load("bmtmicro.com"))
    path = write_pdf(item, tmp_path / "bmtmicro.pdf")
    with pdfplumber.open(path) as pdf:
        first = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "Privacy facts" in first
    assert first.index("Privacy facts") < first.index("Legend")
    for row in card_rows(item.analysis.facts):
        assert row.title.split()[0] in first
        for fact in row.stated:
            assert fact.label.split()[0] in first
    assert "Financial data" in first and "Security measures" in first
    assert "Children, Californians" in first  # not stated
    assert "F1 >= 0.75" in first
    assert "“When ordering from BMT" in first  # the financial data's evidence


def test_evidence_is_scrolled_a_third_down_the_view_not_left_on_its_bottom_line(
        make_window, qtbot, tmp_path):
    # On walmart.com (../shared/corpus) the card's and the Compare window's evidence
    # sentences were selected on the viewer's last visible line, the paragraph stating the
    # fact out of view below it.
    from conftest import shared_folder

    from reader.ui.facts_card import select_passage

    source = shared_folder("corpus") / "w" / "wa" / "wal" / "walmart.com.md"
    (tmp_path / "walmart.com.md").write_bytes(source.read_bytes())
    window = make_window(tmp_path)
    window.select_company("walmart.com")
    browser, card = window.browser, window.facts_card
    text = card._text
    middle = [(f, e) for f in card.facts for e in f.evidence
              if 0.3 < e.start / len(text) < 0.7]
    assert middle
    for fact, evidence in middle[:3]:
        assert select_passage(browser, text[evidence.start:evidence.end],
                              evidence.start / len(text))
        start = browser.textCursor()
        start.setPosition(start.selectionStart())
        top = browser.cursorRect(start).top()
        third = browser.viewport().height() // 3
        assert abs(top - third) <= browser.fontMetrics().height(), fact.id


def test_not_stated_facts_are_readable_on_a_dark_palette(qtbot, embedded_corpus):
    # The card's "not stated" grey was the light theme's #616161 on any background: on a
    # dark one (#252525) a contrast of 2.6. It follows the card's palette now.
    from PySide6.QtGui import QColor, QPalette

    from reader.analysis.tints import contrast
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    card = FactsCard()
    qtbot.addWidget(card)
    card.show_policy(HighlightedPolicy.of(Corpus.open(embedded_corpus).load("bmtmicro.com")))
    assert "#616161" in card.toHtml()
    dark = QPalette(card.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#252525"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#E0E0E0"))
    card.setPalette(dark)
    assert "#616161" not in card.toHtml() and "#9e9e9e" in card.toHtml()
    assert contrast("#9e9e9e", "#252525") >= 4.5
