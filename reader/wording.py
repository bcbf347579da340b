"""Counted nouns for every message of the app and the CLI: "1 policy", "2 policies"."""

from __future__ import annotations

IRREGULAR = {"policy": "policies", "match": "matches", "company": "companies",
             "passage": "passages", "change": "changes", "version": "versions",
             "file": "files", "PDF file": "PDF files", "word": "words"}


def plural(noun: str) -> str:
    """The plural of a noun used in the app's messages ("policy" -> "policies")."""
    if noun in IRREGULAR:
        return IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def noun_for(count: int, noun: str) -> str:
    """The noun in the right number for ``count`` ("passage" / "passages"), for messages
    that place the number themselves (aligned columns)."""
    return noun if count == 1 else plural(noun)


def counted(count: int, noun: str, thousands: bool = True) -> str:
    """``count`` and the noun in the right number: "1 policy", "2,258 policies"."""
    number = f"{count:,}" if thousands else str(count)
    return f"{number} {noun if count == 1 else plural(noun)}"
