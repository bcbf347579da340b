"""The History window of a company's policy: versions on a timeline, a chart of passages
per practice over time, and the diff of two versions with a "what changed" summary.

All reading and analysis runs on a thread pool (:mod:`reader.sources.history`,
:mod:`reader.analysis.timeline`); this module only shows results.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import threading
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QPainter,
    QPen,
    QPolygonF,
    QShortcut,
    QTextCursor,
    QTextFrameFormat,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reader.analysis.diff import PolicyDiff
from reader.analysis.language import ENGLISH, language_name
from reader.analysis.taxonomy import practice_categories
from reader.analysis.timeline import (
    TimelinePoint,
    VersionStore,
    diff_history,
    last_text_change,
    timeline,
)
from reader.analysis.tints import HighlightLook, as_look
from reader.output.diff_export import (
    KIND_EDGE,
    category_labels,
    change_html,
    links_html,
    marked_texts,
    no_changes_note,
    removed_text_colour,
    summary_html,
)
from reader.output.export import ExportReport, unprintable_notes
from reader.sources.corpus import Corpus, PolicyLoadError
from reader.sources.history import CorpusHistory, PolicyHistory, repeated_text_note
from reader.ui.policy_view import PolicyBrowser
from reader.ui.workers import ExportSignals
from reader.wording import counted

log = logging.getLogger(__name__)


class HistorySignals(QObject):
    loaded = Signal(object)  # PolicyHistory
    progress = Signal(int, int)
    point = Signal(int, object)  # index, TimelinePoint
    finished = Signal()
    failed = Signal(str)


class DetectSignals(QObject):
    detected = Signal(object, object, str)  # Corpus, CorpusHistory, status-bar summary


class HistoryDetector(QRunnable):
    """Finds a corpus's history sources when the corpus is opened: its git repository
    (walked once, then cached) and dated files, and sums them up for the status bar (a
    pass over every policy: half a second at 100,000, kept off the GUI thread)."""

    def __init__(self, corpus: Corpus) -> None:
        super().__init__()
        self.signals = DetectSignals()
        self.corpus = corpus

    def run(self) -> None:
        summary = ""
        try:
            found = CorpusHistory(self.corpus)
            summary = history_summary(found)
        except Exception:  # noqa: BLE001 - without history the corpus still reads
            log.exception("detecting the history of %s failed", self.corpus.root)
            found = None
        self.signals.detected.emit(self.corpus, found, summary)


def history_summary(source: CorpusHistory) -> str:
    """One line for the status bar: how many policies have earlier versions, and where
    from (empty when none has), or why a git working copy shows no policy at all."""
    counts = source.version_counts()
    several = sum(n > 1 for n in counts.values())
    where = "git repository" if source.git else "dated files"
    if not several:
        return source.problems[0] if not counts and source.problems else ""
    return (f"History: {several:,} of {len(counts):,} policies have earlier versions "
            f"({max(counts.values()):,} at most; from the {where}); Ctrl+H shows them.")


class TimelineWorker(QRunnable):
    """Reads a company's versions, then the passages per category of each version."""

    def __init__(self, corpus: Corpus, company: str, store: VersionStore,
                 source: CorpusHistory | None = None) -> None:
        super().__init__()
        self.signals = HistorySignals()
        self.corpus, self.company, self.store = corpus, company, store
        self.source = source
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            source = self.source or CorpusHistory(self.corpus)
            history = source.history(self.company)
            history.earlier_same_text()  # (kept: dated files are read here, not in the window)
            self.signals.loaded.emit(history)
            timeline(history, self.store, progress=self.signals.progress.emit,
                     cancelled=self._cancel.is_set, on_point=self.signals.point.emit)
        except KeyError as exc:
            self.signals.failed.emit(str(exc.args[0]))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"Reading the history failed: {exc}")
        self.signals.finished.emit()


class DiffSignals(QObject):
    # PolicyDiff, and when it differs only in formatting or its header, the newest earlier
    # version whose text differs (index) or None
    finished = Signal(object, object)
    failed = Signal(str)


