"""Reading comfort and accessibility: preferences applied live and kept, the passage
stepped to marked, categories named beside and under the cursor (not by colour alone),
wide tables scrolling sideways."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import wait_idle
from PySide6.QtGui import QFontMetricsF, QTextCursor, QTextLength, QTextTable
from PySide6.QtWidgets import QMessageBox

from reader.analysis.taxonomy import category, practice_categories
from reader.analysis.tints import HighlightLook, current_colour, highlight_colour
from reader.ui.main_window import settings
from reader.ui.policy_view import CURRENT_MATCH_COLOUR, MIN_COLUMN_CHARS
from reader.ui.preferences_dialog import ReadingPreferences


def page_html(window) -> str:
    return window.browser.toHtml().lower()


def tint(category_id: str, **look) -> str:
    return f"background-color:{highlight_colour(category_id, HighlightLook(**look)).lower()}"


def test_preferences_apply_live_and_persist(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    assert tint("data_security") in page_html(window)  # medium, standard, light by default
    dialog = window.show_preferences()
    assert window.preferences_action.shortcut().toString() == "Ctrl+,"

    dialog.size_box.setValue(16)
    assert window.browser.document().defaultFont().pointSize() == 16
    dialog.font_box.setCurrentFont(dialog.font_box.font().__class__("DejaVu Serif"))
    assert window.browser.document().defaultFont().family() == "DejaVu Serif"

    dialog.intensity_box.setCurrentIndex(dialog.intensity_box.findData("soft"))
    assert tint("data_security", intensity="soft") in page_html(window)
    assert tint("data_security") not in page_html(window)
    dialog.intensity_box.setCurrentIndex(dialog.intensity_box.findData("strong"))
    assert tint("data_security", intensity="strong") in page_html(window)

    dialog.colour_blind_box.setChecked(True)
    dialog.intensity_box.setCurrentIndex(dialog.intensity_box.findData("medium"))
    assert tint("data_security", palette="colour_blind") in page_html(window)
    swatch = window.category_panel.items["data_security"].icon(0).pixmap(8, 8).toImage()
    assert swatch.pixelColor(4, 4).name().upper() == highlight_colour(
        "data_security", HighlightLook(palette="colour_blind"))

    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    assert window.dark
    assert tint("data_security", dark=True, palette="colour_blind") in page_html(window)

    stored = ReadingPreferences.load(settings())
    assert stored == ReadingPreferences(font_family="DejaVu Serif", font_size=16,
                                        line_width=80, intensity="medium",
                                        colour_blind=True, theme="dark")
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("system"))
    dialog.close()


def test_stored_preferences_are_used_by_a_new_window(make_window):
    ReadingPreferences(font_size=14, line_width=60, intensity="soft").save(settings())
    window = make_window()
    window.select_company("bmtmicro.com")
    assert window.browser.document().defaultFont().pointSize() == 14
    assert window.browser.line_width == 60
    assert tint("data_security", intensity="soft") in page_html(window)


def test_line_width_keeps_a_readable_measure(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    browser = window.browser
    browser.resize(1200, 600)
    document = browser.document()
    average = QFontMetricsF(document.defaultFont()).averageCharWidth()
    for width in (60, 90):
        browser.set_line_width(width)
        frame = document.rootFrame().frameFormat()
        text = (browser.viewport().width() - frame.leftMargin() - frame.rightMargin()
                - 2 * document.documentMargin())
        assert abs(text - width * average) <= 1, (width, text)
        assert document.textWidth() == browser.viewport().width()
        assert frame.rightMargin() > 0 and frame.leftMargin() > frame.rightMargin()
    browser.set_line_width(0)
    assert browser.document().rootFrame().frameFormat().rightMargin() == 0


def _first_passage(window) -> int:
    return int(window.highlight_anchors[0][1:])


def test_stepping_marks_the_current_passage_strongest(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    window.next_highlight()
    anchor = window.highlight_anchors[0]
    selections = window.browser.extraSelections()
    assert len(selections) == 1 and window.browser.current_anchor == anchor
    chosen = selections[0]
    span = window.current.analysis.spans[int(anchor[1:])]
    assert chosen.format.background().color().name().upper() == current_colour(
        span.categories[0])
    assert chosen.format.fontUnderline() and chosen.format.fontOverline()
    passage = window.browser.passages()[anchor]
    assert (chosen.cursor.selectionStart(), chosen.cursor.selectionEnd()) == (
        passage.start, passage.end)
    window.next_highlight()
    assert window.browser.current_anchor == window.highlight_anchors[1]


def test_categories_show_on_hover_and_in_the_status_bar(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    number = _first_passage(window)
    span = window.current.analysis.spans[number]
    passage = window.browser.passages()[f"s{number}"]
    names = ", ".join(category(c).name for c in span.categories)
    cursor = QTextCursor(window.browser.document())
    cursor.setPosition(passage.start + 1)
    assert cursor.charFormat().toolTip().startswith(f"Passage {number + 1}: {names}")
    window.browser.setTextCursor(cursor)
    assert window.statusBar().currentMessage() == f"Passage {number + 1}: {names}"
    window.select_company("audiomidi.com")  # another policy: the old passage is not named
    assert window.statusBar().currentMessage() == window.browser.categories_at(
        window.browser.textCursor().position())


def test_margin_labels_name_each_category(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    browser = window.browser
    labels = browser.margin_labels()
    assert labels, "no labels drawn"
    shorts = {label.rstrip("+") for label, _, _ in labels}
    assert shorts <= {c.short for c in practice_categories()} and shorts
    assert all(category(cid).short == label.rstrip("+") for label, _, cid in labels)
    ys = [y for _, y, _ in labels]
    assert ys == sorted(ys) and ys[0] >= 0
    assert browser.document().rootFrame().frameFormat().leftMargin() >= browser.gutter_width()
    browser.grab()  # paints without error


WIDE_TABLE = "\n".join([
    "# Retention schedule",
    "",
    "| " + " | ".join(f"Column {i}" for i in range(12)) + " |",
    "|" + "---|" * 12,
    *("| " + " | ".join(f"value{r}{c} retained for twelve months" for c in range(12)) + " |"
      for r in range(3)),
    "",
    "We keep your data for as long as needed.",
])


@pytest.fixture
def wide_table_corpus(tmp_path) -> Path:
    folder = tmp_path / "wide"
    folder.mkdir()
    (folder / "tables.example.md").write_text(WIDE_TABLE, "utf-8")
    (folder / "other.example.md").write_text("# Privacy\n\nWe collect your email.", "utf-8")
    return folder


def test_wide_table_scrolls_sideways(make_window, wide_table_corpus):
    window = make_window(wide_table_corpus)
    window.select_company("tables.example")
    browser = window.browser
    tables = [f for f in browser.document().rootFrame().childFrames()
              if isinstance(f, QTextTable)]
    assert len(tables) == 1 and tables[0].columns() == 12
    least = QFontMetricsF(browser.document().defaultFont()).averageCharWidth() * MIN_COLUMN_CHARS
    widths = tables[0].format().columnWidthConstraints()
    assert len(widths) == 12
    assert [(w.type(), w.rawValue() >= least - 1) for w in widths] == [
        (QTextLength.Type.FixedLength, True)] * 12, (least, [w.rawValue() for w in widths])
    layout = browser.document().documentLayout()
    cell = tables[0].cellAt(1, 5)
    cursor = cell.firstCursorPosition()
    cell_rect = layout.blockBoundingRect(cursor.block())
    assert cell_rect.width() >= least * 0.9
    assert browser.document().size().width() > browser.viewport().width()
    assert browser.horizontalScrollBar().maximum() > 0
    assert browser.horizontalScrollBar().isVisible()
    # one label per table row, not one per cell stacked down the margin
    labels = browser.margin_labels()
    assert 1 <= len(labels) <= 5, labels
    bottom = layout.frameBoundingRect(tables[0]).bottom()
    assert len([y for _, y, _ in labels if y < bottom]) <= 4  # header and three rows


def test_recent_folders_remembered_and_missing_ones_greyed(make_window, demo_corpus,
                                                           nested_corpus, tmp_path):
    from reader.ui.recent_folders import MAX_RECENT, remembered

    assert remembered(["a", "b", "c"], "b") == ["b", "a", "c"]
    assert remembered([str(i) for i in range(MAX_RECENT)], "new")[-1] == str(MAX_RECENT - 2)
    gone = tmp_path / "gone"
    shutil.copytree(demo_corpus, gone)
    window = make_window(gone)
    assert window.open_corpus(str(nested_corpus))
    menu = window.recent_menu
    assert menu.folders()[:2] == [str(nested_corpus), str(gone)]
    shutil.rmtree(gone)
    menu.rebuild()
    entries = {a.data(): a for a in menu.actions() if a.data()}
    assert entries[str(nested_corpus)].isEnabled()
    assert not entries[str(gone)].isEnabled() and "(missing)" in entries[str(gone)].text()
    assert menu.remove_missing_action.isEnabled()
    assert menu.remove_missing() == [str(gone)]
    assert str(gone) not in menu.folders()
    boxes = [b for b in window.findChildren(QMessageBox) if "no longer exist" in b.text()]
    assert boxes and str(gone) in boxes[0].text()
    assert window.open_corpus(str(demo_corpus))
    entries = {a.data(): a for a in menu.actions() if a.data()}
    assert list(entries) == [str(demo_corpus), str(nested_corpus)]
    entries[str(nested_corpus)].trigger()
    assert window.corpus.root == nested_corpus


def test_reload_and_rebuild_index_are_in_the_file_menu(make_window):
    window = make_window()
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text().replace("&", "") for a in file_menu.actions()]
    assert "Reload Folder" in texts and "Rebuild Search Index" in texts
    assert "Open Recent" in texts


def test_stepping_search_matches_marks_the_current_one(make_window, qtbot, demo_corpus):
    window = make_window(demo_corpus)
    window.search_panel.run('"do not track"')
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 3, timeout=30000)
    wait_idle(qtbot, window)
    hits = window.search_panel.model.hits
    metro = window.search_panel.model.index([h.domain for h in hits].index("metro-news.example"))
    window.search_panel.results.clicked.emit(metro)
    assert len(window.current_matches) == 3
    assert window.browser.current_anchor == "m0"  # opening the hit steps to the first match
    window.next_match()
    assert window.browser.current_anchor == "m1"
    (selection,) = window.browser.extraSelections()
    assert selection.format.background().color().name().upper() == CURRENT_MATCH_COLOUR
    assert selection.format.fontUnderline() and selection.format.fontOverline()
    assert selection.cursor.selectedText().lower() == "do not track"


def test_pdf_uses_the_chosen_intensity_on_white_paper(embedded_corpus):
    from reader.output.export import export_html
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    item = HighlightedPolicy.of(Corpus.open(embedded_corpus).load("bmtmicro.com"))
    soft = export_html(item, look=HighlightLook(dark=True, intensity="soft")).lower()
    assert tint("data_security", intensity="soft") in soft  # light paper, soft tint
    assert tint("data_security", dark=True, intensity="soft") not in soft
    assert tint("data_security") not in soft
    assert tint("data_security") in export_html(item).lower()  # medium by default


def test_a_table_reaching_only_into_the_right_margin_gets_no_sideways_scroll_bar(qtbot):
    from PySide6.QtCore import Qt

    from reader.ui.policy_view import PolicyBrowser

    browser = PolicyBrowser()
    qtbot.addWidget(browser)
    browser.resize(900, 500)
    browser.show()
    browser.set_line_width(60)
    right = browser.document().rootFrame().frameFormat().rightMargin()
    assert right > 40  # a centred column: room on the right
    found = {}
    for letters in range(40, 160, 2):  # a cell's one long word: the table's least width
        browser.setHtml(f"<p>Before.</p><table border='1'><tr><td>{'m' * letters}</td>"
                        "</tr></table><p>After.</p>")
        overflow = browser.document().size().width() - browser.viewport().width()
        if overflow > 0:
            kind = "margin" if overflow <= right + browser.document().documentMargin() \
                else "wider"
            found.setdefault(kind, browser.horizontalScrollBarPolicy())
    assert found == {"margin": Qt.ScrollBarPolicy.ScrollBarAlwaysOff,
                     "wider": Qt.ScrollBarPolicy.ScrollBarAsNeeded}
    browser.setHtml("<p>Short.</p>")
    assert browser.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded


def link_colours(window) -> set[str]:
    """The colours the shown policy's links are drawn in, outside highlighted passages
    (there the highlight's own text colour keeps them readable on its tint)."""
    from PySide6.QtCore import Qt

    found = set()
    block = window.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            shape = fragment.charFormat()
            if (shape.isAnchor() and shape.anchorHref()
                    and shape.background().style() == Qt.BrushStyle.NoBrush):
                found.add(fragment.charFormat().foreground().color().name().upper())
            it += 1
        block = block.next()
    return found


def test_links_are_readable_on_the_dark_and_the_light_page(make_window, qtbot):
    """Qt colours links from the application's palette when it imports HTML: on the dark
    theme's page under a light desktop they were dark blue on near-black."""
    from reader.analysis.tints import contrast
    from reader.ui.policy_view import LINK_COLOURS

    window = make_window()
    window.select_company("bizdesign.com")
    assert link_colours(window) == {LINK_COLOURS[False]}
    dialog = window.show_preferences()
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    qtbot.waitUntil(lambda: link_colours(window) == {LINK_COLOURS[True]})
    assert "#1E1E1E" in window.browser.styleSheet()
    assert contrast(LINK_COLOURS[True], "#1E1E1E") >= 4.5
    assert contrast(LINK_COLOURS[False], "#FFFFFF") >= 4.5
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("light"))
    qtbot.waitUntil(lambda: link_colours(window) == {LINK_COLOURS[False]})
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("system"))
    dialog.close()
