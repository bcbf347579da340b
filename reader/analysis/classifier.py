"""The data-practice classifier: TF-IDF features, word vectors and a small numpy network.

The model file (``resources/practice_model.npz``) is written by ``scripts/train_classifier.py``
and holds the vocabulary, IDF weights, layer weights, per-category decision thresholds and
the word-vector block. Inference needs only numpy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise, repeat
from pathlib import Path

import numpy as np

from reader.analysis.lexicon import LEXICON_TERMS, terms_of_counts, text_lexicon_counts
from reader.paths import resources_dir
from reader.slices import SLICE_ITEMS, item_ranges

MODEL_FILE = "practice_model.npz"
TOKEN = re.compile(r"\w+")  # same matches as \b\w+\b, 40% faster
MAX_TOKENS = 3000  # very long segments are classified on their first 3,000 words


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens; the same rule is used for training and inference."""
    return TOKEN.findall(text.lower())[:MAX_TOKENS]


def ngrams(tokens: list[str]) -> list[str]:
    """Unigrams and bigrams (joined by a space)."""
    return tokens + list(map(" ".join, pairwise(tokens)))


def counted_terms(grams: Sequence[list[str]], vocabulary: dict[str, int]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, count) of every known term of each row, sorted by row then column.

    Counted in runs of rows of about SLICE_ITEMS n-grams (each C call short, see
    :mod:`reader.slices`); rows are independent, so the runs' results just follow."""
    runs, start, size = [], 0, 0
    for row, row_grams in enumerate(grams):
        size += len(row_grams)
        if size >= SLICE_ITEMS:
            runs.append((start, row + 1))
            start, size = row + 1, 0
    if start < len(grams) or not runs:
        runs.append((start, len(grams)))
    if len(runs) == 1:
        return _counted_terms(grams, vocabulary)
    counted = [_counted_terms(grams[begin:end], vocabulary) for begin, end in runs]
    return (np.concatenate([rows + begin for (begin, _), (rows, _, _) in zip(runs, counted,
                                                                           strict=True)]),
            np.concatenate([columns for _, columns, _ in counted]),
            np.concatenate([counts for _, _, counts in counted]))


def _counted_terms(grams: Sequence[list[str]], vocabulary: dict[str, int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lookup = vocabulary.get
    columns: list[int] = []
    sizes = []
    for row in grams:
        found = list(map(lookup, row, repeat(-1)))
        columns += found
        sizes.append(len(found))
    found_columns = np.asarray(columns, dtype=np.int64)
    rows = np.repeat(np.arange(len(grams), dtype=np.int64), sizes)
    known = found_columns >= 0
    width = max(len(vocabulary), 1)
    # Count each (row, column) pair at once; the result comes sorted by row.
    keys, counts = np.unique(rows[known] * width + found_columns[known], return_counts=True)
    row_ids, column_ids = np.divmod(keys, width)
    return row_ids, column_ids, counts


def row_pointers(row_ids: np.ndarray, rows: int) -> np.ndarray:
    """CSR row pointers for sorted row ids."""
    pointers = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_ids, minlength=rows), out=pointers[1:])
    return pointers


NARROW_TABLE = 48  # up to this many dims (a linear model's outputs) rows are gathered


def weighted_sums(pointers: np.ndarray, table_by_column: np.ndarray, columns: np.ndarray,
                  weights: np.ndarray, table_by_row: np.ndarray | None = None) -> np.ndarray:
    """(rows, dims): for each row, the sum of weight * table column over its entries.

    The table is given transposed, (dims, entries): numpy sums runs along the last axis
    many times faster than along the first (reduceat over rows is 15x slower here). A
    narrow table (the facts model's 30 outputs) is faster read by rows (1.7x): give it
    as ``table_by_row`` (entries, dims) too.
    """
    if pointers[-1] <= SLICE_ITEMS:
        return _weighted_sums(pointers, table_by_column, columns, weights, table_by_row)
    # Runs of rows of about SLICE_ITEMS entries: each C call stays short (reader.slices)
    # and each row's sum is computed exactly as in one call.
    total = np.zeros((len(pointers) - 1, table_by_column.shape[0]), dtype=np.float32)
    nonempty = np.flatnonzero(np.diff(pointers))
    first = 0
    while first < len(nonempty):
        begin = pointers[nonempty[first]]
        last = max(int(np.searchsorted(pointers, begin + SLICE_ITEMS, side="right")) - 1,
                   int(nonempty[first]) + 1)  # the row after the run
        rows = nonempty[first:np.searchsorted(nonempty, last)]
        end = pointers[last]
        total[rows] = _weighted_sums(
            pointers[rows[0]:last + 1] - begin, table_by_column, columns[begin:end],
            weights[begin:end], table_by_row)[rows - rows[0]]
        first += len(rows)
    return total


