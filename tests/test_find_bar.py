"""Find in page (Ctrl+F) and the Edit menu, driven through the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.output.fonts import register_fonts
from reader.ui.find_bar import match_count_text
from reader.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    register_fonts()
    window = MainWindow(None, restore=False)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.select_company("bmtmicro.com")
    qtbot.waitUntil(lambda: window.current is not None
                    and window.current.policy.domain == "bmtmicro.com", timeout=30000)
    yield window
    window.pool.waitForDone(10000)


def test_match_count_text():
    assert match_count_text(2, 12) == "3 of 12"
    assert match_count_text(-1, 1) == "1 match"
    assert match_count_text(0, 0) == "No matches"
    assert match_count_text(0, 5000, capped=True) == "1 of 5,000+"


def test_ctrl_f_finds_counts_marks_and_steps(window, qtbot):
    text = window.browser.toPlainText()
    expected = text.lower().count("cookie")
    assert expected >= 2
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "cookie")
    assert len(bar.cursors) == expected
    assert len(window.browser.extraSelections()) == expected
    assert bar.count_label.text() == f"1 of {expected}"
    assert bar.current_text().lower() == "cookie"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == f"2 of {expected}"
    qtbot.keyClick(bar.field, Qt.Key.Key_F3)
    assert bar.count_label.text() == f"3 of {expected}" if expected > 2 else "1 of 2"
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == f"1 of {expected}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == f"{expected} of {expected}"  # wraps around
    # the cursor sits on the current match, so the view scrolled there
    assert window.browser.textCursor().position() == bar.cursors[-1].selectionEnd()
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert window.browser.extraSelections() == []


def test_find_no_match_and_new_policy_refinds(window, qtbot):
    bar = window.find_bar
    bar.open_bar()
    qtbot.keyClicks(bar.field, "zzqxnotthere")
    assert bar.count_label.text() == "No matches" and bar.cursors == []
    bar.field.setText("privacy")
    before = len(bar.cursors)
    window.select_company("gnu.org" if window.corpus.find("gnu.org") else
                          next(e.domain for e in window.corpus.entries
                               if e.domain != "bmtmicro.com"))
    qtbot.waitUntil(lambda: window.current.policy.domain != "bmtmicro.com", timeout=30000)
    assert len(bar.cursors) == window.browser.toPlainText().lower().count("privacy")
    assert before > 0


def test_edit_menu_select_all_and_copy(window, qtbot):
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[:3] == ["&File", "&Edit", "&View"]
    window.browser.setFocus()
    window.select_all_action.trigger()
    window.copy_action.trigger()
    assert QApplication.clipboard().text().strip() == window.browser.toPlainText().strip()


def test_find_reads_typed_accents_as_the_policy_does(qtbot, tmp_path):
    """A word typed with a combining accent ("cafe" + U+0301, as some keyboards and pasted
    text give it) finds the policy's "café": both are read in composed form."""
    register_fonts()
    (tmp_path / "cafe.test.md").write_text(
        "# Politique\n\nNotre café collecte vos données. Le cafe\u0301 les garde.\n", "utf-8")
    window = MainWindow(str(tmp_path), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.select_company("cafe.test")
    qtbot.waitUntil(lambda: window.current is not None, timeout=30000)
    bar = window.find_bar
    bar.open_bar()
    for typed in ("cafe\u0301", "caf\u00e9"):
        bar.field.setText(typed)
        assert bar.count_label.text() == "1 of 2", typed
        assert bar.current_text() == "caf\u00e9"
    window.pool.waitForDone(10000)
