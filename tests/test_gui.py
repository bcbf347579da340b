"""The desktop app driven through its real widgets with pytest-qt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import wait_idle
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from reader.analysis.tints import highlight_colour
from reader.output.highlight import SEARCH_MARK_STYLE
from reader.ui.main_window import MainWindow
from reader.ui.models import DomainRole

SECURITY = highlight_colour("data_security").lower()
SHARING = highlight_colour("third_party_sharing").lower()


def page_html(window: MainWindow) -> str:
    return window.browser.toHtml().lower()


def test_select_company_shows_highlights_and_counts(make_window):
    """The embedded seed policy of BMT Micro, archived 2016-11-26."""
    window = make_window()
    window.select_company("bmtmicro.com")
    assert window.current.policy.domain == "bmtmicro.com"
    header = window.header.text()
    assert "Privacy Policy</h2>" in header and "2016-11-26" in header and "548 words" in header
    html = page_html(window)
    assert f"background-color:{SECURITY}" in html and f"background-color:{SHARING}" in html
    counts = window.current.counts()
    item = window.category_panel.items["data_security"]
    assert item.text(1) == str(counts["data_security"]) and counts["data_security"] >= 5
    assert item.childCount() == counts["data_security"]
    tips = [item.child(i).toolTip(0) for i in range(item.childCount())]
    assert any("Encryption ensures that no one can access" in tip for tip in tips)


def test_toggle_category_hides_its_highlights(make_window, demo_corpus):
    window = make_window(demo_corpus)
    window.select_company("northwind-books.example")
    before = len(window.highlight_anchors)
    window.category_panel.set_visible("data_security", False)
    assert f"background-color:{SECURITY}" not in page_html(window)
    assert f"background-color:{SHARING}" in page_html(window)
    assert len(window.highlight_anchors) == before - 2
    window.category_panel.set_visible("data_security", True)
    assert f"background-color:{SECURITY}" in page_html(window)


@pytest.fixture
def long_corpus(tmp_path, demo_corpus) -> Path:
    folder = tmp_path / "long"
    folder.mkdir()
    filler = "\n\n".join(f"Paragraph {i} says nothing of interest at all." for i in range(300))
    (folder / "long.test.md").write_text(
        f"# Long Policy\n\n{filler}\n\nWe use SSL encryption to protect your data.\n\n"
        f"{filler}\n", "utf-8")
    shutil.copy(demo_corpus / "metro-news.example.md", folder)
    return folder


def test_jump_to_passage_scrolls_to_it(make_window, qtbot, long_corpus):
    window = make_window(long_corpus)
    window.select_company("long.test")
    scrollbar = window.browser.verticalScrollBar()
    assert scrollbar.value() == 0
    passages = window.category_panel.passages_of("data_security")
    assert len(passages) == 1
    window.category_panel.tree.itemClicked.emit(passages[0], 0)
    assert scrollbar.value() > scrollbar.maximum() * 0.3


def test_next_and_previous_highlight_shortcuts(make_window, qtbot, long_corpus):
    window = make_window(long_corpus)
    window.select_company("long.test")
    window.browser.setFocus()
    qtbot.keyClick(window.browser, Qt.Key.Key_F8)
    assert window.highlight_position == 0
    assert window.statusBar().currentMessage().startswith("Highlight 1 of")
    assert window.browser.verticalScrollBar().value() > 0
    qtbot.keyClick(window.browser, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert window.highlight_position == len(window.highlight_anchors) - 1


def test_search_and_open_result(make_window, qtbot, demo_corpus):
    window = make_window(demo_corpus)
    window.search_panel.run('"do not track"')
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 3, timeout=30000)
    wait_idle(qtbot, window)
    assert window.search_panel.status.text().startswith("3 policies match")
    hits = window.search_panel.model.hits
    assert {h.domain for h in hits} == {"greenleaf-health.example", "metro-news.example",
                                        "northwind-books.example"}
    metro = window.search_panel.model.index([h.domain for h in hits].index("metro-news.example"))
    window.search_panel.results.clicked.emit(metro)
    assert window.current.policy.domain == "metro-news.example"
    assert len(window.current_matches) == 3
    assert "#ffd54f" in page_html(window)
    assert SEARCH_MARK_STYLE.split(";")[0] in window.current.body_html(
        window.category_panel.visible(), False, window.current_matches)


def test_bad_query_and_suggestion(make_window, qtbot):
    window = make_window()
    window.search_panel.run("(unbalanced")
    qtbot.waitUntil(lambda: "Brackets" in window.search_panel.status.text(), timeout=30000)
    window.search_panel.run("encryptoin")
    qtbot.waitUntil(lambda: "did you mean" in window.search_panel.status.text(), timeout=30000)
    assert "encryption" in window.search_panel.status.text()
    wait_idle(qtbot, window)


def test_ctrl_k_focuses_search(make_window, qtbot):
    window = make_window()
    window.activateWindow()
    window.focus_search()
    assert window.side_tabs.currentWidget() is window.search_panel
    shortcut = [a for a in window.findChildren(type(window.open_action))
                if a.text() == "&Search Policies"][0]
    assert shortcut.shortcut().toString() == "Ctrl+K"


def test_filter_and_sort_companies(make_window):
    window = make_window()
    window.company_filter.setText("BMT")
    assert window.company_proxy.rowCount() == 1
    assert window.company_count.text() == "1 of 5 companies"
    window.company_filter.clear()
    window.sort_companies("length")  # longest first: BizSecure's 1,475 words
    assert window.company_proxy.index(0, 0).data(DomainRole) == "bizdesign.com"
    window.company_filter.setText("mi")  # the filter survives a new order
    shown = window.company_proxy.rowCount()
    assert shown == 3  # audiomidi, bettymills, bmtmicro
    window.sort_companies("name")
    assert window.company_proxy.rowCount() == shown
    assert window.company_proxy.index(0, 0).data(DomainRole) == "audiomidi.com"
    assert window.current.policy.domain == window.company_list.currentIndex().data(DomainRole)


def test_open_folder_and_errors_keep_the_app_running(make_window, nested_corpus, tmp_path):
    window = make_window()
    assert window.open_corpus(str(nested_corpus))
    assert window.company_model.rowCount() == 2
    assert "2009-04-02" in window.header.text()
    assert "original snapshot" in window.header.text()
    assert not window.open_corpus(str(tmp_path / "missing"))
    assert "not found" in window.last_error
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not window.open_corpus(str(empty))
    assert "no policy files" in window.last_error
    assert window.company_model.rowCount() == 2  # what was open stays open
    for box in window.findChildren(QMessageBox):
        box.close()


def test_unreadable_policy_shows_a_message(make_window, tmp_path):
    (tmp_path / "good.test.md").write_text("# Good\n\nWe collect names.", "utf-8")
    (tmp_path / "zbroken.test.md").write_text("# Fine when listed", "utf-8")
    window = make_window(tmp_path)
    (tmp_path / "zbroken.test.md").write_bytes(b"\x00\x01binary junk")  # broken since
    window.select_company("zbroken.test")
    assert "cannot be shown" in window.browser.toPlainText()
    assert "binary" in window.last_error
    assert "zbroken.test cannot be shown" in window.notice_bar.summary("unreadable-policy")
    window.select_company("good.test")
    assert window.current.policy.domain == "good.test"
    for box in window.findChildren(QMessageBox):
        box.close()


def test_drop_a_folder_opens_it(make_window, nested_corpus):
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(nested_corpus))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.corpus.root == nested_corpus.resolve()


def test_links_open_only_when_clicked_and_only_web_links(make_window):
    window = make_window()
    opened = []
    window.browser.open_external = opened.append
    window.browser.anchorClicked.emit(QUrl("https://example.org/privacy"))
    window.browser.anchorClicked.emit(QUrl("javascript:alert(1)"))
    window.browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert [u.toString() for u in opened] == ["https://example.org/privacy"]
    assert window.browser.loadResource(0, QUrl("https://tracker.test/p.gif")) is None


def test_settings_restore_corpus_policy_and_zoom(make_window, qtbot, nested_corpus):
    window = make_window(nested_corpus)
    window.select_company("zorbo.test")
    window.zoom_in()
    window.close()
    again = make_window(restore=True)
    assert again.corpus.root == nested_corpus.resolve()
    assert again.current.policy.domain == "zorbo.test"
    assert again.zoom_level == 1


def test_about_dialog(make_window):
    window = make_window()
    window.about()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "OPP-115" in boxes[0].text()
    boxes[0].close()


def test_accessible_names(make_window):
    window = make_window()
    for widget in (window.company_list, window.company_filter, window.browser,
                   window.search_panel.field, window.search_panel.results,
                   window.category_panel.tree, window.cancel_button):
        assert widget.accessibleName()


def test_gui_export_current_view_and_search_results(make_window, qtbot, tmp_path):
    from reader.ui.export_dialog import export_current, export_results

    window = make_window()
    window.select_company("bmtmicro.com")
    window.category_panel.set_visible("third_party_sharing", False)
    worker = export_current(window, str(tmp_path / "view.pdf"))
    assert worker is not None and window.cancel_button.isVisible()  # in the background
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=60000)
    written = tmp_path / "view.pdf"
    assert window.statusBar().currentMessage() == f"Exported {written}"
    import pdfplumber

    with pdfplumber.open(written) as pdf:
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    counts = window.current.counts()
    assert f"Security ({counts['data_security']})" in text
    assert "Sharing with third parties (" not in text
    assert "Security Metrics tests for over 4400 security weaknesses!" in text

    assert not window.search_panel.export_button.isEnabled()
    window.search_panel.run("sell")  # the seed policies of audioMIDI and BizSecure
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 2, timeout=30000)
    wait_idle(qtbot, window)
    assert window.search_panel.export_button.isEnabled()
    worker = export_results(window, str(tmp_path / "batch"))
    assert worker is not None and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=60000)
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == [
        "audiomidi.com.pdf", "bizdesign.com.pdf"]
    assert "Exported 2 PDF files" in window.statusBar().currentMessage()


def test_gui_export_follows_the_confident_only_switch(make_window, qtbot, tmp_path):
    """The viewer showed confident passages only; the exported "current view" highlighted
    and counted the unsure ones too (bmtmicro.com's unsure sharing passage)."""
    from reader.ui.export_dialog import export_current

    window = make_window()
    window.select_company("bmtmicro.com")
    window.category_panel.set_confident_only(True)
    assert "Except for the circumstances" not in [
        window.current.analysis.passage_text(window.current.analysis.spans[int(a[1:])])[:28]
        for a in window.highlight_anchors]
    export_current(window, str(tmp_path / "confident.pdf"))
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=60000)
    import pdfplumber

    with pdfplumber.open(tmp_path / "confident.pdf") as pdf:
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Sharing with third parties (2)" in text and "Confident passages only" in text


