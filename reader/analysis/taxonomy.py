"""The OPP-115 data-practice categories, with names, explanations and colours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from reader.paths import resources_dir

OTHER = "other"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    explanation: str
    light: str
    dark: str
    short: str = ""  # a few letters naming it beside its passages (not by colour alone)

    def colour(self, dark_theme: bool = False) -> str:
        return self.dark if dark_theme else self.light


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    """All ten categories in display order (``other`` last)."""
    data = json.loads((resources_dir() / "categories.json").read_text("utf-8"))
    return tuple(Category(**{k: c[k] for k in ("id", "name", "explanation", "light", "dark")},
                          short=c.get("short", ""))
                 for c in data["categories"])


def category_ids() -> tuple[str, ...]:
    return tuple(c.id for c in categories())


def practice_categories() -> tuple[Category, ...]:
    """The nine categories that name a data practice (all but ``other``, which is never
    highlighted)."""
    return tuple(c for c in categories() if c.id != OTHER)


def practice_ids() -> tuple[str, ...]:
    return tuple(c.id for c in practice_categories())


def category(category_id: str) -> Category:
    for item in categories():
        if item.id == category_id:
            return item
    raise KeyError(f"unknown category {category_id!r}; known: {', '.join(category_ids())}")


def parse_category_list(text: str) -> list[str]:
    """``"data_security, user_choice"`` -> ids, raising ``KeyError`` for unknown ones."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    for item in ids:
        category(item)
    return ids
