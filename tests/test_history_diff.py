"""A diff's versions read chunk by chunk equal the one decision on each whole version."""

from __future__ import annotations

import pytest
from conftest import clone_history_bundle
from test_history import HISTORY, commit, git

import reader.analysis.timeline as timeline_module
from reader.analysis.diff import diff_versions, version_text
from reader.analysis.timeline import VersionStore, analyze_body, diff_history, timeline
from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory

# Messy markdown as real policies have it: a layout table's remnant, a list item's indented
# continuation, a setext heading, a line of "=" alone, raw HTML, a link, a heading alone.
OLD = """Privacy Policy


==================

Table of contents

# Information we collect

We collect your name, email address and phone number when you create an account.

*   Device information such as your IP address and browser type.

    We also collect the identifiers of your device to keep your account secure.

We use cookies to remember your preferences and to measure how our services are used.

# Legal obligations

|     |     |     |
| --- | --- | --- |
|     | **Legal Obligation** |     |
|     | We share information with law enforcement when the law requires it. |     |

# Sharing

We share your information with [advertising partners](https://example.com/ads) for
marketing purposes.

Our service providers
---------------------

Service providers process your data on our behalf under contracts.

<div>We may sell aggregated data to data brokers.</div>

# Contact

# Your choices

You can opt out of marketing emails at any time by clicking unsubscribe.

You can delete your account and we will erase your personal data within 30 days.
"""
NEW = OLD.replace("phone number when", "phone number and your location when").replace(
    "You can opt out of marketing emails at any time by clicking unsubscribe.\n\n", "") + \
    "\nWe keep your personal data for five years after you close your account.\n"


def decided(body: str):
    return version_text(analyze_body(body))


def assert_read_in_parts_like_whole(bodies: list[str]) -> VersionStore:
    """Each text read in parts (however little they share) equals the decision on it."""
    store = VersionStore(None)
    store.folder = None  # nothing read from or written to the user data folder
    shared_enough = timeline_module.SHARED_ENOUGH
    timeline_module.SHARED_ENOUGH = 100.0
    try:
        texts = store.analysed(bodies)
    finally:
        timeline_module.SHARED_ENOUGH = shared_enough
    for body, text in zip(bodies, texts, strict=True):
        whole = decided(body)
        assert text.passages == whole.passages
        assert text.counts == whole.counts
    return store


def test_messy_versions_read_in_parts_like_whole(monkeypatch):
    analysed: list[int] = []
    analyze = timeline_module.analyze_body
    monkeypatch.setattr(timeline_module, "analyze_body",
                        lambda body: analysed.append(len(body.split())) or analyze(body))
    store = assert_read_in_parts_like_whole([OLD, NEW])
    assert all(store._parts_plan(body) is not None for body in (OLD, NEW))
    # The text both versions share is analysed once: fewer words than both whole.
    assert sum(analysed) < 0.8 * (len(OLD.split()) + len(NEW.split()))


def test_diff_from_parts_equals_diff_of_whole_versions(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"example.com.md": OLD}, "2020-01-01")
    commit(root, {"example.com.md": NEW}, "2021-01-01")
    history = CorpusHistory(Corpus.open(root), use_cache=False).history("example.com")
    old, new = history.versions
    expected = diff_versions(decided(history.read_body(old)), decided(history.read_body(new)),
                             old.date, new.date)
    store = VersionStore(tmp_path / "store")
    found = diff_history(history, old, new, store)
    assert found.changes == expected.changes
    assert found.category_counts == expected.category_counts
    kinds = {change.kind for change in found.changes}
    assert kinds == {"added", "removed", "changed"}
    # After a history chart, and read back from the user data folder: the same diff.
    timeline(history, VersionStore(tmp_path / "chart"))
    assert diff_history(history, old, new, VersionStore(tmp_path / "chart")).changes == \
        expected.changes
    assert diff_history(history, old, new, VersionStore(tmp_path / "store")).changes == \
        expected.changes


@pytest.fixture(scope="module")
def pga(tmp_path_factory) -> CorpusHistory:
    target = clone_history_bundle("pga-versions.bundle", tmp_path_factory.mktemp("pga") / "pga")
    return CorpusHistory(Corpus.open(target), use_cache=False)


@pytest.mark.parametrize("company", ["Facebook", "Pinterest", "LINE", "Instagram", "TikTok",
                                     "WhatsApp"])
def test_pga_newest_two_versions_read_in_parts_like_whole(pga, company):
    history = pga.history(f"{company}/Privacy Policy.md")
    bodies = [history.read_body(v) for v in history.versions[-2:]]
    store = assert_read_in_parts_like_whole(bodies)
    assert all(store._parts_plan(body) is not None for body in bodies)


def test_dating_versions_read_in_parts_like_whole(tmp_path):
    target = clone_history_bundle("dating-versions.bundle", tmp_path / "dating")
    source = CorpusHistory(Corpus.open(target), use_cache=False)
    for company in ["Tinder", "Bumble", "Meetic", "LOVOO"]:  # English, French, German
        history = source.history(f"{company}/Privacy Policy.md")
        assert_read_in_parts_like_whole([history.read_body(v) for v in history.versions[-2:]])


def test_pga_v1_versions_read_in_parts_like_whole():
    root = HISTORY / "pga-v1"
    if not root.is_dir():
        pytest.skip("../shared/history/pga-v1 is not present")
    source = CorpusHistory(Corpus.open(root))
    for company in ["Facebook", "Twitter", "YouTube", "Instagram"]:
        history = source.history(company)
        assert_read_in_parts_like_whole([history.read_body(v) for v in history.versions[-2:]])