def test_gui_export_to_unwritable_path_keeps_running(make_window, tmp_path):
    from reader.ui.export_dialog import export_current

    window = make_window()
    assert export_current(window, str(tmp_path / "missing" / "x.pdf")) is None
    assert "does not exist" in window.last_error
    for box in window.findChildren(QMessageBox):
        box.close()


def test_search_match_navigation(make_window, qtbot, long_corpus):
    window = make_window(long_corpus)
    window.search_panel.run('"paragraph 250"')
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 1, timeout=30000)
    wait_idle(qtbot, window)
    window.open_hit(window.search_panel.model.hits[0])
    assert len(window.current_matches) == 2  # once in each half of the long policy
    assert window.statusBar().currentMessage() == "Match 1 of 2"
    first = window.browser.verticalScrollBar().value()
    assert first > 0
    # The match sits a quarter of the way down with the lines before it in view, not on
    # the top edge with the line above cut through.
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(window.browser.document())
    cursor.setPosition(window.browser.passages()["m0"].start)
    room = window.browser.viewport().height() // 4
    assert room - 2 <= window.browser.cursorRect(cursor).top() <= room + 2
    window.next_match()
    assert window.statusBar().currentMessage() == "Match 2 of 2"
    assert window.browser.verticalScrollBar().value() > first
    window.next_match()
    assert window.match_position == 0
    window.previous_match()
    assert window.match_position == 1


