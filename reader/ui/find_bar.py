"""Find in page (Ctrl+F): a bar over the policy view that marks every match of a word or
phrase, counts them ("3 of 12") and steps through them. The policy's document is never
changed: matches are drawn as the text view's extra selections.

A long policy shown in parts (:class:`reader.ui.policy_view.PolicyBrowser`) is searched
whole: the count covers every part, stepping switches to the part of the next match, and
the count says which part it is in ("3 of 12 · part 2 of 5")."""

from __future__ import annotations

import time
import unicodedata

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

SLICE_SECONDS = 0.03  # the other parts of a long policy are searched in slices this long
MAX_MATCHES = 5000  # marks beyond this are not drawn (the count says "5,000+")
ALL_MATCHES_COLOUR = QColor("#fff59d")  # soft yellow
CURRENT_MATCH_COLOUR = QColor("#6a1b9a")  # deep purple, white text: the match stepped to


def match_count_text(position: int, count: int, capped: bool = False) -> str:
    """ "3 of 12", "No matches", "1 match" (none current) for the find bar's count label."""
    if count == 0:
        return "No matches"
    total = f"{count:,}+" if capped else f"{count:,}"
    if position < 0:
        return f"{total} {'match' if count == 1 else 'matches'}"
    return f"{position + 1:,} of {total}"


class FindField(QLineEdit):
    """The find bar's text field: Enter / Shift+Enter and F3 / Shift+F3 step, Esc closes.
    It claims F3 and Esc before the window's shortcuts do while it has the focus."""

    def __init__(self, bar: FindBar) -> None:
        super().__init__(bar)
        self.bar = bar

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (
                Qt.Key.Key_F3, Qt.Key.Key_Escape):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        key = event.key()
        backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
            self.bar.step(-1 if backwards else +1)
        elif key == Qt.Key.Key_Escape:
            self.bar.close_bar()
        else:
            super().keyPressEvent(event)


