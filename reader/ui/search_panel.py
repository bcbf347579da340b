"""The search panel: a query field, status line and streamed, ranked results."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader.ui.models import HitRole, SearchResultsModel
from reader.wording import counted

SEARCH_HELP = ('Words, "a phrase", priv*, AND / OR / NOT, company:amazon, '
               "category:third_party_sharing, year:2010..2015")


class HtmlDelegate(QStyledItemDelegate):
    """Draws an item's display text as rich text (bold matched words in snippets)."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setHtml(index.data(Qt.ItemDataRole.DisplayRole) or "")
        document.setTextWidth(max(100, option.rect.width() - 8))
        return document

    def paint(self, painter, option, index) -> None:
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        document = self._document(options, index)
        options.text = ""
        style = options.widget.style() if options.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter,
                              options.widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        if options.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text,
                                     options.palette.color(QPalette.ColorRole.HighlightedText))
        painter.save()
        painter.translate(options.rect.left() + 4, options.rect.top() + 2)
        painter.setClipRect(QRectF(0, 0, options.rect.width() - 8, options.rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt override
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        width = options.widget.viewport().width() if options.widget else 300
        options.rect.setWidth(width)
        document = self._document(options, index)
        return QSize(width, int(document.size().height()) + 6)


class SearchPanel(QWidget):
    query_submitted = Signal(str)
    hit_activated = Signal(object)  # Hit
    export_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Search all policies (Ctrl+K)")
        self.field.setToolTip(SEARCH_HELP)
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search query")
        self.status = QLabel(SEARCH_HELP, self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.linkActivated.connect(self._suggestion_clicked)
        self.model = SearchResultsModel(self)
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(self._activated)
        self.results.clicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.shown = QLabel("", self)  # "Showing 50 of 2,258 policies"
        self.shown.setAccessibleName("Search results shown")
        self.more_button = QPushButton("Show More Results", self)
        self.more_button.setToolTip("Load the next results (scrolling to the end of the "
                                    "list does it too)")
        self.more_button.clicked.connect(self.show_more)
        paging = QHBoxLayout()
        paging.addWidget(self.shown, 1)
        paging.addWidget(self.more_button)
        layout.addLayout(paging)
        self.export_button = QPushButton("Export results to PDF…", self)
        self.export_button.setAccessibleName("Export search results to PDF")
        self.export_button.setToolTip("Save every policy the search found as a PDF, also "
                                      "the results not loaded in the list yet")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_requested)
        self.model.rowsInserted.connect(lambda *_: self.export_button.setEnabled(True))
        self.model.modelReset.connect(lambda: self.export_button.setEnabled(False))
        self.model.paging_changed.connect(self._show_paging)
        layout.addWidget(self.export_button)
        self._show_paging()
        self.field.returnPressed.connect(self._submit)
        self.field.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """Down arrow in the query field moves into the results (the first one selected)."""
        if (watched is self.field and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.model.rowCount() > 0):
            self.results.setFocus(Qt.FocusReason.TabFocusReason)
            if not self.results.currentIndex().isValid():
                self.results.setCurrentIndex(self.model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    def show_more(self) -> None:
        """Load the next page of results (as scrolling to the end of the list does)."""
        self.model.fetchMore(QModelIndex())

    def _show_paging(self) -> None:
        model = self.model
        loaded = len(model.hits)
        more = not model.exhausted
        self.shown.setVisible(loaded > 0)
        if more:
            about = "" if model.total_is_exact else "about "
            self.shown.setText(f"Showing {loaded:,} of {about}{model.total:,} · scroll down "
                               "for more"
                               + (" (loading…)" if model.loading and loaded else ""))
        else:
            self.shown.setText(f"Showing all {counted(loaded, 'result')}" if loaded > 1
                               else "")
        self.more_button.setVisible(more and loaded > 0)
        self.more_button.setEnabled(model.canFetchMore(QModelIndex()))

    def _submit(self) -> None:
        text = self.field.text().strip()
        if text:
            self.query_submitted.emit(text)

    def run(self, text: str) -> None:
        self.field.setText(text)
        self._submit()

    def _suggestion_clicked(self, link: str) -> None:
        if link.startswith("suggest:"):
            self.run(link.removeprefix("suggest:"))

    def _activated(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            self.hit_activated.emit(hit)
