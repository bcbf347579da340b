"""The Compare window: 2 to 4 companies side by side, one column per company.

Rows are the privacy facts shown and the passages per practice
(:mod:`reader.analysis.compare` decides nothing new: every value is the one decision the
viewer shows). Rows where the companies differ carry "≠", bold text and a tooltip saying
who states what (the shading is only a third cue). Clicking a cell opens that company's
policy with its evidence selected. Computing runs on a thread pool, with Cancel.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reader.analysis.compare import (
    FACT_ROW,
    MAX_COMPANIES,
    MIN_COMPANIES,
    PRACTICE_ROW,
    CompareError,
    Comparison,
    Row,
    compare_companies,
)
from reader.analysis.facts import DOES_NOT, STATED, STATED_MEANS
from reader.output.compare_export import DIFFERS_BACKGROUND, DIFFERS_MARK
from reader.output.export import ExportReport, unprintable_notes
from reader.sources.corpus import Corpus
from reader.ui.models import DomainRole
from reader.ui.workers import CancellableWorker, ExportSignals
from reader.wording import counted

EvidenceRole = Qt.ItemDataRole.UserRole + 1  # the cell's evidence best first, then its denials
NOT_STATED = QColor("#666666")
_GLYPH = {STATED: "✓", DOES_NOT: "✗"}  # a fact cell's mark before its state's words


class CompareModel(QAbstractTableModel):
    """A comparison as a table: rows = facts then practices, columns = companies."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid() or self.comparison is None:
            return 0
        return len(self.comparison.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid() or self.comparison is None:
            return 0
        return len(self.comparison.companies)

    def row(self, number: int) -> Row:
        assert self.comparison is not None
        return self.comparison.rows[number]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.comparison is None:
            return None
        row = self.row(index.row())
        cell = row.cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if row.kind == PRACTICE_ROW:
                return cell.value
            return f"{_GLYPH.get(cell.state, '–')} {cell.value}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column())
        if role == Qt.ItemDataRole.FontRole and row.differs:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            return QBrush(QColor(DIFFERS_BACKGROUND))
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row.differs, cell.stated or bool(cell.note))
        if role == Qt.ItemDataRole.TextAlignmentRole and row.kind == PRACTICE_ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EvidenceRole:
            return (*cell.evidence, *cell.denials, *cell.note_evidence)
        return None

    @staticmethod
    def _foreground(differs: bool, stated: bool) -> QBrush | None:
        """Dark text on a differing row's light shading; elsewhere the palette's text (a
        dark theme's light text), muted where nothing is stated."""
        if differs:
            return QBrush(NOT_STATED if not stated else QColor("#000000"))
        if stated:
            return None
        palette = QGuiApplication.palette()
        text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
        return QBrush(QColor(*(round(0.6 * t + 0.4 * b) for t, b in (
            (text.red(), base.red()), (text.green(), base.green()), (text.blue(), base.blue())))))

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if self.comparison is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            company = self.comparison.companies[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"\u26a0 {company.domain}" if company.caveat else company.domain
            if role == Qt.ItemDataRole.ToolTipRole:
                return (f"{company.label}: {company.title} (archived "
                        f"{company.archive_date or 'on an unknown date'}, "
                        f"{counted(company.word_count, 'word')})"
                        + (f"\n\u26a0 {company.caveat}" if company.caveat else ""))
            return None
        row = self.row(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{DIFFERS_MARK} {row.title}" if row.differs else f"   {row.title}"
        if role == Qt.ItemDataRole.FontRole and row.differs:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._row_tooltip(row)
        return None

    def _who(self, row: Row) -> tuple[list[str], list[str]]:
        assert self.comparison is not None
        names = [c.domain for c in self.comparison.companies]
        yes = [n for n, c in zip(names, row.cells, strict=True) if c.stated]
        return yes, [n for n in names if n not in yes]

    def _row_tooltip(self, row: Row) -> str:
        yes, no = self._who(row)
        assert self.comparison is not None
        denied = [c.domain for c, cell in zip(self.comparison.companies, row.cells, strict=True)
                  if cell.state == DOES_NOT]
        if row.kind == FACT_ROW and row.differs and denied:
            # three states: say each company's
            return (f"{row.title}: the companies differ. " + "; ".join(
                f"{c.domain}: {cell.value}"
                for c, cell in zip(self.comparison.companies, row.cells, strict=True)) + ".")
        verb = "have passages" if row.kind == PRACTICE_ROW else "state it"
        if not row.differs:
            who = "All" if yes else "None"
            return f"{row.title}: {who} of the companies {verb}."
        if len(yes) == 1:
            verb = "has passages" if row.kind == PRACTICE_ROW else "states it"
        if len(no) == 1:
            none = "has none" if row.kind == PRACTICE_ROW else "does not"
        else:
            none = "have none" if row.kind == PRACTICE_ROW else "do not"
        return (f"{row.title}: the companies differ. {', '.join(yes)} {verb}; "
                f"{', '.join(no)} {none}.")

    def _tooltip(self, row: Row, column: int) -> str:
        assert self.comparison is not None
        company = self.comparison.companies[column].domain
        cell = row.cells[column]
        lines = [self._row_tooltip(row)] if row.differs else []
        if row.kind == PRACTICE_ROW:
            lines.append(f"{company}: {counted(cell.count, 'passage')} of {row.label}.")
            if cell.note:
                lines.append(f"Its {cell.note.split(' · ', 1)[1]}, from a sentence the "
                             f"category model did not mark as a passage of {row.label}:")
                lines.append(f"“{cell.note_evidence[0].text}”")
        elif cell.stated:
            lines.append(f"{company} states it:")
        elif cell.state == DOES_NOT:
            lines.append(f"{company} says it does not:")
        else:
            lines.append(f"{company}: not stated (no sentence of its policy states it).")
        if cell.evidence:
            lines.append(f"“{cell.evidence[0].text}”")
        if cell.denials:
            lines.append(f"{company} also says it does not:")
            lines.append(f"“{cell.denials[0].text}”")
        sentences = len(cell.evidence) + len(cell.denials) + len(cell.note_evidence)
        if sentences:
            lines.append("Click to open the policy at this sentence"
                         + (f"; click again for the next of {sentences}."
                            if sentences > 1 else "."))
        return "<p>" + "</p><p>".join(html.escape(line) for line in lines) + "</p>"


class CompareSignals(QObject):
    finished = Signal(object)  # Comparison, or None when cancelled
    failed = Signal(str)


class CompareWorker(CancellableWorker):
    """Loads, analyses and compares the companies; cancellable between policies."""

    def __init__(self, corpus: Corpus, domains: list[str]) -> None:
        super().__init__(CompareSignals())
        self.corpus = corpus
        self.domains = domains

    def run(self) -> None:
        try:
            comparison = compare_companies(self.corpus, self.domains,
                                           cancelled=self.is_cancelled)
        except CompareError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"The comparison failed: {exc}")
        else:
            self.signals.finished.emit(comparison)


class CompareExportWorker(CancellableWorker):
    def __init__(self, comparison: Comparison, out: Path) -> None:
        super().__init__(ExportSignals())
        self.comparison = comparison
        self.out = out

    def run(self) -> None:
        from reader.output.compare_export import write_comparison_pdf
        from reader.output.export import ExportError

        missing: set[str] = set()
        try:
            written = write_comparison_pdf(self.comparison, self.out, missing)
        except ExportError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001
            self.signals.failed.emit(f"Export failed: {exc}")
        else:
            report = ExportReport()
            report.add_written(written, missing)
            self.signals.finished.emit(report)


class CompareDialog(QDialog):
    """The Compare window of 2 to 4 companies of a corpus."""

    evidence_requested = Signal(str, int, int)  # domain, start, end in its rendered text

    def __init__(self, corpus: Corpus, domains: list[str], parent: QWidget | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.corpus = corpus
        self.domains = list(domains)
        self.pool = pool or QThreadPool(self)
        self.worker: CompareWorker | None = None
        self.export_worker: CompareExportWorker | None = None
        self._next_evidence: dict[tuple[int, int], int] = {}  # cell -> evidence to open next
        self.setWindowTitle(f"Compare {', '.join(self.domains)}")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setAccessibleName("Comparing")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the comparison")
        self.cancel_button.clicked.connect(self.cancel)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy)
        busy_row.addWidget(self.cancel_button)
        busy_row.addStretch(1)
        self.model = CompareModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Comparison of companies")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                        | Qt.AlignmentFlag.AlignVCenter)
        self.table.clicked.connect(self.open_cell)
        self.table.activated.connect(self.open_cell)
        self.legend = QLabel(f"<b>{DIFFERS_MARK}</b> and bold: the companies differ (a fact "
                             "stated, said not done or not stated by some, or a practice "
                             "with passages in some policies only). Click a cell to open its "
                             "evidence. \u201c0 · stated in facts\u201d: no passage of the "
                             "practice, yet a fact above states it. "
                             + html.escape(STATED_MEANS))
        self.legend.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_pdf())
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(busy_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.legend)
        layout.addLayout(buttons)
        self.resize(260 + 190 * len(self.domains), 760)
        self.start()

    def start(self) -> None:
        """Compute the comparison in the background."""
        self.cancel()
        self.title.setText(f"<b>Comparing {html.escape(', '.join(self.domains))}…</b>")
        self._set_busy(True)
        worker = CompareWorker(self.corpus, self.domains)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self.worker = worker
        self.pool.start(worker)

    def is_busy(self) -> bool:
        return self.worker is not None or self.export_worker is not None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.worker = None
            self._set_busy(False)
            self.title.setText("<b>Comparison cancelled.</b>")

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _finished(self, comparison: Comparison | None) -> None:
        if self.sender() is not getattr(self.worker, "signals", None):
            return  # a cancelled run
        self.worker = None
        self._set_busy(False)
        if comparison is None:
            return
        self.model.set_comparison(comparison)
        self.table.resizeRowsToContents()
        self._fit_columns()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        differing = len(comparison.differing())
        # Which version of each policy, and how long: passage counts follow length.
        names = ", ".join(f"<b>{html.escape(c.domain)}</b> ({c.archive_date or 'date unknown'}"
                          f", {counted(c.word_count, 'word')})" for c in comparison.companies)
        notes = "".join(f"<br>\u26a0 <b>{html.escape(c.domain)}</b>: {html.escape(c.caveat)}"
                        for c in comparison.companies if c.caveat)
        self.title.setText(f"{names}: {differing} of {len(comparison.rows)} rows "
                           f"differ{notes}")
        self.export_button.setEnabled(True)

    def _fit_columns(self) -> None:
        """Widen the window (up to the screen) so every company's name fits its column
        header; in a narrower window the names are elided in the middle, never cut."""
        header = self.table.horizontalHeader()
        header.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        columns = self.model.columnCount()
        widest = max((header.sectionSizeFromContents(c).width() for c in range(columns)),
                     default=0)
        shown = self.table.viewport().width()
        if columns and widest * columns > shown:
            wanted = self.width() + widest * columns - shown
            screen = self.screen().availableGeometry().width() if self.screen() else wanted
            self.resize(min(wanted, screen), self.height())

    def _failed(self, message: str) -> None:
        if self.sender() is not getattr(self.worker, "signals", None):
            return
        self.worker = None
        self._set_busy(False)
        self.title.setText(f"<b>These companies cannot be compared.</b> "
                           f"{html.escape(message)}")

    def open_cell(self, index: QModelIndex) -> None:
        """Ask for the cell's best evidence to be shown (its policy, at that sentence)."""
        if not index.isValid() or self.model.comparison is None:
            return
        company = self.model.comparison.companies[index.column()].domain
        evidence = index.data(EvidenceRole)
        row = self.model.row(index.row())
        if not evidence:
            self.status.setText(f"{company}: nothing to open, "
                                f"{'no passages' if row.kind == PRACTICE_ROW else 'not stated'}"
                                f" ({row.title}).")
            return
        key = (index.row(), index.column())
        number = self._next_evidence.get(key, 0) % len(evidence)
        self._next_evidence = {key: number + 1}  # clicking again steps to the next one
        more = (f" {number + 1} of {len(evidence)} (click again for the next)"
                if len(evidence) > 1 else "")
        self.status.setText(f"Opened {company} at its evidence{more} for {row.title}.")
        self.evidence_requested.emit(company, evidence[number].start, evidence[number].end)

    def export_pdf(self, path: str | None = None) -> bool:
        """Export the comparison as a PDF (asks where when ``path`` is not given)."""
        comparison = self.model.comparison
        if comparison is None or self.export_worker is not None:
            return False
        if path is None:
            default = "compare-" + "-".join(c.domain for c in comparison.companies) + ".pdf"
            path, _ = QFileDialog.getSaveFileName(self, "Export comparison as PDF", default,
                                                  "PDF files (*.pdf)")
            if not path:
                return False
        worker = CompareExportWorker(comparison, Path(path))
        worker.signals.finished.connect(self._exported)
        worker.signals.failed.connect(self._export_failed)
        self.export_worker = worker
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        self.pool.start(worker)
        return True

    def _exported(self, report: ExportReport) -> None:
        self.export_worker = None
        self.export_button.setEnabled(True)
        notes = unprintable_notes(report)
        self.status.setText(" ".join([f"Saved {report.written[0]}.", *notes]) if notes
                            else f"Saved {report.written[0]}")

    def _export_failed(self, message: str) -> None:
        self.export_worker = None
        self.export_button.setEnabled(True)
        self.status.setText(f"Not exported: {message}")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.cancel()
        super().closeEvent(event)


