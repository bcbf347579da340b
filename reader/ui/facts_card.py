"""The facts card at the top of the side panel, like a nutrition label: what the policy says
it collects, why, who gets it, the choices it offers... group by group (the one decision's
``Analysis.facts``). Each stated fact is a link: clicking it selects the sentence that
states it in the viewer (again: the next evidence sentence). A fact the policy says it does
not do ("no cookies are used") is listed after "says it does not:", a link to that sentence;
a stated fact that also has such a sentence is marked "(also a “not”)" and its
clicks reach that sentence after the stating ones. "Not stated" is shown as such. A stated
fact whose sentence is no passage of its category says so in its tooltip
(:mod:`reader.analysis.fact_categories`).
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QPalette, QTextCursor
from PySide6.QtWidgets import QFrame, QTextBrowser

from reader.analysis.fact_categories import facts_json_notes
from reader.analysis.facts import ALSO_SAYS_NOT, NOT_RELIABLE, Fact, card_note, card_rows
from reader.output.highlight import HighlightedPolicy

FACT_LINK = "fact:"
SAYS_NOT = "says it does not"
MAX_CARD_HEIGHT = 360  # taller cards scroll: the categories stay in view


def card_html(facts: list[Fact], dark: bool = False,
              notes: dict[str, str] | None = None) -> str:
    """The card as HTML: one line per group, stated facts as links, then "not stated";
    ``notes`` (fact id -> note) become the facts' tooltips."""
    muted = "#9e9e9e" if dark else "#616161"
    notes = notes or {}

    def title(fact: Fact) -> str:
        note = notes.get(fact.id)
        return f' title="{html.escape(note[0].upper() + note[1:])}."' if note else ""
    lines = []
    for row in card_rows(facts):
        if not row.shown:
            body = f'<span style="color:{muted}">{NOT_RELIABLE}</span>'
        else:
            stated = ", ".join(
                f'<a href="{FACT_LINK}{fact.id}"{title(fact)}>{html.escape(fact.label)}</a>'
                + (f' <span style="color:{muted}">{ALSO_SAYS_NOT}</span>' if fact.denials else "")
                for fact in row.stated)
            denied = ", ".join(
                f'<a href="{FACT_LINK}{fact.id}">{html.escape(fact.label)}</a>'
                for fact in row.does_not)
            missing = ", ".join(html.escape(fact.label) for fact in row.not_stated)
            parts = [stated] if stated else []
            if denied:
                parts.append(f"<i>{SAYS_NOT}:</i> {denied}")
            if missing:
                parts.append(f'<span style="color:{muted}">not stated: {missing}</span>')
            body = " · ".join(parts)
        lines.append(f"<tr><td style='padding-right:6px' valign='top'><b>"
                     f"{html.escape(row.title)}</b></td><td>{body}</td></tr>")
    return (f"<p style='margin:0'><b>Privacy facts</b></p>"
            f"<table cellspacing='0' cellpadding='1'>{''.join(lines)}</table>"
            f"<p style='margin-top:4px;color:{muted}'><small>{html.escape(card_note())} "
            "Click a fact to see its sentence.</small></p>")


