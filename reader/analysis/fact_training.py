"""Training and evaluation of the facts model on OPP-115 (needs the ``train`` extra).

Sentence gold: a sentence of an OPP-115 segment (split with the app's own sentence rule)
carries fact f when at least one annotator marked text for f's attribute value that
overlaps the sentence. One annotator is enough here because the three annotators rarely
select the same words: requiring two overlapping selections leaves most stated facts without
any positive sentence.

Policy gold: a policy states f when at least 2 distinct annotators gave f's value somewhere
in the policy (1 of 3 would make nearly every common fact true of every policy, and one
annotator's slip would count as a fact).

Cross-validation is split by policy. Thresholds are set per fact to maximise policy-level F1
on out-of-fold predictions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reader.analysis.classifier import PracticeModel
from reader.analysis.facts import (
    FACT_IDS,
    FACT_SPECS,
    MIN_SHOWN_F1,
    SPEC_BY_ID,
    decide_facts,
    spec_matches,
)
from reader.analysis.segment import sentence_bounds
from reader.analysis.training import TrainConfig, fit, opp115_files, opp115_records, policy_folds

POLICY_ANNOTATORS = 2
HEADING = "## Privacy facts"
# The facts section of docs/EVALUATION.md lies between these markers: the facts scripts
# write only there, and scripts/evaluate_classifier.py keeps it when it rewrites the rest.
SECTION_BEGIN = "<!-- privacy facts: begin (scripts/evaluate_facts.py writes this section) -->"
SECTION_END = "<!-- privacy facts: end -->"
# Inside it, the "says it does not" notes (scripts/train_polarity.py writes them; the
# facts scripts keep them when they rewrite the section).
POLARITY_BEGIN = "<!-- says it does not: begin (scripts/train_polarity.py writes this part) -->"
POLARITY_END = "<!-- says it does not: end -->"
BASELINE_MARGIN = 0.02  # a shown fact this close to the always-yes F1 is named as such


@dataclass
class SentenceData:
    texts: list[str]
    labels: np.ndarray  # (sentences, facts) 0/1: an annotator marked the fact in it
    policies: list[str]  # policy of each sentence
    policy_gold: dict[str, set[str]]  # policy -> facts >= POLICY_ANNOTATORS annotators gave


def _facts_of(category: str, attribute: str, value: str) -> list[int]:
    return [k for k, spec in enumerate(FACT_SPECS)
            if spec_matches(spec, category, attribute, value)]


def load_sentences(folder: Path, limit: int | None = None) -> SentenceData:
    """Sentences of the OPP-115 segments with their facts (``limit``: first N policies)."""
    files = opp115_files(folder, limit)
    texts: list[str] = []
    rows: list[np.ndarray] = []
    policies: list[str] = []
    gold: dict[str, set[str]] = {}
    for path in files:
        annotators: dict[int, set[str]] = defaultdict(set)
        policy = path.stem
        for record in opp115_records(path):
            policy = record["policy"]
            text = record["text"]
            bounds = sentence_bounds(text)
            labels = np.zeros((len(bounds), len(FACT_IDS)), dtype=np.int8)
            for practice in record["practices"]:
                for attribute, marked in practice["attributes"].items():
                    for k in _facts_of(practice["category"], attribute, marked["value"]):
                        annotators[k].add(practice["annotator"])
                        start, end = marked.get("start"), marked.get("end")
                        if start is None or end is None:
                            continue
                        for j, (s, e) in enumerate(bounds):
                            if s < end and start < e:
                                labels[j, k] = 1
            texts += [text[s:e] for s, e in bounds]
            rows.append(labels)
            policies += [policy] * len(bounds)
        gold[policy] = {FACT_IDS[k] for k, who in annotators.items()
                        if len(who) >= POLICY_ANNOTATORS}
    return SentenceData(texts, np.vstack(rows), policies, gold)


def facts_config() -> TrainConfig:
    """Logistic regression per fact on sentence TF-IDF (uni- and bigrams); the word-vector
    block is left out to keep training to minutes on a shared machine."""
    return TrainConfig(c=4.0, word_vectors="", max_features=20000)


def fit_facts(texts: Sequence[str], labels: np.ndarray, config: TrainConfig) -> PracticeModel:
    model = fit(texts, labels, config)
    model.labels = FACT_IDS
    model.thresholds = np.full(len(FACT_IDS), 0.5, dtype=np.float32)
    return model


def out_of_fold(data: SentenceData, config: TrainConfig, folds: int = 5) -> np.ndarray:
    """Sentence probabilities from models that never saw the sentence's policy."""
    probs = np.zeros(data.labels.shape, dtype=np.float32)
    everything = np.arange(len(data.texts))
    for test in policy_folds(data.policies, folds):
        train = np.setdiff1d(everything, test)
        model = fit_facts([data.texts[i] for i in train], data.labels[train], config)
        probs[test] = model.predict([data.texts[i] for i in test])
    return probs


