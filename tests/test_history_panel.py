"""The History window, driven through its widgets with pytest-qt."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from test_history import commit, repo  # noqa: F401 - the git repository fixture

from reader.analysis.taxonomy import category
from reader.analysis.tints import HighlightLook, highlight_colour
from reader.sources.corpus import Corpus
from reader.ui.history_panel import HistoryDialog
from reader.ui.main_window import MainWindow

SHARING = highlight_colour("third_party_sharing").lower()  # the viewer's default (medium)


def open_dialog(qtbot, root) -> HistoryDialog:
    dialog = HistoryDialog(Corpus.open(root), "example.com")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.diff is not None, timeout=60000)
    return dialog


def test_history_dialog_timeline_summary_and_stepping(qtbot, repo, tmp_path):  # noqa: F811
    dialog = open_dialog(qtbot, repo)
    assert "3 versions, 2019-03-01 to 2021-01-31" in dialog.title.text()
    assert [p.version.date for p in dialog.chart.points] == [
        "2019-03-01", "2020-05-02", "2021-01-31"]
    assert dialog.chart.points[2].counts["data_security"] == 1
    assert (dialog.chart.old, dialog.chart.new) == (1, 2)  # the last two by default
    # A timeline: versions sit by date (428 and 274 days apart).
    left, middle, right = (dialog.chart._x(i, 1000) for i in range(3))
    assert abs((middle - left) / (right - middle) - 428 / 274) < 0.01
    # Shift+click the oldest version on the chart: it becomes the older side.
    x = round(dialog.chart._x(0, dialog.chart.width()))
    qtbot.mouseClick(dialog.chart, Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, QPoint(x, 50))
    assert dialog.old_box.currentIndex() == 0
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff.old == "2019-03-01",
                    timeout=60000)
    assert dialog.diff.new == "2021-01-31"
    assert "Security: 1 passage added" in dialog.summary.toPlainText()
    assert "encryption" in dialog.view.toPlainText()

    dialog.compare(0, 1)
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff.old == "2019-03-01",
                    timeout=60000)
    assert "Sharing with third parties: 1 passage changed" in dialog.summary.toPlainText()
    assert "Retention: 1 passage added" in dialog.summary.toPlainText()
    assert f"background-color:{SHARING}" in dialog.view.toHtml().lower()
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    assert dialog.position_label.text() == f"change 1 of {len(dialog.diff.changes)}"
    qtbot.keyClick(dialog, Qt.Key.Key_P)
    assert dialog.change_position == len(dialog.diff.changes) - 1
    dialog.side_button.setChecked(True)
    assert "data brokers" in dialog.view.toPlainText()
    # The two columns are named: the old version on the left, the new one on the right.
    assert dialog.view.toPlainText().split()[:4] == ["Before:", "2019-03-01",
                                                    "After:", "2020-05-02"]
    worker = dialog.export_pdf(str(tmp_path / "changes.pdf"))
    with qtbot.waitSignal(worker.signals.finished, timeout=60000):
        pass
    assert (tmp_path / "changes.pdf").stat().st_size > 1000


def test_history_dialog_shows_unreadable_version(qtbot, repo):  # noqa: F811
    commit(repo, {"example.com.md": b"\x00binary\x00" * 20}, "2023-03-03")
    dialog = HistoryDialog(Corpus.open(repo), "example.com")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60000)
    assert "binary" in dialog.problems.text() and "version skipped" in dialog.problems.text()
    assert dialog.chart.points[3].counts is None


def test_main_window_opens_history(qtbot, repo):  # noqa: F811
    window = MainWindow(str(repo), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.select_company("example.com")
    dialog = window.show_history()
    assert dialog is not None and dialog.company == "example.com"
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.diff is not None, timeout=60000)
    dialog.close()
    window.pool.waitForDone(10000)


def test_history_detected_when_the_corpus_opens(qtbot, repo):  # noqa: F811
    """Opening a corpus finds its history in the background (status bar says so); the
    History window then uses what was found."""
    window = MainWindow(str(repo), restore=False)
    qtbot.addWidget(window)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)  # found in the background
    window.show()
    qtbot.waitUntil(lambda: window.history_source is not None, timeout=60000)
    assert window.history_source.version_counts() == {"example.com": 3}
    assert any("1 of 1 policies have earlier versions" in m for m in messages), messages
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.select_company("example.com")
    dialog = window.show_history()
    assert dialog.source is window.history_source
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.diff is not None, timeout=60000)
    assert len(dialog.points) == 3 and all(p.counts for p in dialog.points)
    dialog.close()
    window.pool.waitForDone(10000)


def test_history_dialog_without_a_usable_data_folder(qtbot, repo, tmp_path,  # noqa: F811
                                                     monkeypatch):
    blocker = tmp_path / "data-file"
    blocker.write_text("x")
    monkeypatch.setenv("PRIVACY_READER_DATA", str(blocker))
    dialog = open_dialog(qtbot, repo)
    assert "not kept for next time" in dialog.problems.text()
    assert all(p.counts for p in dialog.points)


def test_chart_filling_does_not_repaint_for_every_version(qtbot, repo):  # noqa: F811
    """A 500-version chart sends 1,000 progress and point signals: painting the chart for
    each one kept the GUI thread busy for the whole fill (6.5 s for Facebook's 492
    versions, no click or Cancel taken). The chart and progress bar are refreshed at
    most once per refresh interval instead."""
    dialog = open_dialog(qtbot, repo)
    dialog.progress.show()
    paints = []

    class PaintCounter(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = PaintCounter()
    dialog.chart.installEventFilter(counter)
    qtbot.waitUntil(lambda: True)
    paints.clear()
    point = dialog.points[0]
    total = 300
    for done in range(1, total + 1):
        dialog._point_ready(done % 3, point)
        dialog._progress(done, total)
    assert len(paints) <= 2, len(paints)
    qtbot.waitUntil(lambda: dialog.progress.value() == total, timeout=5000)
    assert 1 <= len(paints) <= 4, len(paints)


def test_history_view_uses_the_viewers_highlight_colours(qtbot, repo):  # noqa: F811
    """The diff is coloured as the viewer colours passages (one decision: intensity and
    palette from the preferences), not in the strong marker colours: the colour-blind
    palette was ignored and every changed passage sat on a saturated background."""
    look = HighlightLook(palette="colour_blind", intensity="soft")
    dialog = HistoryDialog(Corpus.open(repo), "example.com", look)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.diff is not None, timeout=60000)
    dialog.compare(0, 1)
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff.old == "2019-03-01",
                    timeout=60000)
    shown = dialog.view.toHtml().lower()
    wanted = highlight_colour("third_party_sharing", look).lower()
    assert wanted != category("third_party_sharing").light.lower()
    assert f"background-color:{wanted}" in shown
    assert category("third_party_sharing").light.lower() not in shown
    assert f"background-color:{wanted}" in dialog.summary.toHtml().lower()


def test_history_of_an_unknown_company_says_so(qtbot, repo):  # noqa: F811
    dialog = HistoryDialog(Corpus.open(repo), "nowhere.org")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60000)
    assert "reading" not in dialog.title.text()
    assert "cannot be read" in dialog.title.text()
    assert "no policy for 'nowhere.org'" in dialog.problems.text()


def test_stepping_frames_the_current_change_and_no_blank_gutter(qtbot, repo):  # noqa: F811
    """N / P frame the change stepped to (before, only the scroll position said which it
    was), in the inline and side-by-side layouts; the panes have no empty band on the left
    (the viewer's gutter for category labels, unused here)."""
    from PySide6.QtGui import QTextCursor

    from reader.ui.history_panel import CURRENT_CHANGE_EDGE

    dialog = open_dialog(qtbot, repo)
    dialog.compare(0, 2)
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff.old == "2019-03-01",
                    timeout=60000)
    assert len(dialog.diff.changes) >= 2

    def border_of(index: int) -> tuple[float, str]:
        cursor = QTextCursor(dialog.view.document())
        cursor.setPosition(dialog._anchor_positions()[f"c{index}"])
        table_format = cursor.currentTable().format()
        return table_format.border(), table_format.borderBrush().color().name()

    framed = (3.0, CURRENT_CHANGE_EDGE.lower())
    assert border_of(0) != framed
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    assert border_of(0) == framed
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    assert border_of(1) == framed and border_of(0) != framed
    dialog.view.setFixedHeight(90)  # room for one change: stepping scrolls
    qtbot.waitUntil(lambda: dialog.view.verticalScrollBar().maximum() > 0)
    qtbot.keyClick(dialog, Qt.Key.Key_P)
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    assert dialog.view.verticalScrollBar().value() > 0
    cursor = QTextCursor(dialog.view.document())
    cursor.setPosition(dialog._anchor_positions()["c1"])
    assert dialog.view.cursorRect(cursor).top() >= 8  # the frame's top edge is in view
    dialog.side_button.setChecked(True)
    assert border_of(1) == framed and border_of(0) != framed
    for pane in (dialog.summary, dialog.view):
        assert pane.document().rootFrame().frameFormat().leftMargin() == 0


