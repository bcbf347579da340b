"""The Help menu (guide, search syntax, shortcuts from the real actions) and the welcome."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QApplication

from reader.ui.help_dialog import (
    SEARCH_SYNTAX,
    WELCOME_KEY,
    HelpDialog,
    WelcomeDialog,
    action_shortcuts,
)
from reader.ui.main_window import MainWindow, settings

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_syntax_rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Search syntax", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split(" | ") for line in table.splitlines()[2:]]
    return [(query.strip(), finds.strip()) for query, finds in rows]


def test_search_syntax_is_the_readme_table():
    assert readme_syntax_rows() == SEARCH_SYNTAX


def test_help_menu_opens_each_tab(qtbot):
    window = MainWindow(None, restore=False)
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    names = [a.text() for a in help_menu.actions()]
    assert names[:3] == ["&Guide", "&Search Syntax", "&Keyboard Shortcuts"]
    help_menu.actions()[2].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, HelpDialog) and w.isVisible())
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Keyboard shortcuts"
    shortcuts = dialog.pages["shortcuts"].toPlainText()
    assert "Find in Policy" in shortcuts and "Ctrl+F" in shortcuts
    assert "Next Highlight" in shortcuts and "F8 or Ctrl+]" in shortcuts
    syntax = dialog.pages["syntax"].toPlainText()
    assert "category:third_party_sharing" in syntax and "year:2010..2015" in syntax
    assert "Categories" in dialog.pages["guide"].toPlainText()
    dialog.close()
    window.pool.waitForDone(10000)


def test_shortcuts_follow_the_actions(qtbot):
    """A changed shortcut shows up in the list: it is read from the actions themselves."""
    window = MainWindow(None, restore=False)
    qtbot.addWidget(window)
    rows = dict(action_shortcuts(window))
    assert rows["Find in Policy"] == "Ctrl+F"
    assert rows["Search Policies"] == "Ctrl+K"
    window.find_action.setShortcut("Ctrl+Shift+G")
    assert dict(action_shortcuts(window))["Find in Policy"] == "Ctrl+Shift+G"
    # every action with a shortcut is listed, none twice
    shortcut_actions = [a for a in window.findChildren(type(window.find_action))
                        if any(not k.isEmpty() for k in a.shortcuts())
                        and a.parent() is window]
    assert len(action_shortcuts(window)) == len(shortcut_actions)
    window.pool.waitForDone(10000)


def test_welcome_shown_once_when_asked(qtbot, monkeypatch):
    assert not settings().value(WELCOME_KEY, False, type=bool)
    window = MainWindow(None, restore=True)  # the test suite turns the welcome off...
    qtbot.addWidget(window)
    assert window.welcome is None
    window.pool.waitForDone(10000)
    monkeypatch.setenv("PRIVACY_READER_WELCOME", "1")  # ...unless a test asks for it
    first = MainWindow(None, restore=True)
    qtbot.addWidget(first)
    assert isinstance(first.welcome, WelcomeDialog) and first.welcome.isVisible()
    text = first.welcome.findChild(type(first.browser).__mro__[1]).toPlainText()
    assert re.search(r"three panels", text) and "Companies" in text and "bmtmicro.com" in text
    first.welcome.accept()
    first.pool.waitForDone(10000)
    second = MainWindow(None, restore=True)
    qtbot.addWidget(second)
    assert second.welcome is None  # remembered in QSettings
    second.pool.waitForDone(10000)


def test_guide_explains_the_facts_card_and_what_stated_means():
    # The guide explained the Categories panel only: a first-time reader learnt neither
    # that facts can be clicked nor that a "stated" fact may be a "we do not".
    from reader.ui.help_dialog import GUIDE_HTML

    guide = " ".join(GUIDE_HTML.split())
    assert "<b>Privacy facts</b> card" in guide
    assert "click a fact to select the sentence that states it" in guide
    assert "may say the company does <i>not</i> do it" in guide


def test_welcome_names_the_facts_card_and_compare():
    # The welcome explained the right panel as "Categories / Search" only, though the
    # Privacy facts card is the first thing in it, and never mentioned comparing.
    from reader.ui.help_dialog import WELCOME_HTML

    welcome = " ".join(WELCOME_HTML.split())
    assert "<b>Privacy facts, Categories / Search</b> (right)" in welcome
    assert "click a fact to see the sentence that says so" in welcome
    assert "Ctrl+Shift+C to compare them side by side" in welcome


def test_search_syntax_tab_shows_no_markdown_marks(qtbot):
    """The table's 'finds' column showed "values as in `privacy-reader facts`" and "they do
    *not* do it" with the backticks and asterisks."""
    from PySide6.QtWidgets import QTextBrowser

    from reader.ui.help_dialog import search_syntax_html

    page = QTextBrowser()
    qtbot.addWidget(page)
    page.setHtml(search_syntax_html())
    shown = page.toPlainText()
    assert "`" not in shown and "*not*" not in shown
    assert "values as in privacy-reader facts" in shown
    assert "policies that say they do not do it" in shown
    assert "<i>not</i>" in search_syntax_html()
    assert "<code>encrypt*</code>" in search_syntax_html()