def policy_rows(data: SentenceData) -> dict[str, np.ndarray]:
    """Sentence row indices of each policy."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, policy in enumerate(data.policies):
        rows[policy].append(i)
    return {policy: np.asarray(found) for policy, found in rows.items()}


def _f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    denominator = predicted.sum() + truth.sum()
    return float(2 * np.sum(predicted & truth) / denominator) if denominator else 0.0


def policy_thresholds(maxima: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per fact, the threshold on a policy's best sentence that maximises policy F1 (the
    middle of the near-best ones, which is less noisy)."""
    grid = np.arange(0.1, 0.98, 0.025)
    result = np.full(truth.shape[1], 0.5, dtype=np.float32)
    for k in range(truth.shape[1]):
        if not truth[:, k].any():
            result[k] = 0.99
            continue
        scores = [_f1(maxima[:, k] >= t, truth[:, k]) for t in grid]
        near = [t for t, s in zip(grid, scores, strict=True) if s >= max(scores) - 0.005]
        result[k] = float(np.median(near))
    return result


@dataclass
class PolicyView:
    """Out-of-fold results gathered per policy."""

    names: list[str]
    maxima: np.ndarray  # (policies, facts) best sentence probability
    truth: np.ndarray  # (policies, facts) bool policy gold
    rows: dict[str, np.ndarray]


def policy_view(data: SentenceData, probs: np.ndarray) -> PolicyView:
    rows = policy_rows(data)
    names = sorted(rows)
    maxima = np.vstack([probs[rows[name]].max(axis=0) for name in names])
    truth = np.asarray([[fact in data.policy_gold[name] for fact in FACT_IDS]
                        for name in names], dtype=bool)
    return PolicyView(names, maxima, truth, rows)


def evaluate(data: SentenceData, probs: np.ndarray, folds: int = 5) -> dict[str, dict]:
    """Per fact: policy-level precision/recall/F1 and evidence precision.

    Thresholds for each fold's policies are tuned on the other folds' out-of-fold
    predictions only (the fold's own labels never choose its thresholds). Evidence
    precision: of the policies where the fact is predicted, the share whose top evidence
    sentence an annotator marked for that fact."""
    view = policy_view(data, probs)
    fold_of = np.zeros(len(view.names), dtype=np.int64)
    for number, test in enumerate(policy_folds(view.names, folds)):
        fold_of[test] = number
    predicted = np.zeros(view.truth.shape, dtype=bool)
    evidence_hits = np.zeros(len(FACT_IDS))
    evidence_total = np.zeros(len(FACT_IDS))
    for number in range(folds):
        inside = fold_of == number
        if not inside.any():
            continue
        thresholds = policy_thresholds(view.maxima[~inside], view.truth[~inside])
        for p in np.flatnonzero(inside):
            sentence_rows = view.rows[view.names[p]]
            for k, (stated, order) in enumerate(decide_facts(probs[sentence_rows], thresholds)):
                predicted[p, k] = stated
                if stated:
                    evidence_total[k] += 1
                    evidence_hits[k] += data.labels[sentence_rows[order[0]], k]
    table = {}
    for k, fact in enumerate(FACT_IDS):
        truth, guess = view.truth[:, k], predicted[:, k]
        tp = int(np.sum(truth & guess))
        precision = tp / guess.sum() if guess.sum() else 0.0
        recall = tp / truth.sum() if truth.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[fact] = {
            "precision": precision, "recall": recall, "f1": f1,
            "support": int(truth.sum()), "policies": len(view.names),
            "evidence_precision": (evidence_hits[k] / evidence_total[k]
                                   if evidence_total[k] else 0.0),
            "shown": f1 >= MIN_SHOWN_F1,
        }
    return table


