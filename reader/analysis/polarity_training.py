"""Training and evaluation of the "says it does not" polarity on OPP-115 (``train`` extra).

OPP-115 annotators gave every first-party collection and third-party sharing practice a
"Does/Does Not" attribute. Sentence gold: a sentence carries fact f negatively when, of
the annotators who marked f in it (marked text overlapping the sentence), more said "Does
Not" than "Does" (an annotator with both counts as "Does"). Policy gold: a policy says it
does not do f when at least 2 annotators gave f with "Does Not" and fewer than 2 with
"Does" (the positive statement wins, as in the app).

Cross-validation is split by policy (:func:`reader.analysis.training.policy_folds`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reader.analysis.classifier import PracticeModel
from reader.analysis.facts import FACT_IDS, FACT_SPECS, spec_matches
from reader.analysis.polarity import (
    POLARITY_GROUPS,
    negation_cue,
    polarity_group,
    polarity_tokens,
)
from reader.analysis.segment import sentence_bounds
from reader.analysis.training import TrainConfig, fit, opp115_files, opp115_records, policy_folds

POLARITY_ATTRIBUTE = "Does/Does Not"
POLICY_ANNOTATORS = 2
# Facts the app may show as "says it does not" (purpose:legal never is, see
# reader.analysis.polarity.WITHOUT_POLARITY); the gold counts only these.
POLARITY_FACTS = tuple(k for k, fact in enumerate(FACT_IDS) if polarity_group(fact))


@dataclass
class PolarityData:
    """Sentence x fact pairs that an annotator marked (polarity facts only)."""

    texts: list[str]  # every sentence
    policies: list[str]  # policy of each sentence
    carried: np.ndarray  # (sentences, facts) bool: an annotator marked the fact in it
    negative: np.ndarray  # (sentences, facts) bool: majority of those said "Does Not"
    policy_does: dict[str, set[str]]  # policy -> facts >= 2 annotators gave with "Does"
    policy_does_not: dict[str, set[str]]  # ... with "Does Not"


def load_polarity(folder: Path, limit: int | None = None) -> PolarityData:
    texts: list[str] = []
    policies: list[str] = []
    carried_rows, negative_rows = [], []
    does: dict[str, set[str]] = {}
    does_not: dict[str, set[str]] = {}
    for path in opp115_files(folder, limit):
        policy = path.stem
        who: dict[tuple[int, bool], set[str]] = defaultdict(set)
        for record in opp115_records(path):
            policy = record["policy"]
            text = record["text"]
            bounds = sentence_bounds(text)
            votes: dict[tuple[int, int], dict[str, bool]] = defaultdict(dict)
            for practice in record["practices"]:
                attributes = practice["attributes"]
                polarity = attributes.get(POLARITY_ATTRIBUTE, {}).get("value")
                if polarity not in ("Does", "Does Not"):
                    continue
                said_not = polarity == "Does Not"
                annotator = practice["annotator"]
                for attribute, marked in attributes.items():
                    for k in POLARITY_FACTS:
                        if not spec_matches(FACT_SPECS[k], practice["category"], attribute,
                                            marked["value"]):
                            continue
                        who[(k, said_not)].add(annotator)
                        start, end = marked.get("start"), marked.get("end")
                        if start is None or end is None:
                            continue
                        for j, (s, e) in enumerate(bounds):
                            if s < end and start < e:
                                seen = votes[(j, k)]
                                # an annotator who said both counts as "Does"
                                seen[annotator] = seen.get(annotator, True) and said_not
            carried = np.zeros((len(bounds), len(FACT_IDS)), dtype=bool)
            negative = np.zeros((len(bounds), len(FACT_IDS)), dtype=bool)
            for (j, k), seen in votes.items():
                carried[j, k] = True
                no = sum(seen.values())
                negative[j, k] = no > len(seen) - no
            texts += [text[s:e] for s, e in bounds]
            policies += [policy] * len(bounds)
            carried_rows.append(carried)
            negative_rows.append(negative)
        does[policy] = {FACT_IDS[k] for (k, no), names in who.items()
                        if not no and len(names) >= POLICY_ANNOTATORS}
        does_not[policy] = {FACT_IDS[k] for (k, no), names in who.items()
                            if no and len(names) >= POLICY_ANNOTATORS} - does[policy]
    return PolarityData(texts, policies, np.vstack(carried_rows), np.vstack(negative_rows),
                        does, does_not)


def group_labels(data: PolarityData) -> tuple[np.ndarray, np.ndarray]:
    """Per polarity group (columns, POLARITY_GROUPS order): which sentences carry one of
    its facts (rows) and whether they carry them negatively (majority over its facts)."""
    rows = np.zeros((len(data.texts), len(POLARITY_GROUPS)), dtype=bool)
    labels = np.zeros(rows.shape, dtype=np.int8)
    for g, group in enumerate(POLARITY_GROUPS):
        ks = [k for k in POLARITY_FACTS if FACT_IDS[k].startswith(group + ":")]
        rows[:, g] = data.carried[:, ks].any(axis=1)
        labels[:, g] = (data.negative[:, ks].sum(axis=1) * 2
                        > data.carried[:, ks].sum(axis=1)).astype(np.int8)
    return rows, labels


def polarity_config() -> TrainConfig:
    """Logistic regression on sentence uni- and bigrams (no word vectors)."""
    return TrainConfig(c=1.0, word_vectors="", max_features=20000, min_df=2)


def polarity_texts(texts: Sequence[str]) -> list[str]:
    """Each sentence as the words the polarity model reads (see
    :func:`reader.analysis.polarity.polarity_tokens`), joined by spaces."""
    from reader.analysis.classifier import tokenize

    return [" ".join(polarity_tokens(tokenize(text))) for text in texts]


def fit_polarity(texts: Sequence[str], rows: np.ndarray, labels: np.ndarray,
                 config: TrainConfig) -> PracticeModel:
    model = fit(texts, labels, config, rows=rows)
    model.labels = POLARITY_GROUPS
    model.thresholds = np.full(len(POLARITY_GROUPS), 0.5, dtype=np.float32)
    return model


def polarity_out_of_fold(data: PolarityData, config: TrainConfig, folds: int = 5
                         ) -> np.ndarray:
    """(sentences, groups) probability of "does not" from models that never saw the
    sentence's policy (trained on the sentences carrying the group's facts)."""
    rows, labels = group_labels(data)
    texts = polarity_texts(data.texts)
    probs = np.zeros(labels.shape, dtype=np.float32)
    everything = np.arange(len(data.texts))
    for test in policy_folds(data.policies, folds):
        train = np.setdiff1d(everything, test)
        train = train[rows[train].any(axis=1)]
        model = fit_polarity([texts[i] for i in train], rows[train], labels[train], config)
        probs[test] = model.predict([texts[i] for i in test])
    return probs


def rule_negative(data: PolarityData) -> np.ndarray:
    """(sentences,) the negation-cue rule's verdict on each sentence."""
    from reader.analysis.classifier import tokenize

    return np.asarray([negation_cue(tokenize(text)) for text in data.texts], dtype=bool)


