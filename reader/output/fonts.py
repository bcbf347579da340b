"""The bundled fonts (DejaVu), registered with Qt so screen and PDF look the same anywhere."""

from __future__ import annotations

import re
import unicodedata

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


_drawable: dict[str, bool] = {}
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_NOT_DRAWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn"}


def characters_without_a_font(text: str) -> str:
    """The characters of ``text`` (each once, in order of code point) that no font Qt can
    use on this computer draws: they would show and print as empty boxes. Spaces, control
    and format characters are not drawn anyway and are never listed."""
    from PySide6.QtGui import QFont, QFontDatabase, QRawFont

    register_fonts()
    present = set(_ASCII_RUNS.sub("", text))  # a regex, not a loop: 4 MB in 20 ms
    unknown = {char for char in present if char not in _drawable
               and not char.isspace() and unicodedata.category(char) not in _NOT_DRAWN}
    if unknown:
        fonts = [QRawFont.fromFont(QFont(family)) for family in QFontDatabase.families()]
        fonts = [font for font in fonts if font.isValid()]
        for char in unknown:
            _drawable[char] = any(font.supportsCharacter(ord(char)) for font in fonts)
    return "".join(sorted(char for char in present if _drawable.get(char) is False))


def missing_font_message(characters: str, what: str = "This policy") -> str:
    """What to tell the user about ``characters`` (from :func:`characters_without_a_font`)."""
    shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in characters[:8])
    if len(characters) > 8:
        shown += f" and {len(characters) - 8} more"
    return (f"{what} has characters that no font on this computer can draw; they show as "
            f"empty boxes: {shown}. Install a font that has them (on Debian or Ubuntu: "
            "sudo apt-get install fonts-noto).")
