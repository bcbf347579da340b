"""A version pair that differs only inside links, or only in formatting, is never "no
differences": the diff lists the links whose target changed (text, old -> new, the text
around them) and says when the files differ only in formatting or in their header."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest
from conftest import clone_history_bundle
from test_history import commit, git

from reader.analysis.diff import (
    NO_DIFFERENCES,
    ONLY_FORMATTING,
    ONLY_HEADER,
    add_file_differences,
    diff_versions,
    link_changes,
    links_of,
)
from reader.analysis.timeline import VersionStore, diff_history
from reader.cli import main
from reader.output.diff_export import write_diff_pdf
from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory
from reader.ui.history_panel import HistoryDialog

POLICY = """# Privacy Policy

We collect your email address when you register an account.

To exercise your rights, write to us [here](mailto:privacy@example.com?subject=Request)
or read our [FAQ](https://example.com/faq?question=84457).

* We keep your data for a year.
* You can delete your account at any time.
"""
HEADER = ("> *The following text is extracted and transformed from the example.com privacy "
          "policy that was archived on {date}. Please check the [original snapshot on the "
          "Wayback Machine](https://web.archive.org/x) for the most accurate "
          "reproduction.*\n\n")


def versions_of(tmp_path: Path, *texts: str) -> tuple[Path, list]:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for number, text in enumerate(texts):
        commit(root, {"example.com.md": text}, f"202{number}-03-01")
    history = CorpusHistory(Corpus.open(root), use_cache=False).history("example.com")
    return root, history


def test_links_of_reads_inline_auto_and_reference_links():
    links = links_of("See [our FAQ](https://a.example/faq \"FAQ\") or <mailto:x@a.example>.\n\n"
                     "![logo](logo.png) and [wiki](https://w.example/A_(b))\n\n"
                     "[1]: https://ref.example/page\n")
    assert [(link.text, link.target) for link in links] == [
        ("our FAQ", "https://a.example/faq"), ("mailto:x@a.example", "mailto:x@a.example"),
        ("logo", "logo.png"), ("wiki", "https://w.example/A_(b)"),
        ("[1]", "https://ref.example/page")]
    assert links[0].context == "See our FAQ or <mailto:x@a.example>."


def test_a_change_only_inside_a_link_is_a_link_change(tmp_path, capsys):
    newer = POLICY.replace("mailto:privacy@example.com?subject=Request",
                           "https://example.com/faq#privacyRequest")
    root, history = versions_of(tmp_path, POLICY, newer)
    diff = diff_history(history, *history.versions, VersionStore(tmp_path / "store"))
    assert diff.changes == [] and diff.differs
    assert [(c.kind, c.link.text, c.old.target, c.new.target) for c in diff.links] == [
        ("changed", "here", "mailto:privacy@example.com?subject=Request",
         "https://example.com/faq#privacyRequest")]
    assert diff.links[0].link.context.startswith("To exercise your rights, write to us here")
    assert diff.summary() == ["Links: 1 link target changed"]
    assert main(["diff", "example.com", "--corpus", str(root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["links"] == [{"kind": "changed", "text": "here",
                              "context": diff.links[0].link.context,
                              "old": "mailto:privacy@example.com?subject=Request",
                              "new": "https://example.com/faq#privacyRequest"}]
    assert main(["diff", "example.com", "--corpus", str(root)]) == 0
    out = capsys.readouterr().out
    assert "No differences" not in out
    assert ('@ link "here": mailto:privacy@example.com?subject=Request -> '
            'https://example.com/faq#privacyRequest') in out
    pdf = write_diff_pdf("example.com", diff, tmp_path / "diff.pdf")
    with pdfplumber.open(pdf) as document:
        text = " ".join(" ".join((page.extract_text() or "").split())
                        for page in document.pages)
    assert "No differences" not in text
    assert "Links changed (1)" in text and "Link changed · “here”" in text
    assert "privacy@example.com" in text and "faq#privacyRequest" in text


def test_links_added_to_or_taken_from_unchanged_text():
    plain = POLICY.replace("[here](mailto:privacy@example.com?subject=Request)", "here")
    taken = link_changes(POLICY, plain)
    assert [(c.kind, c.link.text, c.old.target) for c in taken] == [
        ("removed", "here", "mailto:privacy@example.com?subject=Request")]
    assert [c.kind for c in link_changes(plain, POLICY)] == ["added"]
    # A link that comes with new text is the text diff's, not a link change.
    assert link_changes(POLICY, POLICY + "\nSee [our blog](https://b.example).\n") == []


def test_files_differing_only_in_formatting_or_header_say_so(tmp_path):
    spaced = POLICY.replace("* We keep", "\n* We keep").replace("\n\nTo", "\n\n\nTo")
    text = diff_versions(*(_analysed(POLICY),) * 2)
    assert text.summary() == [NO_DIFFERENCES]
    formatting = add_file_differences(diff_versions(*(_analysed(POLICY),) * 2),
                                      POLICY.encode(), spaced.encode())
    assert formatting.summary() == [ONLY_FORMATTING] and formatting.links == []
    header = add_file_differences(diff_versions(*(_analysed(POLICY),) * 2),
                                  (HEADER.format(date="2020-01-01") + POLICY).encode(),
                                  (HEADER.format(date="2021-01-01") + POLICY).encode())
    assert header.summary() == [ONLY_HEADER]
    assert header.to_json()["other_difference"] == ONLY_HEADER
    same = add_file_differences(diff_versions(*(_analysed(POLICY),) * 2), b"x", b"x")
    assert same.summary() == [NO_DIFFERENCES] and not same.differs


def _analysed(body: str):
    from reader.analysis.diff import version_text
    from reader.analysis.timeline import analyze_body

    return version_text(analyze_body(body))


@pytest.fixture(scope="module")
def dating_clone(tmp_path_factory) -> Path:
    return clone_history_bundle("dating-versions.bundle",
                                tmp_path_factory.mktemp("dating") / "dating")


def test_meetic_contact_email_change_is_shown(dating_clone, tmp_path, qtbot):
    """Meetic's 2026-03-11 version only corrects its EU representative's email address
    (prigher.com -> prighter.com) inside a link: the diff shows that link change."""
    history = CorpusHistory(Corpus.open(dating_clone)).history("Meetic")
    old, new = history.find("8e811f1"), history.find("8db2001")
    diff = diff_history(history, old, new, VersionStore(tmp_path / "store"))
    assert [(c.kind, c.old.target, c.new.target) for c in diff.links] == [
        ("changed", "mailto:rep_meetic@prigher.com", "mailto:rep_meetic@prighter.com")]
    assert "No differences in the text." not in diff.summary()
    dialog = HistoryDialog(Corpus.open(dating_clone), "Meetic")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.history is not None, timeout=120000)
    versions = dialog.history.versions
    dialog.compare(versions.index(old), versions.index(new))
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff is not None
                    and dialog.diff.new == new.date, timeout=120000)
    shown = dialog.view.toPlainText()
    assert "No sentence changed; links did:" in shown
    assert "mailto:rep_meetic@prigher.com → mailto:rep_meetic@prighter.com" in shown
    assert "Links: 1 link target changed" in dialog.summary.toPlainText()
    dialog.cancel()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=120000)


def test_meetic_never_says_no_differences_between_different_files(dating_clone, tmp_path):
    """Every pair of consecutive Meetic versions with different files: the diff finds a
    difference (text, practices, links, or formatting said as such)."""
    history = CorpusHistory(Corpus.open(dating_clone)).history("Meetic")
    store = VersionStore(tmp_path / "store")
    kinds = set()
    for old, new in zip(history.versions, history.versions[1:], strict=False):
        if old.blob == new.blob:
            continue
        diff = diff_history(history, old, new, store)
        assert diff.differs and NO_DIFFERENCES not in diff.summary(), (old.label, new.label)
        kinds |= {"links" if diff.links else "", diff.other_difference}
    assert {"links", ONLY_FORMATTING} <= kinds
