"""Compare paragraph-model variants on what the app returns for OPP-115 segments, fast.

    python scripts/replay_paragraph_variants.py [--seeds 0 1 2] [--variants current knn ...]

A replay of part (a) of ``scripts/evaluate_classifier.py`` (segment categories) without the
sentence model: 5-fold cross-validation split by policy; each held-out segment is read as
``analyze_text`` reads it (its paragraphs of at least 3 words, each with the words the app
tokenises), a category is given when some paragraph reaches the category's threshold, and
the thresholds of a fold are tuned on the other folds' out-of-fold predictions. With the
current model and fold seed 0 it gives the script's figures (micro 0.782, macro 0.762).
Several fold seeds show how much of a difference is noise. Needs the ``train`` extra.
The variants are experiments (docs/EVALUATION.md, issue 13); the app runs none of them but
``current``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402

from reader.analysis.classifier import ngrams, tokenize  # noqa: E402
from reader.analysis.lexicon import (  # noqa: E402
    BOTH,
    LEXICON_TERMS,
    lexicon_terms,
    paragraph_lexicon_counts,
    terms_of_counts,
)
from reader.analysis.practices import MIN_SENTENCE_WORDS, policy_words  # noqa: E402
from reader.analysis.training import (  # noqa: E402
    PRACTICES,
    _analyzer,
    _lexicon_analyzer,
    best_thresholds,
    fit_word_vectors,
    load_opp115,
    policy_folds,
    scores_table,
)

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"


HEADING_END = "\x1f"  # no word character: the n-gram analyzers do not see it


def paragraph_texts(text: str) -> list[str]:
    """The paragraphs the app classifies in a segment (at least 3 words), as word strings:
    heading words, HEADING_END, paragraph words."""
    words = policy_words(text)
    return [" ".join(words.words[hs:he]) + HEADING_END + " ".join(words.words[start:end])
            for hs, he, start, end in words.paragraphs if end - start >= MIN_SENTENCE_WORDS]


def app_lexicon_analyzer(text: str) -> list[str]:
    """:func:`_lexicon_analyzer`, but a held-out paragraph's lexicon terms as the app
    counts them (``paragraph_lexicon_counts``: no match across heading and paragraph)."""
    if HEADING_END not in text:
        return _lexicon_analyzer(text)
    heading, body = (tokenize(part) for part in text.split(HEADING_END, 1))
    counts = paragraph_lexicon_counts(heading + body, [(0, len(heading))],
                                      [(len(heading), len(heading) + len(body))])
    return ngrams(heading + body) + terms_of_counts(counts[0])


def retention_terms(tokens: list[str]) -> list[str]:
    """Only the duration and retention terms of :func:`lexicon_terms`."""
    return [t for t in lexicon_terms(tokens) if t in ("<duration>", "<retain>", BOTH)]


def retention_lexicon_analyzer(text: str) -> list[str]:
    tokens = tokenize(text)
    return ngrams(tokens) + retention_terms(tokens)


def lexicon_counts(texts: list[str]) -> sparse.csr_matrix:
    """Dense-ish block: 1 + log(count) of each lexicon token (and the conjunction)."""
    rows = np.zeros((len(texts), len(LEXICON_TERMS)), np.float32)
    for row, text in enumerate(texts):
        for term in lexicon_terms(tokenize(text)):
            rows[row, LEXICON_TERMS.index(term)] += 1
    return sparse.csr_matrix(np.where(rows > 0, 1 + np.log(np.maximum(rows, 1)), 0))


def trigram_analyzer(text: str) -> list[str]:
    tokens = tokenize(text)
    return (tokens + list(map(" ".join, pairwise(tokens)))
            + [" ".join(tokens[i:i + 3]) for i in range(len(tokens) - 2)])


@dataclass
class Fold:
    """Feature blocks of one fold: rows of the training segments, the held-out segments
    (threshold tuning) and the held-out paragraphs (what the app reads)."""

    train: np.ndarray
    test: np.ndarray
    paragraph_rows: np.ndarray
    blocks: dict[str, list[sparse.csr_matrix]]

    def stacked(self, kinds: list[str], scales: dict[str, float] | None = None
                ) -> list[sparse.csr_matrix]:
        scales = scales or {}
        return [sparse.hstack([self.blocks[k][j] * scales.get(k, 1.0) for k in kinds],
                              format="csr") for j in range(3)]


def build_folds(texts: list[str], policies: list[str], paragraphs: list[str],
                owner: np.ndarray, seed: int, kinds: set[str] | None = None) -> list[Fold]:
    """Only the blocks in ``kinds`` (all when None) are built."""
    folds = []
    everything = np.arange(len(texts))
    for test in policy_folds(policies, 5, seed):
        train = np.setdiff1d(everything, test)
        train_texts = [texts[i] for i in train]
        rows = np.flatnonzero(np.isin(owner, test))
        applied = [[texts[i] for i in test], [paragraphs[i] for i in rows]]
        blocks = {}
        vectorizers = (
                ("word", TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=2,
                                         max_features=40000, dtype=np.float32)),
                ("word13", TfidfVectorizer(analyzer=trigram_analyzer, sublinear_tf=True,
                                           min_df=2, max_features=80000, dtype=np.float32)),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                         sublinear_tf=True, min_df=2, max_features=100000,
                                         dtype=np.float32)),
                ("wordlex", TfidfVectorizer(analyzer=app_lexicon_analyzer, sublinear_tf=True,
                                            min_df=2, max_features=40000, dtype=np.float32)),
                ("wordretlex", TfidfVectorizer(analyzer=retention_lexicon_analyzer,
                                               sublinear_tf=True, min_df=2,
                                               max_features=40000, dtype=np.float32)))
        for kind, vectorizer in vectorizers:
            if kinds is not None and kind not in kinds:
                continue
            blocks[kind] = [vectorizer.fit_transform(train_texts)] + [
                vectorizer.transform(a) for a in applied]
        vectors = fit_word_vectors(train_texts, "word_vectors.npz")
        blocks["wv"] = [sparse.csr_matrix(vectors.mean_vectors(t))
                        for t in (train_texts, *applied)]
        if kinds is None or "lex" in kinds:
            blocks["lex"] = [lexicon_counts(t) for t in (train_texts, *applied)]
        folds.append(Fold(train, test, rows, blocks))
    return folds


Probabilities = tuple[np.ndarray, np.ndarray]  # (segments, paragraphs) out of fold


class Replay:
    def __init__(self, labels: np.ndarray, owner: np.ndarray, folds: list[Fold]):
        self.labels, self.owner, self.folds = labels, owner, folds

    def logistic(self, kinds: list[str], c: float = 10.0, scales: dict | None = None,
                 weights: str = "balanced", only: list[int] | None = None,
                 positive_factor: dict[int, float] | None = None) -> Probabilities:
        """One logistic regression per category on these feature blocks (only the
        categories ``only``, when given; the others' probabilities stay 0).
        ``positive_factor``: a category's positive examples weigh that much more than
        "balanced" makes them."""
        labels = self.labels
        segments = np.zeros(labels.shape, np.float32)
        paragraphs = np.zeros((len(self.owner), labels.shape[1]), np.float32)
        for fold in self.folds:
            train, held_out, read = fold.stacked(kinds, scales)
            for k in only if only is not None else range(labels.shape[1]):
                y = labels[fold.train, k]
                sample_weight = None
                if weights == "sqrt-balanced":
                    positive = max(y.sum(), 1)
                    sample_weight = np.where(y == 1, np.sqrt(len(y) / (2 * positive)),
                                             np.sqrt(len(y) / (2 * (len(y) - positive))))
                if positive_factor and k in positive_factor:
                    sample_weight = np.where(y == 1, positive_factor[k], 1.0)
                model = LogisticRegression(
                    C=c, max_iter=3000,
                    class_weight="balanced" if weights == "balanced" else None)
                model.fit(train, y, sample_weight=sample_weight)
                segments[fold.test, k] = model.predict_proba(held_out)[:, 1]
                paragraphs[fold.paragraph_rows, k] = model.predict_proba(read)[:, 1]
        return segments, paragraphs

    def neighbours(self, kinds: list[str], k: int = 25) -> Probabilities:
        """Similarity-weighted vote of the k most cosine-similar training segments."""
        labels = self.labels
        segments = np.zeros(labels.shape, np.float32)
        paragraphs = np.zeros((len(self.owner), labels.shape[1]), np.float32)
        for fold in self.folds:
            train, held_out, read = (normalize(m) for m in fold.stacked(kinds))
            votes = labels[fold.train].astype(np.float32)
            for query, rows, out in ((held_out, fold.test, segments),
                                     (read, fold.paragraph_rows, paragraphs)):
                similarity = (query @ train.T).toarray()
                top = np.argpartition(-similarity, k, axis=1)[:, :k]
                weight = np.take_along_axis(similarity, top, 1)
                out[rows] = ((weight[:, :, None] * votes[top]).sum(1)
                             / np.maximum(weight.sum(1, keepdims=True), 1e-9))
        return segments, paragraphs

    def fold_of(self) -> np.ndarray:
        fold_of = np.zeros(len(self.labels), int)
        for number, fold in enumerate(self.folds):
            fold_of[fold.test] = number
        return fold_of

    def product_predictions(self, probabilities: Probabilities,
                            choose: Callable | None = None) -> np.ndarray:
        """0/1 categories per segment as the app gives them: some paragraph reaches the
        threshold tuned on the other folds' segment predictions."""
        segments, paragraphs = probabilities
        best = np.zeros(self.labels.shape, np.float32)
        np.maximum.at(best, self.owner, paragraphs)
        predicted = np.zeros(self.labels.shape, np.int8)
        fold_of = self.fold_of()
        for number, fold in enumerate(self.folds):
            other = fold_of != number
            thresholds = best_thresholds(segments[other], self.labels[other])
            predicted[fold.test] = best[fold.test] >= thresholds
        return predicted

    def per_category_choice(self, candidates: dict[str, Probabilities]) -> np.ndarray:
        """For each fold and category, the candidate whose best F1 (mean of its 5 best
        thresholds) on the other folds is highest; then as :meth:`product_predictions`."""
        fold_of = self.fold_of()
        grid = np.arange(0.1, 0.91, 0.025)
        predicted = np.zeros(self.labels.shape, np.int8)
        for number, fold in enumerate(self.folds):
            other = fold_of != number
            for k in range(len(PRACTICES)):
                truth = self.labels[other, k].astype(bool)

                def smoothed_f1(name: str, k: int = k, other=other, truth=truth) -> float:
                    scores = candidates[name][0][other, k]
                    f1 = [2 * np.sum((scores >= t) & truth)
                          / max(np.sum(scores >= t) + truth.sum(), 1) for t in grid]
                    return float(np.mean(sorted(f1)[-5:]))

                name = max(candidates, key=smoothed_f1)
                chosen = self.product_predictions(candidates[name])
                predicted[fold.test, k] = chosen[fold.test, k]
        return predicted


RETENTION = PRACTICES.index("data_retention")


def with_column(base: Probabilities, other: Probabilities, k: int) -> Probabilities:
    """``base`` with category k's probabilities averaged with ``other``'s."""
    segments, paragraphs = base[0].copy(), base[1].copy()
    segments[:, k] = (segments[:, k] + other[0][:, k]) / 2
    paragraphs[:, k] = (paragraphs[:, k] + other[1][:, k]) / 2
    return segments, paragraphs


def replaced_column(base: Probabilities, other: Probabilities, k: int) -> Probabilities:
    """``base`` with category k's probabilities taken from ``other``."""
    segments, paragraphs = base[0].copy(), base[1].copy()
    segments[:, k], paragraphs[:, k] = other[0][:, k], other[1][:, k]
    return segments, paragraphs


def run_variants(replay: Replay, names: list[str]) -> dict[str, np.ndarray]:
    """0/1 predictions of each named variant."""
    current = replay.logistic(["word", "wv"])
    results = {}
    for name in names:
        if name == "current":
            probs = current
        elif name == "lex-tfidf":  # lexicon tokens among each text's TF-IDF terms
            probs = replay.logistic(["wordlex", "wv"])
        elif name == "retention-lex-tfidf":  # only the duration and retention tokens
            probs = replay.logistic(["wordretlex", "wv"])
        elif name.startswith("lex-block-"):  # lexicon counts as a block of their own
            probs = replay.logistic(["word", "wv", "lex"],
                                    scales={"lex": float(name.rsplit("-", 1)[1])})
        elif name.startswith("retention-weight-"):  # balanced, retention positives x f
            factor = float(name.rsplit("-", 1)[1])
            second = replay.logistic(["word", "wv"], only=[RETENTION],
                                     positive_factor={RETENTION: factor})
            probs = replaced_column(current, second, RETENTION)
        elif name == "retention-second-lex":  # a lexicon LR averaged in for retention
            second = replay.logistic(["wordretlex", "wv", "lex"], only=[RETENTION])
            probs = with_column(current, second, RETENTION)
        elif name == "retention-from-lex-tfidf":  # retention column of lex-tfidf only
            second = replay.logistic(["wordlex", "wv"], only=[RETENTION])
            probs = replaced_column(current, second, RETENTION)
        elif name == "word13":
            probs = replay.logistic(["word13", "wv"])
        elif name == "char-average":
            char = replay.logistic(["char", "wv"])
            probs = ((current[0] + char[0]) / 2, (current[1] + char[1]) / 2)
        elif name == "sqrt-balanced":
            probs = replay.logistic(["word", "wv"], weights="sqrt-balanced")
        elif name == "knn":
            near = replay.neighbours(["word", "wv"])
            probs = ((current[0] + near[0]) / 2, (current[1] + near[1]) / 2)
        elif name == "per-category-c-scale":
            candidates = {f"C{c} scale{s}": replay.logistic(["word", "wv"], c, {"wv": s})
                          for c in (3.0, 10.0, 30.0) for s in (0.5, 1.0, 2.0, 3.0)}
            results[name] = replay.per_category_choice(candidates)
            continue
        else:
            raise SystemExit(f"unknown variant {name}")
        results[name] = replay.product_predictions(probs)
    return results


VARIANTS = ["current", "word13", "char-average", "sqrt-balanced", "knn",
            "per-category-c-scale", "lex-tfidf", "retention-lex-tfidf", "lex-block-0.3",
            "lex-block-1", "retention-weight-0.5", "retention-weight-2",
            "retention-second-lex", "retention-from-lex-tfidf"]


def blocks_needed(names: list[str]) -> set[str]:
    kinds = {"word", "wv"}
    for name in names:
        kinds |= {"word13": {"word13"}, "char-average": {"char"}, "lex-tfidf": {"wordlex"},
                  "retention-lex-tfidf": {"wordretlex"},
                  "retention-second-lex": {"wordretlex", "lex"},
                  "retention-from-lex-tfidf": {"wordlex"}}.get(name, set())
        if name.startswith("lex-block-"):
            kinds.add("lex")
    return kinds


SHOWN = ["data_retention", "user_access", "user_choice"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=VARIANTS)
    args = parser.parse_args()
    data = load_opp115(args.opp115)
    paragraphs, owner = [], []
    for number, text in enumerate(data.texts):
        for paragraph in paragraph_texts(text):
            paragraphs.append(paragraph)
            owner.append(number)
    print("| variant | " + " | ".join(f"seed {s} micro / macro" for s in args.seeds)
          + " | mean micro / macro |")
    print("|---|" + "---:|" * (len(args.seeds) + 1))
    table: dict[str, list[tuple[float, float]]] = {name: [] for name in args.variants}
    for seed in args.seeds:
        folds = build_folds(data.texts, data.policies, paragraphs, np.asarray(owner), seed,
                            blocks_needed(args.variants))
        replay = Replay(data.labels, np.asarray(owner), folds)
        for name, predicted in run_variants(replay, args.variants).items():
            scores = scores_table(data.labels[:, :-1], predicted[:, :-1])
            table[name].append((scores["micro_f1"], scores["macro_f1"]))
            print(f"seed {seed} {name}: {scores['micro_f1']:.3f} / {scores['macro_f1']:.3f}; "
                  + ", ".join(f"{c} {scores['per_label'][c]['f1']:.3f}" for c in SHOWN),
                  file=sys.stderr, flush=True)
    for name, rows in table.items():
        cells = [f"{micro:.3f} / {macro:.3f}" for micro, macro in rows]
        mean = np.mean(rows, axis=0)
        print(f"| {name} | " + " | ".join(cells) + f" | {mean[0]:.3f} / {mean[1]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
