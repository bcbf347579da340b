"""Privacy facts at a glance: what a policy says it collects, why, who gets it, and so on.

Each fact (``collects:location``, ``dnt:not_honored``, ...) is one OPP-115 attribute value
(or a few merged ones). A sentence classifier (the practice classifier's TF-IDF machinery,
one logistic output per fact, ``resources/facts_model.npz``, written by
``scripts/train_facts.py``) scores every sentence of a policy; the policy *states* a fact
when its best sentence reaches the fact's threshold, and the sentences at or above the
threshold (best first) are its evidence. A fact no sentence reaches is "not stated".
For collection, purpose and sharing facts a second classifier (:mod:`reader.analysis.polarity`)
reads those sentences: when every one says the company does NOT do it ("no cookies are
used") the fact is "says it does not" (:data:`DOES_NOT`), with those sentences as evidence;
one positive sentence makes it "stated", and its "does not" sentences are kept as
``denials``.
The decision itself is part of :func:`reader.analysis.practices.decide` (sentences of the
policy's words, as the search index reads them), so every view agrees.

Only facts whose policy-level F1 in cross-validation is at least ``MIN_SHOWN_F1`` are shown;
their ids are stored in the model file (``info["shown"]``), see docs/EVALUATION.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from reader.analysis.classifier import PracticeModel, load_model
from reader.analysis.segment import Paragraph
from reader.paths import resources_dir

FACTS_MODEL_FILE = "facts_model.npz"
MIN_SHOWN_F1 = 0.75
MAX_EVIDENCE = 3  # evidence sentences kept per fact, best first


@dataclass(frozen=True)
class FactSpec:
    """A fact and the OPP-115 annotations that state it: practices of ``categories``
    (any category when empty) whose ``attribute`` has one of ``values``."""

    id: str
    label: str
    attribute: str
    values: tuple[str, ...]
    categories: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.id.split(":", 1)[0]


_COLLECTION = ("first_party_collection",)
_SHARING = ("third_party_sharing",)
_PURPOSE = ("first_party_collection", "third_party_sharing")

FACT_SPECS: tuple[FactSpec, ...] = (
    FactSpec("collects:contact", "Contact details", "Personal Information Type",
             ("Contact",), _COLLECTION),
    FactSpec("collects:financial", "Financial data", "Personal Information Type",
             ("Financial",), _COLLECTION),
    FactSpec("collects:location", "Location", "Personal Information Type",
             ("Location",), _COLLECTION),
    FactSpec("collects:cookies", "Cookies and tracking", "Personal Information Type",
             ("Cookies and tracking elements",), _COLLECTION),
    FactSpec("collects:ip_device", "IP address and device IDs", "Personal Information Type",
             ("IP address and device IDs",), _COLLECTION),
    FactSpec("collects:online_activity", "Online activities", "Personal Information Type",
             ("User online activities",), _COLLECTION),
    FactSpec("collects:demographic", "Demographics", "Personal Information Type",
             ("Demographic",), _COLLECTION),
    FactSpec("purpose:advertising", "Advertising", "Purpose", ("Advertising",), _PURPOSE),
    FactSpec("purpose:marketing", "Marketing", "Purpose", ("Marketing",), _PURPOSE),
    FactSpec("purpose:analytics", "Analytics and research", "Purpose",
             ("Analytics/Research",), _PURPOSE),
    FactSpec("purpose:basic_service", "Providing the service", "Purpose",
             ("Basic service/feature",), _PURPOSE),
    FactSpec("purpose:legal", "Legal requirements", "Purpose",
             ("Legal requirement",), _PURPOSE),
    FactSpec("shares_with:third_party", "Third parties", "Third Party Entity",
             ("Unnamed third party", "Named third party"), _SHARING),
    FactSpec("shares_with:affiliates", "Affiliates", "Third Party Entity",
             ("Other part of company/affiliate",), _SHARING),
    FactSpec("shares_with:public", "The public", "Third Party Entity", ("Public",), _SHARING),
    FactSpec("retention:stated_period", "Kept for a stated period", "Retention Period",
             ("Stated Period",), ("data_retention",)),
    FactSpec("retention:limited", "Kept for a limited time", "Retention Period",
             ("Limited",), ("data_retention",)),
    FactSpec("retention:indefinitely", "Kept indefinitely", "Retention Period",
             ("Indefinitely",), ("data_retention",)),
    FactSpec("choice:opt_out_link", "Opt-out link", "Choice Type", ("Opt-out link",)),
    FactSpec("choice:opt_in", "Opt-in", "Choice Type", ("Opt-in",)),
    FactSpec("choice:browser_controls", "Browser or device controls", "Choice Type",
             ("Browser/device privacy controls",)),
    FactSpec("choice:contact_company", "Opt out by contacting the company", "Choice Type",
             ("Opt-out via contacting company",)),
    FactSpec("access:view_edit", "View or edit your data", "Access Type",
             ("View", "Edit information"), ("user_access",)),
    FactSpec("access:delete", "Delete your account", "Access Type",
             ("Delete account (full)", "Delete account (partial)"), ("user_access",)),
    FactSpec("dnt:honored", "Do Not Track honoured", "Do Not Track policy", ("Honored",)),
    FactSpec("dnt:not_honored", "Do Not Track not honoured", "Do Not Track policy",
             ("Not honored",)),
    FactSpec("audience:children", "Children", "Audience Type", ("Children",)),
    FactSpec("audience:californians", "Californians", "Audience Type", ("Californians",)),
    FactSpec("audience:europeans", "Europeans", "Audience Type", ("Europeans",)),
    FactSpec("security:measures", "Security measures", "Security Measure", (),
             ("data_security",)),  # no values: any security measure
)
FACT_IDS = tuple(spec.id for spec in FACT_SPECS)
SPEC_BY_ID = {spec.id: spec for spec in FACT_SPECS}

# Search syntax: ``<field>:<value>`` finds the policies that state fact ``<group>:<value>``
# (``collects:contact``, ``shares:third_party``, ``dnt:not_honored``), and
# ``<field>:not_<value>`` those that say they do not (``collects:not_cookies``). Field ->
# fact group; the search index has one keyword field per entry (the one place they are
# defined).
SEARCH_FIELDS: dict[str, str] = {
    "collects": "collects", "purpose": "purpose", "shares": "shares_with",
    "retention": "retention", "choice": "choice", "access": "access", "dnt": "dnt",
    "audience": "audience", "security": "security",
}
_FIELD_OF_GROUP = {group: name for name, group in SEARCH_FIELDS.items()}


def search_term(fact_id: str) -> tuple[str, str]:
    """The ``(field, value)`` that finds a fact: ``shares_with:public`` ->
    ``("shares", "public")``."""
    group, value = fact_id.split(":", 1)
    return _FIELD_OF_GROUP[group], value


DENIAL_PREFIX = "not_"  # ``collects:not_cookies``: the policy says it does not


def denial_term(fact_id: str) -> tuple[str, str]:
    """The ``(field, value)`` that finds the policies saying they do not do a fact:
    ``collects:cookies`` -> ``("collects", "not_cookies")``."""
    name, value = search_term(fact_id)
    return name, DENIAL_PREFIX + value


def fact_of_search(field_name: str, value: str) -> str | None:
    """The fact id a ``field:value`` search term names (``field:not_value`` names the
    same fact, said not done), or ``None``."""
    group = SEARCH_FIELDS.get(field_name.lower())
    value = value.lower()
    fact_id = f"{group}:{value}"
    if fact_id not in SPEC_BY_ID and value.startswith(DENIAL_PREFIX):
        fact_id = f"{group}:{value[len(DENIAL_PREFIX):]}"
    return fact_id if group and fact_id in SPEC_BY_ID else None


def search_fields(fact_ids: Sequence[str], denied: Sequence[str] = ()) -> dict[str, str]:
    """The index's fact fields of a policy stating ``fact_ids`` and saying it does not do
    ``denied``: field -> comma-joined values (``not_<value>`` for a denied fact; every
    field present, empty when it has none)."""
    values: dict[str, list[str]] = {name: [] for name in SEARCH_FIELDS}
    for fact_id in fact_ids:
        name, value = search_term(fact_id)
        values[name].append(value)
    for fact_id in denied:
        name, value = denial_term(fact_id)
        values[name].append(value)
    return {name: ",".join(found) for name, found in values.items()}


def spec_matches(spec: FactSpec, category: str, attribute: str, value: str) -> bool:
    """Whether an annotated (category, attribute, value) states this fact. Practices that
    an annotator marked "Does Not" are matched too: they are rare and still about the
    fact; the attribute value says what it is about."""
    if spec.categories and category not in spec.categories:
        return False
    if attribute != spec.attribute:
        return False
    return not spec.values or value in spec.values


@dataclass(frozen=True)
class Evidence:
    """A sentence that states a fact; offsets refer to the analysed text."""

    start: int
    end: int
    score: float
    paragraph: int


# The three states of a fact, as every view names them (``facts --json``: "state").
STATED, DOES_NOT, NOT_STATED = "stated", "does_not", "not_stated"
STATE_WORDS = {STATED: "stated", DOES_NOT: "says it does not", NOT_STATED: "not stated"}
ALSO_SAYS_NOT = "(also a “not”)"  # after a stated fact that has denials


@dataclass(frozen=True)
class Fact:
    """A fact's state for one policy. ``evidence``: the sentences of that state (stating
    it, or saying the company does not do it); ``denials``: for a stated fact, its
    sentences that say the company does not (e.g. "we do not sell it" beside "we share
    it with partners")."""

    id: str
    label: str
    state: str
    evidence: tuple[Evidence, ...]
    denials: tuple[Evidence, ...] = ()

    @property
    def group(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def stated(self) -> bool:
        return self.state == STATED

    @property
    def says_not(self) -> bool:
        return self.state == DOES_NOT

    @property
    def words(self) -> str:
        """The state as the views say it: "stated", "says it does not", "not stated"."""
        return STATE_WORDS[self.state]


@dataclass
class FactsModel:
    """The sentence classifier (labels = fact ids) and the facts it may show."""

    classifier: PracticeModel

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(self.classifier.info.get("shown", ()))


def load_facts_model(path: Path | None = None) -> FactsModel:
    return FactsModel(load_model(path or resources_dir() / FACTS_MODEL_FILE))


@lru_cache(maxsize=1)
def default_facts_model() -> FactsModel:
    """The bundled facts model, loaded once per process."""
    return load_facts_model()


def shown_facts() -> tuple[str, ...]:
    """Ids of the facts the app shows and the index holds (the bundled model's list)."""
    return default_facts_model().shown


def fact_f1(fact_id: str) -> float | None:
    """The fact's policy-level F1 in cross-validation, as recorded in the bundled model."""
    value = default_facts_model().classifier.info.get("policy_f1", {}).get(fact_id)
    return None if value is None else float(value)


def decide_facts(probabilities: np.ndarray, thresholds: np.ndarray
                 ) -> list[tuple[bool, list[int]]]:
    """Per fact (column): (stated, evidence rows best first) from sentence probabilities."""
    decided: list[tuple[bool, list[int]]] = []
    reached = (probabilities >= thresholds).any(axis=0)
    for k in range(probabilities.shape[1]):
        if not reached[k]:
            decided.append((False, []))
            continue
        column = probabilities[:, k]
        hits = np.flatnonzero(column >= thresholds[k])
        order = hits[np.argsort(-column[hits], kind="stable")]
        decided.append((bool(len(order)), [int(i) for i in order]))
    return decided


def policy_facts(text: str, paragraphs: Sequence[Paragraph], model: FactsModel | None = None,
                 shown_only: bool = True) -> list[Fact]:
    """The facts of displayed plain ``text`` and its ``paragraphs`` as THE decision
    (:func:`reader.analysis.practices.decide`) finds them; offsets refer to ``text``.
    Views use ``Analysis.facts``; this is for text that is its own source."""
    from reader.analysis.practices import decide

    return decide(text, text, paragraphs, facts_model=model, all_facts=not shown_only).facts


def facts_json(text: str, facts: Sequence[Fact]) -> dict[str, dict]:
    """``{fact_id: {"state": "stated" | "does_not" | "not_stated", "stated": bool,
    "evidence": [sentence, ...], "denials": [sentence, ...]}}`` (the CLI contract;
    ``stated`` is ``state == "stated"``); each sentence with its white space as one space,
    as ``compare --json`` quotes it."""
    def quoted(evidence: Sequence[Evidence]) -> list[str]:
        return [" ".join(text[e.start:e.end].split()) for e in evidence]

    return {fact.id: {"state": fact.state, "stated": fact.stated,
                      "evidence": quoted(fact.evidence), "denials": quoted(fact.denials)}
            for fact in facts}


# The card (side panel, PDF): groups in reading order, with their titles.
CARD_GROUPS: tuple[tuple[str, str], ...] = (
    ("collects", "Collects"), ("purpose", "Purposes"), ("shares_with", "Shared with"),
    ("retention", "Retention"), ("choice", "Choices"), ("access", "Access"),
    ("dnt", "Do Not Track"), ("audience", "Audiences"), ("security", "Security"),
)
_GROUP_TITLES = dict(CARD_GROUPS)
NOT_RELIABLE = "no fact reliable enough to show"  # a group none of whose facts is shown


def group_title(group: str) -> str:
    """A fact group's title as every view (card, compare, CLI, PDF) names it:
    ``shares_with`` -> ``Shared with``."""
    return _GROUP_TITLES.get(group, group)


@dataclass(frozen=True)
class CardRow:
    """One group of the facts card: the facts stated, those it says it does not do and
    those not stated (``shown`` False when the app shows none of the group's facts: none
    is reliable enough)."""

    title: str
    stated: tuple[Fact, ...]
    not_stated: tuple[Fact, ...]
    shown: bool = True
    does_not: tuple[Fact, ...] = ()


def card_rows(facts: Sequence[Fact]) -> list[CardRow]:
    """The facts card of a policy's (shown) facts, group by group."""
    rows = []
    for group, title in CARD_GROUPS:
        members = [fact for fact in facts if fact.group == group]
        rows.append(CardRow(title, tuple(f for f in members if f.stated),
                            tuple(f for f in members if f.state == NOT_STATED),
                            bool(members), tuple(f for f in members if f.says_not)))
    return rows


# What "stated" means, said wherever facts are shown. The facts model finds sentences about
# a fact; the polarity model (docs/EVALUATION.md) tells "we do not ..." apart, and errs.
STATED_MEANS = ("\u201cStated\u201d means a sentence of the policy says the company does "
                "it; \u201csays it does not\u201d that its sentences say it does not do it "
                "(\u201cno cookies are used\u201d). Both are read by a model that errs, so "
                "read the sentence.")


def card_note(model: FactsModel | None = None) -> str:
    """The card's lines saying what "stated" means, which facts are shown and why."""
    model = model or default_facts_model()
    return (f"{STATED_MEANS} Shown: the {len(model.shown)} of {len(model.classifier.labels)} "
            f"facts found with policy-level F1 >= {MIN_SHOWN_F1} in cross-validation on "
            "OPP-115 (docs/EVALUATION.md).")
