"""Background work for the GUI: index updates and searches on QThreadPool threads."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal

from reader.analysis.tints import HighlightLook
from reader.search.engine import Hit, SearchIndex, fill_matches, practice_snippet
from reader.search.query import SearchError
from reader.sources.corpus import Corpus

if TYPE_CHECKING:  # export and the classifier load when first used, not with the window
    from reader.output.highlight import HighlightedPolicy

log = logging.getLogger(__name__)


class CancellableWorker(QRunnable):
    """A QRunnable with signals and a thread-safe cancel flag."""

    def __init__(self, signals: QObject) -> None:
        super().__init__()
        self.signals = signals
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()


class IndexSignals(QObject):
    progress = Signal(object)  # Progress
    finished = Signal(object, object)  # UpdateReport, {domain: stored fields}
    failed = Signal(str)


class IndexWorker(CancellableWorker):
    """Brings a corpus index up to date; ``cancel()`` stops it after the current policy."""

    def __init__(self, policy_index: SearchIndex, rebuild: bool = False) -> None:
        super().__init__(IndexSignals())
        self.policy_index = policy_index
        self.rebuild = rebuild  # from nothing (File > Rebuild Search Index)

    def run(self) -> None:
        try:
            build = self.policy_index.rebuild if self.rebuild else self.policy_index.update
            report = build(progress=self.signals.progress.emit, cancelled=self.is_cancelled)
            metadata = self.policy_index.metadata()  # dates and titles for the list
        except SearchError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"Indexing failed: {exc}")
        else:
            self.signals.finished.emit(report, metadata)


class SnippetSignals(QObject):
    snippet = Signal(int, int, str)  # generation, row of the results, snippet HTML
    finished = Signal(int)  # generation


class PracticeSnippetWorker(CancellableWorker):
    """Replaces the openings shown for the hits of a search by category with each policy's
    strongest passage of that practice (:func:`reader.search.engine.practice_snippet`),
    one hit after the other as each policy is analysed, after the hits are listed."""

    def __init__(self, hits: list[tuple[int, Hit]], generation: int) -> None:
        super().__init__(SnippetSignals())
        self.hits = hits
        self.generation = generation

    def run(self) -> None:
        try:
            for row, hit in self.hits:
                if self.is_cancelled():
                    return
                try:
                    snippet = practice_snippet(hit)
                except Exception as exc:  # noqa: BLE001 - a policy that fails keeps its opening
                    log.warning("no passage snippet for %s: %s", hit.domain, exc)
                    continue
                if snippet:
                    self.signals.snippet.emit(self.generation, row, snippet)
        finally:
            self.signals.finished.emit(self.generation)


class SearchSignals(QObject):
    started = Signal(int, int, bool, str, str)  # generation, total, exact?, suggestion, query
    empty_index = Signal(int)  # generation: nothing is indexed yet
    hit = Signal(int, object)  # generation, Hit
    finished = Signal(int, int)  # generation, hits sent
    failed = Signal(int, str)


PAGE_SIZE = 50  # hits per page: the first page at once, the others as the list scrolls


class SearchWorker(CancellableWorker):
    """Runs one query for one page of hits (ranks ``offset`` to ``offset + limit``); hits
    are streamed one by one as their snippets are ready."""

    def __init__(self, policy_index: SearchIndex, text: str, generation: int,
                 limit: int = PAGE_SIZE, offset: int = 0) -> None:
        super().__init__(SearchSignals())
        self.policy_index = policy_index
        self.text = text
        self.generation = generation
        self.limit = limit
        self.offset = offset
        self.sent = 0

    def run(self) -> None:
        try:
            self._stream()
        except SearchError as exc:
            self.signals.failed.emit(self.generation, str(exc))
        except Exception as exc:  # noqa: BLE001
            self.signals.failed.emit(self.generation, f"The search failed: {exc}")
        finally:
            self.signals.finished.emit(self.generation, self.sent)

    def _stream(self) -> None:
        results = self.policy_index.search(self.text, limit=self.limit, snippets=False,
                                           offset=self.offset)
        if results.index_empty:
            self.signals.empty_index.emit(self.generation)
            return
        if self.offset == 0:
            self.signals.started.emit(self.generation, results.total, results.total_is_exact,
                                      results.suggestion or "", self.text)
        for hit in results.hits:
            if self.is_cancelled():
                break
            fill_matches(hit, results.finder)
            self.signals.hit.emit(self.generation, hit)
            self.sent += 1


class ExportSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)  # ExportReport
    failed = Signal(str)


class BatchExportWorker(CancellableWorker):
    """Exports several policies to a folder as PDF; cancellable between policies.

    With ``search`` (an index and a query), the policies are every result of that search,
    found first in the background (``domains`` is then just what is known beforehand)."""

    def __init__(self, corpus: Corpus, domains: list[str], folder: Path,
                 visible: set[str] | None, look: HighlightLook | None = None,
                 search: tuple[SearchIndex, str] | None = None,
                 confident_only: bool = False) -> None:
        super().__init__(ExportSignals())
        self.corpus = corpus
        self.domains = domains
        self.folder = folder
        self.visible = visible
        self.look = look
        self.search = search
        self.confident_only = confident_only

    def run(self) -> None:
        from reader.output.export import ExportError, export_many

        try:
            if self.search:
                policy_index, text = self.search
                self.domains = [hit.domain for hit in policy_index.search(
                    text, limit=None, snippets=False).hits]
            report = export_many(self.corpus, self.domains, self.folder, self.visible,
                                 self.signals.progress.emit, self.is_cancelled, self.look,
                                 self.confident_only)
        except (ExportError, SearchError) as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"Export failed: {exc}")
        else:
            self.signals.finished.emit(report)


class PdfExportWorker(CancellableWorker):
    """Exports the policy on screen to one PDF; Cancel stops it and leaves no file."""

    def __init__(self, item: HighlightedPolicy, out: Path, visible: set[str] | None,
                 look: HighlightLook | None = None, confident_only: bool = False) -> None:
        super().__init__(ExportSignals())
        self.item = item
        self.out = out
        self.visible = visible
        self.look = look
        self.confident_only = confident_only
        self.domains = [item.policy.domain]

    def run(self) -> None:
        from reader.ui.policy_loader import garbage_collection_paused

        with garbage_collection_paused():  # no full collection stalls the window meanwhile
            self._export()

    def _export(self) -> None:
        from reader.output.export import ExportCancelled, ExportError, ExportReport, write_pdf

        report = ExportReport()
        missing: set[str] = set()
        try:
            report.add_written(write_pdf(self.item, self.out, self.visible, self.is_cancelled,
                                         self.look, self.confident_only, missing), missing)
        except ExportCancelled:
            report.cancelled = True
        except ExportError as exc:
            self.signals.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(f"Export failed: {exc}")
            return
        self.signals.progress.emit(1, 1, self.item.policy.domain)
        self.signals.finished.emit(report)
