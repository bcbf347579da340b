"""Keyboard paths between a text field and the list it narrows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit


class FieldIntoList(QObject):
    """Down arrow or Enter in ``field`` moves the focus into ``view``, its first row made
    current when no shown row is (typing "goog" in the company filter left a keyboard user
    nowhere to go but Tab)."""

    def __init__(self, field: QLineEdit, view: QAbstractItemView) -> None:
        super().__init__(field)
        self.field = field
        self.view = view
        field.installEventFilter(self)
        field.returnPressed.connect(self.enter)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if (watched is self.field and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.view.model().rowCount() > 0):
            self.enter()
            return True
        return super().eventFilter(watched, event)

    def enter(self) -> None:
        model = self.view.model()
        if model.rowCount() == 0:
            return
        self.view.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(model.index(0, 0))
