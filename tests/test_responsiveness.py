"""Large policies open and export in the background (issue 11, item 3): a busy bar with
Cancel, stale results dropped, the window usable meanwhile; a 3,000-row table opens whole;
Ctrl+C or SIGTERM during a CLI export leaves no ``.part`` file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from reader.analysis.document import parse_policy
from reader.analysis.taxonomy import category
from reader.output.fonts import register_fonts
from reader.ui.main_window import MainWindow
from reader.ui.models import DomainRole
from reader.ui.policy_loader import BACKGROUND_FROM
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
    assert "The very last words." in window.browser.toPlainText()
    assert isinstance(window.browser.document(), PolicyDocument)
    counts = window.current.counts()
    security = window.category_panel.items["data_security"]
    assert security.text(1) == str(counts["data_security"])
    assert len(window.category_panel.passages_of("data_security")) == counts["data_security"]
    assert window.highlight_anchors
    window.next_highlight()
    assert window.statusBar().currentMessage().startswith("Highlight 1 of")


def test_hiding_a_category_of_a_large_policy_renders_in_the_background(qtbot, window):
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        window.select_company("long.test")
    colour = category("data_security").light.lower()
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
    text = window.browser.toPlainText()
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