class DiffWorker(QRunnable):
    def __init__(self, history: PolicyHistory, old: int, new: int, store: VersionStore) -> None:
        super().__init__()
        self.signals = DiffSignals()
        self.history, self.old, self.new, self.store = history, old, new, store

    def run(self) -> None:
        versions = self.history.versions
        try:
            diff = diff_history(self.history, versions[self.old], versions[self.new],
                                self.store)
            earlier = (last_text_change(self.history, self.new, self.old, self.store)
                       if diff.other_difference else None)
        except PolicyLoadError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001
            self.signals.failed.emit(f"Comparing the versions failed: {exc}")
        else:
            self.signals.finished.emit(diff, earlier)


class DiffExportWorker(QRunnable):
    """Writes a diff's PDF off the GUI thread (a 800-change diff is 60 pages, seconds)."""

    def __init__(self, company: str, diff: PolicyDiff, out: Path, look: HighlightLook) -> None:
        super().__init__()
        self.signals = ExportSignals()
        self.company, self.diff, self.out, self.look = company, diff, out, look
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from reader.output.diff_export import write_diff_pdf
        from reader.output.export import ExportError

        missing: set[str] = set()
        try:
            written = write_diff_pdf(self.company, self.diff, self.out, self.look,
                                     self._cancel.is_set, missing)
        except ExportError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"Export failed: {exc}")
        else:
            report = ExportReport()
            report.add_written(written, missing)
            self.signals.finished.emit(report)


