"""Help in the app: the search syntax, the keyboard shortcuts (read from the window's own
actions, so the list cannot go stale), a short guide, and the first-run welcome."""

from __future__ import annotations

import html
import os
import re

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

# The README's "Search syntax" table (tests/test_help.py checks the two are the same).
SEARCH_SYNTAX: list[tuple[str, str]] = [
    ("`cookies advertising`", "policies with both words"),
    ('`"third party"`', "the phrase"),
    ("`sell OR rent`, `cookies NOT google`", "either word / without a word"),
    ("`encrypt*`", "prefixes (encrypt, encrypted, encryption…), ranked by the words matched"),
    ("`company:amazon`, `title:notice`",
     "words in the company name (or snapshot site) or policy title"),
    ('`type:terms`, `type:"privacy policy"`',
     "documents of that type (Open Terms Archive collections)"),
    ("`category:third_party_sharing`", "policies where the classifier found that practice "
     "(each result shows its strongest passage of it and opens at its passages of it, "
     "listed in the side panel)"),
    ("`collects:financial`, `purpose:advertising`, `shares:third_party`, `dnt:not_honored`",
     "policies that state that privacy fact (fields collects, purpose, shares, choice, "
     "access, dnt, audience, security; values as in `privacy-reader facts`)"),
    ("`collects:not_cookies`, `shares:not_third_party`",
     "policies that say they do *not* do it (the fact's state \"says it does not\")"),
    ("`year:2010..2015`", "policies archived in those years"),
    ("`language:fr`", "policies that read as French (en, fr, de, es, it, nl, pt); the "
     "highlights of a policy not in English are not to be trusted"),
]

GUIDE_HTML = """
<h3>Reading a policy</h3>
<p>Pick a company on the left (type in the filter box, Ctrl+L, to narrow the list). Its
policy opens in the middle with every passage about a data practice highlighted in that
practice's colour; the short label in the left margin (<i>Share</i>, <i>Secure</i>…) names
it too, hovering shows all its categories and so does the status bar when the cursor is in
it. Edit &gt; Preferences (Ctrl+,) sets the font, line width, highlight intensity, a
colour-blind palette and the theme. File &gt; Open Recent reopens a folder.</p>
<h3>What it does with your data</h3>
<p>The <b>Privacy facts</b> card at the top of the right panel says what the policy states
it collects, why, who receives it, your choices and more; click a fact to select the
sentence that states it (again: the next one). A fact is <i>stated</i> when a sentence
says the company does it; listed after <i>says it does not</i> when its sentences say the
company does <i>not</i> do it. A model reads this and may say the company does <i>not</i>
do it wrongly, or miss it: read the sentence.</p>
<p>The <b>Categories</b> panel below it lists each practice with its colour and how many
passages the policy has. Untick a box to hide those highlights; click a category to list
its passages and a passage to scroll to it. F8 / Shift+F8 step through the highlights.</p>
<h3>Searching</h3>
<p>Ctrl+K opens the <b>Search</b> panel and searches every policy of the folder (see
<i>Search syntax</i>). Click a result to open the policy with the words marked; F3 /
Shift+F3 step through them. Ctrl+F finds a word in the policy shown.</p>
<h3>Your own policies, history, PDF</h3>
<p>File &gt; Open Corpus Folder reads a folder of <code>.md</code> policies (or drop one on
the window). View &gt; Policy History compares dated versions. View &gt; Compare Companies
(Ctrl+Shift+C) puts 2 to 4 companies side by side; click a cell to read its evidence.
File &gt; Export PDF saves a highlighted copy.</p>
<p>Policy text is untrusted: no script runs and nothing loads from the web; a link opens in
your browser only when you click it.</p>
"""

WELCOME_HTML = """
<h2>Welcome to Privacy Policy Reader</h2>
<p>The window has three panels. The app opened its five sample policies (the seed
corpus) so you can try them at once:</p>
<ol>
<li><b>Companies</b> (left): the policies of the folder. Click one, for example
<i>bmtmicro.com</i>, to read it.</li>
<li><b>Policy</b> (middle): the text, each passage about a data practice highlighted in its
colour: blue for what is collected, red for sharing with third parties, green for
security…</li>
<li><b>Privacy facts, Categories / Search</b> (right): what the policy says it collects,
why and who receives it (click a fact to see the sentence that says so), how many passages
each practice has (click to list them), and a search over every policy (Ctrl+K), e.g.
<code>category:data_security</code>.</li>
</ol>
<p>Select two companies (Ctrl+click) and press Ctrl+Shift+C to compare them side by side.
Open your own folder of policies with File &gt; Open Corpus Folder. Help has the search
syntax, the keyboard shortcuts and a short guide.</p>
"""

