"""The data-practice classifier: TF-IDF features and a small numpy network.

The model file (``resources/practice_model.npz``) is written by ``scripts/train_classifier.py``
and holds the vocabulary, IDF weights, layer weights and per-category decision thresholds.
Inference needs only numpy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from pathlib import Path

import numpy as np

from reader.paths import resources_dir

MODEL_FILE = "practice_model.npz"
TOKEN = re.compile(r"\w+")  # same matches as \b\w+\b, 40% faster
MAX_TOKENS = 3000  # very long segments are classified on their first 3,000 words


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens; the same rule is used for training and inference."""
    return TOKEN.findall(text.lower())[:MAX_TOKENS]


def ngrams(tokens: list[str]) -> list[str]:
    """Unigrams and bigrams (joined by a space)."""
    return tokens + list(map(" ".join, pairwise(tokens)))


@dataclass
class PracticeModel:
    """Vocabulary + IDF + layers; ``predict`` gives an (n, k) array of probabilities."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    thresholds: np.ndarray
    info: dict

    def _columns(self, grams: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(row, vocabulary column) of every known n-gram of each row."""
        lookup = self.vocabulary.get
        columns: list[int] = []
        sizes = []
        for row in grams:
            found = list(map(lookup, row, repeat(-1)))
            columns += found
            sizes.append(len(found))
        found = np.asarray(columns, dtype=np.int64)
        rows = np.repeat(np.arange(len(grams), dtype=np.int64), sizes)
        known = found >= 0
        return rows[known], found[known]

    def vectorize_ngrams(self, grams: Sequence[list[str]]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (indptr, indices, values) of L2-normalised sublinear TF-IDF rows, from
        each text's n-grams (see :func:`ngrams`)."""
        rows, columns = self._columns(grams)
        width = len(self.idf)
        # Count each (row, column) pair at once; the result comes sorted by row.
        keys, counts = np.unique(rows * width + columns, return_counts=True)
        row_ids, index_array = np.divmod(keys, width)
        values = (1.0 + np.log(counts.astype(np.float64))) * self.idf[index_array]
        ptr = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_ids, minlength=len(grams)), out=ptr[1:])
        if len(values):
            norms = np.sqrt(np.bincount(row_ids, weights=values * values, minlength=len(grams)))
            values = values / np.where(norms > 0, norms, 1.0)[row_ids]
        return ptr, index_array, values.astype(np.float32)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities per label for each text (rows in input order)."""
        return self.predict_ngrams([ngrams(tokenize(text)) for text in texts])

    def predict_ngrams(self, grams: Sequence[list[str]]) -> np.ndarray:
        """As :meth:`predict`, from each text's n-grams (see :func:`ngrams`)."""
        if not grams:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        ptr, indices, values = self.vectorize_ngrams(grams)
        first_weights, first_bias = self.layers[0]
        gathered = first_weights[indices].astype(np.float32) * values[:, None]
        hidden = np.zeros((len(grams), first_weights.shape[1]), dtype=np.float32)
        nonempty = np.flatnonzero(np.diff(ptr))
        if len(nonempty):
            hidden[nonempty] = np.add.reduceat(gathered, ptr[nonempty], axis=0)
        hidden += first_bias
        for weights, bias in self.layers[1:]:
            hidden = np.maximum(hidden, 0.0) @ weights.astype(np.float32) + bias
        return 1.0 / (1.0 + np.exp(-np.clip(hidden, -30, 30)))


def save_model(path: Path, labels: Sequence[str], vocabulary: Sequence[str], idf: np.ndarray,
               layers: Sequence[tuple[np.ndarray, np.ndarray]], thresholds: np.ndarray,
               info: dict) -> None:
    """Write a model file (float16 weights, compressed)."""
    arrays: dict[str, np.ndarray] = {
        "labels": np.asarray(json.dumps(list(labels))),
        "vocabulary": np.asarray("\n".join(vocabulary)),
        "idf": np.asarray(idf, dtype=np.float32),
        "thresholds": np.asarray(thresholds, dtype=np.float32),
        "info": np.asarray(json.dumps(info)),
    }
    for number, (weights, bias) in enumerate(layers):
        arrays[f"w{number}"] = np.asarray(weights, dtype=np.float16)
        arrays[f"b{number}"] = np.asarray(bias, dtype=np.float32)
    np.savez_compressed(path, **arrays)


def load_model(path: Path | None = None) -> PracticeModel:
    """Read a model file written by :func:`save_model`."""
    path = path or resources_dir() / MODEL_FILE
    with np.load(path, allow_pickle=False) as data:
        vocabulary = str(data["vocabulary"]).split("\n")
        layers = []
        number = 0
        while f"w{number}" in data:
            weights = data[f"w{number}"]
            # The first layer is gathered row by row; float32 avoids a per-call conversion.
            layers.append((weights.astype(np.float32) if number == 0 else weights,
                           data[f"b{number}"]))
            number += 1
        return PracticeModel(
            labels=tuple(json.loads(str(data["labels"]))),
            vocabulary={term: i for i, term in enumerate(vocabulary)},
            idf=data["idf"].astype(np.float64),
            layers=layers,
            thresholds=data["thresholds"],
            info=json.loads(str(data["info"])),
        )


@lru_cache(maxsize=1)
def default_model() -> PracticeModel:
    """The bundled model, loaded once per process."""
    return load_model()
