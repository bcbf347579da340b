"""Training and evaluation of the practice classifier on OPP-115 (needs the ``train`` extra).

Gold labels: a category belongs to a segment when at least 2 of the 3 annotators gave it.
Evaluation is cross-validation split by policy: no policy has segments on both sides.
Decision thresholds are tuned on out-of-fold predictions of the training policies only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reader.analysis.classifier import PracticeModel, WordVectors, ngrams, tokenize
from reader.analysis.lexicon import lexicon_terms
from reader.paths import resources_dir

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

LABELS = (
    "first_party_collection", "third_party_sharing", "user_choice", "user_access",
    "data_retention", "data_security", "policy_change", "do_not_track",
    "international_audiences", "other",
)
PRACTICES = LABELS[:-1]
MAJORITY = 2


@dataclass
class Dataset:
    texts: list[str]
    labels: np.ndarray  # (n, len(LABELS)) of 0/1
    policies: list[str]


@dataclass
class TrainConfig:
    max_features: int = 40000
    min_df: int = 2
    hidden: int = 0  # 0: logistic regression per label; >0: one hidden layer network
    c: float = 10.0
    alpha: float = 1e-4
    epochs: int = 40
    seeds: int = 1
    # Static word vectors written by scripts/embed_words.py (in resources/); "" leaves
    # them out. Their block is scaled by vector_scale against the unit-length TF-IDF rows.
    word_vectors: str = "word_vectors.npz"
    vector_scale: float = 1.0
    # Add the lexicon terms (reader.analysis.lexicon) to each text's n-grams.
    lexicon: bool = False


# The paragraph model: word n-grams and lexicon terms, and the word-vector block.
PARAGRAPH_CONFIG = TrainConfig(lexicon=True)


# The sentence model: same features and learner as the paragraph model, sentences as rows.
SENTENCE_CONFIG = TrainConfig()


def opp115_files(folder: Path, limit: int | None = None) -> list[Path]:
    """The ``<id>_<domain>.jsonl`` files of an OPP-115 folder (``limit``: the first N)."""
    files = sorted(folder.glob("*.jsonl"))[:limit]
    if not files:
        raise FileNotFoundError(f"no OPP-115 .jsonl files in {folder}")
    return files


def opp115_records(path: Path) -> Iterator[dict]:
    """The segment records of one OPP-115 policy file, in order."""
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def load_opp115(folder: Path) -> Dataset:
    """Read ``<id>_<domain>.jsonl`` files; labels by majority vote."""
    texts, rows, policies = [], [], []
    for path in opp115_files(folder):
        for record in opp115_records(path):
            votes = record.get("votes", {})
            texts.append(record["text"])
            rows.append([1 if votes.get(label, 0) >= MAJORITY else 0 for label in LABELS])
            policies.append(record["policy"])
    return Dataset(texts, np.asarray(rows, dtype=np.int8), policies)


def _analyzer(text: str) -> list[str]:
    return ngrams(tokenize(text))


def _lexicon_analyzer(text: str) -> list[str]:
    tokens = tokenize(text)
    return ngrams(tokens) + lexicon_terms(tokens)


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and the scale that turns them back into float32 (half a float16's size;
    each decoded word vector keeps a cosine of at least 0.9997 to the original)."""
    scale = np.float32(np.abs(vectors).max() / 127.0) if vectors.size else np.float32(1.0)
    codes = np.round(np.asarray(vectors, dtype=np.float64) / scale).astype(np.int8)
    return codes, np.asarray(scale, dtype=np.float32)


