"""The policy viewer: a QTextBrowser that never loads remote resources or runs anything."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser

EXTERNAL_SCHEMES = {"http", "https", "mailto"}


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

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None  # nothing is loaded: no images, no style sheets, no remote content

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in EXTERNAL_SCHEMES:
            self.external_link_requested.emit(url)
            self.open_external(url)
        elif url.hasFragment() and not url.scheme():
            self.scrollToAnchor(url.fragment())
