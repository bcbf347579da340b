"""Versions that go back to an earlier text byte for byte: archives often record a page in
two forms in turn (Finya's privacy policy in the dating bundle alternates between two
texts in 77 of its 81 versions). The history table, ``history --json`` and the History
window say so, so that a change undone by the next version is not read as a change of
policy."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import clone_history_bundle
from test_history import commit, git
from test_history_languages import open_dialog

from reader.cli import main
from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory, repeated_text_note

A = "# Privacy Policy\n\nWe collect your email address to send you our newsletter.\n"
B = "# Privacy Policy\n\nWe collect your email address and share it with partners.\n"
C = "# Privacy Policy\n\nWe collect your phone number to confirm your account.\n"


def alternating_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for text, date in [(A, "2020-01-01"), (B, "2020-02-01"), (A, "2020-03-01"),
                       (B, "2020-04-01"), (C, "2020-05-01"), (A, "2020-06-01")]:
        commit(root, {"example.com.md": text}, date)
    return root


def test_versions_back_at_an_earlier_text_are_found_and_said(tmp_path, capsys):
    root = alternating_repo(tmp_path)
    history = CorpusHistory(Corpus.open(root)).history("example.com")
    same = history.earlier_same_text()
    assert same == [None, None, 0, 1, None, 0]
    note = repeated_text_note(same)
    assert note.startswith("3 of 6 versions repeat an earlier version's text byte for byte "
                           "(3 distinct texts): the archive recorded the page in more than "
                           "one form in turn")
    assert repeated_text_note([None, None]) is None
    assert repeated_text_note([None, None, 0]) == (
        "1 of 3 versions goes back to an earlier version's text byte for byte: the change "
        "before it was undone.")
    assert main(["--corpus", str(root), "history", "example.com", "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    labels = [v.label for v in history.versions]
    assert [v["same_text_as"] for v in versions] == [None, None, labels[0], labels[1], None,
                                                     labels[0]]
    assert main(["--corpus", str(root), "history", "example.com"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line[:4] == "2020"]
    assert rows[2].endswith(f"  = {labels[0]}") and rows[1].endswith("en")
    assert any(line.startswith("= (marked =) 3 of 6 versions repeat") for line in out)


def test_dated_files_are_compared_by_their_bytes(tmp_path):
    folder = tmp_path / "example.com"
    folder.mkdir()
    for text, date in [(A, "2020-01-01"), (B, "2021-01-01"), (A, "2022-01-01")]:
        (folder / f"{date}.md").write_text(text, "utf-8")
    history = CorpusHistory(Corpus.open(tmp_path)).history("example.com")
    assert history.earlier_same_text() == [None, None, 0]


def test_history_window_says_the_archive_alternates(qtbot, tmp_path):
    dialog = open_dialog(qtbot, alternating_repo(tmp_path), "example.com")
    assert dialog.repeats.isVisible()
    assert dialog.repeats.text().startswith("3 of 6 versions repeat an earlier version's text")
    dialog.close()
    dialog.pool.waitForDone()


def test_finya_alternates_between_texts(tmp_path, capsys):
    """The dating bundle's Finya: 81 versions, 4 distinct texts (the chart's saw-tooth is the
    archive's, not the company's)."""
    root = clone_history_bundle("dating-versions.bundle", tmp_path / "dating")
    history = CorpusHistory(Corpus.open(root)).history("Finya")
    same = history.earlier_same_text()
    assert len(same) == 81 and sum(1 for s in same if s is not None) == 77
    assert "(4 distinct texts)" in repeated_text_note(same)


def test_a_diff_says_when_a_version_is_an_earlier_one_again(tmp_path, capsys):
    """The diff's "what changed" (CLI, window, PDF, JSON) says when a compared version is
    an earlier version's text again."""
    from reader.analysis.timeline import VersionStore, diff_history

    root = alternating_repo(tmp_path)
    history = CorpusHistory(Corpus.open(root)).history("example.com")
    versions = history.versions
    diff = diff_history(history, versions[3], versions[4], VersionStore(tmp_path / "store"))
    assert diff.same_text_as == ("2020-02-01", None)
    assert diff.summary()[0] == (
        "The 2020-04-01 version is the 2020-02-01 version again, byte for byte: the archive "
        "recorded the page in more than one form in turn (going back is not a change of "
        "policy).")
    assert any("passage" in line for line in diff.summary()[1:])  # and what changed
    # comparing a version with the very text it repeats says nothing more about it
    back = diff_history(history, versions[0], versions[2], VersionStore(tmp_path / "store"))
    assert back.same_text_notes() == []
    assert main(["--corpus", str(root), "diff", "example.com", "2020-04-01", "2020-05-01",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["same_text_as"] == {"old": "2020-02-01",
                                                                   "new": None}


def test_dated_files_are_read_once_for_the_window_and_every_diff(tmp_path, monkeypatch):
    """The answer is kept while the versions are the same (the History window and each
    diff ask): dated files are read once, and again only when the versions change."""
    from reader.sources.history import PolicyHistory

    folder = tmp_path / "example.com"
    folder.mkdir()
    for text, date in [(A, "2020-01-01"), (B, "2021-01-01"), (A, "2022-01-01")]:
        (folder / f"{date}.md").write_text(text, "utf-8")
    history = CorpusHistory(Corpus.open(tmp_path)).history("example.com")
    reads: list[str] = []
    read_bytes = PolicyHistory.read_bytes
    monkeypatch.setattr(PolicyHistory, "read_bytes",
                        lambda self, version: reads.append(version.ref)
                        or read_bytes(self, version))
    assert history.earlier_same_text() == history.earlier_same_text() == [None, None, 0]
    assert len(reads) == 3
    history.versions = history.versions[1:]
    assert history.earlier_same_text() == [None, None]
    assert len(reads) == 5
