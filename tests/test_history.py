"""Policy history: git and dated-file sources, sentence diffs, the history/diff commands."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import SHARED, clone_history_bundle, git

from reader.analysis.diff import Passage, VersionText, diff_versions
from reader.analysis.timeline import VersionStore, diff_history, timeline
from reader.cli import main
from reader.sources.corpus import Corpus, PolicyLoadError
from reader.sources.dated import dated_file
from reader.sources.history import CorpusHistory, GitHistory

HISTORY = SHARED / "history"
CORPUS_HISTORY = SHARED / "corpus-history"
POLICY = "example.com.md"

V1 = """# Privacy Policy

We collect your email address when you register an account.

We share your information with advertising partners for marketing purposes.

You can opt out of marketing emails at any time.
"""
V2 = V1.replace("advertising partners for marketing purposes",
                "advertising partners and data brokers for marketing purposes") + \
    "\nWe keep your personal data for five years after you close your account.\n"


def commit(repo: Path, files: dict[str, str | bytes], date: str) -> str:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"change on {date}", date=f"{date}T12:00:00+00:00")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A working copy with three versions of one policy (one dated by its header)."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {POLICY: V1}, "2019-03-01")
    commit(root, {POLICY: V2}, "2020-05-02")
    header = ("> *The following text is extracted and transformed from the example.com "
              "privacy policy that was archived on 2021-01-31. Please check the [original "
              "snapshot on the Wayback Machine](https://web.archive.org/x) for the most "
              "accurate reproduction.*\n\n")
    commit(root, {POLICY: header + V2 + "\nWe use encryption to protect your data.\n"},
           "2022-06-07")
    return root


def history_of(root: Path, name: str = "example.com"):
    return CorpusHistory(Corpus.open(root), use_cache=False).history(name)


def test_git_versions_are_commits_dated_by_header_or_author(repo):
    history = history_of(repo)
    assert [v.date for v in history.versions] == ["2019-03-01", "2020-05-02", "2021-01-31"]
    assert all(v.source == "git" for v in history.versions)
    assert history.load(history.versions[0]).body.startswith("We collect your email")
    assert history.problems == []


def test_version_counts_and_cache(repo, private_data_dir):
    counts = CorpusHistory(Corpus.open(repo)).version_counts()
    assert counts == {"example.com": 3}
    cached = list((private_data_dir / "history").glob("*.json"))
    assert len(cached) == 1
    # A new commit: the cache is extended, not rebuilt from scratch.
    commit(repo, {POLICY: V1}, "2023-01-01")
    assert CorpusHistory(Corpus.open(repo)).version_counts() == {"example.com": 4}


def test_rename_is_followed(repo):
    git(repo, "mv", POLICY, "renamed.com.md")
    git(repo, "commit", "-q", "-m", "rename", date="2023-02-02T00:00:00+00:00")
    history = history_of(repo, "renamed.com")
    assert len(history) == 4  # three before the rename, plus the rename commit itself
    assert history.versions[0].path == POLICY
    assert history.versions[-1].path == "renamed.com.md"


def test_reworded_rename_is_followed(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"a/old.md": V2}, "2020-01-01")
    (root / "a" / "old.md").unlink()
    commit(root, {"b/new.md": V2.replace("five years", "six years")}, "2020-02-02")
    history = history_of(root, "new")
    assert [v.path for v in history.versions] == ["a/old.md", "b/new.md"]


def test_two_versions_on_the_same_day(repo):
    commit(repo, {POLICY: V1}, "2024-04-04")
    commit(repo, {POLICY: V2}, "2024-04-04")
    history = history_of(repo)
    same_day = [v for v in history.versions if v.date == "2024-04-04"]
    assert len(same_day) == 2 and same_day[0].ref != same_day[1].ref
    assert history.find("2024-04-04") == same_day[1]  # a date names the day's last version
    assert history.find(same_day[0].ref[:8]) == same_day[0]
    assert same_day[0].label != same_day[1].label


def test_version_positions():
    """@1 is the oldest, @-1 the newest; @0 names none (it gave the oldest)."""
    from reader.sources.history import PolicyHistory, Version

    history = PolicyHistory("a.com", [Version(d, d, d) for d in ("2001-01-01", "2002-02-02")])
    assert history.find("@1").date == "2001-01-01" and history.find("@-1").date == "2002-02-02"
    for wanted in ("@0", "@3", "@-3", "@x"):
        with pytest.raises(KeyError, match="no version"):
            history.find(wanted)


def test_detached_head(repo):
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    second = git(repo, "rev-list", "HEAD").split()[1]
    git(repo, "checkout", "-q", "--detach", second)
    history = history_of(repo)
    assert [v.ref for v in history.versions] == [first, second]


def test_shallow_clone_says_so(repo, tmp_path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(shallow))
    source = CorpusHistory(Corpus.open(shallow), use_cache=False)
    assert any("shallow clone" in p for p in source.problems)
    history = source.history("example.com")
    assert len(history) == 2
    assert [v.date for v in history.versions] == ["2020-05-02", "2021-01-31"]


def test_file_without_commits_and_repository_without_commits(repo, tmp_path):
    (repo / "untracked.org.md").write_text(V1, "utf-8")
    history = history_of(repo, "untracked.org")
    assert len(history) == 1 and history.versions[0].source == "file"
    assert "no earlier versions" in history.problems[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "a.com.md").write_text(V1, "utf-8")
    source = CorpusHistory(Corpus.open(empty), use_cache=False)
    assert any("no commits" in p for p in source.problems)
    assert len(source.history("a.com")) == 1


def _object_path(repo: Path, oid: str) -> Path:
    return repo / ".git" / "objects" / oid[:2] / oid[2:]


def test_corrupt_blob_is_a_skipped_version(repo):
    history = history_of(repo)
    path = _object_path(repo, history.versions[0].blob)
    path.chmod(0o644)
    path.write_bytes(b"not a zlib stream")
    with pytest.raises(PolicyLoadError, match="cannot be read"):
        history.load(history.versions[0])
    points = timeline(history, VersionStore(repo.parent / "store"))
    assert "version skipped" in points[0].problem
    assert [p.counts is not None for p in points] == [False, True, True]


def test_corrupt_tree_gives_a_message_not_a_crash(repo):
    newest = git(repo, "rev-parse", "HEAD^{tree}").strip()
    path = _object_path(repo, newest)
    path.chmod(0o644)
    path.write_bytes(b"garbage")
    source = GitHistory.discover(repo, use_cache=False)
    assert source is not None
    assert any("cannot be read" in p for p in source.problems)


def test_a_policy_of_a_corrupt_repository_says_it_cannot_be_read(repo):
    """A damaged clone of the dating collection said 'no earlier versions (the file has no
    history in git ...)' for Bumble, and history/diff went on as if the policy had never
    changed; the reason is given instead."""
    path = _object_path(repo, git(repo, "rev-parse", "HEAD").strip())
    path.chmod(0o644)
    path.write_bytes(b"garbage")
    history = history_of(repo)
    assert len(history) == 1 and history.versions[0].source == "file"
    assert history.problems and all("cannot be read" in p for p in history.problems)
    assert not any("no earlier versions" in p for p in history.problems)
    assert history.problems[0].startswith("example.com: no versions could be read from git")


def test_binary_and_non_utf8_versions_are_skipped(repo):
    commit(repo, {POLICY: b"\x00\x01\x02binary\x00" * 10}, "2023-03-03")
    commit(repo, {POLICY: "Caf\xe9 policy".encode("latin-1")}, "2023-04-04")
    commit(repo, {POLICY: V1}, "2023-05-05")
    history = history_of(repo)
    points = timeline(history, VersionStore(repo.parent / "store"))
    problems = [p.problem for p in points if p.problem]
    assert len(points) == 6 and len(problems) == 2
    assert "binary" in problems[0] and "not UTF-8" in problems[1]


def test_dated_file_names():
    assert dated_file("facebook.com/2009-12-31.md").policy == "facebook.com"
    found = dated_file("Facebook/Privacy Policy/20040613_Facebook_PrivacyPolicy.md")
    assert found.policy == "Facebook/Privacy Policy" and found.date == "2004-06-13"
    assert dated_file("2009-12-31.md") is None
    assert dated_file("a/2009-13-31.md") is None
    assert dated_file("a/am/ama/amazon.com.md") is None


def test_dated_files_list_newest_and_are_versions(tmp_path):
    for date, text in [("2010-01-01", V1), ("2012-02-02", V2)]:
        path = tmp_path / "c" / "example.org" / f"{date}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    corpus = Corpus.open(tmp_path / "c")
    assert corpus.domains() == ["example.org"]
    assert corpus.entry("example.org").path.name == "2012-02-02.md"
    # No archive header: the list shows the date the newest file's name gives (was "-").
    assert corpus.load("example.org").archive_date == "2012-02-02"
    history = CorpusHistory(corpus).history("example.org")
    assert [v.date for v in history.versions] == ["2010-01-01", "2012-02-02"]
    assert CorpusHistory(corpus).version_counts() == {"example.org": 2}


def text_of(*passages: tuple[str, tuple[str, ...]]) -> VersionText:
    return VersionText(tuple(Passage(t, c) for t, c in passages), 10, {})


def test_diff_pairs_rewordings_as_changed():
    old = text_of(("Intro.", ()),
                  ("We share your data with advertising partners.", ("third_party_sharing",)),
                  ("We keep logs for a year.", ("data_retention",)),
                  ("Contact us by mail.", ()))
    new = text_of(("Intro.", ()),
                  ("We share your data with advertising partners and data brokers.",
                   ("third_party_sharing",)),
                  ("Contact us by mail.", ()),
                  ("You can delete your account in the settings.", ("user_access",)))
    diff = diff_versions(old, new, "2019-01-01", "2020-01-01")
    assert [(c.kind, c.categories) for c in diff.changes] == [
        ("changed", ("third_party_sharing",)), ("removed", ("data_retention",)),
        ("added", ("user_access",))]
    assert diff.summary() == ["Sharing with third parties: 1 passage changed",
                              "Access, edit, delete: 1 passage added",
                              "Retention: 1 passage removed"]


def test_diff_counts_unchanged_sentences_whose_categories_moved():
    """A sentence kept word for word but read with another practice moves the counts
    before/after: the summary says so instead of leaving them unexplained."""
    old = text_of(("Why and how we process your information:", ()),
                  ("We share your data with advertising partners.", ("third_party_sharing",)),
                  ("Contact us.", ("third_party_sharing",)))
    new = text_of(("Why and how we process your information:", ("third_party_sharing",)),
                  ("We share your data with advertising partners.", ("third_party_sharing",)),
                  ("Contact us.", ("user_access",)))
    diff = diff_versions(old, new, "2019-01-01", "2020-01-01")
    assert diff.changes == []
    assert diff.summary() == [
        "Sharing with third parties: 1 unchanged passage newly about it; "
        "1 unchanged passage no longer about it",
        "Access, edit, delete: 1 unchanged passage newly about it"]
    assert diff.to_json()["recategorised"] == [
        {"text": "Why and how we process your information:", "old_categories": [],
         "new_categories": ["third_party_sharing"]},
        {"text": "Contact us.", "old_categories": ["third_party_sharing"],
         "new_categories": ["user_access"]}]


def test_reworded_words_are_marked_and_nothing_is_dropped():
    """A changed passage marks the words taken out and put in (Facebook, 2026: "your chats
    with AI at Meta" -> "your chats with our features that are part of AI at Meta"); the
    runs join back to each text exactly."""
    from reader.analysis.diff import Change, word_changes
    from reader.output.diff_export import WORDS_PUT_IN, WORDS_TAKEN_OUT, change_html

    old = "About Thefacebook and the Information We Collect"
    new = "your chats with our features that are part of AI at Meta, and messages."
    assert word_changes(old, "The Information We Collect") == (
        [("About Thefacebook and the", True), (" Information We Collect", False)],
        [("The", True), (" Information We Collect", False)])
    old = "your chats with AI at Meta, and messages."
    old_runs, new_runs = word_changes(old, new)
    assert old_runs == [(old, False)]
    assert new_runs == [("your chats with ", False), ("our features that are part of", True),
                        (" AI at Meta, and messages.", False)]
    for text in ("", "  a  b ", "x"):
        runs = word_changes(text, "a c")
        assert "".join(t for t, _ in runs[0]) == text and "".join(t for t, _ in runs[1]) == "a c"
    shown = change_html(Change("changed", Passage("We share <data>."),
                               Passage("We sell <data>.")))
    assert f"We <span style='{WORDS_TAKEN_OUT}'>share</span> &lt;data" in shown
    assert f"We <span style='{WORDS_PUT_IN}'>sell</span> &lt;data" in shown
    assert "&lt;data&gt;." in shown


def test_diff_warns_when_a_version_is_not_in_english():
    """A switch from German to English reads as dozens of passages added: the summary
    says first that the German version's practices mean little."""
    german = text_of(*[("Wir erheben die Daten, die Sie uns geben, und wir geben sie nicht "
                        f"an Dritte weiter, wenn Sie nicht zustimmen ({i}).", ())
                       for i in range(10)])
    english = text_of(("We collect the data you give us.", ("first_party_collection",)))
    diff = diff_versions(german, english, "2022-09-20", "2022-10-19")
    assert diff.languages == ("de", "en")
    assert diff.summary()[0] == (
        "The 2022-09-20 version reads as German: its practices are likely incomplete or "
        "wrong (the models learnt from English policies).")
    assert diff.summary()[1] == "Collection & use: 1 passage added"
    assert diff.to_json()["languages"] == {"old": "de", "new": "en"}
    same = diff_versions(english, english, "a", "b")
    assert same.summary() == ["No differences in the text."]


def test_diff_of_real_analysis(repo):
    history = history_of(repo)
    diff = diff_history(history, history.versions[0], history.versions[1],
                        VersionStore(repo.parent / "store"))
    changed = diff.of_kind("changed")
    assert len(changed) == 1 and "data brokers" in changed[0].new.text
    assert "third_party_sharing" in changed[0].categories
    added = diff.of_kind("added")
    assert [a.new.text for a in added] == [
        "We keep your personal data for five years after you close your account."]
    assert "data_retention" in added[0].categories
    assert diff.of_kind("removed") == []
    assert diff.category_counts["data_retention"] == (0, 1)


def test_history_and_diff_commands(repo, capsys, tmp_path):
    assert main(["history", "example.com", "--corpus", str(repo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["company"] == "example.com"
    assert [v["date"] for v in data["versions"]] == ["2019-03-01", "2020-05-02", "2021-01-31"]
    assert data["versions"][0]["words"] == len(V1.split()) - 3  # the title is not body
    assert data["versions"][2]["categories"]["data_security"] == 1
    assert main(["diff", "example.com", "2019-03-01", "2020-05-02", "--corpus", str(repo),
                 "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert (diff["old"], diff["new"]) == ("2019-03-01", "2020-05-02")
    assert diff["changed"][0]["categories"][0] == "third_party_sharing"
    assert diff["added"][0]["categories"][0] == "data_retention"
    assert diff["category_counts"]["data_retention"] == {"old": 0, "new": 1}
    assert main(["diff", "example.com", "--corpus", str(repo)]) == 0  # the last two
    out = capsys.readouterr().out
    assert "2020-05-02" in out and "Security: 1 passage added" in out
    assert main(["diff", "example.com", "1999-01-01", "--corpus", str(repo)]) == 2
    assert "no version '1999-01-01'" in capsys.readouterr().err


def test_diff_pdf_has_summary_and_marks(repo, tmp_path):
    import pdfplumber

    out = tmp_path / "diff.pdf"
    assert main(["diff", "example.com", "@1", "@2", "--corpus", str(repo), "-o",
                 str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        colours = {tuple(round(c, 2) for c in r["non_stroking_color"] or ())
                   for page in pdf.pages for r in page.rects}
    assert "example.com: what changed" in text
    assert "Retention: 1 passage added" in text
    assert "data brokers" in text and "Changed" in text and "Added" in text
    assert (0.18, 0.49, 0.2) in colours  # the green edge of an added passage


# --- real data (skipped when ../shared is absent) ---------------------------------------

@pytest.fixture(scope="module")
def pga_clone(tmp_path_factory) -> Path:
    return clone_history_bundle("pga-versions.bundle", tmp_path_factory.mktemp("pga") / "pga")


def test_pga_table_cells_show_bullets_not_asterisks(pga_clone):
    """Lists written inside table cells (Spotify's rights table, 17 more documents of the
    bundle) read as bullets."""
    from reader.analysis.document import parse_policy

    policy = Corpus.open(pga_clone).load("Spotify")
    cells = [b.text for b in parse_policy(policy.body).blocks if b.tag in {"td", "th"}]
    lines = [line.strip() for cell in cells for line in cell.split("\n")]
    assert sum(line.startswith("\u2022 ") for line in lines) >= 10
    assert not [line for line in lines if line.startswith(("* ", "+ ", "- "))]
    assert "\u2022 through this Policy" in lines


def git_count(repo: Path, path: str, *options: str) -> int:
    out = subprocess.run(["git", "-C", str(repo), "log", *options, "--format=%H", "--",
                          path], check=True, capture_output=True, text=True).stdout
    return len(out.split())


def test_pga_version_counts_equal_git(pga_clone):
    source = GitHistory.discover(pga_clone, use_cache=False)
    assert source.problems == []
    counts = source.version_counts()
    assert len(counts) > 100
    for path in ["Facebook/Privacy Policy.md", "TikTok/Privacy Policy.md",
                 "LinkedIn/Privacy Policy.md", "README.md"]:
        assert counts[path] == git_count(pga_clone, path, "--follow"), path
    # git log --follow also follows *copies*: Instagram's policy, first recorded while
    # Facebook's stayed, is taken back into Facebook's file. Renames only are followed here,
    # so a company's history never holds another company's file.
    path = "Instagram/Privacy Policy.md"
    assert counts[path] == git_count(pga_clone, path) == 112
    assert git_count(pga_clone, path, "--follow") == 182
    versions = source.versions("Facebook/Privacy Policy.md")
    dates = [v.date for v in versions]
    assert dates == sorted(dates) and dates[0] == "2022-07-11"


def test_pga_known_facebook_change(pga_clone, capsys):
    history = CorpusHistory(Corpus.open(pga_clone)).history("Facebook")
    assert history.versions[-1].path == "Facebook/Privacy Policy.md"
    assert len(history) == git_count(pga_clone, "Facebook/Privacy Policy.md", "--follow")
    # 2026-02-25: "Public content ..." left the list of information Meta collects.
    assert main(["diff", "Facebook", "45b1fdc6", "630993e3", "--corpus", str(pga_clone),
                 "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert (diff["old"], diff["new"]) == ("2026-01-15", "2026-02-25")
    assert diff["added"] == [] and diff["changed"] == []
    assert len(diff["removed"]) == 1
    removed = diff["removed"][0]
    assert removed["text"].startswith("Public content you or others create or share")
    # The practice decision (reader.analysis.practices.decide) may give the passage more
    # than one category; collection comes first.
    assert removed["categories"][0] == "first_party_collection"
    counts = diff["category_counts"]["first_party_collection"]
    assert counts["old"] == counts["new"] + 1


def test_pga_facebook_summary_explains_the_sharing_count(pga_clone):
    """2026-07-24 -> 2026-08-22: passages about sharing fell from 739 to 320 while only
    additions were listed; the unchanged sentences read as sharing no more are counted.
    (801 before the headings in bold were read as headings, DECISION_VERSION 12.)"""
    history = CorpusHistory(Corpus.open(pga_clone)).history("Facebook")
    diff = diff_history(history, history.find("eb1bd1b"), history.find("e4da78f"))
    old, new = diff.category_counts["third_party_sharing"]
    assert (old, new) == (739, 320)
    tally = diff.by_category()["third_party_sharing"]
    assert tally["removed"] == tally["changed"] == 0  # the text lost no sharing passage
    moved = diff.recategorised_by_category()["third_party_sharing"]
    lost = moved["no longer"]
    assert lost > 400
    assert old + tally["added"] + moved["newly"] - lost == new  # the summary adds up
    line = next(s for s in diff.summary() if s.startswith("Sharing with third parties"))
    assert f"{lost} unchanged passages no longer about it" in line


def test_pga_tiktok_german_to_english_is_flagged(pga_clone):
    history = CorpusHistory(Corpus.open(pga_clone)).history("TikTok")
    diff = diff_history(history, history.find("24c54b32"), history.find("b7f33cab"))
    assert diff.languages == ("de", "en")
    assert diff.summary()[0].startswith("The 2022-09-20 version reads as German")


def test_dating_bundle_counts(tmp_path):
    target = clone_history_bundle("dating-versions.bundle", tmp_path / "dating")
    source = GitHistory.discover(target, use_cache=False)
    counts = source.version_counts()
    path = next(p for p in counts if p.startswith("Tinder/"))
    assert counts[path] == git_count(target, path)


def test_pga_v1_dated_files():
    root = HISTORY / "pga-v1"
    if not root.is_dir():
        pytest.skip("../shared/history/pga-v1 is not present")
    corpus = Corpus.open(root)
    source = CorpusHistory(corpus)
    counts = source.version_counts()
    assert counts["Facebook"] == 43  # Facebook/Privacy Policy/YYYYMMDD_*.md
    history = source.history("Facebook")
    dates = [v.date for v in history.versions]
    assert dates[0] == "2004-06-13" and dates == sorted(dates)
    assert corpus.entry("Facebook").path.name.startswith(dates[-1].replace("-", ""))
    assert corpus.load("Facebook").archive_date == "2021-11-14" == dates[-1]


def test_corpus_history_folder():
    if not CORPUS_HISTORY.is_dir():
        pytest.skip("../shared/corpus-history is not present")
    corpus = Corpus.open(CORPUS_HISTORY)
    assert len(corpus) == 12
    history = CorpusHistory(corpus).history("facebook.com")
    assert [v.date for v in history.versions] == ["2009-12-31", "2015-12-31"]


def test_file_name_not_utf8(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    name = os.fsdecode(b"caf\xe9.com.md")
    commit(root, {name: V1}, "2020-01-01")
    commit(root, {name: V2}, "2021-01-01")
    history = history_of(root, os.fsdecode(b"caf\xe9.com"))
    assert [v.date for v in history.versions] == ["2020-01-01", "2021-01-01"]
    assert "data brokers" in history.load(history.versions[1]).body


def test_version_from_sections_equals_whole_analysis(repo):
    from reader.analysis.diff import version_text
    from reader.analysis.timeline import analyze_body

    history = history_of(repo)
    store = VersionStore(repo.parent / "store")
    timeline(history, store)  # analyses each section once
    newest = history.versions[-1]
    assembled = store.text(history, newest)
    whole = version_text(analyze_body(history.load(newest).body))
    assert assembled.passages == whole.passages
    assert assembled.counts == whole.counts


def _decided_counts(body: str) -> dict[str, int]:
    """Passages per category as the one decision gives them for a whole version."""
    from reader.analysis.practices import analyze_policy
    from reader.analysis.taxonomy import practice_ids

    counted = analyze_policy(body).passage_counts()
    return {c: counted.get(c, 0) for c in practice_ids()}


def test_pga_chart_numbers_equal_the_decision(pga_clone, tmp_path):
    """The chart's cached, section-by-section numbers are those of decide() on each whole
    version: Facebook's policy (OTA markdown with setext headings and link cards that
    span blank lines) at a few versions, read cold and then from the cache."""
    history = CorpusHistory(Corpus.open(pga_clone)).history("Facebook")
    history.versions = [history.versions[i] for i in (0, 33, 34, -2, -1)]
    points = timeline(history, VersionStore(tmp_path / "store"))
    cached = timeline(history, VersionStore(tmp_path / "store"))
    for point, again in zip(points, cached, strict=True):
        body = history.read_body(point.version)
        assert point.counts == again.counts == _decided_counts(body), point.version.label
        assert point.words == again.words == history.load(point.version).word_count
    assert points[-1].counts["first_party_collection"] > 100
    # A diff after the chart assembles the versions from the analysed sections: the same
    # sentences with the same categories as the whole version's analysis.
    from reader.analysis.diff import version_text
    from reader.analysis.timeline import analyze_body

    store = VersionStore(tmp_path / "fresh")
    timeline(history, store)  # analyses each chunk (nothing cached in that folder)
    newest = history.versions[-1]
    assembled = store.text(history, newest)
    whole = version_text(analyze_body(history.read_body(newest)))
    assert assembled.passages == whole.passages
    assert assembled.counts == whole.counts == points[-1].counts


def _chart(history, folder: Path, workers: int, in_thread: bool = False, **options):
    """The timeline as the CLI computes it (main thread: workers forked) or as the
    History view does (a worker thread: workers forked from a fork server, or spawned)."""
    import threading

    found: list = []
    work = lambda: found.append(timeline(history, VersionStore(folder),  # noqa: E731
                                         workers=workers, **options))
    if in_thread:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    else:
        work()
    return found[0]


@pytest.mark.parametrize("in_thread", [False, True], ids=["forked", "fork-server"])
def test_pga_chart_in_worker_processes_equals_the_decision(pga_clone, tmp_path, monkeypatch,
                                                           in_thread):
    """Chunks analysed by worker processes (forked from the CLI; from the History view's
    thread, forked from a fork server that loaded the models, or spawned without one)
    give the numbers analysed here, which are decide()'s on each whole version; progress
    counts every version, in order."""
    from reader.analysis import timeline as timeline_module

    monkeypatch.setattr(timeline_module, "POOL_WORDS", 0)  # worker processes at once
    history = CorpusHistory(Corpus.open(pga_clone)).history("Facebook")
    history.versions = history.versions[-12:]
    here = _chart(history, tmp_path / "here", workers=1)
    progress: list[tuple[int, int]] = []
    pooled = _chart(history, tmp_path / "pool", workers=2, in_thread=in_thread,
                    progress=lambda done, total: progress.append((done, total)))
    assert [p.counts for p in pooled] == [p.counts for p in here]
    assert [p.words for p in pooled] == [p.words for p in here]
    assert progress == [(n, 12) for n in range(1, 13)]
    for point in (pooled[0], pooled[5], pooled[-1]):
        assert point.counts == _decided_counts(history.read_body(point.version))


def test_workers_of_a_thread_come_from_a_fork_server_with_the_models():
    """From a thread (the History window's) worker processes are not forked from this
    process (it runs Qt threads) but from a fork server that imports
    reader.analysis.warm_models first, which loads the models (spawned workers loaded them
    each, for every chart); from the main thread (the CLI) they are forked."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from reader.analysis import timeline as timeline_module
    from reader.analysis.warm_models import loaded_before_fork

    found = []
    thread = threading.Thread(target=lambda: found.append(timeline_module._pool_context()))
    thread.start()
    thread.join()
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert found[0].get_start_method() == "forkserver"
        from multiprocessing import forkserver

        assert forkserver._forkserver._preload_modules == ["reader.analysis.warm_models"]
        with ProcessPoolExecutor(1, found[0]) as pool:  # a worker: the model is loaded
            assert pool.submit(loaded_before_fork).result()
    else:
        assert found[0].get_start_method() == "spawn"
    assert timeline_module._pool_context().get_start_method() == "fork"


def test_workers_of_a_thread_in_the_app_bundle_are_spawned(monkeypatch):
    """A frozen program (the PyInstaller bundle) spawns the History window's workers, as its
    index build does (tests/test_bundle.py), rather than start a fork server."""
    import threading

    from reader.analysis import timeline as timeline_module

    monkeypatch.setattr(timeline_module.sys, "frozen", True, raising=False)
    found = []
    thread = threading.Thread(target=lambda: found.append(timeline_module._pool_context()))
    thread.start()
    thread.join()
    assert found[0].get_start_method() == "spawn"


def test_worker_processes_only_on_idle_cores(monkeypatch):
    """The chart uses a worker process per core unless the load average says the cores
    are crowded (more than 1.5 above their number), and the cores where there is no load
    average."""
    from reader.analysis import timeline as timeline_module

    monkeypatch.setattr(timeline_module.os, "cpu_count", lambda: 2)
    for load, expected in ((0.2, 2), (1.6, 2), (3.4, 2), (3.6, 1), (7.0, 1)):
        monkeypatch.setattr(timeline_module.os, "getloadavg", lambda load=load: (load, 0, 0))
        assert timeline_module._worker_count() == expected, load

    def no_load_average():
        raise OSError("no load average")

    monkeypatch.setattr(timeline_module.os, "getloadavg", no_load_average)
    assert timeline_module._worker_count() == 2


def test_chart_cancelled_with_worker_processes(pga_clone, tmp_path, monkeypatch):
    """Cancel stops the chart at once, worker processes or not; what was counted is kept
    and the next chart goes on from there."""
    from reader.analysis import timeline as timeline_module

    monkeypatch.setattr(timeline_module, "POOL_WORDS", 0)
    history = CorpusHistory(Corpus.open(pga_clone)).history("Facebook")
    history.versions = history.versions[-8:]
    points: list = []
    asked: list = []
    partial = _chart(history, tmp_path / "store", workers=2,
                     on_point=lambda index, point: points.append(index),
                     cancelled=lambda: asked.append(1) or len(asked) > 3)  # at the 4th
    assert len(partial) <= 3 and points == list(range(len(partial)))
    whole = _chart(history, tmp_path / "store", workers=2)
    assert [p.version for p in whole] == history.versions
    assert whole[-1].counts == _decided_counts(history.read_body(history.versions[-1]))


def test_pga_v1_chart_numbers_equal_the_decision(tmp_path):
    """Dated files converted from PDFs (wrapped lines re-joined over the whole policy)."""
    root = HISTORY / "pga-v1"
    if not root.is_dir():
        pytest.skip("../shared/history/pga-v1 is not present")
    history = CorpusHistory(Corpus.open(root)).history("Facebook")
    history.versions = [history.versions[i] for i in (0, len(history) // 2, -1)]
    for point in timeline(history, VersionStore(tmp_path / "store")):
        assert point.counts == _decided_counts(history.read_body(point.version))
        assert point.words == history.load(point.version).word_count  # summed by section


def test_section_counts_are_shared_between_versions(repo, tmp_path, monkeypatch):
    """A section met in an earlier version is not analysed again (nor after a restart)."""
    from reader.analysis import timeline as timeline_module

    analysed: list[str] = []
    real = timeline_module.analyze_body
    monkeypatch.setattr(timeline_module, "analyze_body",
                        lambda body: analysed.append(body) or real(body))
    history = history_of(repo)
    timeline(history, VersionStore(tmp_path / "store"))
    assert len(analysed) == len(set(analysed))  # each distinct section once
    analysed.clear()
    timeline(history, VersionStore(tmp_path / "store"))
    assert analysed == []


def test_chunk_counts_are_shared_between_versions(tmp_path, monkeypatch):
    """Versions that change one paragraph, or only a link's target, analyse only what
    changed; a setext heading is read with the chunk before it; raw HTML that may span
    blank lines keeps its section whole; every count equals decide() on the version."""
    from reader.analysis import timeline as timeline_module

    analysed: list[str] = []
    real = timeline_module.analyze_body
    monkeypatch.setattr(timeline_module, "analyze_body",
                        lambda body: analysed.append(body) or real(body))
    sections = [
        "## What we collect\n\nWe collect your email address and your [location]"
        "(https://example.com/a?x=1) when you use the app.\n\nWe keep it for two years.",
        "## Sharing\n\nWe share your data with advertising partners.\n\n"
        "Partners we work with\n---------------------\n\n"
        "We never sell your personal information to data brokers.",
        "## Security\n\n<div>\n\nWe use encryption to protect your data.\n\n</div>",
    ]
    versions = [sections,
                [sections[0].replace("two years", "three years"), *sections[1:]],
                [sections[0].replace("a?x=1", "b?y=2"), *sections[1:]]]
    root = tmp_path / "dated" / "example.com"
    root.mkdir(parents=True)
    for year, version in enumerate(versions, 2020):
        (root / f"{year}-01-01.md").write_text("\n\n".join(version) + "\n", "utf-8")
    history = history_of(tmp_path / "dated")
    points = timeline(history, VersionStore(tmp_path / "store"))
    for point in points:
        assert point.counts == _decided_counts(history.read_body(point.version))
    assert points[0].counts["third_party_sharing"] >= 1
    first, second, third = (timeline_module._units(s) for s in sections)
    assert [unit.split("\n\n")[1:] for _, unit in second] == [
        ["We share your data with advertising partners.",
         "Partners we work with\n---------------------"],
        ["We never sell your personal information to data brokers."]]
    assert third is None  # a <div> block: the section is analysed whole
    # A link whose text has a bracket keeps its target in the decision's words (the key).
    keys = [timeline_module._units(f"## A\n\nOur [Products{label}](https://x.example/{path})")
            [0][0] for label in ("", "\\[3\\]") for path in ("a", "b")]
    assert keys[0] == keys[1] and keys[2] != keys[3]
    # The first version: its chunks in one analysis and the HTML section whole; the
    # second: only the changed paragraph; the third (a link target changed): nothing.
    assert len(analysed) == 3
    assert "three years" in analysed[2] and "We collect" not in analysed[2]


def test_count_words_matches_token_rule():
    """The fast word count equals counting whitespace tokens that are not table rules."""
    import random
    import re

    from reader.sources.corpus import count_words

    furniture = re.compile(r"[|:\-]*\|[|:\-]*")
    rng = random.Random(7)
    texts = ["| Cookie | Purpose |\n|---|:---:|\n| _ga | analytics |", "a|b || -|- x", ""]
    texts += ["".join(rng.choice("|:- ab\n\t\u00a0\u2003x") for _ in range(rng.randint(0, 40)))
              for _ in range(2000)]
    for text in texts:
        expected = sum(1 for token in text.split() if not furniture.fullmatch(token))
        assert count_words(text) == expected, repr(text)


def test_quick_bound_on_wrapped_lines_changes_nothing(monkeypatch):
    """Re-joining wrapped lines is not tried where fewer than 3 paragraphs start in lower
    case (one regular expression says so): random bodies of paragraphs starting in lower
    case or not, after spaces, emphasis marks, Unicode spaces and runs of blank lines,
    come out of it as they come out of the whole step."""
    import random

    from reader.analysis import document

    rng = random.Random(14)
    pieces = ["we share data", "We share data.", "and with partners", "*and* more", "_or_ less",
              "** not this", "\u2003lower start", " \tlower", "- item", "1. item", "# Heading",
              "Page 3", "the end.", "x", "", "*", "_"]
    gaps = ["\n\n", "\n \n", "\n\t\n\n", "\n\u00a0\n", "\n", " ", "\n\n\n\n"]
    bodies = ["".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(rng.randint(0, 14)))
              for _ in range(3000)]
    quick = [document._rejoin_wrapped_lines(body) for body in bodies]
    monkeypatch.setattr(document, "_lower_starts", lambda body: 3)
    assert quick == [document._rejoin_wrapped_lines(body) for body in bodies]
    assert sum(q != body for q, body in zip(quick, bodies, strict=True)) > 100  # re-joined


def test_words_summed_by_section_equal_the_whole_count(tmp_path):
    """A version's words, counted once per distinct section, are the whole text's words:
    the cut into sections leaves out only blank lines (spaces, tabs, no-break spaces)."""
    import random

    from reader.analysis.timeline import sections
    from reader.sources.corpus import count_words

    store = VersionStore(tmp_path / "store")
    rng = random.Random(11)
    pieces = ["# Title", "## Sharing", "We share data.", "| a | b |\n|---|---|\n| 1 | 2 |",
              "- item one\n- item two", "|", "--", "word\u00a0word", "Setext\n======", ""]
    gaps = ["\n\n", "\n \n", "\n\t\n\n", "\n\u00a0\n", "\n", " "]
    for _ in range(500):
        body = "".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(rng.randint(0, 12)))
        assert store._words_and_content(body, sections(body))[0] == count_words(body), body


def test_markup_groups_close_where_the_joined_text_first_holds_its_markup():
    """A section's chunks are grouped while a link or tag is open: random chunks of
    brackets, tags and text come out as groups that join back into the section, each but
    the last holding the whole of its markup, and none closed before its last chunk (what
    _markup_inside says of the joined text, decided from the last mark of each chunk)."""
    import random

    from reader.analysis.timeline import _markup_groups, _markup_inside

    rng = random.Random(25)
    pieces = ["[a", "b]", "](x", ")", "<i", ">", "text", "[c](d)", "<b>e</b>", "] (", "x)"]
    for _ in range(3000):
        chunks = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
                  for _ in range(rng.randint(1, 8))]
        groups = _markup_groups(chunks)
        assert "\n\n".join(groups) == "\n\n".join(chunks)
        assert all(_markup_inside(group) for group in groups[:-1]), chunks
        start = 0
        for group in groups:
            size = group.count("\n\n") + 1
            assert not any(_markup_inside("\n\n".join(chunks[start:start + k]))
                           for k in range(1, size)), chunks
            start += size


def test_reading_shortcuts_equal_the_plain_steps_on_real_versions(pga_clone, tmp_path):
    """Versions are read with shortcuts: ftfy's check on the file's bytes, sections cut
    with a cheap test for headings and their chunks cut once, words counted and wrapped
    lines looked for per paragraph (function words too, per chunk or per group of chunks a
    link spans), each distinct paragraph once, or not at all where too few paragraphs
    start in lower case. On every other version of Facebook's
    policy in PGA v2 (and the newest), every third of TikTok's (some in German) and every
    pga-v1 file they give what the plain steps give."""
    from collections import Counter

    from reader.analysis import document
    from reader.analysis.timeline import (
        _CHUNK_BREAK,
        _function_word_hits,
        _is_heading_chunk,
        _markup_groups,
        _markup_inside,
        _section_chunks,
        _units,
        sections,
    )
    from reader.sources.corpus import count_words, decode_policy_bytes, parse_header
    from reader.sources.repair import _NEEDS_FTFY, needs_ftfy

    def plain_sections(body: str) -> list[str]:
        found: list[list[str]] = [[]]
        for chunk in _CHUNK_BREAK.split(body):
            if _is_heading_chunk(chunk) and found[-1]:
                found.append([])
            found[-1].append(chunk)
        return ["\n\n".join(part) for part in found if any(c.strip() for c in part)]

    def plain_wraps(body: str) -> int:
        chunks = document._BLANK_LINES.split(body)[0::2]
        prose = [document._is_prose(chunk) for chunk in chunks]
        return sum(1 for i in range(len(chunks) - 1)
                   if prose[i] and prose[i + 1]
                   and chunks[i].rstrip().rstrip("*_ ")[-1:] not in document._PARAGRAPH_STOP
                   and chunks[i + 1].lstrip().lstrip("*_")[:1].islower())

    source = CorpusHistory(Corpus.open(pga_clone))
    history = source.history("Facebook")
    files = {version.blob: history.read_bytes(version)
             for version in [*history.versions[::2], history.versions[-1]]}
    tiktok = source.history("TikTok")  # versions in German among them
    files.update({version.blob: tiktok.read_bytes(version) for version in tiktok.versions[::3]})
    v1 = HISTORY / "pga-v1"
    files.update({str(path): path.read_bytes() for path in sorted(v1.rglob("*.md"))})
    store = VersionStore(tmp_path / "store")
    plain_store, languages_store = VersionStore(tmp_path / "a"), VersionStore(tmp_path / "b")
    wrapped = alike = spanned = 0
    languages: set[str] = set()
    seen: set[str] = set()
    for name, data in files.items():
        text = data.decode("utf-8-sig")
        assert needs_ftfy(text, data) is (_NEEDS_FTFY.search(text) is not None), name
        body = parse_header(decode_policy_bytes(data, Path(name)))[1]
        chunked = _section_chunks(body)
        parts = sections(body)
        assert ["\n\n".join(part) for part in chunked] == parts == plain_sections(body), name
        chunks = [chunk for part in chunked for chunk in part]
        assert store._words_and_content(body, chunks)[0] == count_words(body), name
        assert store._words_and_content(body, chunked=(parts, chunked))[0] == \
            count_words(body), name  # (each distinct section added up once)
        languages.add(store._language(parts, chunked))
        assert languages_store._language(parts, chunked) == plain_store._language(parts), name
        for text, cut in ((body, None), *zip(parts, chunked, strict=True)):
            if text in seen:
                continue
            seen.add(text)
            if cut is not None:
                assert _CHUNK_BREAK.split(text) == cut, name
                assert _units(text, cut) == _units(text), name
                groups = _markup_groups(cut)
                by_group = sum((_function_word_hits(group) for group in groups), Counter())
                assert by_group == _function_word_hits(text), name
                alike += all(_markup_inside(chunk) for chunk in cut)
                spanned += len(groups) < len(cut)  # a link or tag spans chunks
            features = [document._wrap_features(chunk)
                        for chunk in document._BLANK_LINES.split(text)[0::2]]
            expected = plain_wraps(text)
            assert document._wraps(features) == expected, name
            assert document._lower_starts(text) >= expected, name  # its quick bound
            wrapped += expected >= 3
    assert len(files) > 240 and wrapped  # (pga-v1's PDF conversions have wrapped lines)
    assert alike > 900 and spanned > 50 and languages == {"en", "de"}


def test_unusable_data_folder_history_and_diff_still_work(repo, tmp_path, monkeypatch,
                                                          capsys):
    """A data folder that is a file: a clear warning, no cache, the same answers."""
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PRIVACY_READER_DATA", str(blocker))
    assert main(["history", "example.com", "--corpus", str(repo), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["versions"][-1]["categories"]["data_security"] >= 1
    assert f"the folder {blocker} cannot be used (it is a file, not a folder)" in captured.err
    assert "Traceback" not in captured.err
    assert main(["diff", "example.com", "--corpus", str(repo), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["added"]
    assert "not kept for next time" in captured.err
    store = VersionStore()
    assert store.folder is None and "it is a file" in store.problem
    source = GitHistory.discover(repo)
    assert any("not kept for next time" in p for p in source.problems)
    assert len(source.versions(POLICY)) == 3


def test_working_copy_without_checked_out_commits_says_how_to_read_it(repo):
    """A clone of a bundle whose HEAD is missing (dating-versions.bundle) checks out no
    file: the corpus is empty, and the message says which branch has the files."""
    from reader.ui.history_panel import history_summary

    git(repo, "checkout", "-q", "--orphan", "unborn")
    git(repo, "rm", "-rf", "-q", ".")
    source = CorpusHistory(Corpus.open(repo), use_cache=False)
    with pytest.raises(KeyError, match="no commits checked out.*branch main.*checkout main"):
        source.history("example.com")
    assert "checkout main" in history_summary(source)


def test_dating_bundle_cloned_without_branch_says_how_to_read_it(tmp_path, capsys):
    bundle = HISTORY / "dating-versions.bundle"
    if not bundle.is_file():
        pytest.skip("../shared/history is not present")
    clone = tmp_path / "dating"
    subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], capture_output=True)
    assert main(["history", "Bumble", "--corpus", str(clone)]) == 2
    err = capsys.readouterr().err
    assert "no commits checked out" in err and "origin/main" in err
    assert f'git -C "{clone.resolve()}" checkout main' in err
    # 'list' (and the window, below) said only "no .md, .markdown or .txt files found"
    assert main(["list", "--corpus", str(clone)]) == 0
    out = capsys.readouterr().out
    assert "no .md, .markdown or .txt files found; " in out and "checkout main" in out


def test_window_on_a_clone_with_nothing_checked_out_says_how_to_read_it(repo, make_window):
    git(repo, "checkout", "-q", "--orphan", "unborn")
    git(repo, "rm", "-rf", "-q", ".")
    window = make_window()
    assert not window.open_corpus(str(repo))
    assert window.last_error.startswith(f"{repo.resolve()} has no policy files")
    assert f'git -C "{repo.resolve()}" checkout main' in window.last_error
    assert window.corpus.root != repo.resolve()  # what was open stays open
