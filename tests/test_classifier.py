"""The practice classifier: known sentences, spans, determinism, edge cases, CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reader.analysis.classifier import default_model, load_model, save_model
from reader.analysis.practices import analyze_policy, analyze_text
from reader.analysis.taxonomy import categories, category, practice_ids

KNOWN = [
    ("We use SSL encryption to protect your data", "data_security"),
    ("We may sell your information to advertisers", "third_party_sharing"),
    ("You may opt out of marketing emails", "user_choice"),
    ("We keep your data for 30 days", "data_retention"),
    ("We do not respond to Do Not Track signals", "do_not_track"),
    ("This site is not directed to children under 13", "international_audiences"),
]


@pytest.mark.parametrize(("sentence", "expected"), KNOWN)
def test_known_sentences(sentence, expected):
    analysis = analyze_text(sentence)
    assert expected in analysis.categories
    assert analysis.spans[0].category == expected
    assert analysis.scores[expected] == max(analysis.scores.values())


def test_taxonomy_has_ten_categories_with_distinct_colours():
    cats = categories()
    assert [c.id for c in cats] == [
        "first_party_collection", "third_party_sharing", "user_choice", "user_access",
        "data_retention", "data_security", "policy_change", "do_not_track",
        "international_audiences", "other",
    ]
    assert len({c.light for c in cats}) == 10 and len({c.dark for c in cats}) == 10
    assert all(c.explanation and c.name for c in cats)
    assert category("data_security").name == "Security"


def test_spans_lie_inside_the_text_and_cover_sentences():
    text = ("Welcome.\n\nWe collect your email address when you register.\n\n"
            "We share your email address with advertisers.\n\nBye.")
    analysis = analyze_text(text)
    assert analysis.spans
    for span in analysis.spans:
        assert 0 <= span.start < span.end <= len(text)
        passage = text[span.start:span.end]
        assert passage == passage.strip()
        assert set(span.categories) <= set(practice_ids())
    passages = {text[s.start:s.end]: s.categories for s in analysis.spans}
    assert passages == {
        "We collect your email address when you register.": ("first_party_collection",),
        "We share your email address with advertisers.": ("third_party_sharing",)}


def test_deterministic():
    text = "We use cookies and share data with partners. You can opt out."
    first = analyze_text(text)
    second = analyze_text(text)
    assert first.spans == second.spans and first.scores == second.scores
    assert np.array_equal(load_model().predict([text]), default_model().predict([text]))


def test_word_vector_block_is_a_weighted_mean_and_survives_a_round_trip(tmp_path):
    model = default_model()
    block = model.word_vectors
    assert block is not None and block.contributions.shape[0] == len(block.vocabulary)
    purged, records = block.vocabulary["purged"], block.vocabulary["records"]
    one, two, none = block.counted_contributions(
        np.array([0, 1, 1]), np.array([purged, purged, records]), np.array([1, 1, 1]), 3)
    assert np.allclose(one, block.contributions[purged], atol=1e-5)  # one word: its own
    idf_p, idf_r = block.idf[purged], block.idf[records]
    mean = (idf_p * block.contributions[purged] + idf_r * block.contributions[records]) / (
        idf_p + idf_r)
    assert np.allclose(two, mean, atol=1e-5)  # two words: their IDF-weighted mean
    assert not none.any()  # no word: nothing
    texts = ["We keep your data for 30 days.", "", "qqqzzz xxyyzz"]
    save_model(tmp_path / "model.npz", model)
    again = load_model(tmp_path / "model.npz")
    assert np.array_equal(again.predict(texts), model.predict(texts))
    # Text with no known word gets the bias alone from both blocks.
    empty, unknown = model.predict(["", "qqqzzz xxyyzz"])
    assert np.array_equal(empty, unknown)


def test_a_word_only_the_vectors_know_still_counts():
    model = default_model()
    assert "purged" in model.word_vectors.vocabulary and "purged" not in model.vocabulary
    retention = model.labels.index("data_retention")
    without, with_word = model.predict(["Old messages are.", "Old messages are purged."])
    assert with_word[retention] > without[retention] + 0.1


def test_empty_and_huge_input():
    empty = analyze_text("")
    assert empty.categories == [] and empty.spans == []
    assert set(empty.scores) == set(practice_ids())
    assert analyze_text("   \n\n  ").spans == []
    huge = ("We may share your information with advertisers and partners. " * 20 + "\n\n") * 500
    analysis = analyze_text(huge)
    assert "third_party_sharing" in analysis.categories
    assert len(analysis.spans) == 20 * 500
    assert analysis.spans[-1].end <= len(huge)


def test_demo_policy_has_every_practice(demo_corpus):
    from reader.sources.corpus import Corpus

    policy = Corpus.open(demo_corpus).load("northwind-books.example")
    analysis = analyze_policy(policy.body)
    assert set(analysis.categories) == set(practice_ids())
    counts = analysis.passage_counts()
    assert counts["do_not_track"] >= 1 and counts["data_retention"] >= 1
    texts = {analysis.passage_text(s): s.categories for s in analysis.passages("data_security")}
    assert "We use SSL encryption to protect your data when it travels over the internet." in texts


def _cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "reader", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_classify_jsonl_contract():
    lines = [json.dumps({"text": s}) for s, _ in KNOWN] + [json.dumps({"text": ""})]
    result = _cli("classify", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(lines)
    for (sentence, expected), output in zip(KNOWN, outputs, strict=False):
        assert expected in output["categories"]
        assert set(output["scores"]) == set(practice_ids())
        start, end, first = output["spans"][0]
        assert (start, end, first) == (0, len(sentence), expected)
    assert outputs[-1] == {"categories": [], "scores": outputs[-1]["scores"], "spans": [],
                           "facts": [], "does_not": [], "fact_notes": {}, "language": "en"}


def test_classify_jsonl_lists_every_category_of_a_sentence():
    text = "We do not respond to Do Not Track signals"
    expected = analyze_text(text).spans[0].categories
    result = _cli("classify", "--jsonl", stdin=json.dumps({"text": text}) + "\n")
    spans = json.loads(result.stdout)["spans"]
    assert [s[2] for s in spans] == list(expected)
    assert all(s[:2] == [0, len(text)] for s in spans)


def test_classify_jsonl_bad_line_exit_code():
    result = _cli("classify", "--jsonl", stdin='{"nope": 1}\n')
    assert result.returncode == 1  # some lines failed; each is answered (tests/test_cli.py)
    assert json.loads(result.stdout)["line"] == 1
    assert "1 input lines could not be classified" in result.stderr


def test_classify_domain():
    """The seed policy of BMT Micro: its encryption sentences are about security."""
    result = _cli("classify", "bmtmicro.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("bmtmicro.com: Privacy Policy\n")
    assert "Security" in result.stdout
    assert ("[data_security] Encryption ensures that no one can access or use personal "
            "information in an unauthorized manner.") in result.stdout


def test_short_lead_ins_are_not_highlighted_alone():
    text = "Account data. When you register we collect your email address and name."
    analysis = analyze_text(text)
    passages = [text[s.start:s.end] for s in analysis.spans]
    assert passages == ["When you register we collect your email address and name."]
    assert analyze_text("Opt out.").spans == []  # two words state no practice alone
    assert analyze_text("You may opt out.").spans  # a short paragraph still counts


def test_policy_words_serve_the_index_and_the_classifier():
    from reader.analysis.classifier import MAX_TOKENS, ngrams, tokenize
    from reader.analysis.practices import policy_categories, policy_words

    body = ("# Sharing Data\n\n"
            "We may sell your information to [advertisers](https://x.example/a).\n\n"
            "We use SSL encryption to protect your data.\n\n"
            "## Children\n\nThis site is not directed to children under 13.\n")
    words = policy_words(body)
    assert "https" not in words.words  # link targets are not words of the policy
    assert words.pairs == [f"{a} {b}" for a, b in zip(words.words, words.words[1:], strict=False)]
    assert len(words.paragraphs) == 3
    # a paragraph is read with its heading, as the classifier was trained
    second = words.paragraphs[1]
    assert sorted(words.ngrams(second)) == sorted(
        ngrams(tokenize("Sharing Data\nWe use SSL encryption to protect your data.")))
    categories = policy_categories(body)
    assert {"third_party_sharing", "data_security", "international_audiences"} <= set(categories)
    assert policy_categories(words) == categories
    long_body = "# Title\n\n" + "word " * (MAX_TOKENS + 50)
    long_words = policy_words(long_body)
    assert len(long_words.ngrams(long_words.paragraphs[0])) == 2 * MAX_TOKENS - 1


def test_a_stacked_sentence_model_gives_both_models_outputs(tmp_path):
    """The sentence model's two heads (within labelled paragraphs, among all sentences)
    share one vocabulary: one model, one prediction, each head as if alone."""
    pytest.importorskip("sklearn")
    from reader.analysis.practices import sentence_scores
    from reader.analysis.training import LABELS, TrainConfig, fit, stacked

    texts = ["We share your data with advertisers.", "We use SSL to protect your data.",
             "You can opt out of emails.", "We keep logs for 30 days.",
             "Advertisers receive your data.", "Encryption protects your data."] * 2
    labels = np.zeros((len(texts), len(LABELS)), dtype=np.int8)
    for row, k in enumerate([1, 5, 2, 4, 1, 5] * 2):
        labels[row, k] = 1
    labels[:, -1] = 1 - labels[:, :-1].max(axis=1)
    labels[0, 5] = labels[1, 1] = 1  # every label column has both values where it matters
    within_rows = np.ones_like(labels, dtype=bool)
    within_rows[:6, 1] = False  # the first head learns sharing from the last six only
    config = TrainConfig(min_df=1)
    within = fit(texts, labels, config, rows=within_rows)
    anywhere = fit(texts, labels, config)
    model = stacked(within, anywhere)
    save_model(tmp_path / "sentence.npz", model)
    again = load_model(tmp_path / "sentence.npz")
    probe = ["Your data goes to advertisers.", "qqq"]
    both = again.predict(probe)
    assert both.shape == (2, 2 * len(LABELS))
    assert np.allclose(both[:, :len(LABELS)], within.predict(probe), atol=2e-3)
    assert np.allclose(both[:, len(LABELS):], anywhere.predict(probe), atol=2e-3)
    paragraph = np.full((1, len(LABELS)), 0.5, dtype=np.float32)
    assert np.allclose(sentence_scores(both, paragraph),
                       both[:, :len(LABELS)] * 0.5 * np.sqrt(both[:, len(LABELS):]))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_analysis_runs_without_a_blas_thread_pool(embedded_corpus):
    """numpy's OpenBLAS thread pool can hang for good when several threads call it (the
    app's GUI thread and background analysis do): the app's process has none, whatever the
    environment asks for."""
    seed = sorted(embedded_corpus.glob("*.md"))[0]
    script = (
        "import os, sys\n"
        "from reader.analysis.practices import analyze_policy\n"
        "analysis = analyze_policy(open(sys.argv[1], encoding='utf-8').read())\n"
        "print(len(analysis.spans), len(os.listdir('/proc/self/task')))\n")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "4"}
    result = subprocess.run([sys.executable, "-c", script, str(seed)], capture_output=True,
                            text=True, env=env, timeout=120, check=True)
    spans, threads = map(int, result.stdout.split())
    assert spans > 0 and threads == 1