def test_export_button_writes_the_pdf_off_the_gui_thread(qtbot, repo, tmp_path,  # noqa: F811
                                                         monkeypatch):
    """Clicking Export PDF… did nothing: clicked() passed False as the path (no file
    dialog, a TypeError in the slot). It asks for a file and writes it in the
    background (a 800-change diff is 60 pages: seconds of a frozen window before)."""
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "changes.pdf"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (asked.append(args[2]), (str(out), ""))[1])
    dialog = open_dialog(qtbot, repo)
    assert dialog.export_button.isEnabled()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith("example.com-2020-05-02-2021-01-31.pdf")
    assert dialog.export_worker is not None and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.export_worker is None, timeout=60000)
    assert out.stat().st_size > 1000
    assert dialog.export_note.text() == "Saved changes.pdf"
    assert dialog.export_button.isEnabled() and not dialog.is_busy()


def test_chart_has_year_ticks_and_version_tooltips(qtbot):
    """Only the first and last dates were written under the chart (2004-06-13 ...
    2021-11-14: which year was the peak?) and it has no scale: years are marked on the axis
    and hovering a version names its numbers."""
    from reader.analysis.timeline import TimelinePoint
    from reader.sources.history import Version
    from reader.ui.history_panel import TimelineChart

    chart = TimelineChart()
    qtbot.addWidget(chart)
    dates = ["2004-06-13", "2009-11-27", "2013-11-19", "2021-11-14"]
    chart.set_points([TimelinePoint(Version(d, d, d), 800, {"first_party_collection": 16})
                      for d in dates[:-1]] + [None])
    chart.set_dates(dates)
    ticks = chart.year_ticks(1100)
    years = [year for _, year in ticks]
    assert "2010" in years
    assert years == sorted(years) and len(years) >= 5
    xs = [x for x, _ in ticks]
    assert all(b - a >= chart.TICK_ROOM for a, b in zip(xs, xs[1:], strict=False))
    assert xs[0] >= chart.MARGIN + chart.END_LABEL
    assert xs[-1] <= 1100 - chart.MARGIN - chart.END_LABEL
    assert len(chart.year_ticks(300)) < len(ticks)  # narrower: fewer labels
    tip = chart.tooltip_text(2)
    assert tip.startswith("2013-11-19: 800 words") and "Collection & use: 16" in tip
    assert chart.tooltip_text(3) == "2021-11-14: not analysed yet"
    chart.resize(1100, 150)
    assert chart.nearest(chart._x(1, 1100)) == 1


