"""Lexicon terms (reader.analysis.lexicon): the phrases found, the same counts however the
words are grouped, and the paragraph model reading them in training and in the app alike."""

from __future__ import annotations

import numpy as np
from conftest import PROJECT

from reader.analysis.classifier import default_model, ngrams, tokenize
from reader.analysis.lexicon import (
    LEXICON_TERMS,
    lexicon_terms,
    paragraph_lexicon_counts,
    terms_of_counts,
    text_lexicon_counts,
)
from reader.analysis.practices import _lexicon_counts, _read_ranges, decide, policy_words
from reader.sources.corpus import read_policy


def terms(text: str) -> list[str]:
    return lexicon_terms(tokenize(text))


def test_each_lexicon_pools_its_wordings():
    assert terms("We retain your data for 30 days, then delete it.") == [
        "<duration>", "<retain>", "<retain>", "<duration+retain>"]
    assert terms("Logs are kept as long as it is reasonably necessary.") == [
        "<duration>", "<retain>", "<duration+retain>"]
    assert terms("for a limited time") == ["<duration>"]
    assert terms("records are de-identified after six months") == [
        "<duration>", "<retain>", "<duration+retain>"]
    assert terms("You may opt-out or unsubscribe in your preferences.") == ["<choice>"] * 3
    assert terms("You can access, update or correct your account.") == ["<access>"] * 4
    assert terms("We collect your name and email address.") == []
    assert terms("") == []


def test_a_phrase_never_crosses_from_one_text_into_the_next():
    assert text_lexicon_counts([["opt"], ["out"], ["opt", "out"]]).tolist() == [
        [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 1, 0]]
    # a heading's phrases count for each of its paragraphs, none across into them
    words = tokenize("Retention 30 days. We keep it. Opt out here")
    counts = paragraph_lexicon_counts(words, [(0, 1), (0, 1), (0, 0)], [(1, 3), (3, 6), (6, 9)])
    assert [terms_of_counts(row) for row in counts] == [
        ["<duration>", "<retain>", "<duration+retain>"], ["<retain>", "<retain>"],
        ["<choice>"]]


def test_policies_found_together_count_as_each_alone():
    bodies = [read_policy(path).body for path in sorted((PROJECT / "corpus").glob("*.md"))]
    policies = [policy_words(body) for body in bodies]
    together = _lexicon_counts(policies)
    for words, counts in zip(policies, together, strict=True):
        alone = paragraph_lexicon_counts(words.words, *_read_ranges(words))
        assert np.array_equal(counts, alone)
        assert counts.sum() > 0
        for paragraph, row in zip(words.paragraphs, counts, strict=True):
            extra = words.ngrams(paragraph, lexicon=True)[len(words.ngrams(paragraph)):]
            assert extra == terms_of_counts(row)


def test_the_paragraph_model_reads_the_lexicon_terms_as_it_was_trained():
    model = default_model()
    assert model.lexicon_ids is not None
    assert [model.vocabulary[t] for t in LEXICON_TERMS] == model.lexicon_ids.tolist()
    texts = ["We retain your information for 90 days after you close your account.",
             "You can opt out of marketing emails at any time.", "Hello there."]
    expected = model.predict_ngrams(
        [ngrams(tokenize(t)) + lexicon_terms(tokenize(t)) for t in texts])
    assert np.array_equal(model.predict(texts), expected)
    assert np.array_equal(model.predict(texts[:1]), expected[:1])  # rows are independent
    retention = model.labels.index("data_retention")
    assert expected[0, retention] >= model.thresholds[retention]


def test_a_retention_period_is_a_retention_passage_in_the_app():
    body = ("# How long we keep it\n\n"
            "Account records are purged eighteen months after the account is closed.\n")
    assert "data_retention" in decide(body).categories
