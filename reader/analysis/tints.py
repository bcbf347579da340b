"""Highlight colours as the reader chose them: intensity (soft, medium, strong), palette
(standard or colour-blind) and theme (light or dark page).

Strong is each category's marker colour (``light``/``dark`` in resources/categories.json);
soft and medium are the tints stored under ``tints`` there, searched so that every pair
stays distinct with normal vision and under simulated colour blindness while the text stays
the focus (scripts/choose_tints.py; tests/test_colours.py checks the stored values). The
passage being stepped to (F8) is always shown in the strong colour. One function,
:func:`highlight_colour`, decides a highlight's colour for the viewer, the panel and the PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from reader.analysis.taxonomy import category
from reader.paths import resources_dir

INTENSITIES = ("soft", "medium", "strong")
PALETTES = ("standard", "colour_blind")
PAGE_COLOURS = {False: "#FFFFFF", True: "#1E1E1E"}  # the page behind the text, per theme
DARK_TEXT = "#000000"
LIGHT_TEXT = "#E6E6E6"


@dataclass(frozen=True)
class HighlightLook:
    """How highlights look: the reader's preferences plus the theme in use."""

    dark: bool = False
    intensity: str = "medium"
    palette: str = "standard"

    def __post_init__(self) -> None:
        if self.intensity not in INTENSITIES:
            raise ValueError(f"unknown intensity {self.intensity!r}; known: {INTENSITIES}")
        if self.palette not in PALETTES:
            raise ValueError(f"unknown palette {self.palette!r}; known: {PALETTES}")


def as_look(look: HighlightLook | bool | None) -> HighlightLook:
    """A look from a look, or from the older ``dark_theme`` flag (default intensity)."""
    if isinstance(look, HighlightLook):
        return look
    return HighlightLook(dark=bool(look))


@lru_cache(maxsize=1)
def _tints() -> dict:
    data = json.loads((resources_dir() / "categories.json").read_text("utf-8"))
    return data.get("tints", {})


def highlight_colour(category_id: str, look: HighlightLook | bool | None = None) -> str:
    """The background colour of a passage of ``category_id`` (``#RRGGBB``)."""
    look = as_look(look)
    theme = "dark" if look.dark else "light"
    tints = _tints().get(look.palette, {}).get(look.intensity, {})
    if look.intensity == "strong" or category_id not in tints:  # "other": never a passage
        return category(category_id).colour(look.dark)
    return tints[category_id][theme]


def current_colour(category_id: str, look: HighlightLook | bool | None = None) -> str:
    """The strongest colour, for the passage being stepped to."""
    look = as_look(look)
    return category(category_id).colour(look.dark)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(background: str) -> str:
    """Black or light grey text, whichever reads better on ``background``."""
    return (DARK_TEXT if contrast(background, DARK_TEXT) >= contrast(background, LIGHT_TEXT)
            else LIGHT_TEXT)
