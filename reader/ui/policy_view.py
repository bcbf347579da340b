"""The policy viewer: a QTextBrowser that never loads remote resources or runs anything,
and the busy bar shown above it while a large policy opens."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QTextDocument
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

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._follow)
        self.setAccessibleName("Policy text")
        self.open_external = QDesktopServices.openUrl
        self._own_document: PolicyDocument | None = None

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None  # nothing is loaded: no images, no style sheets, no remote content

    def show_document(self, document: PolicyDocument) -> None:
        """Show a document built elsewhere (already in the GUI thread); the one it replaces
        is deleted. Qt lays it out lazily, the visible part first."""
        document.setParent(self)
        self.setDocument(document)
        if self._own_document is not None:
            self._own_document.deleteLater()
        self._own_document = document

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in EXTERNAL_SCHEMES:
            self.external_link_requested.emit(url)
            self.open_external(url)
        elif url.hasFragment() and not url.scheme():
            self.scrollToAnchor(url.fragment())


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
