"""One policy's versions found by a walk along its path alone equal the whole walk's."""

from __future__ import annotations

from pathlib import Path

from conftest import clone_history_bundle
from test_history import V1, V2, commit, git

from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory, GitHistory, _walk_paths

V3 = V2 + "\nWe use encryption to protect your data.\n"
LONG = "\n".join(f"Paragraph {n}: we keep records of what you asked us for {n} days."
                 for n in range(40))


def assert_paths_walk_like_the_whole(root: Path) -> dict[str, list]:
    """Every path's changes walked alone equal those of the whole walk; returns those."""
    source = GitHistory.discover(root, use_cache=False)
    files = source.files
    assert files
    for path, changes in files.items():
        alone, problems = _walk_paths(source.repo, source.head, {path})
        assert alone[path] == changes, path
        assert problems == source.problems
    return files


def test_renames_deletions_and_merges_walked_alone_as_whole(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"a.com.md": V1, "c.com.md": V1, "d.com.md": V1, "x/x.md": LONG,
                  "f.com.md": V1, "t": V1}, "2020-01-01")
    commit(root, {"a.com.md": V2}, "2020-01-02")
    git(root, "mv", "a.com.md", "b.com.md")  # a rename, then a change under the new name
    git(root, "commit", "-q", "-m", "rename")
    commit(root, {"b.com.md": V3}, "2020-01-03")
    (root / "c.com.md").unlink()  # deleted, then added again: its history goes on
    commit(root, {}, "2020-01-04")
    commit(root, {"c.com.md": V2}, "2020-01-05")
    git(root, "mv", "d.com.md", "e.com.md")  # renamed, and a new file under the old name
    git(root, "commit", "-q", "-m", "rename d")
    commit(root, {"d.com.md": V3}, "2020-01-06")
    (root / "x" / "x.md").unlink()  # a chain of renames, one reworded, across folders
    commit(root, {"y/y.md": LONG + "\nOne more line.\n"}, "2020-01-07")
    git(root, "mv", "y/y.md", "z.md")
    git(root, "commit", "-q", "-m", "rename y")
    (root / "t").unlink()  # a file that becomes a folder
    commit(root, {"t/inner.md": V1}, "2020-01-08")
    git(root, "checkout", "-q", "-b", "side")  # a side branch merged back
    commit(root, {"f.com.md": V2, "side.md": V1}, "2020-01-09")
    git(root, "checkout", "-q", "main")
    commit(root, {"b.com.md": V1, "f.com.md": V3}, "2020-01-10")
    git(root, "merge", "-q", "-X", "theirs", "--no-edit", "side")
    files = assert_paths_walk_like_the_whole(root)
    assert [c[2] for c in files["b.com.md"]] == ["a.com.md", "a.com.md", "b.com.md",
                                                "b.com.md", "b.com.md"]
    assert len(files["c.com.md"]) == 2
    assert [c[2] for c in files["e.com.md"]] == ["d.com.md", "e.com.md"]
    assert [c[2] for c in files["d.com.md"]] == ["d.com.md"]
    assert [c[2] for c in files["z.md"]] == ["x/x.md", "y/y.md", "z.md"]
    # First, the side branch's, main's; the merge took the side branch's version: not a
    # change of its own.
    assert len(files["f.com.md"]) == 3
    assert "t" not in files  # moved into a folder of its own name, same text: followed
    assert [c[2] for c in files["t/inner.md"]] == ["t", "t/inner.md"]


def test_one_policy_is_listed_without_walking_every_file(tmp_path, monkeypatch):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"a.com.md": V1, "b.com.md": V1}, "2020-01-01")
    commit(root, {"a.com.md": V2}, "2020-02-02")
    commit(root, {"b.com.md": V2}, "2020-03-03")
    source = CorpusHistory(Corpus.open(root))
    history = source.history("a.com")
    assert [v.date for v in history.versions] == ["2020-01-01", "2020-02-02"]
    assert source.git._files is None  # the other files' changes were not walked
    assert source.version_counts() == {"a.com": 2, "b.com": 2}
    # The whole walk was kept: the next opening reads it, nothing is walked.
    monkeypatch.setattr("reader.sources.history._walk", None)
    again = CorpusHistory(Corpus.open(root))
    assert again.git._files is not None and len(again.history("b.com")) == 2


def test_pga_policies_walked_alone_as_whole(tmp_path):
    target = clone_history_bundle("pga-versions.bundle", tmp_path / "pga")
    source = GitHistory.discover(target, use_cache=False)
    files = source.files
    paths = sorted(p for p in files if p.endswith("/Privacy Policy.md"))
    assert len(paths) >= 20
    alone, problems = _walk_paths(source.repo, source.head, set(paths) | {"README.md"})
    assert problems == []
    for path in [*paths, "README.md"]:
        assert alone[path] == files[path], path
    facebook = CorpusHistory(Corpus.open(target), use_cache=False).history("Facebook")
    assert len(facebook) == len(files["Facebook/Privacy Policy.md"]) == 492
