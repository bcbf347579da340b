"""The desktop app with a damaged search index: it is rebuilt, and File > Rebuild."""

from __future__ import annotations

import shutil

from conftest import wait_idle

from reader.output.fonts import register_fonts
from reader.ui.main_window import MainWindow


def open_window(qtbot, corpus) -> MainWindow:
    register_fonts()
    window = MainWindow(str(corpus), restore=False)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, window)
    return window






def test_search_on_a_damaged_index_rebuilds_it(qtbot, tmp_path, demo_corpus):
    """Issue 11: a garbled index file made every search fail with "Block tag error"
    and nothing repaired it."""
    corpus = tmp_path / "demo"
    shutil.copytree(demo_corpus, corpus)
    window = open_window(qtbot, corpus)
    postings = next(window.policy_index.folder.glob("*.pst"))
    postings.write_bytes(bytes(255 - b for b in postings.read_bytes()))
    window.search_panel.run("encrypted")
    qtbot.waitUntil(lambda: "damaged" in window.search_panel.status.text(), timeout=30000)
    assert "rebuilt" in window.search_panel.status.text()
    wait_idle(qtbot, window)  # the rebuild it started
    assert window.policy_index.damaged is None
    assert "rebuilt" in window.statusBar().currentMessage()
    window.search_panel.run("encrypted")
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 2, timeout=30000)
    assert {h.domain for h in window.search_panel.model.hits} == {
        "greenleaf-health.example", "bluebird-bank.example"}
    window.pool.waitForDone(10000)


def test_file_rebuild_search_index(qtbot, tmp_path, demo_corpus):
    corpus = tmp_path / "demo"
    shutil.copytree(demo_corpus, corpus)
    window = open_window(qtbot, corpus)
    window.rebuild_index_action.trigger()
    assert window.index_worker is not None
    wait_idle(qtbot, window)
    assert "rebuilt (it was cleared on request)" in window.statusBar().currentMessage()
    assert "5 added" in window.statusBar().currentMessage()
    window.search_panel.run("encrypted")
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() == 2, timeout=30000)
    window.pool.waitForDone(10000)