class FindBar(QWidget):
    """Finds text in a QTextEdit/QTextBrowser; hidden until :meth:`open_bar`."""

    def __init__(self, view: QTextEdit, parent=None) -> None:
        super().__init__(parent)
        self.view = view
        self.cursors: list[QTextCursor] = []  # every match, in every part, in order
        self.parts: list[int] = []  # the part (page) of the view each match is in
        self._searched: list[QTextDocument] = []  # the documents the matches belong to
        self._found: dict[int, list[QTextCursor]] = {}  # part -> its matches
        self._todo: list[int] = []  # parts still to search
        self._text = ""
        self._slices = QTimer(self)
        self._slices.setSingleShot(True)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._next_slice)
        self.position = -1
        self.capped = False
        self.field = FindField(self)
        self.field.setPlaceholderText("Find in this policy")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Find in page")
        self.count_label = QLabel("", self)
        self.count_label.setAccessibleName("Find matches")
        self.count_label.setMinimumWidth(90)
        self.previous_button = self._button("▲", "Previous match (Shift+Enter)", -1)
        self.next_button = self._button("▼", "Next match (Enter)", +1)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.setAccessibleName("Close find bar")
        self.close_button.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        self.field.textChanged.connect(self.find)
        self.hide()

    def _button(self, text: str, tip: str, step: int) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.clicked.connect(lambda: self.step(step))
        return button

    def open_bar(self) -> None:
        """Show the bar, focus the field (its text selected) with the view's selection as
        the search text when there is a short one."""
        selected = self.view.textCursor().selectedText()
        if selected and len(selected) <= 80 and "\u2029" not in selected:
            self.field.setText(selected)
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self.find()

    def close_bar(self) -> None:
        """Hide the bar, clear the marks, give the focus back to the text."""
        self.hide()
        self._forget()
        self.view.setExtraSelections([])
        self.view.setFocus()

    def _forget(self) -> None:
        self._slices.stop()
        self.cursors, self.parts, self._searched = [], [], []
        self._found, self._todo = {}, []
        self.position = -1

    def refresh(self) -> None:
        """Find again in the view's current text (a new policy, a re-render)."""
        if self.isVisible():
            self.find()
        else:
            self._forget()
            self.view.setExtraSelections([])

    def part_changed(self, *_args) -> None:
        """Another part of the policy is shown: mark that part's matches (the matches of
        the whole policy stay); a new policy's parts are searched again."""
        if self.isVisible() and self.cursors and self._documents() == self._searched:
            self._show_current(scroll=False)
        else:
            self.refresh()

    def _documents(self) -> list[QTextDocument]:
        """The parts of the policy shown (one document unless it is shown in parts)."""
        return list(getattr(self.view, "pages", None) or [self.view.document()])

    def _part(self) -> int:
        return getattr(self.view, "page", 0) if getattr(self.view, "pages", None) else 0

    def find(self, *_args) -> None:
        """Mark every case-insensitive match of the field's text in the whole policy; the
        first one after the top of the visible part becomes the current match.

        The part shown is searched at once; the other parts of a long policy a slice at a
        time from the event loop (the window keeps answering while the count grows)."""
        self._slices.stop()
        self._forget()
        self.capped = False
        self._searched = self._documents()
        self._text = unicodedata.normalize("NFC", self.field.text())  # as policies are read
        self._found = {}
        shown = self._part()
        self._todo = ([shown] + [p for p in range(len(self._searched)) if p != shown]
                      if self._text else [])
        self._search_some(0.0)  # the part shown: its marks and current match at once
        self._assemble()
        if self.cursors:  # (none after the top while other parts wait: chosen at the end)
            top = self.view.cursorForPosition(self.view.viewport().rect().topLeft()).position()
            self.position = next((i for i, c in enumerate(self.cursors)
                                  if c.selectionStart() >= top), -1 if self._todo else 0)
        if self._todo:
            self._slices.start()
        self._show_current()

    @property
    def searching(self) -> bool:
        """Whether parts of a long policy are still being searched."""
        return bool(self._todo)

    def _search_some(self, seconds: float = SLICE_SECONDS) -> None:
        """Search the next parts, for about ``seconds`` (0: one part)."""
        started = time.perf_counter()
        while self._todo:
            part = self._todo.pop(0)
            document, found = self._searched[part], []
            cursor = QTextCursor(document)
            while not self.capped:
                cursor = document.find(self._text, cursor, QTextDocument.FindFlag(0))
                if cursor.isNull():
                    break
                if sum(map(len, self._found.values())) + len(found) >= MAX_MATCHES:
                    self.capped = True
                    self._todo = []
                    break
                found.append(cursor)
            self._found[part] = found
            if time.perf_counter() - started >= seconds:
                break

    def _assemble(self) -> None:
        """Every match found so far, in reading order."""
        self.cursors, self.parts = [], []
        for part in sorted(self._found):
            self.cursors += self._found[part]
            self.parts += [part] * len(self._found[part])

    def _next_slice(self) -> None:
        if not self._todo:
            return
        current = self.cursors[self.position] if 0 <= self.position < len(self.cursors) else None
        self._search_some()
        self._assemble()
        if current is not None:  # the same match stays current
            self.position = next(i for i, c in enumerate(self.cursors) if c is current)
        elif self.cursors and not self._todo:  # none below the top of the part shown
            shown = self._part()
            self.position = next((i for i, part in enumerate(self.parts) if part > shown), 0)
            self._show_current()
            return
        if self._todo:
            self._slices.start()
        self._show_current(scroll=False)

    def finish(self) -> None:
        """Search the parts left now (before stepping, which needs every match)."""
        while self._todo:
            self._next_slice()
        self._slices.stop()

    def step(self, step: int) -> None:
        """Go to the next (+1) or previous (-1) match, wrapping around."""
        before = self.position
        self.finish()
        if before < 0 <= self.position:  # finishing the search chose the first one
            return
        if not self.cursors:
            if self.field.text():
                self.find()
            return
        self.position = (self.position + step) % len(self.cursors)
        self._show_current()

    def _show_current(self, scroll: bool = True) -> None:
        """Mark the matches of the part shown (the current one strongest), switching first
        to the part of the current match; the count says which part that is."""
        if scroll and 0 <= self.position < len(self.cursors):
            part = self.parts[self.position]
            if part != self._part() and hasattr(self.view, "show_page"):
                self.view.show_page(part)  # page_changed: part_changed re-marks
        shown = self._part()
        selections = []
        for number, (cursor, part) in enumerate(zip(self.cursors, self.parts, strict=True)):
            if part != shown:
                continue
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            current = number == self.position
            selection.format.setBackground(CURRENT_MATCH_COLOUR if current
                                           else ALL_MATCHES_COLOUR)
            selection.format.setForeground(QColor("white" if current else "black"))
            selections.append(selection)
        self.view.setExtraSelections(selections)
        if scroll and 0 <= self.position < len(self.cursors) and self.parts[self.position] == shown:
            place = QTextCursor(self.cursors[self.position])
            place.clearSelection()
            self.view.setTextCursor(place)
            self.view.ensureCursorVisible()
        label = match_count_text(self.position, len(self.cursors), self.capped)
        if self._todo:
            label += " so far, searching…"
        parts = len(self._searched)
        if parts > 1 and 0 <= self.position < len(self.cursors):
            label += f" · part {self.parts[self.position] + 1} of {parts}"
        self.count_label.setText(label if self.field.text() else "")
        self.count_label.setToolTip("Matches in the whole policy, all its parts" if parts > 1
                                    else "")
        self.previous_button.setEnabled(len(self.cursors) > 1)
        self.next_button.setEnabled(len(self.cursors) > 1)

    def current_text(self) -> str:
        """The text of the current match (for tests and screen readers)."""
        if 0 <= self.position < len(self.cursors):
            return self.cursors[self.position].selectedText()
        return ""



def edit_focused(window: QWidget, method: str) -> None:
    """The Edit menu's Copy / Select All: act on the focused text field or text view, else
    on the policy text (``window.browser``)."""
    focused = window.focusWidget()
    target = focused if isinstance(focused, (QLineEdit, QTextEdit)) else window.browser
    getattr(target, method)()
