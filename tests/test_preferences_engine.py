"""Edit > Preferences > Search engine: the setting is stored in QSettings, opens that
engine's index (built in the background with progress) and search keeps finding the seed
policies' hits."""

from __future__ import annotations

import pytest

from reader.search.engine import index_folder, open_index
from reader.sources.corpus import Corpus
from reader.ui.main_window import settings
from reader.ui.preferences_dialog import load_search_engine

QUERY = "encryption"


def whoosh_domains(corpus) -> list[str]:
    policy_index = open_index(Corpus.open(corpus), "whoosh")
    policy_index.open()
    try:
        return sorted(hit.domain for hit in policy_index.search(QUERY, limit=10).hits)
    finally:
        policy_index.close()


def search_in_window(qtbot, window) -> list[str]:
    window.search(QUERY)
    qtbot.waitUntil(lambda: window.search_worker is None, timeout=60000)
    return sorted(hit.domain for hit in window.search_panel.model.hits)


def test_search_engine_setting_builds_and_uses_that_engines_index(
        make_window, embedded_corpus, qtbot):
    pytest.importorskip("tantivy")
    window = make_window(embedded_corpus)
    assert window.policy_index.engine == "whoosh"  # Automatic: 5 policies take Whoosh
    expected = whoosh_domains(embedded_corpus)
    assert len(expected) >= 2
    dialog = window.show_preferences()
    assert dialog.engine_box.currentData() == "auto"
    assert "In use for this folder: Whoosh" in dialog.engine_note.text()
    tantivy_folder = index_folder(window.corpus.root, "tantivy")
    assert not tantivy_folder.exists()

    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("tantivy"))
    assert load_search_engine(settings()) == "tantivy"
    assert window.policy_index.engine == "tantivy"
    assert window.index_worker is not None and window.progress.isVisibleTo(window)
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=120000)
    assert not window.progress.isVisibleTo(window)
    assert tantivy_folder.is_dir() and any(tantivy_folder.iterdir())
    assert window.policy_index.folder == tantivy_folder
    assert window.policy_index.doc_count() == len(window.corpus)
    assert "In use for this folder: tantivy" in dialog.engine_note.text()
    assert search_in_window(qtbot, window) == expected

    second = make_window(embedded_corpus)  # the stored setting is used by a new window
    assert second.policy_index.engine == "tantivy"
    assert search_in_window(qtbot, second) == expected
    second.close()

    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("auto"))
    assert load_search_engine(settings()) == "auto"
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=120000)
    assert window.policy_index.engine == "whoosh"
    assert search_in_window(qtbot, window) == expected
    dialog.close()


def test_choosing_the_engine_in_use_keeps_the_index(make_window, embedded_corpus, qtbot):
    window = make_window(embedded_corpus)
    in_use = window.policy_index
    dialog = window.show_preferences()
    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("whoosh"))
    assert window.policy_index is in_use and window.index_worker is None
    assert window.statusBar().currentMessage() == "Search already uses Whoosh"
    dialog.close()


def test_switching_while_the_index_updates_waits_for_it(make_window, embedded_corpus, qtbot):
    pytest.importorskip("tantivy")
    window = make_window(embedded_corpus)
    expected = whoosh_domains(embedded_corpus)
    window.rebuild_index()  # stopped by the switch: Whoosh's index stays partly built
    assert window.index_worker is not None
    dialog = window.show_preferences()
    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("tantivy"))
    qtbot.waitUntil(lambda: window.index_worker is None and window.policy_index is not None
                    and window.policy_index.engine == "tantivy", timeout=120000)
    assert search_in_window(qtbot, window) == expected
    dialog.close()