class ComparePicker(QDialog):
    """Choose 2 to 4 companies: a filterable list (Ctrl+click or Shift+click for more)."""

    def __init__(self, domains: list[str], chosen: list[str] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare companies")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter companies")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter companies to compare")
        self.names = QStringListModel(domains, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.names)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self._refilter)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Companies to compare")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.hint = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Choose {MIN_COMPANIES} to {MAX_COMPANIES} companies "
                                "(click to add or remove):"))
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self._chosen: set[str] = set()
        self._refiltering = False
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        for domain in chosen:
            self.set_chosen(domain, True)
        self._update()
        self.resize(380, 480)

    def set_chosen(self, domain: str, chosen: bool = True) -> None:
        rows = self.names.stringList()
        if domain not in rows:
            return
        (self._chosen.add if chosen else self._chosen.discard)(domain)
        self._show_chosen()
        self._update()

    def chosen(self) -> list[str]:
        """The companies chosen, in list order (kept while filtered out of view)."""
        return [name for name in self.names.stringList() if name in self._chosen]

    def _show_chosen(self) -> None:
        """Select exactly the chosen companies among those the filter shows."""
        self._refiltering = True
        selection = self.list.selectionModel()
        selection.clearSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data() in self._chosen:
                selection.select(index, selection.SelectionFlag.Select)
        self._refiltering = False

    def _refilter(self, text: str) -> None:
        self._refiltering = True
        self.proxy.setFilterFixedString(text)
        self._show_chosen()

    def _selection_changed(self, selected, deselected) -> None:
        if self._refiltering:
            return
        self._chosen.update(i.data() for i in selected.indexes())
        self._chosen.difference_update(i.data() for i in deselected.indexes())
        self._update()

    def _update(self) -> None:
        count = len(self.chosen())
        ok = MIN_COMPANIES <= count <= MAX_COMPANIES
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        self.hint.setText(f"{count} chosen: {', '.join(self.chosen())}" if ok else
                          f"{count} chosen; choose {MIN_COMPANIES} to {MAX_COMPANIES}.")


