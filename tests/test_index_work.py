"""The faster per-policy work of an index build (issue 16: build 100,000 policies in 5
minutes on 2 cores) gives exactly what the plain way gave: the same sentence cuts, the
same markup dropped, the same term numbers and counts for both classifiers, the same
index documents and decisions when several policies are decided together."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import PROJECT, SHARED_CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.analysis.classifier import (
    MAX_TOKENS,
    JointTerms,
    counted_terms,
    default_model,
    joint_terms,
)
from reader.analysis.facts import default_facts_model
from reader.analysis.practices import (
    _ASCII_NOT_WORD,
    _SENTENCE_BREAK,
    PolicyWords,
    _add_sentences,
    _paragraph_terms,
    _sentence_terms,
    decide,
    decide_policies,
    policy_words,
)
from reader.analysis.segment import _SENTENCE_END
from reader.search.engine import close_inherited_locks
from reader.search.index import policy_document, policy_documents
from reader.search.query import _MARKUP, has_markup, index_text


def _bodies() -> list[str]:
    paths = sorted((PROJECT / "corpus").glob("*.md"))
    if SHARED_CORPUS.is_dir():
        paths += sorted(SHARED_CORPUS.rglob("*.md"))
    return [path.read_text("utf-8") for path in paths]


def _old_breaks(text: str) -> list[tuple[int, int, bool]]:
    return [(m.start(), m.end(), bool(m.group().strip("\n")))
            for m in _SENTENCE_END.finditer(text)]


def _new_breaks(text: str) -> list[tuple[int, int, bool]]:
    found = []
    for match in _SENTENCE_BREAK.finditer(text):
        text_found = match.group()
        mark = text_found[0] != "\n"
        found.append((match.start() + mark, match.end(),
                      bool(text_found[mark:].strip("\n"))))
    return found


_TRICKY = ["", ".", "a. B", "a.\nB", "a.\n\nB", "e.g. The", "U.S. Army", '"Yes." He',
           "Done!) (Next", "What?  [1] x", ".. . B", "a.\t\u00a0B", "end.\n", "\n\n\n",
           "x.” “Y", "1. 2. 3. A", "No. 5", "Mr. X. Y", "a!?! B", "wait...\nNext"]


@pytest.mark.parametrize("text", _TRICKY)
def test_sentence_breaks_are_segments(text):
    assert _new_breaks(text) == _old_breaks(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB1 .!?\n\"')]”’“([•·-\t_")), max_size=60))
def test_sentence_breaks_match_on_any_text(text):
    assert _new_breaks(text) == _old_breaks(text)


def test_sentence_breaks_match_on_real_policies():
    for body in _bodies():
        assert _new_breaks(body) == _old_breaks(body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a1 #>-*+.\n\t[]()<>!_\u00a0٣")), max_size=40))
def test_text_without_markup_needs_no_substitution(text):
    if not has_markup(text):
        assert _MARKUP.search(text) is None


@pytest.mark.parametrize("text", ["plain words", "two\nlines", "# heading", "- item",
                                  "a\n- item", "a\n\nb", "a\n 1. b", "see [x](y)", "a <b>",
                                  "\u00a0# x", "a\n\u00a0x", "٣. arabic digit", "a\n"])
def test_markup_check_never_misses_a_match(text):
    assert has_markup(text) or _MARKUP.search(text) is None
    assert index_text(text) == _MARKUP.sub(lambda m: f" {m.group(1) or ''} ", text)


def _words(paragraphs: list[tuple[int, int, int, int]], count: int) -> PolicyWords:
    vocabulary = [w for w in default_model().vocabulary if "<" not in w][:400] + [
        "zzqx", "qqzy", "retain", "30", "days", "as", "long", "necessary", "opt", "out"]
    rng = np.random.default_rng(7)
    words = [vocabulary[i] for i in rng.integers(0, len(vocabulary), count)]
    return PolicyWords(words, paragraphs, [(0, count)])


def _check_paragraph_terms(words: PolicyWords) -> None:
    model, facts = default_model(), default_facts_model().classifier
    joint = joint_terms(model, facts)
    word_ids = joint.words(words.words)
    pair_ids = joint.pairs(word_ids[:-1], word_ids[1:])
    assert model.lexicon_ids is not None  # the paragraph model reads lexicon terms too
    got = _paragraph_terms(words, word_ids, pair_ids, joint, model.lexicon_ids)
    grams = [words.ngrams(p, lexicon=True) for p in words.paragraphs]
    expected = counted_terms(grams, model._terms)
    for ours, plain in zip(got, expected, strict=True):
        assert np.array_equal(ours, plain)
    assert np.array_equal(model.predict_counted(*got, len(words.paragraphs)),
                          model.predict_ngrams(grams))


@pytest.mark.parametrize("paragraphs", [
    [(0, 0, 0, 50)],  # no heading
    [(0, 5, 5, 40), (0, 5, 40, 90)],  # a heading and its paragraphs, one not next to it
    [(0, 5, 12, 40)],  # a heading not followed by its paragraph
    [(0, 1, 1, 2), (0, 1, 2, 3)],  # one-word heading and paragraphs
    [(0, 10, 10, MAX_TOKENS + 500)],  # longer than MAX_TOKENS with its heading
    [(0, 10, 10, MAX_TOKENS - 10), (0, 10, MAX_TOKENS - 10, MAX_TOKENS + 2)],  # exactly
    [(0, MAX_TOKENS + 20, MAX_TOKENS + 20, MAX_TOKENS + 60)],  # a heading that long
])
def test_paragraph_terms_equal_the_classifiers_ngrams(paragraphs):
    _check_paragraph_terms(_words(paragraphs, max(p[3] for p in paragraphs)))


def test_paragraph_and_sentence_terms_on_real_policies():
    model, facts = default_model(), default_facts_model().classifier
    joint = joint_terms(model, facts)
    assert joint_terms(model, facts) is joint  # made once per process
    for body in _bodies()[:60]:
        words = policy_words(body)
        _check_paragraph_terms(words)
        word_ids = joint.words(words.words)
        pair_ids = joint.pairs(word_ids[:-1], word_ids[1:])
        for number, model_of in enumerate((model, facts)):
            assert np.array_equal(joint.numbers(word_ids, number),
                                  model_of.term_ids(words.words))
            assert np.array_equal(joint.numbers(pair_ids, number),
                                  model_of.term_ids(words.pairs))
        got = _sentence_terms(words, joint.numbers(word_ids, 1), joint.numbers(pair_ids, 1))
        expected = counted_terms([words.sentence_ngrams(s) for s in words.sentences],
                                 facts._terms)
        for ours, plain in zip(got, expected, strict=True):
            assert np.array_equal(ours, plain)


def test_joint_terms_of_pairs_only_known_ones():
    model = default_model()
    joint = JointTerms([model])
    known_pair = next(term for term in model._terms if " " in term)
    first, second = known_pair.split(" ")
    ids = joint.words([first, second, "zzqxnotaword", first])
    pairs = joint.pairs(ids[:-1], ids[1:])
    assert joint.numbers(pairs, 0).tolist() == [model._terms[known_pair], -1, -1]
    assert JointTerms([]).pairs(np.asarray([1]), np.asarray([2])).tolist() == [-1]


def test_policies_decided_together_as_one_by_one(tmp_path):
    paths = sorted((PROJECT / "corpus").glob("*.md"))
    if SHARED_CORPUS.is_dir():
        paths += sorted(SHARED_CORPUS.rglob("*.md"))[:40]
    empty = tmp_path / "empty.md"
    empty.write_text("> *note*\n\n# Title only\n", "utf-8")  # no paragraphs, no sentences
    readings = [(str(p), p.name[:-3], None, "Privacy Policy") for p in paths]
    readings[3:3] = [(str(tmp_path / "missing.md"), "missing"), (str(empty), "empty")]
    for counted in (False, True):
        together = policy_documents(readings[:9], counted) + policy_documents(readings[9:],
                                                                              counted)
        alone = [policy_document(*reading, counted=counted) for reading in readings]
        assert [repr(d) for d in together] == [repr(d) for d in alone]
    assert "error" in alone[3] and alone[4]["category"] == ""
    words = [policy_words(p.read_text("utf-8")) for p in paths[:12]]
    for analysis, one in zip(decide_policies(words), words, strict=True):
        single = decide(one)
        assert (analysis.categories, analysis.scores, analysis.facts, analysis.paragraph_counts,
                analysis.fact_scores) == (single.categories, single.scores, single.facts,
                                          single.paragraph_counts, single.fact_scores)


def test_ascii_paragraphs_split_into_the_same_words():
    assert all((bytes([code]).translate(_ASCII_NOT_WORD) != b" ")
               == bool(re.fullmatch(r"\w", chr(code))) for code in range(128))
    for text in ["We collect e-mail_addresses, IP's & 3rd-party data. Then: more!",
                 "a\tb\x0bc\x1fd", "x" * 50 + ".Y z", "snake_case __init__ 42"] + _bodies()[:30]:
        # a non-ASCII non-word character at the end takes the regular expression's path
        ascii_words, other = policy_words(text), policy_words(text + " \u2019")
        assert ascii_words.words == other.words
        assert ascii_words.sentences == other.sentences


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_any_ascii_text_splits_into_the_same_words(text):
    # The paragraph splitter itself, given each path: through policy_words the added
    # character may change the markdown ("0." alone is text, "0. \u2019" a list item).
    ascii_words: list[str] = []
    ascii_sentences: list[tuple[int, int]] = []
    _add_sentences(text, ascii_words, ascii_sentences)
    other_words: list[str] = []
    other_sentences: list[tuple[int, int]] = []
    _add_sentences(text + " \u2019", other_words, other_sentences)
    assert (ascii_words, ascii_sentences) == (other_words, other_sentences)


def test_joint_terms_skip_terms_that_no_pair_of_words_can_be():
    class Terms:  # a model's term table only
        _terms = {"a b": 0, "a": 1, "x  y": 2, " z": 3, "c d e": 4, "c d": 5}

    joint = JointTerms([Terms()])
    ids = joint.words(["a", "b", "c", "d", "z", "x", "y"])
    assert joint.numbers(joint.pairs(ids[:-1], ids[1:]), 0).tolist() == [0, -1, 5, -1, -1, -1]
    assert joint.numbers(ids, 0).tolist()[:1] == [1]


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_forked_workers_do_not_keep_the_index_lock(tmp_path):
    """A worker forked while tantivy holds its meta lock (flock on an open file) closes
    its copy: the lock is free again once the parent closes its own."""
    lock = tmp_path / ".tantivy-meta.lock"
    held = os.open(lock, os.O_WRONLY | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context, initializer=close_inherited_locks) as pool:
        assert pool.submit(_fd_open, held).result() is False
        os.close(held)  # tantivy lets the lock go by closing the file
        again = os.open(lock, os.O_WRONLY)
        fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no worker holds it
        os.close(again)
