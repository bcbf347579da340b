"""Opening a policy off the GUI thread: read, parse, classify, render and build the
QTextDocument in a QThreadPool worker; only the latest request's result is shown.

Small policies are quick enough to open inline (``opens_in_background`` says which are
not); large ones go through :class:`PolicyLoader`, which the main window shows with a
busy bar and a Cancel button. A request supersedes the one before it: the earlier worker is
told to stop and whatever it still delivers is dropped by its generation number.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QFont

from reader.analysis.tints import as_look
from reader.sources.corpus import Corpus, PolicyLoadError
from reader.ui.policy_view import PolicyPage

if TYPE_CHECKING:  # the classifier loads when a policy opens, not with the window
    from reader.output.highlight import HighlightedPolicy
    from reader.search.query import Match, MatchFinder

# Policies from this size (bytes of markdown, or characters of text) open in the background:
# below it parse + classify + render + show take well under 100 ms (bench/bench_responsiveness).
BACKGROUND_FROM = 30_000
LARGE_NOTICE_FROM = 1_000_000  # from here the busy bar warns that opening takes a while
# A long policy is shown in parts of at most this many characters of text / table rows:
# Qt lays out the part shown on the GUI thread, and these keep that well under 100 ms.
# (Qt lays a table out whole: a 600-row part cost 62 ms of GUI-thread CPU to show and paint,
# a 200-row part 35 ms; opening a 3,000-row table stalled 206 ms at 600, 108 ms at 200.)
PAGE_CHARS = 60_000
PAGE_ROWS = 200

TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&[#\w]+;")


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """No automatic garbage collection while a worker builds a big policy's objects.

    A full collection holds Python's lock for 0.1-0.4 s once millions of objects exist (a
    4 MB policy's analysis), and the GUI thread's Python code waits as long. On leaving the
    outermost pause, the objects alive are frozen (:func:`gc.freeze`: never scanned again;
    they are still freed when unreferenced) and collection resumes."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.freeze()
                if _gc_was_enabled:
                    gc.enable()


# A policy's text that makes the analysis load everything it loads once per process (the
# classifier models, the markdown converter, compiled patterns): a table, a list, sentences.
_WARM_UP_TEXT = """# Privacy Policy

We collect your email address and location when you register, and share them with
advertising partners. You may opt out by writing to privacy@example.com.

- We use cookies to remember you.
- We keep your data for two years.

| Data | Purpose |
|---|---|
| Email | Account |
"""
_analysis_lock = threading.Lock()
_analysis_ready = False


def prepare_analysis() -> None:
    """Load what analysing a policy needs, once (a tiny policy's analysis). The main window
    runs this on a thread as it starts, while the GUI thread lists the corpus: loading the
    models spends much of its time in zlib, which lets the GUI thread run. Opening a policy
    waits for it (instead of loading the same models a second time)."""
    global _analysis_ready
    with _analysis_lock:
        if _analysis_ready:
            return
        from reader.analysis.document import parse_policy
        from reader.analysis.practices import analyze_policy
        from reader.output.highlight import HighlightedPolicy  # noqa: F401 - imported here

        analyze_policy(_WARM_UP_TEXT, parse_policy(_WARM_UP_TEXT))
        _analysis_ready = True


class AnalysisWarmUp(QRunnable):
    def run(self) -> None:
        with contextlib.suppress(Exception):  # opening a policy will say what is wrong
            prepare_analysis()


def opens_in_background(size: int) -> bool:
    return size >= BACKGROUND_FROM


def text_length(html: str) -> int:
    """About how many characters of text an HTML fragment shows."""
    return len(ENTITY.sub("_", TAG.sub("", html)))


def paginate(parts: list[str], max_chars: int = PAGE_CHARS,
             max_rows: int = PAGE_ROWS) -> list[list[str]]:
    """Group HTML ``parts`` (whole top-level elements, in order) into pages of at most
    ``max_chars`` characters of text and ``max_rows`` table rows (a single bigger part makes
    a page of its own). Every part is in exactly one page, in order."""
    pages: list[list[str]] = []
    page: list[str] = []
    chars = rows = 0
    for part in parts:
        size, part_rows = text_length(part), part.count("<tr")
        if page and (chars + size > max_chars or rows + part_rows > max_rows):
            pages.append(page)
            page, chars, rows = [], 0, 0
        page.append(part)
        chars += size
        rows += part_rows
    if page or not pages:
        pages.append(page)
    return pages