def open_compare(window, domains: list[str] | None = None) -> CompareDialog | None:
    """Open the Compare window of ``window``'s corpus (a main window): of ``domains`` when
    2 to 4 are given, else of the companies chosen in a picker (None when cancelled)."""
    if window.corpus is None:
        return None
    if domains is None or not MIN_COMPANIES <= len(domains) <= MAX_COMPANIES:
        current = [window.current.policy.domain] if window.current else []
        picker = ComparePicker(window.corpus.domains(), domains or current, window)
        if picker.exec() != QDialog.DialogCode.Accepted:
            return None
        domains = picker.chosen()
    dialog = CompareDialog(window.corpus, domains, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.evidence_requested.connect(window.show_evidence)
    dialog.show()
    return dialog


def selected_companies(window) -> list[str]:
    """The companies selected in ``window``'s company list, in list order."""
    # Any selected cell counts for its row (the list is a table: year, length, title).
    rows = {i.row(): i for i in window.company_list.selectionModel().selectedIndexes()}
    return [rows[row].data(DomainRole) for row in sorted(rows)]


def add_compare_actions(window, menu) -> QAction:
    """"Compare Companies…" in ``menu`` and in the company list's context menu. The list
    takes several companies (Ctrl+click, Shift+click): 2 to 4 selected are compared at
    once, otherwise a picker asks which."""
    act = QAction("&Compare Companies…", window)
    act.setShortcut(QKeySequence("Ctrl+Shift+C"))
    act.setStatusTip("2 to 4 companies side by side: privacy facts and passages per practice")
    act.triggered.connect(lambda: open_compare(window, selected_companies(window)))
    menu.addAction(act)
    listing = window.company_list
    listing.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    listing.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    listing.addAction(act)
    return act
