"""Export and print from the GUI: current view to PDF or printer, search results in batch."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtWidgets import QFileDialog

from reader.export import ExportError, ExportReport, export_many, print_document, write_pdf

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


def export_current(window: MainWindow, path: str | None = None) -> Path | None:
    """Export the policy on screen, with the categories shown, to a PDF the user picks."""
    if not window.current:
        window.notify_error("Nothing to export", "Open a policy first.")
        return None
    if path is None:
        suggested = str(Path.home() / f"{window.current.policy.domain}.pdf")
        path, _ = QFileDialog.getSaveFileName(window, "Export highlighted policy", suggested,
                                              "PDF files (*.pdf)")
        if not path:
            return None
    try:
        written = write_pdf(window.current, Path(path), window.category_panel.visible())
    except ExportError as exc:
        window.notify_error("Export failed", str(exc))
        return None
    window.statusBar().showMessage(f"Exported {written}", 10000)
    return written


def print_current(window: MainWindow) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    if not window.current:
        window.notify_error("Nothing to print", "Open a policy first.")
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, window)
    if dialog.exec() == QPrintDialog.DialogCode.Accepted:
        print_document(window.current, printer, window.category_panel.visible())


class ExportSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)  # ExportReport
    failed = Signal(str)


class BatchExportWorker(QRunnable):
    """Exports several policies to a folder off the GUI thread; cancellable."""

    def __init__(self, window: MainWindow, domains: list[str], folder: Path) -> None:
        super().__init__()
        self.corpus = window.corpus
        self.visible = window.category_panel.visible()
        self.domains = domains
        self.folder = folder
        self.signals = ExportSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            report = export_many(self.corpus, self.domains, self.folder, self.visible,
                                 self.signals.progress.emit, self._cancel.is_set)
        except ExportError as exc:
            self.signals.failed.emit(str(exc))
        else:
            self.signals.finished.emit(report)


def export_results(window: MainWindow, folder: str | None = None) -> BatchExportWorker | None:
    """Export every policy in the search results to a folder, in the background."""
    domains = [hit.domain for hit in window.search_panel.model.hits]
    if not domains:
        window.notify_error("Nothing to export", "Run a search first; its results are exported.")
        return None
    if folder is None:
        folder = QFileDialog.getExistingDirectory(window, "Export search results to folder")
        if not folder:
            return None
    worker = BatchExportWorker(window, domains, Path(folder))
    window.start_batch_export(worker)
    return worker


__all__ = ["export_current", "print_current", "export_results", "ExportReport"]
