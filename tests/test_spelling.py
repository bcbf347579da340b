""""Did you mean": real corrections from the index's own words (Damerau edits, frequency,
and which words really follow each other)."""

from __future__ import annotations

import pytest

from reader.paths import embedded_corpus_dir
from reader.search.engine import ENGINES, SearchIndex, open_index
from reader.search.query import close_words, edit_distance, spelling_suggestion
from reader.sources.corpus import Corpus


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("thrid", "third", 1), ("thrid", "this", 2), ("recieve", "receive", 1),
    ("cokies", "cookies", 1), ("encryptoin", "encryption", 1), ("abc", "abc", 0),
    ("", "abc", 3), ("ca", "abc", 3),
])
def test_edit_distance_counts_a_swap_as_one(a, b, distance):
    assert edit_distance(a, b) == distance


def test_close_words_are_those_within_two_edits():
    # The compiled distance finds exactly the words edit_distance puts within two edits.
    import random

    rng = random.Random(7)
    words = ["".join(rng.choice("aeinrst") for _ in range(rng.randint(1, 9)))
             for _ in range(3000)] + ["third", "thrid", "this", "third"]
    for word in ["thrid", "rest", "a", "stare", "tinsel", ""]:
        expected = {w: edit_distance(word, w) for w in words
                    if w != word and edit_distance(word, w) <= 2}
        found = close_words(word, words)
        assert dict(found) == expected
        assert len(found) == len(expected)  # each word once


WORDS = {"third": 150, "this": 221, "party": 180, "personal": 200, "personnel": 40,
         "information": 220, "thid": 1, "cookies": 190, "amazon": 3}
PAIRS = {("third", "party"): 150, ("personal", "information"): 190,
         ("this", "party"): 0}


def suggest(text: str) -> str | None:
    def near(word: str) -> list[str]:
        return [w for w in WORDS if abs(len(w) - len(word)) <= 2]

    return spelling_suggestion(text, lambda w: WORDS.get(w, 0), near,
                               lambda a, b: PAIRS.get((a, b), 0))


@pytest.mark.parametrize(("query", "suggested"), [
    ("thrid party", "third party"),  # one swap beats the more common "this" (two edits)
    ('"thrid party"', '"third party"'),
    ("Thrid Party", "Third Party"),
    ("personel information", "personal information"),  # the pair that exists
    ("company:amazon thrid", "company:amazon third"),  # field values are left alone
    ("thrid OR cokies", "third OR cookies"),
    ("thi* cokies", "thi* cookies"),
])
def test_corrections(query, suggested):
    assert suggest(query) == suggested


def test_known_words_and_far_ones_get_no_suggestion():
    assert suggest("third party") is None
    assert suggest("zebra") is None
    assert suggest("category:thrid") is None


def test_a_rare_word_close_to_a_common_one_is_corrected():
    assert suggest("thid party") == "third party"  # "thid": one policy's typo


def built_index(folder, index_folder, engine: str) -> SearchIndex:
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    policy_index = open_index(Corpus.open(folder), engine, index_folder)
    policy_index.open()
    policy_index.update(workers=1)
    return policy_index


@pytest.fixture(scope="module", params=ENGINES)
def seed_index(tmp_path_factory, request):
    """The seed policies' index, in each engine (both make the same suggestions)."""
    policy_index = built_index(embedded_corpus_dir(), tmp_path_factory.mktemp("seed-index"),
                               request.param)
    yield policy_index
    policy_index.close()


@pytest.fixture(scope="module", params=ENGINES)
def shared_index(tmp_path_factory, request):
    from conftest import shared_folder

    policy_index = built_index(shared_folder("corpus"), tmp_path_factory.mktemp("shared-index"),
                               request.param)
    yield policy_index
    policy_index.close()


@pytest.mark.parametrize(("query", "suggested"), [
    ("thrid party", "third party"),
    ('"thrid party"', '"third party"'),
    ("encryptoin", "encryption"),
    ("cokies", "cookies"),
    ("privcy", "privacy"),
    ("recieve", "receive"),
    ("personel information", "personal information"),
    ("infromation", "information"),
])
def test_seed_corpus_suggestions(seed_index, query, suggested):
    results = seed_index.search(query)
    assert results.total == 0
    assert results.suggestion == suggested
    assert seed_index.search(suggested).total > 0


@pytest.mark.parametrize(("query", "suggested"), [
    ("thrid party", "third party"),
    ("advertisng partners", "advertising partners"),
    ("seperate", "separate"),
    ("adress", "address"),
    ("personel information", "personal information"),
    ("Thrid Party cookies", "Third Party cookies"),
])
def test_shared_corpus_suggestions(shared_index, query, suggested):
    results = shared_index.search(query)
    assert results.total == 0
    assert results.suggestion == suggested
    assert shared_index.search(suggested).total > 0


def test_tantivy_suggests_words_added_since_the_last_suggestion(tmp_path):
    # The words kept for suggestions are those of the index as it is now.
    pytest.importorskip("tantivy")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(embedded_corpus_dir().glob("*.md")):
        (folder / path.name).write_bytes(path.read_bytes())
    policy_index = built_index(folder, tmp_path / "index", "tantivy")
    try:
        assert policy_index.search("zebrra").suggestion is None
        (folder / "zoo.example.md").write_text(
            "# Zoo privacy\n\nThe zebra keeps your data for a year.\n", "utf-8")
        policy_index.corpus.rescan()
        policy_index.update(workers=1)
        assert policy_index.search("zebrra").suggestion == "zebra"
    finally:
        policy_index.close()


def test_the_app_offers_the_correction_as_a_link(make_window, qtbot):
    from conftest import wait_idle

    window = make_window()
    panel = window.search_panel
    panel.run("thrid party")
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == 0
    assert 'did you mean <a href="suggest:third party">third party</a>?' in panel.status.text()
    panel.status.linkActivated.emit("suggest:third party")
    wait_idle(qtbot, window)
    assert panel.field.text() == "third party"
    assert panel.model.rowCount() == panel.model.total > 0
    assert panel.status.text().startswith(f"{panel.model.total} policies match")