def markdown_section(scores: dict, seconds: float, sentences: int, policies: int,
                     folds: int = 5) -> str:
    shown = [fact for fact, row in scores.items() if row["shown"]]
    lines = [
        HEADING,
        "",
        f"Measured {dt.date.today().isoformat()} by `python scripts/evaluate_facts.py` "
        "(or `scripts/train_facts.py --write-evaluation`) "
        f"({seconds:.0f} s); model: `resources/facts_model.npz` "
        "(`scripts/train_facts.py`).",
        "",
        f"Data: OPP-115 development split ({policies} policies, {sentences} sentences). "
        "A sentence carries a fact when an annotator's marked text for that attribute value "
        "overlaps it (training gold); a policy states a fact when at least 2 of the 3 "
        f"annotators gave the value somewhere in it (policy gold). {folds}-fold cross-validation "
        "split **by policy**; a policy states a fact when its best sentence reaches the "
        "fact's threshold, tuned on the other folds' out-of-fold predictions. Evidence "
        "precision: of the policies where the fact is predicted, the share whose top "
        "evidence sentence an annotator marked for that fact. Always-yes F1: the baseline "
        "of saying every policy states the fact (precision = share of policies stating "
        "it, recall 1).",
        "",
        "| fact | what | precision | recall | F1 | always-yes F1 | evidence precision | "
        "policies stating (of all) | shown |",
        "|---|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for fact, row in scores.items():
        lines.append(
            f"| `{fact}` | {SPEC_BY_ID[fact].label} | {row['precision']:.3f} | "
            f"{row['recall']:.3f} | {row['f1']:.3f} | "
            f"{always_yes_f1(row['support'], row['policies']):.3f} | "
            f"{row['evidence_precision']:.3f} | "
            f"{row['support']} / {row['policies']} | {'yes' if row['shown'] else ''} |")
    lines += [
        "",
        f"The app shows only facts with policy-level F1 >= {MIN_SHOWN_F1} "
        f"({len(shown)} of {len(scores)}): {', '.join(f'`{f}`' for f in shown)}. "
        "The list is stored in the model file (`info[\"shown\"]`). Caveat: common facts "
        "(e.g. `collects:contact`) are stated by almost every policy, so a high F1 there "
        "says little; compare F1 with the always-yes column.",
        "",
    ]
    baseline = {fact: always_yes_f1(row["support"], row["policies"])
                for fact, row in scores.items()}
    close = [f"`{fact}` ({row['f1']:.3f} against {baseline[fact]:.3f})"
             for fact, row in scores.items()
             if row["shown"] and row["f1"] - baseline[fact] < BASELINE_MARGIN]
    if close:
        lines[-1:-1] = ["", f"Shown facts within {BASELINE_MARGIN} F1 of always-yes (the model "
                        f"adds little over saying yes to every policy): {', '.join(close)}."]
    return "\n".join(lines)


def always_yes_f1(stating: int, policies: int) -> float:
    """Policy-level F1 of saying that every policy states a fact that ``stating`` of
    ``policies`` state: precision stating/policies, recall 1."""
    return 2 * stating / (stating + policies) if stating else 0.0


def facts_section_of(document: str) -> str:
    """The marked facts section of ``document`` (markers included), or ``""``."""
    start = document.find(SECTION_BEGIN)
    end = document.find(SECTION_END, start)
    if start < 0 or end < 0:
        return ""
    return document[start:end + len(SECTION_END)] + "\n"


def replace_section(document: str, section: str) -> str:
    """``document`` with its facts section replaced by ``section`` (between the markers);
    an unmarked HEADING section (up to the next ``## ``) is replaced too; appended when
    there is neither. Nothing else of ``document`` changes."""
    old = facts_section_of(document)
    notes = _polarity_part(old)
    if notes:
        section = f"{section.rstrip()}\n\n{notes}"
    marked = f"{SECTION_BEGIN}\n{section.rstrip()}\n{SECTION_END}\n"
    if old:
        return document.replace(old, marked, 1)
    start = document.find(HEADING + "\n")
    if start < 0:
        return document.rstrip("\n") + "\n\n" + marked
    end = document.find("\n## ", start + len(HEADING))
    rest = document[end + 1:] if end >= 0 else ""
    return document[:start] + marked + ("\n" + rest if rest else "")


def _polarity_part(text: str) -> str:
    """The marked "says it does not" notes of ``text`` (markers included), or ``""``."""
    start = text.find(POLARITY_BEGIN)
    end = text.find(POLARITY_END, start)
    return text[start:end + len(POLARITY_END)] if start >= 0 and end >= 0 else ""


def replace_polarity_notes(document: str, notes: str) -> str:
    """``document`` with the "says it does not" notes of its facts section replaced by
    ``notes`` (put at the end of the facts section when absent; nothing else changes)."""
    marked = f"{POLARITY_BEGIN}\n{notes.rstrip()}\n{POLARITY_END}"
    old = _polarity_part(document)
    if old:
        return document.replace(old, marked, 1)
    end = document.find(SECTION_END)
    if end < 0:
        return document.rstrip("\n") + "\n\n" + marked + "\n"
    return document[:end] + marked + "\n" + document[end:]
