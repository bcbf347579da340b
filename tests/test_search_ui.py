"""Search usability: category near-misses suggest the real name; Down arrow reaches the
results."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from reader.analysis.taxonomy import categories
from reader.paths import embedded_corpus_dir
from reader.search.index import PolicyIndex
from reader.search.query import category_suggestion
from reader.sources.corpus import Corpus
from reader.ui.main_window import MainWindow

NAMES = {c.id: c.name for c in categories()}


@pytest.mark.parametrize(("query", "suggested"), [
    ("category:security", "category:data_security"),
    ("category:sharing cookies", "category:third_party_sharing cookies"),
    ("category:third_party cookies", "category:third_party_sharing cookies"),
    ("category:retention", "category:data_retention"),
    ("category:children", "category:international_audiences"),
    ("category:data_secruity", "category:data_security"),
    ("category:Security", "category:data_security"),
])
def test_category_near_misses(query, suggested):
    assert category_suggestion(query, NAMES) == suggested


def test_known_or_far_categories_get_no_suggestion():
    assert category_suggestion("category:data_security", NAMES) is None
    assert category_suggestion("security cookies", NAMES) is None
    assert category_suggestion("category:zebra", NAMES) is None


def test_search_suggests_the_valid_category():
    policy_index = PolicyIndex(Corpus.open(embedded_corpus_dir()))
    policy_index.open()
    policy_index.update(workers=1)
    try:
        results = policy_index.search("category:security")
        assert results.total == 0
        assert results.suggestion == "category:data_security"
        assert policy_index.search("category:data_security").total > 0
    finally:
        policy_index.close()


def test_down_arrow_moves_from_query_into_results(qtbot):
    window = MainWindow(None, restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    panel = window.search_panel
    window.focus_search()
    qtbot.keyClicks(panel.field, "information")
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_worker is None and panel.model.rowCount() > 1,
                    timeout=30000)
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)
    assert panel.results.hasFocus()
    assert panel.results.currentIndex().row() == 0
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    window.pool.waitForDone(10000)


def test_counted_nouns():
    from reader.wording import counted

    assert counted(1, "policy") == "1 policy"
    assert counted(2258, "policy") == "2,258 policies"
    assert counted(1, "match") == "1 match" and counted(0, "match") == "0 matches"
    assert counted(3, "PDF file", thousands=False) == "3 PDF files"
    assert counted(1, "company") == "1 company"


def test_cli_says_one_policy(tmp_path, capsys, embedded_corpus):
    from reader.cli import main

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "bmtmicro.com.md").write_bytes((embedded_corpus / "bmtmicro.com.md").read_bytes())
    assert main(["list", "--corpus", str(folder)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 policy in ")
    assert main(["search", "--corpus", str(folder), "firewall"]) == 0
    out = capsys.readouterr().out
    assert "1 policy matches 'firewall'" in out
    assert "1 policies" not in out and "1 matches" not in out


def test_table_pipes_are_not_words(tmp_path):
    from reader.sources.corpus import count_words, read_policy

    assert count_words("| Cookie | Purpose |\n|---|:---:|\n| _ga | analytics |") == 4
    assert count_words("a - b, 3-5 **bold** x|y") == 6
    path = tmp_path / "example.com.md"
    path.write_text("# Cookies\n\n| Name | Use |\n|---|---|\n| sid | login |\n", "utf-8")
    assert read_policy(path).word_count == 4  # the heading is the title


def searched(qtbot, query: str) -> tuple[MainWindow, object]:
    """The window on the embedded corpus, its index built, with ``query``'s first page of
    results listed (the window and its search panel)."""
    window = MainWindow(None, restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    panel = window.search_panel
    panel.run(query)
    qtbot.waitUntil(lambda: window.search_worker is None and panel.model.rowCount() > 0,
                    timeout=30000)
    return window, panel


def test_a_search_by_category_opens_a_policy_at_its_passages(qtbot, capsys, embedded_corpus):
    """A result of "category:data_retention" says what it was found for ("Retention", not
    "0 matches"), and opening it lists the policy's Retention passages in the side panel
    with the view at the most confident one, as a click on it does. A search with words
    still goes to the first match."""
    from reader.cli import main
    from reader.ui.category_panel import SpanRole
    from reader.ui.models import hit_html

    window, panel = searched(qtbot, "category:data_retention")
    hit = panel.model.hits[0]
    assert hit.practices == ["data_retention"] and hit.match_count == 0
    assert "Retention" in hit_html(hit) and "0 matches" not in hit_html(hit)
    window.open_hit(hit)
    qtbot.waitUntil(lambda: window.current is not None
                    and window.current.policy.domain == hit.domain, timeout=30000)
    retention = window.category_panel.items["data_retention"]
    assert retention.isExpanded() and retention.childCount() > 0
    first = retention.child(0)
    assert window.category_panel.tree.currentItem() is first
    number = first.data(0, SpanRole)
    assert "data_retention" in window.current.analysis.spans[number].categories
    anchor = window.current.span_anchor(number)  # the view went to that passage
    assert window.highlight_anchors[window.highlight_position] == anchor
    # words: the first match, not a passage list
    panel.run("cookies")
    qtbot.waitUntil(lambda: window.search_worker is None and panel.model.rowCount() > 0,
                    timeout=30000)
    word_hit = panel.model.hits[0]
    assert word_hit.practices == [] and "match" in hit_html(word_hit)
    window.open_hit(word_hit)
    qtbot.waitUntil(lambda: window.current is not None
                    and window.current.policy.domain == word_hit.domain, timeout=30000)
    assert window.current_matches and window.match_position == 0
    window.pool.waitForDone(10000)
    assert main(["search", "--corpus", str(embedded_corpus), "category:data_retention"]) == 0
    out = capsys.readouterr().out
    assert "0 matches" not in out and "Retention" in out
    assert main(["search", "--corpus", str(embedded_corpus), "category:data_retention",
                 "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(hit["practices"] == ["data_retention"] for hit in hits)


def test_results_of_a_search_by_category_show_each_policys_strongest_passage(qtbot):
    """The hits of "category:data_retention" first show each policy's opening (listed at
    once), then, policy by policy, the passage its side panel lists first for Retention
    (the most confident), which is what the result was found for."""
    import html

    from reader.output.highlight import HighlightedPolicy
    from reader.search.engine import practice_snippet

    window, panel = searched(qtbot, "category:data_retention")
    qtbot.waitUntil(lambda: window.snippet_worker is None, timeout=60000)
    corpus = Corpus.open(embedded_corpus_dir())
    for hit in panel.model.hits:
        analysis = HighlightedPolicy.of(corpus.load(hit.domain)).analysis
        strongest = analysis.passage_text(analysis.passages("data_retention")[0])
        shown = html.unescape(hit.snippets[0]).rstrip("…")
        assert " ".join(strongest.split()).startswith(shown), (hit.domain, shown)
        assert hit.snippets == [practice_snippet(hit)]
    # a search with words keeps its snippets of the words
    panel.run("retain")
    qtbot.waitUntil(lambda: window.search_worker is None and panel.model.rowCount() > 0,
                    timeout=30000)
    assert window.snippet_worker is None
    assert all("<b>" in hit.snippets[0] for hit in panel.model.hits)
    window.pool.waitForDone(10000)


def test_a_very_large_policy_keeps_its_opening_in_a_search_by_category(tmp_path, monkeypatch):
    """Analysing a policy of several MB for its snippet would hold Python's lock while the
    window is used: such a hit keeps its opening."""
    from reader.search import engine
    from reader.search.engine import Hit, practice_snippet

    path = tmp_path / "big.example.md"
    path.write_text("# Policy\n\nWe keep your data for 30 days after you close your account.\n",
                    "utf-8")
    hit = Hit("big.example", "Policy", None, 1.0, str(path), ["data_retention"],
              practices=["data_retention"])
    assert practice_snippet(hit) is not None
    monkeypatch.setattr(engine, "PRACTICE_SNIPPET_MAX_BYTES", path.stat().st_size - 1)
    assert practice_snippet(hit) is None