class FactsCard(QTextBrowser):
    """The card; :meth:`show_policy` fills it, ``evidence_activated`` asks the viewer to
    select a passage (its text and where it starts, as a fraction of the policy)."""

    evidence_activated = Signal(str, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Privacy facts")
        self.anchorClicked.connect(self._clicked)
        self.document().setDocumentMargin(6)
        self.facts: list[Fact] = []
        self._text = ""
        self._notes: dict[str, str] = {}  # fact id -> its note (tooltip)
        self._next: dict[str, int] = {}  # evidence to select at the next click
        self.show_policy(None)

    def show_policy(self, highlighted: HighlightedPolicy | None) -> None:
        if highlighted is None:
            self.facts, self._text, self._notes = [], "", {}
            self.setHtml("<p><b>Privacy facts</b></p><p>Open a policy to see them.</p>")
        else:
            self.facts, self._text = highlighted.analysis.facts, highlighted.analysis.text
            self._notes = facts_json_notes(highlighted.analysis)
            self.setHtml(card_html(self.facts, self._on_dark(), self._notes))
        self._next = {}
        self._fit()

    def _on_dark(self) -> bool:
        """Whether the card is drawn on a dark background (its muted grey follows)."""
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.facts:
            self.setHtml(card_html(self.facts, self._on_dark(), self._notes))
            self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the card's text (up to MAX_CARD_HEIGHT)."""
        self.document().setTextWidth(self.viewport().width())
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        self.setFixedHeight(min(height, MAX_CARD_HEIGHT))

    def activate(self, fact_id: str) -> bool:
        """Select the fact's next evidence sentence in the viewer (a stated fact's
        "does not" sentences after its stating ones); False if not stated."""
        fact = next((f for f in self.facts if f.id == fact_id), None)
        sentences = (*fact.evidence, *fact.denials) if fact is not None else ()
        if not sentences:
            return False
        number = self._next.get(fact_id, 0) % len(sentences)
        self._next[fact_id] = number + 1
        evidence = sentences[number]
        self.evidence_activated.emit(self._text[evidence.start:evidence.end],
                                     evidence.start / max(len(self._text), 1))
        return True

    def _clicked(self, url: QUrl) -> None:
        link = url.toString()
        if link.startswith(FACT_LINK):
            self.activate(link[len(FACT_LINK):])

    def fact_tooltip(self, fact_id: str) -> str:
        """The tooltip of a fact's link ("" without one), as the card shows it."""
        label = next(f.label for f in self.facts if f.id == fact_id)
        cursor = self.document().find(label)
        cursor.setPosition(cursor.selectionStart() + 1)
        return cursor.charFormat().toolTip()

    def link_position(self, fact_id: str):
        """Where the fact's link is drawn (viewport coordinates), for tests and tools."""
        cursor = self.document().find(next(f.label for f in self.facts if f.id == fact_id))
        return self.cursorRect(cursor).center()


def select_passage(browser, passage: str, fraction: float = 0.0) -> bool:
    """Select ``passage`` in a :class:`reader.ui.policy_view.PolicyBrowser` (the part that
    holds it is shown first) and scroll its first line a third of the way down the view.
    Whitespace may differ; of several
    occurrences the one nearest ``fraction`` of the policy wins. False when not found."""
    words = passage.split()
    if not words:
        return False
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    pages = browser.pages or [browser.document()]
    texts = [page.toPlainText() for page in pages]
    total = max(sum(map(len, texts)), 1)
    best = None
    before = 0
    for number, text in enumerate(texts):
        for match in pattern.finditer(text):
            distance = abs((before + match.start()) / total - fraction)
            if best is None or distance < best[0]:
                best = (distance, number, text, match.start(), match.end())
        before += len(text)
    if best is None:
        return False
    _, number, text, start, end = best
    if browser.pages:
        browser.show_page(number)
    cursor = QTextCursor(browser.document())
    cursor.setPosition(_utf16(text, start))
    cursor.setPosition(_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    # The sentence's first line a third of the way down, its paragraph below it in view
    # (ensureCursorVisible alone leaves a sentence further down on the bottom line).
    first_line = browser.cursorRect(_at(cursor, _utf16(text, start)))
    bar = browser.verticalScrollBar()
    bar.setValue(bar.value() + first_line.top() - browser.viewport().height() // 3)
    return True


def _at(cursor: QTextCursor, position: int) -> QTextCursor:
    """A cursor of ``cursor``'s document at ``position``."""
    moved = QTextCursor(cursor.document())
    moved.setPosition(position)
    return moved


def _utf16(text: str, index: int) -> int:
    """A Python string index as Qt's (UTF-16) position."""
    head = text[:index]
    return index + sum(1 for ch in head if ord(ch) > 0xFFFF) if not head.isascii() else index
