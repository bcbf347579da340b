"""The bundled fonts (DejaVu), registered with Qt so screen and PDF look the same anywhere."""

from __future__ import annotations

from reader.paths import resources_dir

_registered: list[str] = []


def register_fonts() -> list[str]:
    """Register ``resources/fonts/*.ttf`` once per process; returns the font families."""
    from PySide6.QtGui import QFontDatabase

    if not _registered:
        for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                _registered.extend(QFontDatabase.applicationFontFamilies(font_id))
    return list(_registered)
