"""A long session in the desktop app: thousands of policy switches with the arrow keys,
category toggles and searches, as a reader stepping through a corpus for an hour would.

It would have caught issue 11's crash: with PySide6-Essentials 6.12.0 on Python 3.11 every
void Qt call lowered None's reference count until Python aborted (``none_dealloc``). The
test checks None's count after every few steps, so such a leak fails here with a clear
message well before it could abort the test run.
"""

from __future__ import annotations

import gc
import random
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from reader.analysis.taxonomy import practice_categories
from reader.analysis.tints import highlight_colour
from reader.output.fonts import register_fonts
from reader.ui.main_window import MainWindow, settings
from reader.ui.models import DomainRole

POLICIES = 40
SWITCHES = 2000
# Steps between checks of None's reference count (each runs a collection). The
# leaky binding lost ~32 references a step from ~28,000: it fails the first check, long
# before Python would abort.
CHECK_EVERY = 100
MAX_NONE_DROP = 300  # a healthy Qt binding leaves None's count about level
SEARCHES = ["email", '"third party"', "cookies", "encrypt*", "information", "sell OR rent"]


@pytest.fixture
def many_policies(tmp_path, embedded_corpus) -> Path:
    """POLICIES small policies: the embedded ones' paragraphs reshuffled, deterministic."""
    rng = random.Random(11)
    paragraphs = []
    for path in sorted(embedded_corpus.glob("*.md")):
        chunks = path.read_text("utf-8").split("\n\n")
        paragraphs += [c for c in chunks if c.strip() and not c.startswith(("#", ">"))]
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(POLICIES):
        body = rng.sample(paragraphs, 4)
        body.insert(2, "## What we share")
        (folder / f"site{number:03d}.test.md").write_text(
            f"# Privacy Policy of Site {number}\n\n" + "\n\n".join(body) + "\n", "utf-8")
    return folder


def none_references() -> int:
    gc.collect()
    return sys.getrefcount(None)


def wait_shown(qtbot, window: MainWindow, domain: str) -> None:
    qtbot.waitUntil(lambda: window.current is not None
                    and window.current.policy.domain == domain, timeout=20000)


def test_thousands_of_switches_toggles_and_searches(qtbot, many_policies):
    register_fonts()
    window = MainWindow(str(many_policies), restore=False)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.company_list.setFocus()
    ids = [c.id for c in practice_categories()]
    rng = random.Random(3)
    gc.collect()
    gc.freeze()  # later collections skip what exists now: each check then costs little
    baseline = none_references()
    step, direction, searches = 0, Qt.Key.Key_Down, 0
    while step < SWITCHES:
        row = window.company_list.currentIndex().row()
        if row == POLICIES - 1:
            direction = Qt.Key.Key_Up
        elif row == 0:
            direction = Qt.Key.Key_Down
        qtbot.keyClick(window.company_list, direction)
        expected = window.company_list.currentIndex().data(DomainRole)
        wait_shown(qtbot, window, expected)
        assert expected in window.header.text()
        step += 1
        if step % 7 == 0:  # hide a category, check its colour is gone, show it again
            hidden = rng.choice(ids)
            window.category_panel.set_visible(hidden, False)
            assert hidden not in window.category_panel.visible()
            if step % 70 == 0:
                colour = highlight_colour(hidden).lower()
                assert f"background-color:{colour}" not in window.browser.toHtml().lower()
            window.category_panel.set_visible(hidden, True)
        if step % 100 == 0:
            query = SEARCHES[searches % len(SEARCHES)]
            searches += 1
            window.search_panel.run(query)
            qtbot.waitUntil(lambda: window.search_worker is None, timeout=20000)
            assert window.search_panel.model.rowCount() > 0, query
            window.company_list.setFocus()
        if step % CHECK_EVERY == 0:
            drop = baseline - none_references()
            assert drop < MAX_NONE_DROP, (
                f"None lost {drop} references over {step} steps: the Qt binding leaks "
                "references to None and Python will abort (issue 11; see pyproject.toml)")
    assert searches == SWITCHES // 100
    window.close()
    gc.unfreeze()


def test_settings_are_saved_as_they_change(qtbot, many_policies, private_data_dir):
    """A crash must not lose the corpus, policy, zoom or sort: they are written at once."""
    register_fonts()
    window = MainWindow(str(many_policies), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.select_company("site007.test")
    wait_shown(qtbot, window, "site007.test")
    window.zoom_in()
    window.sort_companies("length")
    ini = private_data_dir / "settings.ini"

    def saved() -> bool:
        text = ini.read_text("utf-8") if ini.exists() else ""
        return "policy=site007.test" in text and "zoom=1" in text and "sort=length" in text

    qtbot.waitUntil(saved, timeout=5000)  # without closing the window
    stored = settings()
    assert Path(str(stored.value("corpus"))) == many_policies.resolve()
    window.close()