def test_removed_text_reads_on_a_dark_page():
    """Removed text was #C62828 whatever the theme: a contrast of 2.9 on the dark page."""
    from reader.analysis.diff import Change, Passage
    from reader.analysis.tints import PAGE_COLOURS, contrast
    from reader.output.diff_export import change_html, removed_text_colour

    for dark in (False, True):
        colour = removed_text_colour(HighlightLook(dark=dark))
        assert contrast(colour, PAGE_COLOURS[dark]) >= 4.5
        shown = change_html(Change("changed", Passage("We share data."),
                                   Passage("We sell data.")), look=HighlightLook(dark=dark))
        assert f"line-through;color:{colour}" in shown
    assert removed_text_colour(HighlightLook(dark=True)) != removed_text_colour()


def test_a_policy_with_one_version_shows_its_counts_on_the_chart(qtbot, tmp_path,
                                                                 embedded_corpus):
    """A policy without earlier versions (or a damaged repository) drew an empty chart:
    a line needs two points. Each practice now shows as a dot at its count."""
    from PySide6.QtGui import QColor

    (tmp_path / "ipmart.com.md").write_bytes((embedded_corpus / "ipmart.com.md").read_bytes())
    dialog = HistoryDialog(Corpus.open(tmp_path), "ipmart.com")
    qtbot.addWidget(dialog)
    dialog.resize(900, 600)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60000)
    [point] = dialog.chart.points
    assert point.counts["first_party_collection"] > 0
    image = dialog.chart.grab().toImage()
    colour = QColor(category("first_party_collection").colour(False)).darker(150)
    found = sum(1 for x in range(image.width()) for y in range(image.height())
                if image.pixelColor(x, y) == colour)
    assert found >= 4


