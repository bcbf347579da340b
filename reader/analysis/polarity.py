"""Whether a fact's sentence says the company does NOT do it ("no cookies are used").

OPP-115 annotators marked every collection and sharing practice "Does" or "Does Not"; a
small sentence classifier learnt from those marks (``resources/polarity_model.npz``,
written by ``scripts/train_polarity.py``, one logistic output per fact group) reads a
fact's evidence sentences that hold a negation word. The decision
(:func:`reader.analysis.practices.decide`) uses it for the facts of :data:`POLARITY_GROUPS`
only (see :func:`polarity_group`): a fact all of whose sentences say "does
not" is shown as "says it does not"; one positive sentence makes it "stated".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from reader.analysis.classifier import MAX_TOKENS, PracticeModel, load_model, ngrams
from reader.paths import resources_dir

POLARITY_MODEL_FILE = "polarity_model.npz"
# Fact groups whose OPP-115 practices carry the "Does/Does Not" attribute (collection
# and sharing practices; purposes are attributes of those practices).
POLARITY_GROUPS: tuple[str, ...] = ("collects", "purpose", "shares_with")
# Facts of those groups that are never "says it does not": a legal requirement is the
# exception of "we do not share it unless the law requires it" (OPP-115: 3 of 12 such
# sentences marked "Does Not"), not something the policy says it does not do.
WITHOUT_POLARITY = frozenset({"purpose:legal"})


def polarity_group(fact_id: str) -> str | None:
    """The polarity model's output (a fact group) that reads the fact's sentences, or
    ``None`` for a fact that is stated or not, never "says it does not"."""
    group = fact_id.split(":", 1)[0]
    return group if group in POLARITY_GROUPS and fact_id not in WITHOUT_POLARITY else None

_NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "none", "nothing",
                        "cannot", "nobody"})
_CONTRACTED = frozenset({"don", "doesn", "didn", "won", "can", "isn", "aren", "wasn",
                         "weren", "shouldn", "wouldn", "haven", "hasn"})


_SCOPE = 4  # words after a negation read as negated ("not" sell or share ...)
_SCOPE_ENDS = frozenset({"but", "except", "unless", "however", "and", "or", "if", "when",
                         "although", "which", "that", "who", "only"})
NEGATION_MARK = "negcue"  # stands for the negation word itself
NEGATED = "neg_"  # prefix of a word inside a negation's scope


def is_negation(token: str, previous: str) -> bool:
    """Whether ``token`` negates ("not", "no", "never", the "t" of "don t")."""
    return token in _NEGATIONS or (token == "t" and previous in _CONTRACTED)


def negation_cue(tokens: Sequence[str]) -> bool:
    """Whether lowercased word ``tokens`` hold a negation (the rule-based baseline)."""
    return any(is_negation(token, previous)
               for previous, token in zip(["", *tokens], tokens, strict=False))


def polarity_tokens(tokens: Sequence[str]) -> list[str]:
    """The words the polarity model reads: each negation becomes NEGATION_MARK and up to
    _SCOPE words after it (until "but", "except", "unless", ...) get the NEGATED prefix,
    so "we do not share" and "we share" differ in more than one word."""
    marked: list[str] = []
    left = 0
    previous = ""
    for token in tokens:
        if is_negation(token, previous):
            marked.append(NEGATION_MARK)
            left = _SCOPE
        else:
            if token in _SCOPE_ENDS:
                left = 0
            marked.append(NEGATED + token if left else token)
            left = max(left - 1, 0)
        previous = token
    return marked


def polarity_grams(tokens: Sequence[str]) -> list[str]:
    """The polarity model's n-grams of a sentence's lowercased words."""
    return ngrams(polarity_tokens(tokens[:MAX_TOKENS]))


@lru_cache(maxsize=1)
def default_polarity_model() -> PracticeModel | None:
    """The bundled polarity model (``None`` when absent: every fact found is stated)."""
    path = resources_dir() / POLARITY_MODEL_FILE
    return load_model(path) if path.exists() else None


def says_not(model: PracticeModel | None, sentences: Sequence[Sequence[str]],
             fact_ids: Sequence[str]) -> np.ndarray:
    """Per sentence (its lowercased words) whether it says the company does NOT do fact
    ``fact_ids[i]``: it holds a negation (:func:`negation_cue`) and the model
    reads it as "does not" (always False for facts without polarity, see
    :func:`polarity_group`, or without a model). The model alone also learnt topics
    that OPP-115's few "does not" sentences share ("send offers on behalf of
    partners"); requiring a negation word keeps those out."""
    result = np.zeros(len(sentences), dtype=bool)
    groups = [polarity_group(fact_id) for fact_id in fact_ids]
    # without a negation word a sentence says the company does it
    wanted = [i for i, group in enumerate(groups) if group and negation_cue(sentences[i])]
    if model is None or not wanted:
        return result
    probs = model.predict_ngrams([polarity_grams(sentences[i]) for i in wanted])
    columns = [model.labels.index(groups[i]) for i in wanted]
    chosen = probs[np.arange(len(wanted)), columns]
    result[wanted] = chosen >= model.thresholds[columns]
    return result
