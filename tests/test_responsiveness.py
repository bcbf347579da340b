"""Large policies open and export in the background (issue 11, item 3): a busy bar with
Cancel, stale results dropped, the window usable meanwhile; a 3,000-row table opens whole;
long policies are shown in parts that together hold every word, and jumps switch parts;
Ctrl+C or SIGTERM during a CLI export leaves no ``.part`` file."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.analysis.document import parse_policy
from reader.analysis.tints import highlight_colour
from reader.output.fonts import register_fonts
from reader.search.query import MatchFinder
from reader.ui.main_window import MainWindow
from reader.ui.models import DomainRole
from reader.ui.policy_loader import BACKGROUND_FROM, PAGE_ROWS, paginate, text_length
from reader.ui.policy_view import PolicyDocument

PROJECT = Path(__file__).resolve().parent.parent
TABLE_ROWS = 3000


def table_policy(rows: int) -> str:
    lines = ["# Data We Keep", "", "We collect the data below and share some of it with our "
             "advertising partners.", "", "| Data | Why | Kept for |", "|---|---|---|"]
    lines += [f"| email address {i} | we share it with advertising partners | {i} days |"
              for i in range(rows)]
    return "\n".join(lines) + "\n\nFinal row above. We use SSL encryption to protect it.\n"


@pytest.fixture
def big_corpus(tmp_path, embedded_corpus) -> Path:
    """Two seed policies, a long policy (~10x the background threshold) and a big table."""
    folder = tmp_path / "big"
    folder.mkdir()
    for name in ("bmtmicro.com.md", "ipmart.com.md"):
        (folder / name).write_bytes((embedded_corpus / name).read_bytes())
    seed = (embedded_corpus / "bmtmicro.com.md").read_text("utf-8")
    body = seed.split("\n\n", 1)[1]  # without the archive header
    parts, size = ["# A Long Policy"], 0
    while size < 10 * BACKGROUND_FROM:
        parts.append(body)
        size += len(body)
    (folder / "long.test.md").write_text("\n\n".join(parts) + "\n\nThe very last words.\n",
                                         "utf-8")
    (folder / "table.test.md").write_text(table_policy(TABLE_ROWS), "utf-8")
    return folder


@pytest.fixture
def window(qtbot, big_corpus):
    register_fonts()
    made = MainWindow(str(big_corpus), restore=False)
    qtbot.addWidget(made)
    made.resize(1200, 800)
    made.show()
    qtbot.waitUntil(lambda: made.index_worker is None and made.current is not None
                    and not made.loader.busy, timeout=60000)
    yield made
    made.loader.cancel()
    made.pool.waitForDone(60000)


def test_large_policy_opens_in_the_background_with_a_busy_bar(qtbot, window):
    window.select_company("bmtmicro.com")
    assert window.current.policy.domain == "bmtmicro.com"  # small: shown at once
    with qtbot.waitSignal(window.policy_shown, timeout=60000) as shown:
        window.select_company("long.test")
        assert window.busy_bar.isVisible() and window.loader.busy
        assert "long.test" in window.busy_bar.label.text()
        assert window.current.policy.domain == "bmtmicro.com"  # still the one before
        QApplication.processEvents()  # the window keeps handling events meanwhile
    assert shown.args == ["long.test"]
    assert not window.busy_bar.isVisible()
    assert window.current.policy.domain == "long.test"
    assert isinstance(window.browser.document(), PolicyDocument)
    # long: shown in parts, the first one first, with a clear notice; nothing left out
    assert window.browser.page == 0 and window.browser.page_count > 1
    assert window.page_bar.isVisible()
    assert f"Part 1 of {window.browser.page_count}" in window.page_bar.label.text()
    assert "The very last words." not in window.browser.toPlainText()
    assert "The very last words." in window.browser.all_text()
    counts = window.current.counts()
    security = window.category_panel.items["data_security"]
    assert security.text(1) == str(counts["data_security"])
    assert len(window.category_panel.passages_of("data_security")) == counts["data_security"]
    assert window.highlight_anchors
    window.next_highlight()
    assert window.statusBar().currentMessage().startswith("Highlight 1 of")


def test_stepping_to_a_highlight_then_opening_a_large_policy_does_not_crash(qtbot, window):
    """F8 on a small policy marks a passage in the browser's own document; opening a large
    policy then sets a part, which deletes that document: clearing the mark afterwards
    crashed the app (segmentation fault on ed.gov then skype.com)."""
    window.select_company("bmtmicro.com")  # small: shown in the browser's own document
    window.next_highlight()
    assert window.browser.extraSelections()
    window.find_bar.open_bar()
    window.find_bar.field.setText("information")
    window.find_bar.find()
    assert window.browser.extraSelections()
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    assert window.current.policy.domain == "long.test"
    window.next_highlight()
    window.select_company("ipmart.com")
    assert window.current.policy.domain == "ipmart.com"
    assert "ipmart" in window.browser.toPlainText().lower()


def test_hiding_a_category_of_a_large_policy_renders_in_the_background(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    colour = highlight_colour("data_security").lower()
    assert f"background-color:{colour}" in window.browser.toHtml().lower()
    window.category_panel.set_visible("data_security", False)
    assert window.loader.busy and "Updating" in window.busy_bar.label.text()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=60000)
    assert f"background-color:{colour}" not in window.browser.toHtml().lower()
    assert window.current.policy.domain == "long.test"


def test_moving_on_drops_the_stale_result(qtbot, window):
    window.select_company("long.test")
    assert window.loader.busy
    window.select_company("ipmart.com")  # before long.test is ready
    assert window.current.policy.domain == "ipmart.com"
    assert not window.loader.busy and not window.busy_bar.isVisible()
    qtbot.waitUntil(lambda: window.pool.activeThreadCount() == 0, timeout=60000)
    QApplication.processEvents()  # deliver whatever the old worker sent
    assert window.current.policy.domain == "ipmart.com"
    assert "ipmart" in window.header.text().lower()


def test_cancel_keeps_the_policy_shown_before(qtbot, window):
    window.select_company("ipmart.com")
    window.select_company("table.test")
    assert window.busy_bar.cancel_button.isVisible()
    window.busy_bar.cancel_button.click()
    assert not window.busy_bar.isVisible() and not window.loader.busy
    assert window.current.policy.domain == "ipmart.com"
    assert window.company_list.currentIndex().data(DomainRole) == "ipmart.com"
    assert "cancelled" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.pool.activeThreadCount() == 0, timeout=60000)
    QApplication.processEvents()
    assert window.current.policy.domain == "ipmart.com"


def test_a_3000_row_table_opens_whole(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=120000):
        window.select_company("table.test")
    text = window.browser.all_text()
    assert window.browser.page_count == -(-(TABLE_ROWS + 1) // PAGE_ROWS)  # header row too
    assert "email address 0" in text and f"email address {TABLE_ROWS - 1}" in text
    assert "Final row above." in text
    document = parse_policy(table_policy(TABLE_ROWS))
    assert sum(b.tag == "td" for b in document.blocks) == 3 * TABLE_ROWS
    passages = window.current.analysis.spans
    # Nearly every row is a highlighted passage (each row is a paragraph of the practice
    # decision; the sentence model picks the cells that state the practice).
    assert len(passages) >= TABLE_ROWS * 0.9
    sharing = window.category_panel.items["third_party_sharing"]
    assert sharing.childCount() == 0  # thousands of passages are listed only when opened
    sharing.setExpanded(True)
    assert sharing.childCount() == window.current.counts()["third_party_sharing"]


def test_pdf_export_runs_in_the_background_and_cancel_leaves_nothing(qtbot, window,
                                                                     tmp_path):
    from reader.ui.export_dialog import export_current

    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    worker = export_current(window, str(tmp_path / "long.pdf"))
    assert worker is not None and window.export_worker is worker
    assert window.progress.maximum() == 0 and window.cancel_button.isVisible()  # busy
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=120000)
    assert (tmp_path / "long.pdf").stat().st_size > 10000
    import pdfplumber

    with pdfplumber.open(tmp_path / "long.pdf") as pdf:
        assert "The very last words." in pdf.pages[-1].extract_text()

    worker = export_current(window, str(tmp_path / "cancelled.pdf"))
    window.cancel_button.click()
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=120000)
    assert "cancelled" in window.statusBar().currentMessage()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".pdf", ".part"}) == [
        "long.pdf"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_cli_export_leaves_no_part_file(tmp_path, big_corpus, signum):
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "export", "table.test", "-o", str(out / "t.pdf"),
         "--corpus", str(big_corpus)], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # as from a terminal (a background job of a script starts with SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list(out.glob("*.part")):  # wait for the export to start writing
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the export never started"
        os.sched_yield()
    process.send_signal(signum)
    _, err = process.communicate(timeout=300)
    assert process.returncode in (130, 128 + signum), err
    assert list(out.iterdir()) == []


def test_html_parts_keep_every_cell_once_and_split_long_tables():
    from reader.analysis.document import TABLE_PART_ROWS, to_html, to_html_parts

    document = parse_policy(table_policy(TABLE_ROWS))
    parts = to_html_parts(document)
    joined = "".join(parts)
    assert len(parts) > 1
    assert joined.count("<table") == -(-(TABLE_ROWS + 1) // TABLE_PART_ROWS)  # header row too
    for i in (0, 1234, TABLE_ROWS - 1):
        assert joined.count(f">email address {i}<") == 1
    assert joined.count("<td") == to_html(document).count("<td") == 3 * TABLE_ROWS
    small = parse_policy("# Title\n\nOne paragraph.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "".join(to_html_parts(small)) == to_html(small)


def test_parts_hold_exactly_the_whole_policy(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    item = window.current
    parts = item.body_html_parts(window.category_panel.visible(), window.dark)
    whole = PolicyDocument.of_html(parts, window.browser.font())
    assert window.browser.page_count >= 3
    shown = window.browser.all_text()
    assert shown.split() == item.document.text.split()  # every word, once, in order
    assert len(shown.split()) > 40000
    # the same characters as one document of all parts (which may join two blocks' words)
    assert "".join(shown.split()) == "".join(whole.toPlainText().split())
    whole.deleteLater()


def test_paginate_keeps_every_part_once_within_the_limits():
    parts = [f"<p>{'word ' * n}</p>" for n in (10, 300, 5, 900, 40, 2000, 1)]
    parts += ["<table>" + "<tr><td>x</td></tr>" * 30 + "</table>"] * 5
    pages = paginate(parts, max_chars=5000, max_rows=70)
    assert [part for page in pages for part in page] == parts
    for page in pages:
        assert (len(page) == 1 or (sum(text_length(p) for p in page) <= 5000
                                   and sum(p.count("<tr") for p in page) <= 70))
    assert [len(page) for page in pages] == [3, 2, 1, 3, 2, 1]
    assert paginate([]) == [[]]
    assert text_length("<p>a &amp; b</p>") == 5


def test_stepping_to_the_last_highlight_switches_parts(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    browser, count = window.browser, window.browser.page_count
    window.previous_highlight()  # Shift+F8 from the start: the last highlight
    assert browser.page == count - 1
    assert f"Part {count} of {count}" in window.page_bar.label.text()
    assert window.statusBar().currentMessage() == (
        f"Highlight {len(window.highlight_anchors)} of {len(window.highlight_anchors)}")
    assert browser.page_of_anchor(window.highlight_anchors[-1]) == count - 1
    window.next_highlight()  # wraps to the first, in part 1
    assert browser.page == 0
    window.page_bar.next_button.click()
    assert browser.page == 1
    window.page_bar.previous_button.click()
    assert browser.page == 0 and not window.page_bar.previous_button.isEnabled()


def test_page_down_at_the_end_of_a_part_continues(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    browser = window.browser
    bar = browser.verticalScrollBar()
    qtbot.keyClick(browser, Qt.Key.Key_PageDown)
    assert browser.page == 0 and bar.value() > 0  # inside the part: scrolls
    bar.setValue(bar.maximum())
    qtbot.keyClick(browser, Qt.Key.Key_PageDown)
    assert browser.page == 1 and bar.value() == 0
    qtbot.keyClick(browser, Qt.Key.Key_PageUp)  # at the top: back to the end of part 1
    assert browser.page == 0 and bar.value() == bar.maximum()
    qtbot.keyClick(browser, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert browser.page == 1


def test_clicking_a_passage_of_a_later_part_shows_it(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    panel = window.category_panel
    panel.items["data_security"].setExpanded(True)
    last = panel.passages_of("data_security")[-1]
    panel.tree.scrollToItem(last)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.tree.visualItemRect(last).center())
    browser = window.browser
    assert browser.page == browser.page_count - 1 > 0
    anchor = window.highlight_anchors[window.highlight_position]
    assert browser.page_of_anchor(anchor) == browser.page


def test_a_search_match_in_a_later_part_is_shown(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.show_policy("long.test", finder=MatchFinder([r"\bvery last words\b"]))
    browser = window.browser
    assert len(window.current_matches) == 1
    assert browser.page == browser.page_count - 1 > 0  # F3's first match: the last part
    window.page_bar.previous_button.click()
    window.next_match()  # F3 goes back to the part of the match
    assert browser.page == browser.page_count - 1


def test_confident_only_applies_to_large_policies_opened_in_the_background(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    item = window.current
    # Make the first passage unsure whatever the models say, then switch to confident only.
    first = item.analysis.spans[0]
    item.analysis.spans[0] = dataclasses.replace(
        first, confident=tuple(False for _ in first.categories))
    window.category_panel.set_confident_only(True)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=60000)
    visible = window.category_panel.visible()
    assert window.highlight_anchors == item.visible_span_anchors(visible, confident_only=True)
    assert "s0" not in window.highlight_anchors
    assert window.browser.page == 0
    assert 'name="s0"' not in window.browser.toHtml()
    window.category_panel.set_confident_only(False)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=60000)
    assert "s0" in window.highlight_anchors


def test_find_bar_searches_every_part_of_a_long_policy(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    browser, bar = window.browser, window.find_bar
    count = browser.page_count
    assert count > 2 and browser.page == 0
    bar.open_bar()
    bar.field.setText("very last words")  # only in the last part
    assert bar.searching and bar.count_label.text() == "No matches so far, searching…"
    qtbot.waitUntil(lambda: not bar.searching, timeout=30000)  # the other parts in slices
    assert len(bar.cursors) == 1 and browser.page == count - 1
    assert bar.current_text() == "very last words"
    assert bar.count_label.text() == f"1 of 1 · part {count} of {count}"

    browser.show_page(0)
    bar.field.setText("firewall")  # in every part; the first one from the part shown
    assert bar.position == 0 and browser.page == 0 and bar.current_text().lower() == "firewall"
    qtbot.waitUntil(lambda: not bar.searching, timeout=30000)
    assert bar.position == 0 and browser.page == 0
    expected = browser.all_text().lower().count("firewall")
    assert len(bar.cursors) == expected > count
    assert set(bar.parts) == set(range(count))
    first_of_part_2 = bar.parts.index(1)
    start = bar.position
    for _ in range(first_of_part_2 - start):
        qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert browser.page == 1 and bar.position == first_of_part_2
    assert bar.count_label.text() == (
        f"{first_of_part_2 + 1} of {expected} · part 2 of {count}")
    marked = browser.extraSelections()
    assert len(marked) == bar.parts.count(1)  # the marks of the part shown
    assert all(s.cursor.document() is browser.document() for s in marked)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert browser.page == 0 and bar.position == first_of_part_2 - 1
    window.page_bar.next_button.click()  # switching parts by hand keeps the count
    assert len(bar.cursors) == expected and len(browser.extraSelections()) == bar.parts.count(1)
    bar.field.setText("very last")  # Enter before the other parts are searched: all first
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert not bar.searching and bar.current_text() == "very last"
    assert browser.page == count - 1


def test_the_app_hands_pythons_lock_to_the_gui_thread_within_a_fifth_of_a_millisecond(qapp):
    from reader.ui.app import GUI_SWITCH_INTERVAL, create_app

    before = sys.getswitchinterval()
    try:
        assert create_app() is qapp
        assert GUI_SWITCH_INTERVAL == 0.0002  # stored in microseconds: compare rounded
        assert round(sys.getswitchinterval(), 6) == GUI_SWITCH_INTERVAL
    finally:
        sys.setswitchinterval(before)
