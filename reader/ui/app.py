"""Start the desktop app."""

from __future__ import annotations

import sys

from reader.output.fonts import register_fonts


def create_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Privacy Policy Reader")
    app.setOrganizationName("privacy-reader")
    app.setApplicationVersion(__import__("reader").__version__)
    register_fonts()
    from PySide6.QtGui import QIcon

    from reader.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "privacy-reader.svg")))
    return app


def run_app(corpus: str | None = None) -> int:
    app = create_app()
    from reader.ui.main_window import MainWindow

    window = MainWindow(corpus)
    window.show()
    return app.exec()
