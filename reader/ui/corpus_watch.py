"""Keeping the company list true to the folder: a background check for unreadable files
and a debounced folder watcher that asks for a reload when files come and go."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from reader.sources.corpus import Corpus, PolicyEntry
from reader.ui.workers import CancellableWorker

RELOAD_DELAY_MS = 700
MAX_WATCHED_FOLDERS = 4000  # inotify watches are a per-user budget; File > Reload does the rest


class CheckSignals(QObject):
    finished = Signal(object, object)  # Corpus, [(PolicyEntry, message)]
    stale = Signal(object)  # Corpus: listed from the cache, but files changed since


class CorpusCheckWorker(CancellableWorker):
    """Reads every listed file (or just ``entries``) off the GUI thread and reports the
    ones that cannot be shown (binary, blank, not UTF-8, too large, gone); first, when the
    listing came from the cache, whether files were edited since (:attr:`stale`)."""

    def __init__(self, corpus: Corpus, entries: list[PolicyEntry] | None = None) -> None:
        super().__init__(CheckSignals())
        self.corpus = corpus
        self.entries = entries

    def run(self) -> None:
        if self.entries is None and self.corpus.from_cache:
            try:
                stale = self.corpus.stale(self.is_cancelled)
            except Exception:  # noqa: BLE001 - a failed check must not take the app down
                stale = []
            if stale and not self.is_cancelled():
                with contextlib.suppress(RuntimeError):
                    self.signals.stale.emit(self.corpus)
        try:
            broken = self.corpus.find_broken(self.is_cancelled, self.entries)
        except Exception:  # noqa: BLE001 - a failed check must not take the app down
            broken = []
        if not self.is_cancelled():
            # The window (and so the signals' owner) may have closed meanwhile.
            with contextlib.suppress(RuntimeError):
                self.signals.finished.emit(self.corpus, broken)


class CorpusWatcher(QObject):
    """Emits :attr:`changed` once, a moment after files are added, removed or renamed in
    any folder of the corpus (bursts of changes give one signal)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watcher = QFileSystemWatcher(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RELOAD_DELAY_MS)
        self.timer.timeout.connect(self.changed)
        self.watcher.directoryChanged.connect(lambda _path: self.timer.start())
        self.complete = True

    def watch(self, corpus: Corpus) -> None:
        """Watch the corpus's folders (replacing what was watched)."""
        self.stop()
        folders = [str(f) for f in corpus.folders[:MAX_WATCHED_FOLDERS]]
        self.complete = len(corpus.folders) <= MAX_WATCHED_FOLDERS
        if folders:
            self.watcher.addPaths(folders)

    def stop(self) -> None:
        self.timer.stop()
        watched = self.watcher.directories()
        if watched:
            self.watcher.removePaths(watched)