def test_a_change_of_formatting_only_offers_the_last_change_of_text(qtbot, repo):  # noqa: F811
    """Pinterest's and AdopteUnMec's last two versions differ only in formatting: the
    window opened on "0 changes". It now offers the newest earlier version whose text
    differs, and the link compares that one."""
    from PySide6.QtCore import QUrl

    newest = (repo / "example.com.md").read_bytes().replace(b"2021-01-31", b"2022-02-02")
    commit(repo, {"example.com.md": newest.replace(b"\n\n", b"\n\n\n") + b"\n\n"},
           "2022-02-02")
    dialog = open_dialog(qtbot, repo)
    assert (dialog.diff.old, dialog.diff.new) == ("2021-01-31", "2022-02-02")
    assert not dialog.diff.changes and dialog.text_changed_before == 1
    shown = " ".join(dialog.view.toPlainText().split())
    assert "The files differ only in formatting" in shown
    label = dialog.history.versions[1].label
    assert (f"Compare {label} with 2022-02-02: the newest earlier version whose text "
            "differs.") in shown
    assert "href=\"version:1\"" in dialog.view.toHtml()
    dialog.view.anchorClicked.emit(QUrl("version:1"))
    qtbot.waitUntil(lambda: dialog.diff_worker is None and dialog.diff.old == "2020-05-02",
                    timeout=60000)
    assert dialog.diff.new == "2022-02-02" and dialog.diff.changes
    assert dialog.text_changed_before is None


def test_diff_command_names_the_last_change_of_text_too(repo, capsys):  # noqa: F811
    from reader.cli import main

    newest = (repo / "example.com.md").read_bytes().replace(b"2021-01-31", b"2022-02-02")
    commit(repo, {"example.com.md": newest.replace(b"\n\n", b"\n\n\n")}, "2022-02-02")
    assert main(["diff", "example.com", "--corpus", str(repo)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "The files differ only in formatting" in out
    earlier = next(line for line in lines if "newest earlier version" in line).strip()
    assert earlier.startswith("The newest earlier version whose text differs: 2020-05-02 (")
    assert earlier.endswith('(privacy-reader diff "example.com" ' +
                            f'{earlier.split("(")[1][:7]} {lines[0].split("(")[-1][:7]})')
    assert main(["diff", "example.com", "--corpus", str(repo), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_text_change"] == "2020-05-02"
    assert main(["diff", "example.com", "2020-05-02", "2022-02-02", "--corpus", str(repo),
                 "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["last_text_change"] is None and found["added"]