WELCOME_KEY = "help/welcome_shown"
WELCOME_ENV = "PRIVACY_READER_WELCOME"  # "0": never show the welcome (the test suite sets it)


_EMPHASIS = re.compile(r"\*([^*\s][^*]*)\*")


def markdown_cell(text: str) -> str:
    """A README table cell (with `code` spans and *emphasis*) as HTML."""
    parts = text.split("`")
    return "".join(f"<code>{html.escape(part)}</code>" if number % 2
                   else _EMPHASIS.sub(r"<i>\1</i>", html.escape(part))
                   for number, part in enumerate(parts))


def search_syntax_html() -> str:
    rows = "".join(f"<tr><td>{markdown_cell(query)}</td><td>{markdown_cell(finds)}</td></tr>"
                   for query, finds in SEARCH_SYNTAX)
    return ("<h3>Search syntax</h3><table cellpadding='4' border='1' cellspacing='0'>"
            f"<tr><th align='left'>query</th><th align='left'>finds</th></tr>{rows}</table>"
            "<p>A misspelled word gets a “did you mean”; a malformed query (an open quote, "
            "unmatched brackets, an unknown field) gets a one-line explanation.</p>")


def action_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(action name, its shortcuts) for every action of the window's menus that has one,
    in menu order, the ``&`` mnemonics and trailing dots removed."""
    rows: list[tuple[str, str]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for act in menu.actions():
            keys = [key.toString(QKeySequence.SequenceFormat.NativeText)
                    for key in act.shortcuts() if not key.isEmpty()]
            if keys and not act.isSeparator():
                rows.append((act.text().replace("&", "").rstrip(". "), " or ".join(keys)))
    return rows


def shortcuts_html(window: QWidget) -> str:
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td><b>{html.escape(keys)}</b></td></tr>"
                   for name, keys in action_shortcuts(window))
    return ("<h3>Keyboard shortcuts</h3><table cellpadding='3'>"
            f"{rows}</table><p>In the find bar: Enter / Shift+Enter or F3 / Shift+F3 step "
            "through the matches, Esc closes it.</p>")


class HelpDialog(QDialog):
    """Guide, Search syntax and Keyboard shortcuts as tabs."""

    TABS = ("guide", "syntax", "shortcuts")

    def __init__(self, window: QWidget, tab: str = "guide") -> None:
        super().__init__(window)
        self.setWindowTitle("Privacy Policy Reader Help")
        self.resize(640, 560)
        self.tabs = QTabWidget(self)
        self.pages: dict[str, QTextBrowser] = {}
        for key, title, text in (("guide", "Guide", GUIDE_HTML),
                                 ("syntax", "Search syntax", search_syntax_html()),
                                 ("shortcuts", "Keyboard shortcuts", shortcuts_html(window))):
            page = QTextBrowser(self)
            page.setOpenLinks(False)
            page.setHtml(text)
            page.setAccessibleName(title)
            self.pages[key] = page
            self.tabs.addTab(page, title)
        self.tabs.setCurrentIndex(self.TABS.index(tab))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)


def show_help(window: QWidget, tab: str) -> HelpDialog:
    """Open the help dialog (not modal) at ``tab``."""
    dialog = HelpDialog(window, tab)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class WelcomeDialog(QDialog):
    """The first-run welcome: the three panels, explained on the seed corpus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome")
        self.resize(560, 420)
        text = QTextBrowser(self)
        text.setOpenLinks(False)
        text.setHtml(WELCOME_HTML)
        text.setAccessibleName("Welcome")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text, 1)
        layout.addWidget(buttons)


def welcome_wanted(stored: QSettings) -> bool:
    """True on the first start only (and never when ``PRIVACY_READER_WELCOME=0``)."""
    if os.environ.get(WELCOME_ENV) == "0":
        return False
    return not stored.value(WELCOME_KEY, False, type=bool)


def maybe_welcome(window: QWidget, stored: QSettings) -> WelcomeDialog | None:
    """Show the welcome (not modal) on the first start and remember that it was shown."""
    if not welcome_wanted(stored):
        return None
    stored.setValue(WELCOME_KEY, True)
    stored.sync()
    dialog = WelcomeDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