@dataclass
class RenderedPolicy:
    """A worker's result: the policy, its search matches and its ready parts (one
    QTextDocument each; a single part unless the policy is long)."""

    generation: int
    item: HighlightedPolicy
    matches: list[Match]
    pages: list[PolicyPage]
    visible: set[str] | None
    confident_only: bool = False
    highlight_anchors: list[str] | None = None  # the visible passages' anchors, in order

    def discard(self) -> None:
        for page in self.pages:
            page.document.deleteLater()


class Cancelled(Exception):
    pass


class LoadSignals(QObject):
    loaded = Signal(object)  # RenderedPolicy
    failed = Signal(int, str, str)  # generation, domain, message


class PolicyLoadWorker(QRunnable):
    """Reads (unless ``item`` is given), analyses and renders one policy."""

    def __init__(self, generation: int, corpus: Corpus, domain: str,
                 item: HighlightedPolicy | None, visible: set[str] | None, dark: bool,
                 finder: MatchFinder | None, matches: list[Match] | None, font: QFont,
                 confident_only: bool = False,
                 margins: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.signals = LoadSignals()
        self.generation = generation
        self.corpus = corpus
        self.domain = domain
        self.item = item
        self.visible = visible
        self.confident_only = confident_only
        self.dark = dark
        self.finder = finder
        self.matches = matches
        self.font = QFont(font)
        self.margins = margins  # the view's side margins, set on each part here
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def run(self) -> None:
        with garbage_collection_paused():
            self._run()

    def _run(self) -> None:
        try:
            item = self.item
            if item is None:
                from reader.output.highlight import HighlightedPolicy

                policy = self.corpus.load(self.domain)
                self._check()
                with contextlib.suppress(Exception):  # any failure shows with the policy
                    prepare_analysis()
                item = HighlightedPolicy.of(policy)
            self._check()
            matches = (self.finder.find(item.document.text) if self.finder
                       else list(self.matches or []))
            parts = item.body_html_parts(self.visible, self.dark, matches,
                                         confident_only=self.confident_only)
            self._check()
            pages = []
            for page_parts in paginate(parts, PAGE_CHARS, PAGE_ROWS):
                pages.append(PolicyPage.of_html(page_parts, self.font, self.margins,
                                                  as_look(self.dark).dark))
                pages[-1].document.moveToThread(QCoreApplication.instance().thread())
                if self._cancel.is_set():
                    for page in pages:
                        page.document.deleteLater()
                    raise Cancelled
            anchors = item.visible_span_anchors(self.visible, self.confident_only)
            self.signals.loaded.emit(RenderedPolicy(self.generation, item, matches, pages,
                                                    self.visible, self.confident_only,
                                                    anchors))
        except Cancelled:
            pass
        except (PolicyLoadError, KeyError) as exc:
            self.signals.failed.emit(self.generation, self.domain, str(exc))
        except Exception as exc:  # noqa: BLE001 - never let a worker take the app down
            self.signals.failed.emit(self.generation, self.domain,
                                     f"{self.domain} could not be shown: {exc}")


class PolicyLoader(QObject):
    """Runs one :class:`PolicyLoadWorker` at a time; newer requests make older ones stale."""

    loaded = Signal(object)  # RenderedPolicy of the latest request
    failed = Signal(str, str)  # domain, message (latest request only)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.generation = 0
        self.worker: PolicyLoadWorker | None = None
        self.domain = ""

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(self, corpus: Corpus, domain: str, item: HighlightedPolicy | None,
              visible: set[str] | None, dark: bool, font: QFont,
              finder: MatchFinder | None = None, matches: list[Match] | None = None,
              confident_only: bool = False,
              margins: tuple[float, float] | None = None) -> None:
        self.cancel()
        self.generation += 1
        self.domain = domain
        worker = PolicyLoadWorker(self.generation, corpus, domain, item, visible, dark, finder,
                                  matches, font, confident_only, margins)
        worker.signals.loaded.connect(self._loaded)
        worker.signals.failed.connect(self._failed)
        self.worker = worker
        self.pool.start(worker)

    def cancel(self) -> bool:
        """Stop the running request (its result, if any, is dropped); True if one ran."""
        if self.worker is None:
            return False
        self.worker.cancel()
        self.worker = None
        self.generation += 1
        return True

    def _loaded(self, rendered: RenderedPolicy) -> None:
        if rendered.generation != self.generation:
            rendered.discard()  # a stale result: the user has moved on
            return
        self.worker = None
        self.loaded.emit(rendered)

    def _failed(self, generation: int, domain: str, message: str) -> None:
        if generation == self.generation:
            self.worker = None
            self.failed.emit(domain, message)
