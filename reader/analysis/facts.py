"""Privacy facts at a glance: what a policy says it collects, why, who gets it, and so on.

Each fact (``collects:location``, ``dnt:not_honored``, ...) is one OPP-115 attribute value
(or a few merged ones). A sentence classifier (the practice classifier's TF-IDF machinery,
one logistic output per fact, ``resources/facts_model.npz``, written by
``scripts/train_facts.py``) scores every sentence of a policy; the policy *states* a fact
when its best sentence reaches the fact's threshold, and the sentences at or above the
threshold (best first) are its evidence. A fact no sentence reaches is "not stated".

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


@dataclass(frozen=True)
class Fact:
    id: str
    label: str
    stated: bool
    evidence: tuple[Evidence, ...]

    @property
    def group(self) -> str:
        return self.id.split(":", 1)[0]


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


def decide_facts(probabilities: np.ndarray, thresholds: np.ndarray
                 ) -> list[tuple[bool, list[int]]]:
    """Per fact (column): (stated, evidence rows best first) from sentence probabilities."""
    decided = []
    for k in range(probabilities.shape[1]):
        column = probabilities[:, k]
        hits = np.flatnonzero(column >= thresholds[k])
        order = hits[np.argsort(-column[hits], kind="stable")]
        decided.append((bool(len(order)), [int(i) for i in order]))
    return decided


def policy_facts(text: str, paragraphs: Sequence[Paragraph], model: FactsModel | None = None,
                 shown_only: bool = True) -> list[Fact]:
    """The facts a policy states, from the same segmented paragraphs the practices use
    (``segment(document)`` or ``plain_paragraphs(text)``); offsets refer to ``text``.

    Facts come in the model's order; with ``shown_only`` only the facts good enough to show
    (policy-level F1 >= MIN_SHOWN_F1 in cross-validation)."""
    model = model or default_facts_model()
    classifier = model.classifier
    sentences = [s for p in paragraphs if not p.is_heading for s in p.sentences]
    probabilities = classifier.predict([text[s.start:s.end] for s in sentences])
    wanted = set(model.shown) if shown_only else set(classifier.labels)
    facts = []
    for fact_id, (stated, rows) in zip(classifier.labels,
                                       decide_facts(probabilities, classifier.thresholds),
                                       strict=True):
        if fact_id not in wanted:
            continue
        k = classifier.labels.index(fact_id)
        evidence = tuple(Evidence(sentences[i].start, sentences[i].end,
                                  round(float(probabilities[i, k]), 4), sentences[i].paragraph)
                         for i in rows[:MAX_EVIDENCE])
        spec = SPEC_BY_ID.get(fact_id)
        facts.append(Fact(fact_id, spec.label if spec else fact_id, stated, evidence))
    return facts


def facts_json(text: str, facts: Sequence[Fact]) -> dict[str, dict]:
    """``{fact_id: {"stated": bool, "evidence": [sentence, ...]}}`` (the CLI contract)."""
    return {fact.id: {"stated": fact.stated,
                      "evidence": [text[e.start:e.end] for e in fact.evidence]}
            for fact in facts}
