"""Start the desktop app."""

from __future__ import annotations

import sys

from reader.paths import resources_dir


def register_fonts() -> list[str]:
    """Register the bundled fonts so every machine renders (and exports) the same."""
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def create_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Privacy Policy Reader")
    app.setOrganizationName("privacy-reader")
    app.setApplicationVersion(__import__("reader").__version__)
    register_fonts()
    return app


def run_app(corpus: str | None = None) -> int:
    app = create_app()
    from reader.ui.main_window import MainWindow

    window = MainWindow(corpus)
    window.show()
    return app.exec()