def _weighted_sums(pointers: np.ndarray, table_by_column: np.ndarray, columns: np.ndarray,
                   weights: np.ndarray, table_by_row: np.ndarray | None) -> np.ndarray:
    total = np.zeros((len(pointers) - 1, table_by_column.shape[0]), dtype=np.float32)
    nonempty = np.flatnonzero(np.diff(pointers))
    if not len(nonempty):
        return total
    if table_by_row is not None:
        gathered = np.take(table_by_row, columns, axis=0)
        gathered *= weights.astype(np.float32)[:, None]
        total[nonempty] = np.add.reduceat(gathered, pointers[nonempty], axis=0)
    else:
        gathered = np.take(table_by_column, columns, axis=1)
        gathered *= weights.astype(np.float32)
        total[nonempty] = np.add.reduceat(gathered, pointers[nonempty], axis=1).T
    return total


@dataclass
class WordVectors:
    """Second feature block: the TF-IDF-weighted mean of static word vectors.

    Words too rare in training to be learnt directly (or never seen) still carry meaning
    through their vectors, which lifts the small categories (see docs/EVALUATION.md). A
    weighted mean is linear in its words, so the model keeps each word's vector already
    multiplied by the first layer (``contributions``, block scale included): at run time
    the block costs one more gather of a few columns, like the TF-IDF block.
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    contributions: np.ndarray  # (words, first layer width) float32

    def __post_init__(self) -> None:
        self._by_column = np.ascontiguousarray(self.contributions.T, dtype=np.float32)

    def counted_contributions(self, row_ids: np.ndarray, words: np.ndarray,
                              counts: np.ndarray, rows: int) -> np.ndarray:
        """(rows, width): the block's input to the first layer, from (row, word, count)
        triples sorted by row. A word weighs (1 + log count) * idf."""
        weight = (1.0 + np.log(counts)) * self.idf[words]
        summed = weighted_sums(row_pointers(row_ids, rows), self._by_column, words, weight)
        mass = np.bincount(row_ids, weights=weight, minlength=rows)
        return summed / np.where(mass > 0, mass, 1.0)[:, None].astype(np.float32)


@dataclass
class PracticeModel:
    """Vocabulary + IDF + layers (+ word vectors); ``predict`` gives an (n, k) array of
    probabilities."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    thresholds: np.ndarray
    info: dict
    word_vectors: WordVectors | None = None

    def __post_init__(self) -> None:
        # A model trained with the lexicon terms (reader.analysis.lexicon) knows them all:
        # their term numbers, else None (no text is searched for them).
        self.lexicon_ids: np.ndarray | None = None
        if all(term in self.vocabulary for term in LEXICON_TERMS):
            self.lexicon_ids = np.asarray([self.vocabulary[t] for t in LEXICON_TERMS],
                                          dtype=np.int64)
        self._first_by_column = np.ascontiguousarray(self.layers[0][0].T, dtype=np.float32)
        self._first_by_row = (np.ascontiguousarray(self.layers[0][0], dtype=np.float32)
                              if self.layers[0][0].shape[1] <= NARROW_TABLE else None)
        # One dictionary for both blocks, so each n-gram is looked up once: TF-IDF terms
        # keep their column, words only the vectors know are numbered after them.
        self._terms = self.vocabulary
        self._vector_row = np.zeros(0, dtype=np.int64)
        if self.word_vectors is not None:
            self._terms = dict(self.vocabulary)
            term_of_row = [self._terms.setdefault(word, len(self._terms))
                           for word in self.word_vectors.vocabulary]
            self._vector_row = np.full(len(self._terms), -1, dtype=np.int64)
            self._vector_row[term_of_row] = np.asarray(
                list(self.word_vectors.vocabulary.values()), dtype=np.int64)

    def _tfidf_rows(self, row_ids: np.ndarray, index_array: np.ndarray, counts: np.ndarray,
                    rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (indptr, indices, values) of unit-length sublinear TF-IDF rows."""
        values = (1.0 + np.log(counts.astype(np.float64))) * self.idf[index_array]
        ptr = row_pointers(row_ids, rows)
        if len(values):
            norms = np.sqrt(np.bincount(row_ids, weights=values * values, minlength=rows))
            values = values / np.where(norms > 0, norms, 1.0)[row_ids]
        return ptr, index_array, values.astype(np.float32)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities per label for each text (rows in input order)."""
        tokens = [tokenize(text) for text in texts]
        grams = [ngrams(words) for words in tokens]
        if self.lexicon_ids is not None:
            for row_grams, counts in zip(grams, text_lexicon_counts(tokens), strict=True):
                row_grams += terms_of_counts(counts)
        return self.predict_ngrams(grams)

    def predict_ngrams(self, grams: Sequence[list[str]]) -> np.ndarray:
        """As :meth:`predict`, from each text's n-grams (see :func:`ngrams`)."""
        if not grams:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self.predict_counted(*counted_terms(grams, self._terms), len(grams))

    def term_ids(self, grams: Sequence[str]) -> np.ndarray:
        """Each n-gram's term number for :meth:`predict_counted` (-1: unknown)."""
        ids = np.empty(len(grams), dtype=np.int64)
        for start, end in item_ranges(len(grams)):  # short C calls (reader.slices)
            ids[start:end] = np.fromiter(map(self._terms.get, grams[start:end], repeat(-1)),
                                         dtype=np.int64, count=end - start)
        return ids

    def predict_counted(self, row_ids: np.ndarray, terms: np.ndarray, counts: np.ndarray,
                        rows: int) -> np.ndarray:
        """As :meth:`predict_ngrams`, from (row, term number, count) triples sorted by row
        (see :func:`counted_terms` and :meth:`term_ids`)."""
        if not rows:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        in_tfidf = terms < len(self.vocabulary)
        ptr, indices, values = self._tfidf_rows(row_ids[in_tfidf], terms[in_tfidf],
                                                counts[in_tfidf], rows)
        hidden = weighted_sums(ptr, self._first_by_column, indices, values,
                               self._first_by_row)
        if self.word_vectors is not None:
            vector_rows = self._vector_row[terms]
            known = vector_rows >= 0
            hidden += self.word_vectors.counted_contributions(
                row_ids[known], vector_rows[known], counts[known], rows)
        hidden += self.layers[0][1]
        for weights, bias in self.layers[1:]:
            hidden = np.maximum(hidden, 0.0) @ weights.astype(np.float32) + bias
        return 1.0 / (1.0 + np.exp(-np.clip(hidden, -30, 30)))


class JointTerms:
    """One dictionary over the terms of several models, so that each word of a policy is
    looked up once for all of them (a dictionary lookup per n-gram and model was a fifth
    of the index's work per policy), and word pairs are found from their words' numbers
    without making or looking up the pairs' strings. :meth:`words` and :meth:`pairs`
    give joint numbers, :meth:`numbers` turns them into one model's term numbers (as its
    :meth:`PracticeModel.term_ids` gives them)."""

    def __init__(self, models: Sequence[PracticeModel]) -> None:
        # (made once per process, in C calls where it can: ~20 ms, not ~150 ms)
        terms = list(dict.fromkeys(chain.from_iterable(model._terms for model in models)))
        joint = dict(zip(terms, range(len(terms)), strict=True))
        # A pair "a b" is known when its words are (every term is a word or two words
        # joined by a space; words hold no spaces): each word of a pair gets a number.
        pairs = [term for term in terms if " " in term]
        parts = " ".join(pairs).split(" ") if pairs else []
        if len(parts) != 2 * len(pairs) or not all(parts):  # a term of other spaces
            pairs = [term for term in pairs if term.count(" ") == 1 and all(term.split(" "))]
            parts = " ".join(pairs).split(" ") if pairs else []
        for word in dict.fromkeys(parts):
            joint.setdefault(word, len(joint))
        self._joint = joint
        width = self._width = len(joint)
        keys = self._numbers_of(parts[0::2]) * width + self._numbers_of(parts[1::2])
        order = np.argsort(keys)
        self._pair_keys = keys[order]
        self._pair_numbers = self._numbers_of(pairs)[order]
        self._numbers = []
        for model in models:
            # the last entry answers joint number -1 (unknown everywhere)
            numbers = np.full(len(joint) + 1, -1, dtype=np.int64)
            numbers[self._numbers_of(model._terms)] = np.fromiter(
                model._terms.values(), dtype=np.int64, count=len(model._terms))
            self._numbers.append(numbers)

    def _numbers_of(self, known: Iterable[str]) -> np.ndarray:
        return np.fromiter(map(self._joint.__getitem__, known), dtype=np.int64)

    def words(self, words: Sequence[str]) -> np.ndarray:
        """Each word's joint number (-1: no model knows it or a pair of it)."""
        ids = np.empty(len(words), dtype=np.int64)
        for start, end in item_ranges(len(words)):  # short C calls (reader.slices)
            ids[start:end] = np.fromiter(map(self._joint.get, words[start:end], repeat(-1)),
                                         dtype=np.int64, count=end - start)
        return ids

    def pairs(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The joint number of each pair ``first[i] + " " + second[i]`` given as its
        words' joint numbers (-1: unknown)."""
        if not len(self._pair_keys):
            return np.full(len(first), -1, dtype=np.int64)
        keys = first * self._width + second
        found = np.minimum(np.searchsorted(self._pair_keys, keys), len(self._pair_keys) - 1)
        known = (first >= 0) & (second >= 0) & (self._pair_keys[found] == keys)
        return np.where(known, self._pair_numbers[found], -1)

    def numbers(self, joint_ids: np.ndarray, model_number: int) -> np.ndarray:
        """The term numbers in the ``model_number``-th model of joint numbers."""
        return self._numbers[model_number][joint_ids]


_JOINT: dict[tuple[int, ...], tuple[tuple[PracticeModel, ...], JointTerms]] = {}


def joint_terms(*models: PracticeModel) -> JointTerms:
    """The :class:`JointTerms` of these models, made once per process (the last few
    combinations are kept)."""
    key = tuple(map(id, models))
    kept = _JOINT.get(key)
    if kept is None or any(a is not b for a, b in zip(kept[0], models, strict=True)):
        if len(_JOINT) >= 4:
            _JOINT.clear()
        kept = _JOINT[key] = (models, JointTerms(models))
    return kept[1]


def _joined(vocabulary: dict[str, int]) -> np.ndarray:
    return np.asarray("\n".join(sorted(vocabulary, key=vocabulary.get)))


def _split(joined: np.ndarray) -> dict[str, int]:
    return {term: i for i, term in enumerate(str(joined).split("\n"))}


def save_model(path: Path, model: PracticeModel) -> None:
    """Write a model file (float16 weights, compressed)."""
    arrays: dict[str, np.ndarray] = {
        "labels": np.asarray(json.dumps(list(model.labels))),
        "vocabulary": _joined(model.vocabulary),
        "idf": np.asarray(model.idf, dtype=np.float32),
        "thresholds": np.asarray(model.thresholds, dtype=np.float32),
        "info": np.asarray(json.dumps(model.info)),
    }
    for number, (weights, bias) in enumerate(model.layers):
        arrays[f"w{number}"] = np.asarray(weights, dtype=np.float16)
        arrays[f"b{number}"] = np.asarray(bias, dtype=np.float32)
    if model.word_vectors is not None:
        arrays["vector_words"] = _joined(model.word_vectors.vocabulary)
        arrays["vector_idf"] = np.asarray(model.word_vectors.idf, dtype=np.float32)
        arrays["vector_contributions"] = np.asarray(model.word_vectors.contributions,
                                                    dtype=np.float16)
    np.savez_compressed(path, **arrays)


def load_model(path: Path | None = None) -> PracticeModel:
    """Read a model file written by :func:`save_model`."""
    path = path or resources_dir() / MODEL_FILE
    with np.load(path, allow_pickle=False) as data:
        layers = []
        number = 0
        while f"w{number}" in data:
            weights = data[f"w{number}"]
            layers.append((weights, data[f"b{number}"]))
            number += 1
        word_vectors = None
        if "vector_contributions" in data:
            word_vectors = WordVectors(
                vocabulary=_split(data["vector_words"]),
                idf=data["vector_idf"].astype(np.float64),
                contributions=data["vector_contributions"].astype(np.float32),
            )
        return PracticeModel(
            labels=tuple(json.loads(str(data["labels"]))),
            vocabulary=_split(data["vocabulary"]),
            idf=data["idf"].astype(np.float64),
            layers=layers,
            thresholds=data["thresholds"],
            info=json.loads(str(data["info"])),
            word_vectors=word_vectors,
        )


@lru_cache(maxsize=1)
def default_model() -> PracticeModel:
    """The bundled model, loaded once per process."""
    return load_model()