@lru_cache(maxsize=2)
def load_word_vectors(name: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(words, general flags, float32 vectors) from a file written by scripts/embed_words.py."""
    with np.load(resources_dir() / name, allow_pickle=False) as data:
        vectors = data["vectors"].astype(np.float32) * np.float32(data["scale"])
        return tuple(str(data["words"]).split("\n")), data["general"].astype(bool), vectors


@dataclass
class VectorBlock:
    """The word-vector block while training: the words kept, their vectors, and the
    counter (fitted IDF) that weighs each word (1 + log count) * idf, exactly as
    :meth:`reader.analysis.classifier.WordVectors.counted_contributions` weighs it."""

    counter: TfidfVectorizer
    vectors: np.ndarray

    def mean_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dims): each text's weighted mean word vector."""
        weights = self.counter.transform(texts)
        mass = np.asarray(weights.sum(axis=1)).ravel()
        return (weights @ self.vectors) / np.where(mass > 0, mass, 1.0)[:, None]


def fit_word_vectors(texts: Sequence[str], name: str) -> VectorBlock:
    """Word-vector block for these training texts: the encoder's general words and the
    texts' own words, with IDF fitted on the texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    words, general, vectors = load_word_vectors(name)
    seen = {word for text in texts for word in tokenize(text)}
    keep = [i for i, word in enumerate(words) if general[i] or word in seen]
    vocabulary = {words[i]: row for row, i in enumerate(keep)}
    counter = TfidfVectorizer(analyzer=tokenize, vocabulary=vocabulary, sublinear_tf=True,
                              norm=None, dtype=np.float64)
    return VectorBlock(counter.fit(texts), vectors[keep])


def fit(texts: Sequence[str], labels: np.ndarray, config: TrainConfig,
        rows: np.ndarray | None = None) -> PracticeModel:
    """Fit vocabulary, IDF and weights; thresholds are left at 0.5 (see :func:`tune`).
    With ``rows`` (same shape as ``labels``), label k's weights are learnt only from the
    texts where ``rows[:, k]`` is true (vocabulary and IDF from all texts)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    vectorizer = TfidfVectorizer(analyzer=_lexicon_analyzer if config.lexicon else _analyzer,
                                 sublinear_tf=True, min_df=config.min_df,
                                 max_features=config.max_features, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    block = None
    if config.word_vectors:
        block = fit_word_vectors(texts, config.word_vectors)
        dense = config.vector_scale * block.mean_vectors(texts)
        matrix = sparse.hstack([matrix, sparse.csr_matrix(dense)], format="csr")
    if config.hidden:
        nets = []
        for seed in range(config.seeds):
            net = MLPClassifier(hidden_layer_sizes=(config.hidden,), alpha=config.alpha,
                                max_iter=config.epochs, random_state=seed)
            nets.append(net.fit(matrix, labels))
        # Several seeds are averaged by concatenating their hidden units and scaling the
        # output layer: the mean of the logits, one network at inference.
        w1 = np.hstack([n.coefs_[0] for n in nets])
        b1 = np.hstack([n.intercepts_[0] for n in nets])
        w2 = np.vstack([n.coefs_[1] for n in nets]) / len(nets)
        b2 = np.mean([n.intercepts_[1] for n in nets], axis=0)
        layers = [(w1, b1), (w2, b2)]
    else:
        weights, biases = [], []
        for k in range(labels.shape[1]):
            kept = np.flatnonzero(rows[:, k]) if rows is not None else slice(None)
            column = labels[kept, k]
            if not len(column) or column.min() == column.max():
                weights.append(np.zeros(matrix.shape[1]))
                biases.append(10.0 if len(column) and column[0] else -10.0)
                continue
            lr = LogisticRegression(C=config.c, class_weight="balanced", max_iter=3000)
            lr.fit(matrix[kept], column)
            weights.append(lr.coef_[0])
            biases.append(lr.intercept_[0])
        layers = [(np.vstack(weights).T, np.asarray(biases))]
    word_vectors = None
    if block is not None:
        # The rows after the TF-IDF vocabulary belong to the word-vector block; a mean is
        # linear, so each word's vector goes through them once, here.
        first_weights, first_bias = layers[0]
        contributions = block.vectors @ (config.vector_scale * first_weights[len(vocabulary):])
        word_vectors = WordVectors(block.counter.vocabulary_,
                                   block.counter.idf_.astype(np.float64),
                                   contributions.astype(np.float32))
        layers[0] = (first_weights[:len(vocabulary)], first_bias)
    return PracticeModel(
        labels=LABELS,
        vocabulary={term: i for i, term in enumerate(vocabulary)},
        idf=vectorizer.idf_.astype(np.float64),
        layers=[(w.astype(np.float32), b.astype(np.float32)) for w, b in layers],
        thresholds=np.full(len(LABELS), 0.5, dtype=np.float32),
        info={},
        word_vectors=word_vectors,
    )


def best_thresholds(probs: np.ndarray, labels: np.ndarray,
                    rows: np.ndarray | None = None, lowest: float = 0.1) -> np.ndarray:
    """Per-label threshold that maximises F1 on these predictions (for label k, only on
    the rows where ``rows[:, k]`` is true, when given)."""
    grid = np.arange(lowest, 0.91, 0.025)
    result = np.full(labels.shape[1], 0.5, dtype=np.float32)
    for k in range(labels.shape[1]):
        if rows is not None:
            kept = rows[:, k]
            probs_k, truth = probs[kept][:, [k]], labels[kept, k].astype(bool)
            result[k] = best_thresholds(probs_k, truth[:, None].astype(np.int8),
                                        lowest=0.05)[0]
            continue
        truth = labels[:, k].astype(bool)
        if not truth.any():
            continue
        scores = []
        for threshold in grid:
            predicted = probs[:, k] >= threshold
            tp = np.sum(predicted & truth)
            denominator = predicted.sum() + truth.sum()
            scores.append(2 * tp / denominator if denominator else 0.0)
        # Among near-best thresholds prefer the middle one: it is less noisy.
        best = max(scores)
        near = [t for t, s in zip(grid, scores, strict=True) if s >= best - 0.005]
        result[k] = float(np.median(near))
    return result


def policy_folds(policies: Sequence[str], folds: int, seed: int = 0) -> list[np.ndarray]:
    """Indices of the test segments for each fold; whole policies go to one fold."""
    names = sorted(set(policies))
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    fold_of = {name: i % folds for i, name in enumerate(names)}
    assignment = np.asarray([fold_of[p] for p in policies])
    return [np.flatnonzero(assignment == f) for f in range(folds)]


def out_of_fold(data: Dataset, config: TrainConfig, folds: int = 5,
                seed: int = 0, rows: np.ndarray | None = None) -> np.ndarray:
    """Probabilities for every segment from a model that never saw its policy (``rows``:
    see :func:`fit`)."""
    probs = np.zeros(data.labels.shape, dtype=np.float32)
    everything = np.arange(len(data.texts))
    for test in policy_folds(data.policies, folds, seed):
        train = np.setdiff1d(everything, test)
        model = fit([data.texts[i] for i in train], data.labels[train], config,
                    None if rows is None else rows[train])
        probs[test] = model.predict([data.texts[i] for i in test])
    return probs


def tune(model: PracticeModel, data: Dataset, config: TrainConfig, folds: int = 5) -> None:
    """Set the model's thresholds from out-of-fold predictions on ``data``."""
    model.thresholds = best_thresholds(out_of_fold(data, config, folds), data.labels)


def subset(data: Dataset, indices: np.ndarray) -> Dataset:
    return Dataset([data.texts[i] for i in indices], data.labels[indices],
                   [data.policies[i] for i in indices])


def cross_validate(data: Dataset, config: TrainConfig, folds: int = 5,
                   inner_folds: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Nested CV by policy: returns (probabilities, 0/1 predictions) for every segment.

    Each outer fold trains on the other policies, tunes thresholds on inner folds of those
    training policies, and predicts the held-out policies.
    """
    probs = np.zeros(data.labels.shape, dtype=np.float32)
    predicted = np.zeros(data.labels.shape, dtype=np.int8)
    everything = np.arange(len(data.texts))
    for test in policy_folds(data.policies, folds):
        train = subset(data, np.setdiff1d(everything, test))
        model = fit(train.texts, train.labels, config)
        thresholds = best_thresholds(out_of_fold(train, config, inner_folds, seed=1),
                                     train.labels)
        probs[test] = model.predict([data.texts[i] for i in test])
        predicted[test] = probs[test] >= thresholds
    return probs, predicted


def scores_table(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Per-label precision/recall/F1 and micro/macro F1 over the nine practices."""
    rows = {}
    tp_all = fp_all = fn_all = 0
    for k, label in enumerate(PRACTICES):
        t = truth[:, k].astype(bool)
        p = predicted[:, k].astype(bool)
        tp, fp, fn = int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows[label] = {"precision": precision, "recall": recall, "f1": f1, "support": int(t.sum())}
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    macro = float(np.mean([r["f1"] for r in rows.values()]))
    return {"per_label": rows, "micro_f1": micro, "macro_f1": macro,
            "micro_precision": micro_p, "micro_recall": micro_r}


# -- sentences: the gold for highlighting --------------------------------------------------

SENTENCE_MAJORITY = 2  # annotators who marked the category in text overlapping a sentence


@dataclass
class Segment:
    """One OPP-115 segment with its annotators' marked text."""

    policy: str
    text: str
    labels: np.ndarray  # (len(LABELS),) 0/1 by majority vote
    marked: dict[str, list[tuple[str, int, int]]]  # category -> (annotator, start, end)


def load_segments(folder: Path) -> list[Segment]:
    """Every segment of ``<id>_<domain>.jsonl`` files, with the located marked texts."""
    segments = []
    for path in opp115_files(folder):
        for record in opp115_records(path):
            votes = record.get("votes", {})
            marked: dict[str, list[tuple[str, int, int]]] = {}
            for practice in record.get("practices", []):
                for value in practice.get("attributes", {}).values():
                    start, end = value.get("start"), value.get("end")
                    if isinstance(start, int) and isinstance(end, int) and end > start:
                        marked.setdefault(practice["category"], []).append(
                            (str(practice.get("annotator")), start, end))
            labels = np.asarray([1 if votes.get(label, 0) >= MAJORITY else 0
                                 for label in LABELS], dtype=np.int8)
            segments.append(Segment(record["policy"], record["text"], labels, marked))
    return segments


def as_dataset(segments: Sequence[Segment]) -> Dataset:
    return Dataset([s.text for s in segments], np.vstack([s.labels for s in segments]),
                   [s.policy for s in segments])


def gold_sentences(segment: Segment) -> list[tuple[int, int, np.ndarray]]:
    """The segment's sentences of at least 3 words, as the app splits them, each with its
    gold: category c when at least 2 annotators marked c in text overlapping it."""
    from reader.analysis.practices import MIN_SENTENCE_WORDS, plain_paragraphs

    found = []
    for paragraph in plain_paragraphs(segment.text):
        for sentence in paragraph.sentences:
            start, end = sentence.start, sentence.end
            if len(segment.text[start:end].split()) < MIN_SENTENCE_WORDS:
                continue
            gold = np.zeros(len(LABELS), dtype=np.int8)
            for k, label in enumerate(LABELS):
                annotators = {who for who, s, e in segment.marked.get(label, ())
                              if s < end and e > start}
                gold[k] = len(annotators) >= SENTENCE_MAJORITY
            if not gold[:-1].any():
                gold[-1] = 1  # no practice: "other"
            found.append((start, end, gold))
    return found


def sentence_dataset(segments: Sequence[Segment]
                     ) -> tuple[Dataset, np.ndarray, np.ndarray]:
    """Sentences (at least 3 words) of the segments with their gold, the majority labels
    of the segment each sentence is in, and that segment's index."""
    texts, rows, policies, context, owner = [], [], [], [], []
    for number, segment in enumerate(segments):
        for start, end, gold in gold_sentences(segment):
            texts.append(segment.text[start:end])
            rows.append(gold)
            policies.append(segment.policy)
            context.append(segment.labels)
            owner.append(number)
    shape = (-1, len(LABELS))
    return (Dataset(texts, np.asarray(rows, dtype=np.int8).reshape(shape), policies),
            np.asarray(context, dtype=np.int8).reshape(shape),
            np.asarray(owner, dtype=np.int64))


def fit_sentence_model(texts: Sequence[str], labels: np.ndarray, context: np.ndarray,
                       config: TrainConfig) -> PracticeModel:
    """The sentence model: two heads on the same features (see
    :func:`reader.analysis.practices.sentence_scores`). The first learns each category
    only from sentences of segments labelled with it (``context``), as the app asks it
    only inside paragraphs that have the category; the second from every sentence, so a
    sentence that states another practice (a sharing list in a paragraph also read as
    security) scores low."""
    within = fit(texts, labels, config, rows=context.astype(bool))
    anywhere = fit(texts, labels, config)
    anywhere.labels = tuple(f"{label} (all sentences)" for label in anywhere.labels)
    return stacked(within, anywhere)


def stacked(first: PracticeModel, second: PracticeModel) -> PracticeModel:
    """One model with both models' outputs (first's labels, then second's), for two
    models fitted on the same texts (same vocabulary, IDF and word vectors)."""
    if first.vocabulary != second.vocabulary:
        raise ValueError("models fitted on different texts")
    (w1, b1), (w2, b2) = first.layers[0], second.layers[0]
    if len(first.layers) > 1 or len(second.layers) > 1:
        raise ValueError("only single-layer models stack")
    word_vectors = None
    if first.word_vectors is not None and second.word_vectors is not None:
        word_vectors = WordVectors(first.word_vectors.vocabulary, first.word_vectors.idf,
                                   np.hstack([first.word_vectors.contributions,
                                              second.word_vectors.contributions]))
    return PracticeModel(
        labels=(*first.labels, *second.labels), vocabulary=first.vocabulary,
        idf=first.idf, layers=[(np.hstack([w1, w2]), np.concatenate([b1, b2]))],
        thresholds=np.concatenate([first.thresholds, second.thresholds]), info={},
        word_vectors=word_vectors)


def sentence_out_of_fold(sentences: Dataset, context: np.ndarray, config: TrainConfig,
                         folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold probabilities of both heads of :func:`fit_sentence_model`."""
    return np.hstack([out_of_fold(sentences, config, folds, seed, rows=context.astype(bool)),
                      out_of_fold(sentences, config, folds, seed)])


def sentence_thresholds(para_probs: np.ndarray, para_thresholds: np.ndarray,
                        sent_probs: np.ndarray, sent_gold: np.ndarray,
                        owner: np.ndarray) -> np.ndarray:
    """Per category, the sentence threshold that maximises sentence-level F1 of the app's
    rule on these (out-of-fold) predictions: in a segment given c, a sentence is
    highlighted when its score (:func:`reader.analysis.practices.sentence_scores` of
    the sentence model's outputs and the segment's probabilities) reaches it, and the
    segment's best sentence is highlighted when none does (see
    :func:`reader.analysis.practices.decide`). ``owner``: each sentence's segment row.
    Returns thresholds for every output of the sentence model (the first head's)."""
    from reader.analysis.practices import sentence_scores

    grid = np.arange(0.025, 0.951, 0.025)
    result = np.full(sent_probs.shape[1], 0.5, dtype=np.float32)
    scores_all = sentence_scores(sent_probs, para_probs[owner])
    for k in range(sent_gold.shape[1]):
        gold = sent_gold[:, k].astype(bool)
        inside = np.flatnonzero(para_probs[owner, k] >= para_thresholds[k])
        if not gold.any() or not len(inside):
            continue
        score = scores_all[inside, k]
        units = owner[inside]  # sentences of one segment are consecutive
        starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
        best_of_unit = np.maximum.reduceat(score, starts)
        unit_of = np.cumsum(np.r_[True, units[1:] != units[:-1]]) - 1
        is_best = score >= best_of_unit[unit_of]
        truth = gold[inside]
        missed_outside = int(gold.sum() - truth.sum())
        scores = []
        for threshold in grid:
            hit = score >= threshold
            unit_hit = np.bincount(unit_of, weights=hit, minlength=len(starts)) > 0
            chosen = hit | (is_best & ~unit_hit[unit_of])
            tp = int(np.sum(chosen & truth))
            denominator = int(chosen.sum()) + int(truth.sum()) + missed_outside
            scores.append(2 * tp / denominator if denominator else 0.0)
        best = max(scores)  # among near-best thresholds prefer the middle one
        near = [t for t, s in zip(grid, scores, strict=True) if s >= best - 0.005]
        result[k] = float(np.median(near))
    return result


def train_models(segments: Sequence[Segment], config: TrainConfig,
                 sentence_config: TrainConfig, folds: int = 4
                 ) -> tuple[PracticeModel, PracticeModel]:
    """Paragraph and sentence models with thresholds tuned on out-of-fold predictions of
    these segments only (policy-split)."""
    paragraphs = as_dataset(segments)
    model = fit(paragraphs.texts, paragraphs.labels, config)
    para_probs = out_of_fold(paragraphs, config, folds, seed=1)
    model.thresholds = best_thresholds(para_probs, paragraphs.labels)
    sentences, context, owner = sentence_dataset(segments)
    sentence_model = fit_sentence_model(sentences.texts, sentences.labels, context,
                                        sentence_config)
    sent_probs = sentence_out_of_fold(sentences, context, sentence_config, folds, seed=1)
    sentence_model.thresholds = sentence_thresholds(para_probs, model.thresholds, sent_probs,
                                                    sentences.labels, owner)
    return model, sentence_model


@dataclass
class ProductScores:
    """What the app returns for held-out segments, beside the gold."""

    segment_truth: np.ndarray
    segment_predicted: np.ndarray
    sentence_truth: np.ndarray
    sentence_predicted: np.ndarray
    sentence_reference: np.ndarray  # every sentence of each segment, by its gold label
    sentence_confident: np.ndarray  # the spans the panel's "confident passages only" shows


def covered_categories(spans: Sequence[tuple[int, int, str]], start: int, end: int
                       ) -> np.ndarray:
    """0/1 per practice: spans of that category cover at least half of the sentence."""
    row = np.zeros(len(PRACTICES), dtype=np.int8)
    for k, label in enumerate(PRACTICES):
        covered = np.zeros(end - start, dtype=bool)
        for s, e, c in spans:
            if c == label and s < end and e > start:
                covered[max(s, start) - start:min(e, end) - start] = True
        row[k] = covered.sum() * 2 >= end - start
    return row


def evaluate_product(segments: Sequence[Segment], config: TrainConfig,
                     sentence_config: TrainConfig, folds: int = 5,
                     progress=None, trained: list | None = None) -> ProductScores:
    """Policy-split cross-validation of the app's own output: each held-out segment goes
    through :func:`reader.analysis.practices.analyze_text` (what ``classify --jsonl``
    returns) with models trained on the other policies. The thresholds used on a fold are
    tuned on the out-of-fold predictions of the other folds (not fully nested: those
    predictions come from models that saw this fold's policies); the sentence thresholds
    for the app's rule (:func:`sentence_thresholds`)."""
    from reader.analysis.practices import analyze_text

    paragraphs = as_dataset(segments)
    sentences, context, owner = sentence_dataset(segments)
    policies = np.asarray(paragraphs.policies)
    sentence_policies = np.asarray(sentences.policies)
    fold_of_policy = {}
    for number, test in enumerate(policy_folds(paragraphs.policies, folds)):
        fold_of_policy.update({paragraphs.policies[i]: number for i in test})
    para_fold = np.asarray([fold_of_policy[p] for p in policies])
    sent_fold = np.asarray([fold_of_policy[p] for p in sentence_policies])
    para_probs = np.zeros(paragraphs.labels.shape, dtype=np.float32)
    sent_probs = np.zeros((len(sentences.texts), 2 * len(LABELS)), dtype=np.float32)
    models = []
    for number in range(folds):
        train_p, train_s = para_fold != number, sent_fold != number
        model = fit([t for t, keep in zip(paragraphs.texts, train_p, strict=True) if keep],
                    paragraphs.labels[train_p], config)
        sentence_model = fit_sentence_model(
            [t for t, keep in zip(sentences.texts, train_s, strict=True) if keep],
            sentences.labels[train_s], context[train_s], sentence_config)
        para_probs[~train_p] = model.predict(
            [t for t, keep in zip(paragraphs.texts, train_p, strict=True) if not keep])
        sent_probs[~train_s] = sentence_model.predict(
            [t for t, keep in zip(sentences.texts, train_s, strict=True) if not keep])
        models.append((model, sentence_model))
        if progress:
            progress(f"fold {number + 1}/{folds} trained")
    seg_truth, seg_pred, sent_truth, sent_pred, sent_ref, sent_sure = [], [], [], [], [], []
    for number, (model, sentence_model) in enumerate(models):
        other_p, other_s = para_fold != number, sent_fold != number
        model.thresholds = best_thresholds(para_probs[other_p], paragraphs.labels[other_p])
        # Sentence rows of the other folds, with their segments renumbered among those.
        other_owner = np.cumsum(other_p)[owner[other_s]] - 1
        sentence_model.thresholds = sentence_thresholds(
            para_probs[other_p], model.thresholds, sent_probs[other_s],
            sentences.labels[other_s], other_owner)
        if trained is not None:  # (fold, models) for experiments
            trained.append((number, model, sentence_model))
        for i in np.flatnonzero(para_fold == number):
            segment = segments[i]
            analysis = analyze_text(segment.text, model, sentence_model)
            predicted = np.asarray([label in analysis.categories for label in PRACTICES])
            seg_truth.append(segment.labels[:-1])
            seg_pred.append(predicted)
            spans = [(s.start, s.end, c) for s in analysis.spans for c in s.categories]
            sure = [(s.start, s.end, c) for s in analysis.spans for c in s.categories
                    if s.is_confident(c)]
            for start, end, gold in gold_sentences(segment):
                sent_truth.append(gold[:-1])
                sent_pred.append(covered_categories(spans, start, end))
                sent_ref.append(segment.labels[:-1])
                sent_sure.append(covered_categories(sure, start, end))
    return ProductScores(*(np.asarray(x, dtype=np.int8) for x in (
        seg_truth, seg_pred, sent_truth, sent_pred, sent_ref, sent_sure)))