class TimelineChart(QWidget):
    """Passages per practice (one line each) over the versions; the two compared versions
    are marked. Click a point to compare it (left: newer side, Shift+click: older side)."""

    version_clicked = Signal(int, bool)  # index, as the older version?

    MARGIN = 28
    TICK_ROOM = 44  # pixels a year label needs
    END_LABEL = 90  # pixels the first and last dates take at each end of the axis

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.points: list[TimelinePoint | None] = []
        self._days: list[int] = []
        self.old = self.new = -1
        self.dark = False
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Passages per practice over time")
        self.setToolTip("Passages per practice in each version. Click a version to compare it "
                        "with the older one; Shift+click to set the older one.")

    def set_points(self, points: list[TimelinePoint | None]) -> None:
        self.points = points
        self.update()

    def mark(self, old: int, new: int) -> None:
        self.old, self.new = old, new
        self.update()

    def _x(self, index: int, width: float) -> float:
        """Where version ``index`` sits: proportional to its date (a timeline)."""
        days = self._days if len(self._days) == len(self.points) else list(range(len(self.points)))
        span = max(1, days[-1] - days[0]) if days else 1
        return self.MARGIN + (width - 2 * self.MARGIN) * (days[index] - days[0]) / span

    def year_ticks(self, width: float) -> list[tuple[float, str]]:
        """(x, year) of the 1 Januaries on the axis: every year, or every 2nd, 5th or 10th
        when years are narrow, none where the first and last dates are written."""
        if len(self._days) != len(self.points) or len(self._days) < 2:
            return []
        first, last = self._days[0], self._days[-1]
        span = max(1, last - first)
        per_year = (width - 2 * self.MARGIN) * 365.25 / span
        step = next((n for n in (1, 2, 5, 10, 20, 50) if n * per_year >= self.TICK_ROOM), 100)
        ticks = []
        for year in range(dt.date.fromordinal(first).year + 1,
                          dt.date.fromordinal(last).year + 1):
            if year % step:
                continue
            x = self.MARGIN + (width - 2 * self.MARGIN) * \
                (dt.date(year, 1, 1).toordinal() - first) / span
            if self.MARGIN + self.END_LABEL <= x <= width - self.MARGIN - self.END_LABEL:
                ticks.append((x, str(year)))
        return ticks

    def tooltip_text(self, index: int) -> str:
        """A version's date, words and passages per practice (the chart has no scale)."""
        if not 0 <= index < len(self.points):
            return ""
        point = self.points[index]
        if point is None:
            known = len(self._days) == len(self.points)
            day = dt.date.fromordinal(self._days[index]).isoformat() if known else "This version"
            return f"{day}: not analysed yet"
        lines = [f"{point.version.label}: {point.words:,} words"]
        if point.counts is None:
            lines.append(point.problem or "not analysed yet")
        else:
            lines += [f"{item.name}: {point.counts.get(item.id, 0)}"
                      for item in practice_categories()]
        if point.language != ENGLISH:
            lines.append(other_language_note(point.language))
        return "\n".join(lines)

    BAND_OPACITY = 0.3

    def band_colour(self) -> QColor:
        """The shade of versions not in English as it shows on the chart's background."""
        band, ground = QColor(OTHER_LANGUAGE_BAND), self.palette().window().color()
        mix = self.BAND_OPACITY
        return QColor.fromRgbF(*(mix * a + (1 - mix) * b for a, b in
                                 zip(band.getRgbF()[:3], ground.getRgbF()[:3], strict=True)))

    def other_language_runs(self) -> list[tuple[int, int, str]]:
        """(first, last, language) of each run of versions in one language other than
        English, oldest first: the chart shades them."""
        runs: list[tuple[int, int, str]] = []
        for index, point in enumerate(self.points):
            language = point.language if point is not None else ENGLISH
            if language == ENGLISH:
                continue
            if runs and runs[-1][1] == index - 1 and runs[-1][2] == language:
                runs[-1] = (runs[-1][0], index, language)
            else:
                runs.append((index, index, language))
        return runs

    def nearest(self, x: float) -> int:
        """The version drawn nearest to ``x`` (-1 when there is none)."""
        width = self.width()
        return min(range(len(self.points)), key=lambda i: abs(self._x(i, width) - x),
                   default=-1)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.points:
            text = self.tooltip_text(self.nearest(event.position().x()))
            QToolTip.showText(event.globalPosition().toPoint(), text or self.toolTip(), self)
            return True
        return super().event(event)

    def set_dates(self, dates: list[str]) -> None:
        """The versions' dates (YYYY-MM-DD), oldest first: the x axis."""
        self._days = [dt.date.fromisoformat(d).toordinal() for d in dates]
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        base = QColor("#DDDDDD" if self.dark else "#444444")
        painter.setPen(QPen(base, 1))
        top, bottom = 8.0, height - 20.0
        painter.drawLine(QPointF(self.MARGIN, bottom), QPointF(width - self.MARGIN, bottom))
        known = [p for p in self.points if p is not None and p.counts]
        peak = max((max(p.counts.values(), default=0) for p in known), default=0) or 1
        painter.drawText(QRectF(0, top - 6, self.MARGIN - 4, 14),
                         Qt.AlignmentFlag.AlignRight, str(peak))
        band = QColor(OTHER_LANGUAGE_BAND)
        band.setAlphaF(self.BAND_OPACITY)
        for first, last, language in self.other_language_runs():
            # From the run's first version to where the next version starts (at least a
            # few pixels): the time the policy read in that language.
            left = self._x(first, width)
            right = self._x(last + 1, width) if last + 1 < len(self.points) else \
                self._x(last, width)
            left, right = left - 3, max(right, left + 3) + 3
            painter.fillRect(QRectF(left, top, right - left, bottom - top), band)
            painter.setPen(QPen(base, 1))
            painter.drawText(QRectF(left + 2, top, max(60.0, right - left), 14),
                             Qt.AlignmentFlag.AlignLeft, language.upper())
        for index in (self.old, self.new):
            if 0 <= index < len(self.points):
                x = self._x(index, width)
                painter.setPen(QPen(QColor("#1565C0"), 2, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        for item in practice_categories():
            colour = QColor(item.colour(self.dark)).darker(150 if not self.dark else 100)
            # A polyline, not a QPainterPath: PySide6's QPainterPath.lineTo() drops a
            # reference to None on each call under Python 3.11.
            line = QPolygonF([
                QPointF(self._x(index, width),
                        bottom - (bottom - top) * point.counts.get(item.id, 0) / peak)
                for index, point in enumerate(self.points)
                if point is not None and point.counts is not None])
            painter.setPen(QPen(colour, 2))
            painter.drawPolyline(line)
            if line.size() == 1:  # one version: no line to draw, a dot at its count
                painter.setBrush(colour)
                painter.drawEllipse(line.at(0), 3.0, 3.0)
                painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(base, 1))
        for x, year in self.year_ticks(width):
            painter.drawLine(QPointF(x, bottom), QPointF(x, bottom + 3))
            painter.drawText(QRectF(x - 20, bottom + 3, 40, 14), Qt.AlignmentFlag.AlignHCenter,
                             year)
        for index in ({0, len(self.points) - 1} if self.points else set()):
            point = self.points[index]
            if point is not None:
                x = self._x(index, width)
                align = Qt.AlignmentFlag.AlignLeft if index == 0 else Qt.AlignmentFlag.AlignRight
                rect = QRectF(x - 80 if index else x - 4, bottom + 3, 84, 14)
                painter.drawText(rect, align, point.version.date)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.points:
            return
        index = self.nearest(event.position().x())
        older = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.version_clicked.emit(index, older)


CURRENT_CHANGE_EDGE = "#F9A825"  # the frame around the change stepped to
OTHER_LANGUAGE_BAND = "#FFB300"  # behind versions that are not in English (translucent)


def other_language_note(language: str) -> str:
    """What a version in ``language`` (not English) means for its counts."""
    return (f"Reads as {language_name(language)}: the practice models learnt from English "
            "policies, so its counts are likely too low (not a change of practice).")


def version_label(point: TimelinePoint) -> str:
    """A version as the version lists name it: its label, and its language when it is not
    English (its counts are then not comparable)."""
    if point.language == ENGLISH:
        return point.version.label
    return f"{point.version.label} · {language_name(point.language)}"


class DiffBrowser(PolicyBrowser):
    """A policy browser without the left gutter for category labels: a diff labels its
    passages inline, and the gutter left a blank band in each pane."""

    def gutter_width(self) -> float:
        return 0.0


class HistoryDialog(QDialog):
    """Every version of one company's policy and what changed between two of them."""

    # The chart and progress bar show the versions analysed so far at most this often:
    # painting them for each of a 500-version policy's 1,000 signals kept the GUI thread
    # busy for the whole fill.
    REFRESH_MS = 150
    FRAME_ROOM = 12  # pixels shown above the change stepped to (its frame and edge)

    def __init__(self, corpus: Corpus, company: str, look: HighlightLook | bool = False,
                 parent=None,
                 pool: QThreadPool | None = None,
                 source: CorpusHistory | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {company}")
        self.corpus, self.company = corpus, company
        self.look = as_look(look)  # the viewer's highlight colours (theme, intensity, palette)
        self.dark = self.look.dark
        self.source = source  # detected when the corpus was opened (None: detect here)
        self.pool = pool or QThreadPool(self)
        self.store = VersionStore()
        self.history: PolicyHistory | None = None
        self.points: list[TimelinePoint | None] = []
        self.diff: PolicyDiff | None = None
        self.text_changed_before: int | None = None  # see last_text_change
        self.change_position = -1
        self._anchors: dict[str, int] | None = None  # change anchor -> text position
        self._marked = None  # (table, its format) of the change framed as current
        self.timeline_worker: TimelineWorker | None = None
        self.diff_worker: DiffWorker | None = None
        self.export_worker: DiffExportWorker | None = None
        self._pending_diff = False
        self._progress_value: tuple[int, int] | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(self.REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._build()
        self.resize(1100, 800)
        self._start_timeline()

    # -- construction --------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(f"<b>{self.company}</b>: reading its versions…")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color:#B71C1C")
        self.problems.hide()
        # Versions that go back to an earlier text (see repeated_text_note)
        self.repeats = QLabel()
        self.repeats.setWordWrap(True)
        self.repeats.setStyleSheet("color:#555555")
        self.repeats.hide()
        self.chart = TimelineChart()
        self.chart.dark = self.dark
        self.chart.version_clicked.connect(self._chart_clicked)
        legend = " ".join(
            f"<span style='color:{QColor(c.colour(self.dark)).darker(150).name()}'>■</span>"
            f"&nbsp;{c.name}" for c in practice_categories())
        self.legend = QLabel(legend)
        self.legend.setWordWrap(True)
        self._legend_html = legend
        self.old_box, self.new_box = QComboBox(), QComboBox()
        self.old_box.setAccessibleName("Older version")
        self.new_box.setAccessibleName("Newer version")
        self.old_box.currentIndexChanged.connect(self._versions_chosen)
        self.new_box.currentIndexChanged.connect(self._versions_chosen)
        self.inline_button = QRadioButton("Inline")
        self.side_button = QRadioButton("Side by side")
        self.inline_button.setChecked(True)
        self.layout_group = QButtonGroup(self)
        for button in (self.inline_button, self.side_button):
            self.layout_group.addButton(button)
            button.toggled.connect(self._render_diff)
        self.previous_button = QPushButton("◀ Previous change")
        self.next_button = QPushButton("Next change ▶")
        self.previous_button.clicked.connect(self.previous_change)
        self.next_button.clicked.connect(self.next_change)
        self.export_button = QPushButton("Export PDF…")
        # (not connected to export_pdf itself: clicked() passes False for its path)
        self.export_button.clicked.connect(lambda: self.export_pdf())
        self.position_label = QLabel()
        self.export_note = QLabel()
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Compare"))
        choose.addWidget(self.old_box, 1)
        choose.addWidget(QLabel("with"))
        choose.addWidget(self.new_box, 1)
        choose.addWidget(self.inline_button)
        choose.addWidget(self.side_button)
        steps = QHBoxLayout()
        steps.addWidget(self.previous_button)
        steps.addWidget(self.next_button)
        steps.addWidget(self.position_label, 1)
        steps.addWidget(self.export_note)
        steps.addWidget(self.export_button)
        self.summary = DiffBrowser()
        self.summary.setAccessibleName("What changed")
        self.view = DiffBrowser()
        self.view.setAccessibleName("Changes")
        self.view.anchorClicked.connect(self._version_link)
        panes = QSplitter(Qt.Orientation.Horizontal)
        panes.addWidget(self.summary)
        panes.addWidget(self.view)
        panes.setStretchFactor(0, 2)
        panes.setStretchFactor(1, 3)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        status = QHBoxLayout()
        status.addWidget(self.progress, 1)
        status.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.repeats)
        layout.addWidget(self.problems)
        layout.addWidget(self.chart)
        layout.addWidget(self.legend)
        layout.addLayout(choose)
        layout.addLayout(steps)
        layout.addWidget(panes, 1)
        layout.addLayout(status)
        for keys, slot in (("N", self.next_change), ("P", self.previous_change),
                           ("Ctrl+Down", self.next_change), ("Ctrl+Up", self.previous_change),
                           ("F8", self.next_change), ("Shift+F8", self.previous_change)):
            QShortcut(QKeySequence(keys), self, slot)
        self._enable_diff(False)

    def _enable_diff(self, enabled: bool) -> None:
        for widget in (self.previous_button, self.next_button, self.export_button):
            widget.setEnabled(enabled)

    # -- background work -----------------------------------------------------------------

    def _start_timeline(self) -> None:
        worker = TimelineWorker(self.corpus, self.company, self.store, self.source)
        worker.signals.loaded.connect(self._history_loaded)
        worker.signals.point.connect(self._point_ready)
        worker.signals.progress.connect(self._progress)
        worker.signals.failed.connect(self._failed)
        worker.signals.finished.connect(self._timeline_finished)
        self.timeline_worker = worker
        self.progress.setRange(0, 0)
        self.pool.start(worker)

    def cancel(self) -> None:
        if self.timeline_worker:
            self.timeline_worker.cancel()
        if self.export_worker:
            self.export_worker.cancel()

    def _history_loaded(self, history: PolicyHistory) -> None:
        self.history = history
        self.points = [None] * len(history.versions)
        count = len(history.versions)
        span = (f"{history.versions[0].date} to {history.versions[-1].date}"
                if count else "no versions")
        self.title.setText(f"<b>{self.company}</b>: {count} version{'s' * (count != 1)}, "
                           f"{span}")
        note = repeated_text_note(history.earlier_same_text())
        self.repeats.setText(note or "")
        self.repeats.setVisible(bool(note))
        problems = history.problems + ([self.store.problem] if self.store.problem else [])
        if problems:
            self.problems.setText("\n".join(problems))
            self.problems.show()
        for box in (self.old_box, self.new_box):
            box.blockSignals(True)
            box.clear()
            box.addItems([v.label for v in history.versions])
            box.blockSignals(False)
        if count >= 2:
            self.old_box.blockSignals(True)
            self.old_box.setCurrentIndex(count - 2)
            self.old_box.blockSignals(False)
            self.new_box.setCurrentIndex(count - 1)
            self._versions_chosen()
        else:
            self.summary.setHtml("Only one version: nothing to compare.")
        self.chart.set_dates([v.date for v in history.versions])
        self.chart.set_points(self.points)

    def _point_ready(self, index: int, point: TimelinePoint) -> None:
        if 0 <= index < len(self.points):
            self.points[index] = point
            if point.language != ENGLISH:
                self._mark_language(index, point)
            if point.problem:
                self.problems.setText((self.problems.text() + "\n" + point.problem).strip())
                self.problems.show()
            self._refresh_soon()

    def _mark_language(self, index: int, point: TimelinePoint) -> None:
        """Name a version's language in both version lists and the legend: the chart's
        counts of a version not in English are not comparable with the others'."""
        note = other_language_note(point.language)
        for box in (self.old_box, self.new_box):
            if index < box.count():
                box.setItemText(index, version_label(point))
                box.setItemData(index, note, Qt.ItemDataRole.ToolTipRole)
        languages = sorted({p.language for p in self.points if p is not None} - {ENGLISH})
        names = " or ".join(language_name(code) for code in languages)
        swatch = self.chart.band_colour().name()  # as the chart shows it on its background
        self.legend.setText(
            f"{self._legend_html} &nbsp; <span style='background-color:{swatch}'>"
            f"&nbsp;&nbsp;&nbsp;</span>&nbsp;reads as {html.escape(names)}: counts not "
            "comparable (the models learnt from English)")

    def _progress(self, done: int, total: int) -> None:
        self._progress_value = (done, total)
        self._refresh_soon()

    def _refresh_soon(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        """Show the points and progress received since the last refresh."""
        self._refresh_timer.stop()
        self.chart.set_points(self.points)
        if self._progress_value is not None:
            done, total = self._progress_value
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"Analysing versions: {done} of {total}")

    def _failed(self, message: str) -> None:
        if self.history is None:  # not "reading its versions…" for ever
            self.title.setText(f"<b>{html.escape(self.company)}</b>: its versions cannot "
                               "be read")
            self.summary.setHtml("")
        self.problems.setText(message)
        self.problems.show()

    def _timeline_finished(self) -> None:
        self._refresh()
        self.timeline_worker = None
        if self.export_worker is None:
            self.progress.hide()
            self.cancel_button.hide()

    def is_busy(self) -> bool:
        return (self.timeline_worker is not None or self.diff_worker is not None
                or self.export_worker is not None)

    # -- comparing -----------------------------------------------------------------------

    def _chart_clicked(self, index: int, older: bool) -> None:
        (self.old_box if older else self.new_box).setCurrentIndex(index)

    def compare(self, old: int, new: int) -> None:
        """Compare versions ``old`` and ``new`` (indexes, oldest first)."""
        self.old_box.blockSignals(True)
        self.old_box.setCurrentIndex(old)
        self.old_box.blockSignals(False)
        self.new_box.setCurrentIndex(new)
        self._versions_chosen()

    def _versions_chosen(self, _index: int = 0) -> None:
        if self.history is None or len(self.history.versions) < 2:
            return
        old, new = self.old_box.currentIndex(), self.new_box.currentIndex()
        if old < 0 or new < 0:
            return
        if old > new:
            old, new = new, old
        self.chart.mark(old, new)
        if self.diff_worker is not None:
            self._pending_diff = True
            return
        self.summary.setHtml(f"Comparing {self.history.versions[old].label} with "
                             f"{self.history.versions[new].label}…")
        self._enable_diff(False)
        worker = DiffWorker(self.history, old, new, self.store)
        worker.signals.finished.connect(self._diff_ready)
        worker.signals.failed.connect(self._diff_failed)
        self.diff_worker = worker
        self.pool.start(worker)

    def _diff_done(self) -> None:
        self.diff_worker = None
        if self._pending_diff:
            self._pending_diff = False
            self._versions_chosen()

    def _diff_ready(self, diff: PolicyDiff, earlier: int | None = None) -> None:
        self.diff = diff
        self.text_changed_before = earlier
        self.change_position = -1
        self.summary.setHtml(summary_html(diff, self.look))
        self._render_diff()
        self._enable_diff(True)
        self._diff_done()

    def _version_link(self, url: QUrl) -> None:
        """"Compare DATE with DATE" under a diff of formatting only: that pair."""
        if url.scheme() == "version" and url.path().isdigit():
            newer = max(self.old_box.currentIndex(), self.new_box.currentIndex())
            self.compare(int(url.path()), newer)

    def _diff_failed(self, message: str) -> None:
        self.diff = None
        self.summary.setHtml(f"<span style='color:#B71C1C'>{message}</span>")
        self.view.setHtml("")
        self._diff_done()

    def _render_diff(self, _checked: bool = True) -> None:
        if self.diff is None:
            return
        if self.side_button.isChecked():
            body = "".join(self._side_by_side(i) for i in range(len(self.diff.changes)))
            if body:  # which side is which: nothing else in the two columns says so
                body = (f"<table width='100%' cellspacing='0' cellpadding='4'><tr>"
                        f"<th width='50%' align='left'>Before: {html.escape(self.diff.old)}"
                        f"</th><th width='50%' align='left'>After: "
                        f"{html.escape(self.diff.new)}</th></tr></table>{body}")
        else:
            body = "".join(change_html(c, f"c{i}", self.look)
                           for i, c in enumerate(self.diff.changes))
        note = "" if body else f"<p>{html.escape(no_changes_note(self.diff))}</p>"
        if note and self.text_changed_before is not None:
            index = self.text_changed_before
            earlier = html.escape(self.history.versions[index].label)
            note += (f"<p><a href='version:{index}'>Compare {earlier} with "
                     f"{html.escape(self.diff.new)}</a>: the newest earlier version whose "
                     "text differs.</p>")
        self.view.setHtml(note + body + links_html(self.diff, self.look))
        self._anchors: dict[str, int] | None = None
        self._marked = None
        if self.change_position >= 0:
            self._mark_current()
        self._show_position()

    def _side_by_side(self, index: int) -> str:
        change = self.diff.changes[index]
        old, new = marked_texts(change, self.look)
        edge = KIND_EDGE[change.kind]
        return (f"<a name='c{index}'></a><table width='100%' cellspacing='0' cellpadding='4'>"
                f"<tr><td colspan='2' style='border-top:2px solid {edge}'><b>"
                f"{change.kind.capitalize()}</b> · {category_labels(change.categories, self.look)}"
                f"</td></tr><tr><td width='50%' style='color:{removed_text_colour(self.look)}'>"
                f"{old}</td>"
                f"<td width='50%'>{new}</td></tr></table>")

    # -- stepping ------------------------------------------------------------------------

    def next_change(self) -> None:
        self._step(1)

    def previous_change(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if not self.diff or not self.diff.changes:
            return
        count = len(self.diff.changes)
        self.change_position = (self.change_position + step) % count
        self._mark_current()  # first: the frame moves the text a little
        self.view.scrollToAnchor(f"c{self.change_position}")
        bar = self.view.verticalScrollBar()  # the anchor sits at the top: show the frame too
        bar.setValue(max(0, bar.value() - self.FRAME_ROOM))
        self._show_position()

    def _mark_current(self) -> None:
        """Frame the change stepped to (and no other), so it stands out among the rest."""
        if self._marked is not None:
            table, original = self._marked
            table.setFormat(original)
            self._marked = None
        position = self._anchor_positions().get(f"c{self.change_position}")
        if position is None:
            return
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(position)
        table = cursor.currentTable()
        if table is None:
            return
        original = table.format()
        framed = table.format()
        framed.setBorder(3)
        framed.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        framed.setBorderBrush(QBrush(QColor(CURRENT_CHANGE_EDGE)))
        table.setFormat(framed)
        self._marked = (table, original)

    def _anchor_positions(self) -> dict[str, int]:
        """Where each change's anchor (``c0``, ``c1``…) sits in the changes pane."""
        if self._anchors is None:
            self._anchors = {}
            block = self.view.document().begin()
            while block.isValid():
                fragments = block.begin()
                while not fragments.atEnd():
                    fragment = fragments.fragment()
                    for name in fragment.charFormat().anchorNames():
                        self._anchors[name] = fragment.position()
                    fragments += 1
                block = block.next()
        return self._anchors

    def _show_position(self) -> None:
        count = len(self.diff.changes) if self.diff else 0
        where = f"change {self.change_position + 1} of {count}" if self.change_position >= 0 \
            else f"{counted(count, 'change')} (N / P or F8 / Shift+F8 to step)"
        self.position_label.setText(where)

    # -- export --------------------------------------------------------------------------

    def export_pdf(self, path: str | None = None) -> DiffExportWorker | None:
        """Export the diff shown to ``path`` (or one the user picks) in the background, with
        progress and Cancel; the worker, or ``None`` when nothing was started."""
        from reader.output.export import ExportError, pdf_target

        if self.diff is None or self.export_worker is not None:
            return None
        if path is None:
            name = f"{self.company.replace('/', '-')}-{self.diff.old}-{self.diff.new}.pdf"
            path, _ = QFileDialog.getSaveFileName(self, "Export the changes to PDF",
                                                  str(Path.home() / name),
                                                  "PDF files (*.pdf)")
            if not path:
                return None
        try:
            target = pdf_target(Path(path))
        except ExportError as exc:
            QMessageBox.warning(self, "Export PDF", str(exc))
            return None
        worker = DiffExportWorker(self.company, self.diff, target, self.look)
        worker.signals.finished.connect(self._exported)
        worker.signals.failed.connect(self._export_failed)
        self.export_worker = worker
        self.export_button.setEnabled(False)
        self.export_note.setText(f"Exporting to {target.name}…")
        self.progress.setRange(0, 0)
        self.progress.setFormat("Exporting the PDF")
        self.progress.show()
        self.cancel_button.show()
        self.pool.start(worker)
        return worker

    def _export_done(self, note: str) -> None:
        self.export_worker = None
        self.export_button.setEnabled(self.diff is not None)
        self.export_note.setText(note)
        if self.timeline_worker is None:
            self.progress.hide()
            self.cancel_button.hide()

    def _exported(self, report: ExportReport) -> None:
        written = report.written[0]
        notes = unprintable_notes(report)
        self._export_done(" ".join([f"Saved {written.name}.", *notes]) if notes
                          else f"Saved {written.name}")
        self.export_note.setToolTip(str(written))

    def _export_failed(self, message: str) -> None:
        self._export_done("")
        if "cancelled" not in message:
            QMessageBox.warning(self, "Export PDF", message)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.cancel()
        super().closeEvent(event)
