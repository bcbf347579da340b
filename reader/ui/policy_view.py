"""The policy viewer: a QTextBrowser that never loads remote resources or runs anything,
the busy bar shown above it while a large policy opens, and the part bar of a long policy.

A long policy is shown in parts (pages) of bounded size: Qt lays out the document shown on
the GUI thread, and a bounded part keeps that under 100 ms (bench/bench_responsiveness.py).
Every part is reachable; jumps to an anchor switch to the part that holds it."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QTextBrowser, QWidget

from reader.output.export import append_html

EXTERNAL_SCHEMES = {"http", "https", "mailto"}


class PolicyDocument(QTextDocument):
    """A policy's rendered text; loads no resource. Can be built in a worker thread (then
    moved to the GUI thread) so that Qt's HTML import does not block the window."""

    @classmethod
    def of_html(cls, parts: list[str], font: QFont) -> PolicyDocument:
        """The document of HTML ``parts`` (imported one by one, see :func:`append_html`)."""
        document = cls()
        document.setDefaultFont(font)
        append_html(document, parts)
        return document

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None


class PolicyBrowser(QTextBrowser):
    """Shows rendered policy HTML. In-page anchors scroll; web links open in the system
    browser only when clicked; images and other resources are never fetched."""

    external_link_requested = Signal(QUrl)
    page_changed = Signal(int, int)  # part shown (0-based), number of parts

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._follow)
        self.setAccessibleName("Policy text")
        self.open_external = QDesktopServices.openUrl
        self.pages: list[PolicyDocument] = []
        self.page = 0
        self._page_of_anchor: dict[str, int] = {}
        # Parts belong to a holder, not the browser: QTextEdit deletes a document that is
        # its child when another one is set, and parts are switched back and forth.
        self._page_holder = QObject(self)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None  # nothing is loaded: no images, no style sheets, no remote content

    def show_document(self, document: PolicyDocument) -> None:
        """Show a document built elsewhere (already in the GUI thread); the one it replaces
        is deleted. Qt lays it out lazily, the visible part first."""
        self.show_pages([PolicyPage(document, set())])

    def show_pages(self, pages: list[PolicyPage], page: int = 0) -> None:
        """Show a policy in ``pages`` (built elsewhere, already in the GUI thread), starting
        at ``page``; the documents shown before are deleted."""
        old = self.pages
        self.pages = [p.document for p in pages]
        self._page_of_anchor = {a: i for i, p in enumerate(pages) for a in p.anchors}
        for document in self.pages:
            document.setParent(self._page_holder)
        self.page = -1
        self.show_page(min(max(page, 0), len(self.pages) - 1))
        for document in old:
            if document not in self.pages:
                document.deleteLater()

    def setHtml(self, text: str) -> None:  # noqa: N802 - Qt override
        """Small policies and messages: one page, in the browser's own document."""
        if self.pages:
            old, self.pages, self._page_of_anchor, self.page = self.pages, [], {}, 0
            self.setDocument(PolicyDocument(self))
            for document in old:
                document.deleteLater()
            self.page_changed.emit(0, 1)
        super().setHtml(text)

    @property
    def page_count(self) -> int:
        return max(1, len(self.pages))

    def show_page(self, page: int, at_end: bool = False) -> bool:
        """Show part ``page`` (0-based) at its top (or end); False if there is no such part."""
        if not 0 <= page < len(self.pages):
            return False
        if page != self.page:
            self.page = page
            self.setDocument(self.pages[page])
            self.page_changed.emit(page, len(self.pages))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum() if at_end else 0)
        return True

    def next_page(self) -> bool:
        return self.show_page(self.page + 1)

    def previous_page(self) -> bool:
        return self.show_page(self.page - 1, at_end=True)

    def page_of_anchor(self, anchor: str) -> int:
        return self._page_of_anchor.get(anchor, self.page)

    def go_to_anchor(self, anchor: str) -> None:
        """Scroll to ``anchor``, switching first to the part that holds it."""
        page = self._page_of_anchor.get(anchor)
        if page is not None and page != self.page:
            self.show_page(page)
        self.scrollToAnchor(anchor)

    def select_match(self, number: int = 0) -> str:
        """Show search match ``number`` (0-based; an evidence sentence is match 0) and
        select its text; returns the text selected ("" if there is no such match)."""
        self.go_to_anchor(f"m{number}")
        title = f"Search match {number + 1}"
        document = self.document()
        first = last = -1
        block = document.begin()
        while block.isValid() and not (last >= 0 and first >= 0 and block.position() > last):
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                if fragment.charFormat().toolTip().endswith(title):
                    if first < 0:
                        first = fragment.position()
                    last = fragment.position() + fragment.length()
                elif first >= 0:
                    break
                fragments += 1
            block = block.next()
        if first < 0:
            return ""
        cursor = self.textCursor()
        cursor.setPosition(first)
        cursor.setPosition(last, cursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        return cursor.selectedText()

    def all_text(self) -> str:
        """The plain text of every part, in order (the whole policy as shown)."""
        if not self.pages:
            return self.toPlainText()
        return "\n".join(document.toPlainText() for document in self.pages)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        """PageDown at the end of a part continues with the next; PageUp at its top goes
        back to the end of the one before."""
        bar = self.verticalScrollBar()
        key = event.key()
        if (key == Qt.Key.Key_PageDown and bar.value() >= bar.maximum()
                and self.next_page()):
            return
        if key == Qt.Key.Key_PageUp and bar.value() <= bar.minimum() and self.previous_page():
            return
        super().keyPressEvent(event)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in EXTERNAL_SCHEMES:
            self.external_link_requested.emit(url)
            self.open_external(url)
        elif url.hasFragment() and not url.scheme():
            self.go_to_anchor(url.fragment())


ANCHOR_PATTERN = re.compile(r'<a name="([^"]+)"|\sid="([^"]+)"')


class PolicyPage:
    """One part of a long policy: its document and the anchors it holds."""

    def __init__(self, document: PolicyDocument, anchors: set[str]) -> None:
        self.document = document
        self.anchors = anchors

    @classmethod
    def of_html(cls, parts: list[str], font: QFont) -> PolicyPage:
        anchors = {a or b for html in parts for a, b in ANCHOR_PATTERN.findall(html)}
        return cls(PolicyDocument.of_html(parts, font), anchors)


class PageBar(QWidget):
    """"Part 2 of 7" with Previous/Next, shown above a long policy; hidden otherwise."""

    def __init__(self, browser: PolicyBrowser, parent=None) -> None:
        super().__init__(parent)
        self.browser = browser
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.previous_button = QPushButton("◀ Previous part")
        self.previous_button.setAccessibleName("Previous part of the policy")
        self.previous_button.setToolTip("Previous part (Ctrl+PgUp; PgUp at the top)")
        self.previous_button.clicked.connect(self.browser.previous_page)
        self.next_button = QPushButton("Next part ▶")
        self.next_button.setAccessibleName("Next part of the policy")
        self.next_button.setToolTip("Next part (Ctrl+PgDown; PgDown at the end)")
        self.next_button.clicked.connect(self.browser.next_page)
        for keys, slot in (("Ctrl+PgDown", self.browser.next_page),
                           ("Ctrl+PgUp", self.browser.previous_page)):
            shortcut = QShortcut(QKeySequence(keys), browser)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        browser.page_changed.connect(self.update_parts)
        self.hide()

    def update_parts(self, page: int, count: int) -> None:
        if count <= 1:
            self.hide()
            return
        self.label.setText(f"<b>Part {page + 1} of {count}</b> — this policy is long, so it "
                           "is shown in parts; nothing is left out (PgDown at the end of a "
                           "part continues).")
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)
        self.show()


class BusyBar(QWidget):
    """"Opening … (size)" with a moving bar and Cancel, above the policy text."""

    cancel_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: no known end
        self.bar.setMaximumWidth(160)
        self.bar.setAccessibleName("Opening the policy")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel opening the policy")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()
