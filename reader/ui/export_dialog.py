"""Export and print from the GUI: current view to PDF or printer, search results in batch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from reader.output.export import ExportError, pdf_target, print_document
from reader.ui.workers import BatchExportWorker, PdfExportWorker

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


def export_current(window: MainWindow, path: str | None = None) -> PdfExportWorker | None:
    """Export the policy on screen, with the categories shown, to a PDF the user picks.

    The PDF is made in the background (progress and Cancel in the status bar); the worker
    is returned, or None when nothing was started (the reason is shown)."""
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
        target = pdf_target(Path(path))
    except ExportError as exc:
        window.notify_error("Export failed", str(exc))
        return None
    worker = PdfExportWorker(window.current, target, window.category_panel.visible(),
                             window.look, window.category_panel.confident_only())
    window.start_batch_export(worker)
    return worker


def print_current(window: MainWindow) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    if not window.current:
        window.notify_error("Nothing to print", "Open a policy first.")
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, window)
    if dialog.exec() == QPrintDialog.DialogCode.Accepted:
        print_document(window.current, printer, window.category_panel.visible(), window.look,
                       window.category_panel.confident_only())


def export_results(window: MainWindow, folder: str | None = None) -> BatchExportWorker | None:
    """Export every policy in the search results to a folder, in the background: all of
    them, also those the results list has not loaded yet (the search is run again for all
    its hits in the worker)."""
    model = window.search_panel.model
    domains = [hit.domain for hit in model.hits]
    if not domains:
        window.notify_error("Nothing to export", "Run a search first; its results are exported.")
        return None
    if folder is None:
        folder = QFileDialog.getExistingDirectory(window, "Export search results to folder")
        if not folder:
            return None
    everything = None if model.exhausted or not window.policy_index else (
        window.policy_index, model.query)
    worker = BatchExportWorker(window.corpus, domains, Path(folder),
                               window.category_panel.visible(), window.look,
                               search=everything,
                               confident_only=window.category_panel.confident_only())
    window.start_batch_export(worker)
    return worker