def scores(truth: np.ndarray, guess: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(truth & guess))
    precision = tp / guess.sum() if guess.sum() else 0.0
    recall = tp / truth.sum() if truth.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "support": int(truth.sum()), "predicted": int(guess.sum())}


def pair_scores(data: PolarityData, negative: np.ndarray) -> dict[str, float]:
    """Sentence level: over the (sentence, fact) pairs an annotator marked, precision and
    recall of "does not" (``negative``: (sentences, groups) verdicts)."""
    columns = [POLARITY_GROUPS.index(FACT_IDS[k].split(":", 1)[0]) for k in POLARITY_FACTS]
    carried = data.carried[:, POLARITY_FACTS]
    return scores(data.negative[:, POLARITY_FACTS][carried], negative[:, columns][carried])


@dataclass
class PolicyOutcome:
    """Policy level, over the (policy, polarity fact) pairs the facts model states."""

    stated: int  # pairs the facts model states (today all shown as "stated")
    does_not: int  # of those, shown "says it does not" by the polarity
    gold_does_not: int  # policy gold "does not" pairs (of all pairs)
    hits: int  # shown "does not" and gold "does not"
    gold_does: int  # shown "does not" but >= 2 annotators say "Does"

    def as_scores(self) -> dict[str, float]:
        precision = self.hits / self.does_not if self.does_not else 0.0
        recall = self.hits / self.gold_does_not if self.gold_does_not else 0.0
        return {"precision": precision, "recall": recall}


def policy_outcome(data: PolarityData, fact_probs: np.ndarray, thresholds: np.ndarray,
                   fact_labels: Sequence[str], negative: np.ndarray) -> PolicyOutcome:
    """The app's rule on each policy: a polarity fact the facts model states (a sentence
    at or above its threshold) is "does not" when every such sentence says "does not"."""
    policies = np.asarray(data.policies)
    outcome = PolicyOutcome(0, 0, 0, 0, 0)
    for name in sorted(set(data.policies)):
        rows = np.flatnonzero(policies == name)
        for k in POLARITY_FACTS:
            fact = FACT_IDS[k]
            gold_no = fact in data.policy_does_not[name]
            outcome.gold_does_not += gold_no
            column = list(fact_labels).index(fact)
            hits = rows[fact_probs[rows, column] >= thresholds[column]]
            if not len(hits):
                continue
            outcome.stated += 1
            group = POLARITY_GROUPS.index(fact.split(":", 1)[0])
            if negative[hits, group].all():
                outcome.does_not += 1
                outcome.hits += gold_no
                outcome.gold_does += fact in data.policy_does[name]
    return outcome
