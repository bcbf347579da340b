"""Where the facts card and the category panel speak of the same practice.

The facts and the passages are decided by two models (one decision,
:func:`reader.analysis.practices.decide`), so a policy may state a fact (``security:measures``)
from a sentence that is no passage of the fact's category (Security), even in a policy with
no passage of that category at all. Making the fact's sentence a passage lowers the
highlights' precision on OPP-115 (docs/EVALUATION.md, "Facts and categories disagree"), so
the decision is left as it is and every view says where the two meet, from THIS module:
the side panel's row of such a category ("0 passages · stated in the facts card"), the
facts card's tooltip, ``facts --json`` / ``classify --jsonl`` and the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.analysis.facts import Evidence, Fact
from reader.analysis.taxonomy import category

if TYPE_CHECKING:
    from reader.analysis.practices import Analysis

# A fact group -> the practice category it speaks of (``purpose`` speaks of two,
# collection and sharing, and is left out; OPP-115 annotates a Choice Type inside
# collection and sharing practices too, yet the card's Choices are the reader's choices).
GROUP_CATEGORY: dict[str, str] = {
    "collects": "first_party_collection", "shares_with": "third_party_sharing",
    "retention": "data_retention", "choice": "user_choice", "access": "user_access",
    "dnt": "do_not_track", "audience": "international_audiences",
    "security": "data_security",
}


def fact_category(fact_id: str) -> str | None:
    """The category a fact speaks of (``security:measures`` -> ``data_security``), or
    ``None`` (``purpose:...``)."""
    return GROUP_CATEGORY.get(fact_id.split(":", 1)[0])


@dataclass(frozen=True)
class FactOutside:
    """A stated fact whose best evidence sentence (the one the card selects first and
    the PDF quotes) is no passage of its category: ``outside`` its sentences that are not
    (best first), ``of`` how many it has."""

    fact: Fact
    category: str
    outside: tuple[Evidence, ...]
    of: int

    @property
    def none_inside(self) -> bool:
        return len(self.outside) == self.of


@dataclass(frozen=True)
class FactsBesideCategories:
    """A policy's facts against its passages: per fact id, the stated facts whose best
    sentence is outside their category; per category id with NO passage, the stated facts of it (in
    the card's order)."""

    facts: dict[str, FactOutside]
    categories: dict[str, tuple[Fact, ...]]

    def sentences_of(self, category_id: str) -> list[Evidence]:
        """The evidence sentences of a passage-less category's stated facts, fact by fact
        in the card's order, each fact's best first (what its panel row steps through)."""
        return [e for fact in self.categories.get(category_id, ()) for e in fact.evidence]


def _inside(evidence: Evidence, spans: Sequence, category_id: str) -> bool:
    """Whether a passage of the category overlaps the sentence (it is highlighted in the
    category's colour, at least in part)."""
    return any(category_id in span.categories and span.start < evidence.end
               and evidence.start < span.end for span in spans)


def facts_beside_categories(analysis: Analysis) -> FactsBesideCategories:
    """THE comparison of a policy's stated facts with its passages, for every view."""
    counts = analysis.passage_counts()
    facts: dict[str, FactOutside] = {}
    empty: dict[str, list[Fact]] = {}
    for fact in analysis.facts:
        category_id = fact_category(fact.id)
        if not fact.stated or category_id is None:
            continue
        if not counts.get(category_id):
            empty.setdefault(category_id, []).append(fact)
        outside = tuple(e for e in fact.evidence
                        if not _inside(e, analysis.spans, category_id))
        if outside and outside[0] == fact.evidence[0]:  # the sentence shown first
            facts[fact.id] = FactOutside(fact, category_id, outside, len(fact.evidence))
    return FactsBesideCategories(facts, {c: tuple(f) for c, f in empty.items()})


def category_row_note(facts: Sequence[Fact]) -> str:
    """A passage-less category's words in the panel and the PDF:
    ``0 passages · stated in the facts card: Security measures``."""
    return "0 passages · stated in the facts card: " + ", ".join(f.label for f in facts)


def category_row_tooltip(category_id: str, facts: Sequence[Fact]) -> str:
    """What the panel says when hovering such a row."""
    name = category(category_id).name
    labels = ", ".join(f.label for f in facts)
    return (f"The facts card states {labels} from a sentence the category model did not "
            f"mark as a passage of \u201c{name}\u201d. Click to see the sentence (not "
            "highlighted in this category's colour, not counted, not found by category:).")


def fact_note(outside: FactOutside) -> str:
    """A stated fact's note on the card, in ``facts --json`` and in the PDF:
    ``its sentence is not a passage of “Security”``."""
    of = f"a passage of \u201c{category(outside.category).name}\u201d"
    if outside.of == 1:
        return f"its sentence is not {of}"
    if outside.none_inside:
        return f"none of its {outside.of} sentences is {of}"
    inside = outside.of - len(outside.outside)
    return (f"its first sentence is not {of} ({inside} of its {outside.of} "
            f"{'is' if inside == 1 else 'are'})")


def facts_json_notes(analysis: Analysis) -> dict[str, str]:
    """``{fact_id: note}`` for the stated facts whose best sentence is outside their category
    (``facts --json``'s ``"category_note"``, ``classify --jsonl``'s ``"fact_notes"``)."""
    beside = facts_beside_categories(analysis)
    return {fact_id: fact_note(outside) for fact_id, outside in beside.facts.items()}
