"""Start the desktop app."""

from __future__ import annotations

import sys


def run_app(corpus: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("Privacy Policy Reader")
    label.show()
    return app.exec()
