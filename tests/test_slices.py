"""Whole-text work done in slices (reader.slices, issue 11 item 3: a worker must not hold
Python's lock for long) gives exactly what the whole-text calls gave: word counts, lowercased
words, word pairs, term numbers, counted terms, the classifier's sums, the foreign tags
dropped before markdown, markdown's whitespace normalised."""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pytest
from conftest import PROJECT, SHARED_CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.preprocessors import NormalizeWhitespace

from reader.analysis import document
from reader.analysis.classifier import (
    _counted_terms,
    _weighted_sums,
    counted_terms,
    default_model,
    weighted_sums,
)
from reader.analysis.document import (
    _CODE_SPAN_OR_TAG,
    _FOREIGN_ELEMENTS,
    _drop_foreign_tags,
    _markdown_converter,
    _NormalizeWhitespaceInSlices,
)
from reader.analysis.practices import lowercase, policy_words, word_pairs
from reader.slices import SLICE_CHARS, SLICE_ITEMS, item_ranges, text_slices
from reader.sources.corpus import _count_words, count_words


def _texts() -> list[str]:
    texts = [path.read_text("utf-8") for path in sorted((PROJECT / "corpus").glob("*.md"))]
    if SHARED_CORPUS.is_dir():
        texts += [path.read_text("utf-8") for path in sorted(SHARED_CORPUS.rglob("*.md"))]
    return texts


@pytest.fixture(scope="module")
def big_text() -> str:
    """Over 1 MB of real policies (the seeds, and ../shared/corpus when present), with a
    table, Greek capitals (a final sigma lowercases by context) and a word as long as a
    slice."""
    texts = _texts()
    extra = ("| a | b |\n|---|:---:|\n| ΟΔΟΣ ΣΑΣ | Σ |\n\n" + "x" * (SLICE_CHARS + 5) + "\n\n")
    text = "\n\n".join(texts) + "\n\n" + extra
    while len(text) < 1_200_000:
        text += "\n\n" + text
    return text


def test_text_slices_cover_the_text_and_never_cut_a_word(big_text):
    pieces = list(text_slices(big_text))
    assert "".join(pieces) == big_text
    assert len(pieces) > 3
    assert all(piece[-1].isspace() for piece in pieces[:-1])
    assert max(len(piece) for piece in pieces) <= 2 * SLICE_CHARS
    assert list(text_slices("")) == [""] and list(text_slices("one two")) == ["one two"]
    assert list(item_ranges(5, 2)) == [(0, 2), (2, 4), (4, 5)] and list(item_ranges(0)) == []


def test_count_words_in_slices_equals_one_pass(big_text):
    assert count_words(big_text) == _count_words(big_text) > 100_000
    for text in _texts():
        assert count_words(text) == _count_words(text)


def test_lowercase_and_pairs_in_slices_equal_whole_text(big_text):
    words = re.findall(r"\w+", big_text)
    assert len(words) > 3 * SLICE_ITEMS
    assert lowercase(words) == " ".join(words).lower().split(" ")
    assert lowercase(["ΟΔΟΣ", "ΣΑΣ", "Σ"]) == ["οδος", "σας", "σ"]  # final sigma as before
    assert lowercase([]) == []
    assert word_pairs(words) == list(map(" ".join, pairwise(words)))
    assert word_pairs(["one"]) == [] and word_pairs([]) == []


def test_term_ids_and_counted_terms_in_slices_equal_one_call(big_text):
    model = default_model()
    words = policy_words(big_text)
    expected = np.asarray([model._terms.get(w, -1) for w in words.words], dtype=np.int64)
    assert np.array_equal(model.term_ids(words.words), expected)
    grams = [words.ngrams(p) for p in words.paragraphs]
    assert sum(map(len, grams)) > 3 * SLICE_ITEMS
    for got, whole in zip(counted_terms(grams, model._terms),
                          _counted_terms(grams, model._terms), strict=True):
        assert np.array_equal(got, whole)
    one_big_row = [words.words[:2 * SLICE_ITEMS]]
    for got, whole in zip(counted_terms(one_big_row, model._terms),
                          _counted_terms(one_big_row, model._terms), strict=True):
        assert np.array_equal(got, whole)


@pytest.mark.parametrize("narrow", [True, False])
def test_weighted_sums_in_runs_of_rows_equal_one_call(narrow):
    rng = np.random.default_rng(11)
    rows = 20_000
    sizes = rng.integers(0, 25, rows)
    sizes[5] = 3 * SLICE_ITEMS  # a row bigger than a slice
    sizes[100:200] = 0  # empty rows
    pointers = np.concatenate([[0], np.cumsum(sizes)])
    columns = rng.integers(0, 500, int(pointers[-1]))
    weights = rng.random(int(pointers[-1]))
    table = rng.random((10, 500)).astype(np.float32)
    by_row = np.ascontiguousarray(table.T) if narrow else None
    assert pointers[-1] > 5 * SLICE_ITEMS
    got = weighted_sums(pointers, table, columns, weights, by_row)
    assert np.array_equal(got, _weighted_sums(pointers, table, columns, weights, by_row))
    assert not got[100:200].any() and got[5].any()


def _drop_foreign_tags_in_one_call(body: str) -> str:
    """The one-``sub`` version :func:`reader.analysis.document._drop_foreign_tags` had."""
    if "<" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        return " " if name and name.lower() in _FOREIGN_ELEMENTS else match.group()

    return _CODE_SPAN_OR_TAG.sub(replace, body)


_MARKUP = ["<", ">", "`", "``", "\n", "\n\n", "\n \n", " ", "a", "div", "EMBED", "b", "/",
           "noscript", "p", "x=1", "<embed src=x>", "</div>", "</", "<frame>", "`<b>`"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_MARKUP), max_size=40))
def test_dropping_foreign_tags_where_a_tag_can_start_equals_one_sub(pieces):
    body = "".join(pieces)
    assert _drop_foreign_tags(body) == _drop_foreign_tags_in_one_call(body)


def test_dropping_foreign_tags_of_real_policies_equals_one_sub(big_text):
    for text in _texts() + [big_text]:
        assert _drop_foreign_tags(text) == _drop_foreign_tags_in_one_call(text)


_WHITESPACE = ["\r", "\n", "\r\n", " ", "  ", "\t", "a", "b c", "\x02", "\x03", "\n \n", " \r"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WHITESPACE), max_size=60), st.integers(1, 5))
def test_markdown_whitespace_normalised_in_slices_as_by_markdown(pieces, lines_per_slice):
    converter = _markdown_converter()
    ours = converter.preprocessors["normalize_whitespace"]
    assert isinstance(ours, _NormalizeWhitespaceInSlices)
    lines = "".join(pieces).split("\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document, "_LINES_PER_SLICE", lines_per_slice)
        assert ours.run(lines) == NormalizeWhitespace(converter).run(lines)


def test_markdown_whitespace_of_real_policies_normalised_as_by_markdown(big_text):
    converter = _markdown_converter()
    for text in _texts() + [big_text, big_text.replace("\n", "\r\n")]:
        lines = text.split("\n")
        assert (converter.preprocessors["normalize_whitespace"].run(lines)
                == NormalizeWhitespace(converter).run(lines))
