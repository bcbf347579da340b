"""A slim, non-modal bar of notices above the panes (files skipped, search unavailable, ...).

Each notice has a key (one notice per key: showing it again replaces its text), a one-line
summary, optional details behind a "Details" button, and a close button. Nothing here
blocks the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MAX_DETAIL_LINES = 2000
STYLES = {
    "warning": "background:#FFF4CE; color:#3B2F00; border:1px solid #E0C060;",
    "info": "background:#E5F1FB; color:#0B2A45; border:1px solid #8DB6DD;",
}


@dataclass
class Notice:
    key: str
    summary: str
    details: list[str] = field(default_factory=list)
    level: str = "warning"


class NoticeRow(QFrame):
    """One notice: summary, Details toggle, close button."""

    dismissed = Signal(str)

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = notice.key
        self.setObjectName("notice")
        self.setAccessibleName(f"Notice: {notice.key}")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show details")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAccessibleName("Dismiss notice")
        self.close_button.setAutoRaise(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        self.details.setAccessibleName("Notice details")
        self.details.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.details_button)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.details)
        self.details_button.toggled.connect(self.details.setVisible)
        self.close_button.clicked.connect(lambda: self.dismissed.emit(self.key))
        self.set_notice(notice)

    def set_notice(self, notice: Notice) -> None:
        self.notice = notice
        self.setStyleSheet(f"QFrame#notice {{{STYLES.get(notice.level, STYLES['info'])}"
                           "border-radius:3px;}")
        self.summary.setText(notice.summary)
        lines = notice.details[:MAX_DETAIL_LINES]
        if len(notice.details) > len(lines):
            lines.append(f"… and {len(notice.details) - len(lines):,} more")
        self.details.setPlainText("\n".join(lines))
        self.details_button.setVisible(bool(lines))
        if not lines:
            self.details_button.setChecked(False)


class NoticeBar(QWidget):
    """The stack of current notices; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Notices")
        self.rows: dict[str, NoticeRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 0)
        self._layout.setSpacing(4)
        self.hide()

    def show_notice(self, key: str, summary: str, details: list[str] | None = None,
                    level: str = "warning") -> NoticeRow:
        """Show (or replace) the notice ``key``."""
        notice = Notice(key, summary, list(details or []), level)
        row = self.rows.get(key)
        if row is None:
            row = NoticeRow(notice, self)
            row.dismissed.connect(self.dismiss)
            self.rows[key] = row
            self._layout.addWidget(row)
        else:
            row.set_notice(notice)
        self.show()
        return row

    def dismiss(self, key: str) -> None:
        """Remove the notice ``key`` (the close button does this)."""
        row = self.rows.pop(key, None)
        if row is not None:
            self._layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.setVisible(bool(self.rows))

    def summary(self, key: str) -> str:
        row = self.rows.get(key)
        return row.notice.summary if row else ""

    def details(self, key: str) -> list[str]:
        row = self.rows.get(key)
        return list(row.notice.details) if row else []
