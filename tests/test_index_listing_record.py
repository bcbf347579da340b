"""An index remembers the corpus listing it was brought up to date with: the next update
with the very same listing (a CLI search in a fresh process) has nothing to read; any
change to a file, or a failed policy, makes it look at every policy again. The CLI lists
the corpus from the listing kept under the data dir; ``index`` sees files edited in
place, and ``search`` never shows a hit from such a file's old text."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reader.cli import main
from reader.search.engine import CORPUS_RECORD, open_index
from reader.sources.corpus import Corpus

SEED_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, folder)
    return folder


@pytest.fixture(params=("whoosh", "tantivy"))
def engine(request) -> str:
    if request.param == "tantivy":
        pytest.importorskip("tantivy")
    return request.param


def _update(folder: Path, engine: str):
    policy_index = open_index(Corpus.open(folder), engine)
    try:
        return policy_index.update(workers=1), policy_index.folder
    finally:
        policy_index.close()


def _plan_refused(self):
    raise AssertionError("the index was read policy by policy")


def test_same_listing_needs_no_reading_of_the_index(corpus_copy, engine, monkeypatch):
    first, index_folder = _update(corpus_copy, engine)
    assert first.added == 5 and (index_folder / CORPUS_RECORD).exists()
    with monkeypatch.context() as patch:
        patch.setattr(type(open_index(Corpus.open(corpus_copy), engine)), "plan",
                      _plan_refused)
        again, _ = _update(corpus_copy, engine)
    assert (again.added, again.changed, again.deleted, again.unchanged) == (0, 0, 0, 5)


def test_a_changed_or_new_file_is_indexed(corpus_copy, engine):
    _update(corpus_copy, engine)
    edited = corpus_copy / "ipmart.com.md"
    edited.write_text(edited.read_text("utf-8") + "\n\nWe keep zanzibarite records.\n",
                      "utf-8")
    (corpus_copy / "newsite.com.md").write_text(
        "# Privacy Policy\n\nWe never sell quixotrix data.\n", "utf-8")
    report, _ = _update(corpus_copy, engine)
    assert (report.added, report.changed, report.unchanged) == (1, 1, 4)
    policy_index = open_index(Corpus.open(corpus_copy), engine)
    try:
        assert [h.domain for h in policy_index.search("zanzibarite").hits] == ["ipmart.com"]
        assert [h.domain for h in policy_index.search("quixotrix").hits] == ["newsite.com"]
    finally:
        policy_index.close()


def test_a_failed_policy_is_tried_again(corpus_copy, engine):
    (corpus_copy / "broken.com.md").write_bytes(b"\x00\x01binary\xff" * 50)
    first, index_folder = _update(corpus_copy, engine)
    if not first.failed:
        pytest.skip("the listing already leaves the broken file out")
    assert not (index_folder / CORPUS_RECORD).exists()
    again, _ = _update(corpus_copy, engine)
    assert again.failed  # looked at again, not skipped as up to date


def _edit_in_place(folder: Path, name: str, added: str) -> None:
    """Append to a file and leave its folder's time as it was, as an edit in place does."""
    edited = folder / name
    folder_time = folder.stat().st_mtime_ns
    edited.write_text(edited.read_text("utf-8") + added, "utf-8")
    os.utime(folder, ns=(folder_time, folder_time))


def _cli_hits(capsys, *args: str) -> list[str]:
    assert main(["search", *args, "--json"]) == 0
    return [hit["domain"] for hit in json.loads(capsys.readouterr().out)["hits"]]


def test_cli_search_never_shows_a_hit_from_a_file_edited_in_place_with_its_old_text(
        corpus_copy, capsys, monkeypatch):
    # A search trusts the kept listing while the folders are unchanged (checking every
    # file's size and time is a third of a search at 100,000 policies); it checks the
    # files of the hits it shows, and one edited in place makes it check every file,
    # bring the index up to date and search again.
    monkeypatch.setenv("PRIVACY_READER_ENGINE", "tantivy")
    pytest.importorskip("tantivy")
    assert "bettymills.com" in _cli_hits(capsys, "cookies", "--corpus", str(corpus_copy))
    listings = Path(os.environ["PRIVACY_READER_DATA"]) / "listings"
    assert list(listings.glob("listing-*.bin"))  # kept for the next search
    _edit_in_place(corpus_copy, "bettymills.com.md",
                   "\n\nOur vendor Glimmerquartz sets cookies.\n")
    assert main(["search", "cookies", "--corpus", str(corpus_copy), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    betty = next(hit for hit in found["hits"] if hit["domain"] == "bettymills.com")
    assert betty["match_count"] >= 1
    # the index was brought up to date before the hits were shown: the new word is found
    assert _cli_hits(capsys, "glimmerquartz", "--corpus", str(corpus_copy)) == [
        "bettymills.com"]


def test_the_index_command_sees_a_file_edited_in_place_after_the_listing_was_kept(
        corpus_copy, capsys, monkeypatch):
    monkeypatch.setenv("PRIVACY_READER_ENGINE", "tantivy")
    pytest.importorskip("tantivy")
    assert _cli_hits(capsys, "zanzibarite", "--corpus", str(corpus_copy)) == []
    _edit_in_place(corpus_copy, "ipmart.com.md", "\n\nWe keep zanzibarite records.\n")
    assert main(["index", "--corpus", str(corpus_copy)]) == 0
    assert "changed 1" in capsys.readouterr().out
    assert _cli_hits(capsys, "zanzibarite", "--corpus", str(corpus_copy)) == ["ipmart.com"]


def test_a_hit_without_word_matches_opens_with_the_policy_start_read_from_its_head():
    from reader.search.engine import policy_opening
    from reader.search.query import opening, snippet_text

    bodies = [path.read_text("utf-8") for path in sorted(SEED_CORPUS.glob("*.md"))]
    long_link = "[our partners](https://example.com/" + "x" * 5000 + ")"
    bodies += ["# Privacy\n\n" + "We _collect_ data. " * 2000,
               "Intro. " + long_link + " More words here. " * 3000,
               "short policy with [a link](https://example.com)"]
    for body in bodies:
        assert policy_opening(body) == opening(snippet_text(body))
