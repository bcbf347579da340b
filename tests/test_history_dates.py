"""A policy file without an archive header in a git working copy (every Open Terms Archive
collection) is dated by its newest version, as ``privacy-reader history`` dates it, in
every view: the company list, the CLI, the PDF, the search index's ``date`` and ``year:``."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from conftest import clone_history_bundle, git, wait_idle

from reader.cli import main
from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy
from reader.search.engine import open_index
from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory
from reader.ui.models import DateRole

HEADERLESS = """# Example Privacy Policy

We collect your email address when you register an account.

We share your information with advertising partners for marketing purposes.
"""


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A git working copy in Open Terms Archive layout: one headerless policy, two
    versions (the newer one committed at 23:30 in UTC-5, the next day in UTC)."""
    root = tmp_path / "collection"
    (root / "Example").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    policy = root / "Example" / "Privacy Policy.md"
    for text, date in ((HEADERLESS, "2019-03-01T12:00:00+00:00"),
                       (HEADERLESS + "\nWe keep your data for five years.\n",
                        "2021-06-01T23:30:00-05:00")):
        policy.write_text(text, "utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "change", date=date)
    return root


def pdf_text(policy, out: Path) -> str:
    write_pdf(HighlightedPolicy.of(policy), out)
    with pdfplumber.open(out) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def assert_dated_everywhere(root: Path, key: str, date: str, tmp_path: Path, capsys) -> None:
    """``key``'s date is ``date`` when loaded, listed, exported and indexed."""
    corpus = Corpus.open(root)
    policy = corpus.load(key)
    assert policy.archive_date == date and policy.year == int(date[:4])
    assert main(["list", "--corpus", str(root)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith(key + " "))
    assert line.split()[len(key.split())] == date
    assert f"Archived {date}" in pdf_text(policy, tmp_path / "policy.pdf")
    index = open_index(corpus, "whoosh")
    index.open()
    try:
        index.update(workers=1)
        assert index.metadata()[key]["date"] == date
        assert key in {hit.domain for hit in index.search(f"year:{date[:4]}").hits}
        assert key not in {hit.domain for hit in index.search("year:2000").hits}
    finally:
        index.close()


def test_headerless_git_policy_is_dated_by_its_newest_commit(collection, tmp_path, capsys):
    history = CorpusHistory(Corpus.open(collection)).history("Example")
    assert [v.date for v in history.versions] == ["2019-03-01", "2021-06-01"]
    assert_dated_everywhere(collection, "Example", "2021-06-01", tmp_path, capsys)


def test_headerless_file_outside_git_stays_undated(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "example.com.md").write_text(HEADERLESS, "utf-8")
    assert Corpus.open(tmp_path / "plain").load("example.com").archive_date is None


@pytest.fixture(scope="module")
def pga_clone(tmp_path_factory) -> Path:
    return clone_history_bundle("pga-versions.bundle", tmp_path_factory.mktemp("pga") / "pga")


def test_pga_headerless_policy_dated_by_its_newest_version(pga_clone, tmp_path, capsys):
    """TikTok's folder of the PGA v2 bundle (Open Terms Archive files: no header) as a
    corpus: each document's date is its newest version's in ``privacy-reader history``,
    which is git's author date of the newest commit of that file."""
    root = pga_clone / "TikTok"
    source = CorpusHistory(Corpus.open(root))
    for key, file in (("Privacy Policy", "Privacy Policy.md"),
                      ("Terms of Service", "Terms of Service.md")):
        newest = source.history(key).versions[-1].date
        assert newest == git(root, "log", "-1", "--format=%as", "--", file).strip()
        assert main(["history", key, "--corpus", str(root)]) == 0
        rows = [line for line in capsys.readouterr().out.splitlines() if line[:1].isdigit()]
        assert rows[-1].startswith(newest)
        assert_dated_everywhere(root, key, newest, tmp_path, capsys)


def test_pga_company_list_shows_the_newest_version_date(pga_clone, make_window, qtbot):
    """The company list of an Open Terms Archive clone: every row has its date."""
    root = pga_clone / "TikTok"
    window = make_window(root)
    keys = Corpus.open(root).domains()
    qtbot.waitUntil(lambda: window.company_model.rowCount() == len(keys), timeout=60000)
    wait_idle(qtbot, window)
    source = CorpusHistory(Corpus.open(root))
    model = window.company_model
    assert {"Privacy Policy", "Terms of Service"} <= set(keys)
    for key in keys:
        newest = source.history(key).versions[-1].date
        row = model.row_of(key)
        assert model.index(row, 1).data() == newest[:4]
        assert model.index(row, 0).data(DateRole) == newest
