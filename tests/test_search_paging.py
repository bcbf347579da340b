"""Every search result is reachable: pages of hits load as the results list scrolls (or
with Show More Results), and Export exports all of them, loaded or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt

from reader.search.engine import ENGINES, open_index
from reader.sources.corpus import Corpus
from reader.ui.workers import PAGE_SIZE

COMPANIES = 110  # more than two pages of hits


@pytest.fixture
def many_corpus(tmp_path) -> Path:
    """110 short policies that all mention cookies; every second one data retention."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(COMPANIES):
        retention = " We keep your data for a year (retention)." if i % 2 == 0 else ""
        (folder / f"company-{i:03d}.example.md").write_text(
            f"# Privacy Policy of Company {i}\n\nWe use cookies to remember you.{retention}\n"
            f"{'Cookies help us count visits. ' * (i % 7)}\n", "utf-8")
    return folder


@pytest.mark.parametrize("engine", ENGINES)
def test_pages_are_ranked_slices_of_all_hits(many_corpus, engine):
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    policy_index = open_index(Corpus.open(many_corpus), engine)
    policy_index.open()
    policy_index.update(workers=1)
    try:
        everything = policy_index.search("cookies", limit=None, snippets=False)
        assert everything.total == COMPANIES and len(everything.hits) == COMPANIES
        ranked = [h.domain for h in everything.hits]
        pages = [h.domain for offset in range(0, COMPANIES, PAGE_SIZE)
                 for h in policy_index.search("cookies", limit=PAGE_SIZE, snippets=False,
                                              offset=offset).hits]
        assert pages == ranked
        last = policy_index.search("cookies", limit=PAGE_SIZE, offset=100, snippets=False)
        assert last.total == COMPANIES and len(last.hits) == 10
        # not the fast AND path: a prefix query pages the same way
        prefix = [h.domain for offset in (0, 50, 100) for h in policy_index.search(
            "cook*", limit=PAGE_SIZE, offset=offset, snippets=False).hits]
        assert sorted(prefix) == sorted(ranked)
    finally:
        policy_index.close()


def test_scrolling_loads_every_result(make_window, qtbot, many_corpus):
    window = make_window(many_corpus)
    panel = window.search_panel
    panel.run("cookies")
    wait_idle(qtbot, window)
    assert panel.status.text().startswith(f"{COMPANIES} policies match")
    assert panel.model.rowCount() == PAGE_SIZE
    assert panel.shown.text() == f"Showing 50 of {COMPANIES} · scroll down for more"
    assert panel.more_button.isVisible() and panel.more_button.isEnabled()

    panel.results.scrollToBottom()  # the view asks the model for more (fetchMore)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2 * PAGE_SIZE, timeout=30000)
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == 2 * PAGE_SIZE  # one page per request, no more
    assert panel.shown.text() == f"Showing 100 of {COMPANIES} · scroll down for more"

    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == COMPANIES, timeout=30000)
    wait_idle(qtbot, window)
    domains = [hit.domain for hit in panel.model.hits]
    assert sorted(domains) == [f"company-{i:03d}.example" for i in range(COMPANIES)]
    assert not panel.more_button.isVisible()
    assert panel.shown.text() == f"Showing all {COMPANIES} results"
    assert not panel.model.canFetchMore()
    assert all(hit.match_count >= 1 and hit.snippets for hit in panel.model.hits)

    # a new search starts from its first page again
    panel.run("retention")
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == PAGE_SIZE
    assert panel.shown.text() == "Showing 50 of 55 · scroll down for more"


def test_export_results_exports_all_hits_not_only_the_loaded_page(make_window, qtbot,
                                                                   many_corpus, tmp_path):
    from reader.ui.export_dialog import export_results

    window = make_window(many_corpus)
    panel = window.search_panel
    panel.run("retention")  # 55 policies: one page loaded, five more not yet
    wait_idle(qtbot, window)
    assert panel.model.rowCount() == PAGE_SIZE and panel.model.total == 55
    worker = export_results(window, str(tmp_path / "all"))
    assert worker is not None
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=120000)
    written = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert written == [f"company-{i:03d}.example.pdf" for i in range(0, COMPANIES, 2)]
    assert window.statusBar().currentMessage() == (
        f"Exported 55 PDF files to {tmp_path / 'all'}")


def test_shared_corpus_search_reaches_every_hit(make_window, qtbot, shared_corpus):
    """On the 221 real policies "information" matches more than 200; all can be loaded."""
    window = make_window(shared_corpus)
    panel = window.search_panel
    panel.run("information")
    wait_idle(qtbot, window)
    total = panel.model.total
    assert total > 200 and panel.model.rowCount() == PAGE_SIZE
    while panel.model.canFetchMore():
        panel.show_more()
        wait_idle(qtbot, window)
    assert panel.model.rowCount() == total
    assert len({hit.domain for hit in panel.model.hits}) == total


def test_an_estimated_total_does_not_stop_loading_early(qtbot):
    """Large indexes report about how many match; pages are asked for until one comes back
    short, even past the estimate."""
    from reader.search.index import Hit
    from reader.ui.search_panel import SearchPanel

    panel = SearchPanel()
    qtbot.addWidget(panel)
    model = panel.model
    asked = []
    model.more_wanted.connect(lambda query, offset: asked.append((query, offset)))

    def page(count: int) -> None:
        for _ in range(count):
            model.append(Hit(f"d{len(model.hits)}.example", "", None, 1.0, "", []))
        model.page_done(count, PAGE_SIZE)

    model.start("cookies", 60, exact=False)
    page(PAGE_SIZE)
    assert panel.shown.text() == "Showing 50 of about 60 · scroll down for more"
    panel.show_more()
    assert asked == [("cookies", 50)] and not model.canFetchMore()  # one request at a time
    page(PAGE_SIZE)
    assert model.canFetchMore()  # 100 loaded, more than the estimate: not the end yet
    panel.show_more()
    page(20)
    assert asked == [("cookies", 50), ("cookies", 100)]
    assert not model.canFetchMore() and model.total == 120
    assert panel.shown.text() == "Showing all 120 results"


def test_cli_export_search_exports_every_result(many_corpus, tmp_path, capsys):
    """Like the app's Export results: all hits (more than the old cap of 100), unless
    --limit caps them."""
    from reader.cli import main

    assert main(["export", "--corpus", str(many_corpus), "--search", "cookies",
                 "-d", str(tmp_path / "all")]) == 0
    assert len(list((tmp_path / "all").glob("*.pdf"))) == COMPANIES
    assert main(["export", "--corpus", str(many_corpus), "--search", "cookies",
                 "--limit", "3", "-d", str(tmp_path / "three")]) == 0
    assert len(list((tmp_path / "three").glob("*.pdf"))) == 3