def test_cancel_indexing_keeps_the_app_usable(make_window, qtbot, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"site{i:03d}.test.md").write_text(
            f"# Site {i}\n\nWe collect your email address. We keep logs for {i} days.", "utf-8")
    window = make_window()
    assert window.open_corpus(str(folder))
    assert window.cancel_button.isVisible()
    window.cancel_button.click()
    wait_idle(qtbot, window)
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.cancel_button.isVisible()
    window.select_company("site123.test")
    assert window.current.policy.domain == "site123.test"
    window.search_panel.run("email")
    wait_idle(qtbot, window)
    assert window.search_panel.status.text()  # partial index answers, no error


def test_dark_theme_uses_dark_highlight_colours(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    window._scheme_changed(Qt.ColorScheme.Dark)
    dark = highlight_colour("data_security", True).lower()
    assert f"background-color:{dark}" in page_html(window)
    assert f"background-color:{SECURITY}" not in page_html(window)
    window._scheme_changed(Qt.ColorScheme.Light)
    assert f"background-color:{SECURITY}" in page_html(window)


def test_search_while_the_index_is_empty_explains_itself(make_window, qtbot):
    window = make_window()
    window.policy_index.close()
    window.policy_index._fresh()  # as if the first build had not committed yet
    window.policy_index._index = None
    window.policy_index.open()
    window.search_panel.run("cookies")
    wait_idle(qtbot, window)
    assert "still being built" in window.search_panel.status.text()
