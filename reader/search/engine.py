"""One search interface over two embedded engines, and the choice between them.

:class:`SearchIndex` is what the CLI and the GUI use: ``open``, ``update`` / ``rebuild``
(incremental, cancellable, with progress), ``search(text, limit, offset)`` ->
:class:`SearchResults` (ranked hits, an exact or estimated total, a did-you-mean
suggestion; snippets from the policy files), ``count``, ``facets``, ``metadata``,
``doc_count``, ``close``. It holds what both engines share: planning an update from
file sizes and digests, reading and classifying policies in worker processes, recording
the index files so damage is noticed and the index rebuilt, snippets. The engines:

- :class:`reader.search.index.PolicyIndex`: Whoosh (pure Python), for small corpora.
- :class:`reader.search.tantivy_index.TantivyIndex`: tantivy (Rust), for large ones.

Both read the same query syntax (:func:`reader.search.query.parse_words`), index the
fields of :mod:`reader.search.fields`, rank by BM25 and rank prefix queries by the
words they expand to (:func:`reader.search.query.expand_multiterm`).
Queries made only of field terms (category, facts, year, date, domain, type) are ranked
here, the same for both engines, by the strength each policy's document stores
(:func:`by_strength`).
:func:`open_index` picks the engine: ``PRIVACY_READER_ENGINE`` (``whoosh``, ``tantivy`` or
``auto``, the default); ``auto`` takes tantivy from :data:`TANTIVY_FROM` policies on.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reader.analysis.practices import decision_digest
from reader.analysis.taxonomy import categories, category
from reader.paths import index_dir_for
from reader.search.query import (
    SNIPPETS_PER_HIT,
    MatchFinder,
    SearchError,
    category_suggestion,
    fact_suggestion,
    language_suggestion,
    make_snippets,
    opening,
    shown_matches,
    snippet_text,
    strength_terms,
)
from reader.sources.corpus import (
    Corpus,
    PolicyEntry,
    PolicyLoadError,
    entry_reading,
    parse_header,
    read_policy_text,
)
from reader.wording import counted

log = logging.getLogger(__name__)

ENGINE_VARIABLE = "PRIVACY_READER_ENGINE"
ENGINES = ("whoosh", "tantivy")
# From this many policies "auto" uses tantivy: at 5,000 real-derived policies Whoosh
# answered the query mix at p95 809 ms against tantivy's 76 ms (docs/BENCHMARKS.md).
TANTIVY_FROM = 2000
BUILD_MARKER = "BUILDING"
VERSION_FILE = "reader-index.json"
FILES_RECORD = "reader-files.json"  # size and digest of each index file after a commit
# the corpus listing (paths, sizes, times) the index was last brought up to date with
CORPUS_RECORD = "reader-corpus.json"
DEFAULT_LIMIT = 20
SNIPPET_MATCHES = 64  # matches a hit's snippets are chosen from (3 snippets need fewer)
_NOT_RECORDED = frozenset({FILES_RECORD, VERSION_FILE, BUILD_MARKER, CORPUS_RECORD,
                           "MAIN_WRITELOCK"})


class IndexDamagedError(SearchError):
    """The index could not be read: it was cleared and is rebuilt by the next
    :meth:`SearchIndex.update` (the message says so)."""


@dataclass
class Progress:
    """Build progress reported to the GUI and the CLI."""

    done: int
    total: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


@dataclass
class UpdateReport:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    rebuilt_because: str | None = None
    cancelled: bool = False
    seconds: float = 0.0
    indexed_paths: list[str] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.added + self.changed


@dataclass
class Hit:
    domain: str
    title: str
    date: str | None
    score: float
    path: str
    categories: list[str]
    facts: list[str] = field(default_factory=list)  # ids of the facts the policy states
    match_count: int = 0
    snippets: list[str] = field(default_factory=list)  # HTML: matched terms in <b>
    finder: MatchFinder | None = None  # finds the query's words in the policy's text
    # The practices (category ids) a query of fields alone asks for ("category:X"): the
    # policy was found for its passages of them, not for words.
    practices: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"domain": self.domain, "title": self.title, "date": self.date,
                "score": round(self.score, 4), "categories": self.categories,
                "facts": self.facts, "match_count": self.match_count, "snippets": self.snippets,
                "practices": self.practices}

    def found_for(self, thousands: bool = True) -> str:
        """What the policy was found for, as a result line says it: its matches of the
        query's words ("3 matches"), or the practices a query of fields alone asked for
        ("Retention"; a list of "0 matches" told nothing), or nothing."""
        if self.match_count or not self.practices:
            return counted(self.match_count, "match", thousands) if self.match_count else ""
        return ", ".join(category(c).name for c in self.practices)


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    seconds: float = 0.0
    total_is_exact: bool = True  # large indexes report an estimate rather than count all
    index_empty: bool = False  # nothing indexed yet (first build still running)
    finder: MatchFinder | None = None  # finds the query's words (snippets, viewer marks)


@dataclass
class Ranked:
    """What an engine found: stored fields and score of the hits asked for, the total."""

    found: list[tuple[dict, float]]
    total: int
    exact: bool = True
    suggestion: str | None = None


@lru_cache(maxsize=1)
def model_digest() -> str:
    """Digest of the practice decision (rule and models): an index records it with its
    categories."""
    return decision_digest()


def file_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest()


class SearchIndex:
    """The search index of one corpus folder (see the module docstring); subclasses are
    the engines. ``folder`` holds only the engine's files and the app's records."""

    engine = ""
    schema_version = 0

    def __init__(self, corpus: Corpus, folder: Path | None = None) -> None:
        self.corpus = corpus
        self.folder = folder or index_folder(corpus.root, self.engine)
        self._search_lock = threading.Lock()
        self.messages: list[str] = []
        self.damaged: str | None = None  # why the index was cleared, until rebuilt
        self._updating = False
        self._failed_during_update: str | None = None

    # -- what each engine does ------------------------------------------------------------

    def _create(self) -> None:
        """Create an empty index in the (empty) folder and keep it open."""
        raise NotImplementedError

    def _open_existing(self) -> None:
        raise NotImplementedError

    def _readable(self) -> str | None:
        """Open the index files once to see that they can be read; why not, or None."""
        raise NotImplementedError

    def _exists(self) -> bool:
        raise NotImplementedError

    def _close_engine(self) -> None:
        raise NotImplementedError

    def _stored(self) -> Iterator[dict]:
        """The stored fields of every policy in the index."""
        raise NotImplementedError

    def _count_docs(self) -> int:
        raise NotImplementedError

    # Writing: one loop for both engines (:meth:`_write`); each engine supplies its
    # writer and how it deletes, adds, commits and aborts.
    first_batch = 250  # policies in the first commit: a build is searchable within seconds

    @staticmethod
    def make_documents(batch: list[tuple]) -> list[dict]:
        """Index documents of a batch of entry readings (runs in worker processes)."""
        raise NotImplementedError

    def _new_writer(self):
        """A writer, or an exception that :meth:`_is_locked` recognises."""
        raise NotImplementedError

    @staticmethod
    def _is_locked(exc: Exception) -> bool:
        raise NotImplementedError

    def _delete(self, writer, path: str) -> None:
        raise NotImplementedError

    def _add(self, writer, doc: dict) -> None:
        raise NotImplementedError

    def _commit(self, writer, final: bool) -> None:
        raise NotImplementedError

    def _after_commit(self, writer, lock_timeout: float):
        """The writer that goes on after a batch's commit."""
        return writer

    def _abort(self, writer) -> None:
        raise NotImplementedError

    def _next_batch(self, batch: int) -> int:
        return batch

    def _writer(self, timeout: float):
        """A writer, waiting up to ``timeout`` seconds for another process's to finish."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._new_writer()
            except Exception as exc:
                if not self._is_locked(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise SearchError(
                        "Another Privacy Policy Reader is updating this index; "
                        "try again when it has finished.") from None
                time.sleep(0.2)

    def _write(self, report: UpdateReport, todo: list[PolicyEntry],
               changed: list[PolicyEntry], deleted: list[str],
               progress: ProgressCallback | None, cancelled: CancelCheck | None,
               workers: int | None, lock_timeout: float) -> None:
        """Delete, add and commit (in batches) what :meth:`plan` found."""
        started = time.perf_counter()
        workers = workers if workers is not None else max(1, min(4, os.cpu_count() or 1))
        writer = self._writer(lock_timeout)
        try:
            with self._marked_build():
                # Changed policies leave the index here and come back as new documents.
                for path in deleted + [str(e.path) for e in changed]:
                    self._delete(writer, path)
                report.deleted = len(deleted)
                pending, batch = 0, self.first_batch
                with self._documents(todo, workers, self.make_documents) as documents:
                    for done, doc in enumerate(documents, 1):
                        if cancelled and cancelled():
                            report.cancelled = True
                            documents.close()  # cancels what workers have not started
                            break
                        if "error" in doc:
                            report.failed.append(doc["error"])
                            self._note(f"{doc['error']}; not indexed")
                        else:
                            self._add(writer, doc)
                            report.indexed_paths.append(doc["path"])
                            pending += 1
                        if pending >= batch:
                            self._commit(writer, final=False)
                            self._record_files()
                            writer = self._after_commit(writer, lock_timeout)
                            pending, batch = 0, self._next_batch(batch)
                        if progress and (done % 25 == 0 or done == len(todo)):
                            progress(Progress(done, len(todo),
                                              time.perf_counter() - started))
                self._commit(writer, final=True)
                writer = None
                self._record_files()
        except BaseException:
            if writer is not None:
                self._abort(writer)
            raise
        self._finish_report(report, changed)

    def _rank(self, text: str, limit: int | None, offset: int
              ) -> tuple[Ranked | None, MatchFinder]:
        """The hits of ``text`` ranked ``offset`` to ``offset + limit`` (None: all), or
        None when nothing is indexed; and its match finder."""
        raise NotImplementedError

    def _rank_by_strength(self, text: str, terms: list[str], limit: int | None,
                          offset: int) -> tuple[Ranked | None, MatchFinder]:
        """The hits of a query made only of field terms (``terms``: its category and fact
        terms) ranked by :func:`by_strength`, ``offset`` to ``offset + limit``. Here every
        hit is loaded and sorted; an engine may do it faster, in the same order."""
        ranked, finder = self._rank(text, None, 0)
        if ranked is not None:
            ranked.found = by_strength(ranked.found, terms)
            end = None if limit is None else offset + limit
            ranked.found = ranked.found[offset:end]
        return ranked, finder

    def count(self, text: str) -> int:
        """The exact number of policies that match ``text``."""
        raise NotImplementedError

    def facets(self, text: str, field_name: str = "category") -> dict[str, int]:
        """How many policies matching ``text`` have each value of a keyword field."""
        raise NotImplementedError

    # -- opening, validating, rebuilding -------------------------------------------------

    def _note(self, message: str) -> None:
        self.messages.append(message)
        log.warning("%s", message)

    def _fresh(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / VERSION_FILE).write_text(
            json.dumps({"schema": self.schema_version, "engine": self.engine,
                        "corpus": str(self.corpus.root), "model": model_digest()}), "utf-8")
        self._create()
        self._record_files()

    def open(self) -> str | None:
        """Open (or create) the index. Returns why it had to be rebuilt, or ``None``."""
        if not self.folder.exists() or not any(self.folder.iterdir()):
            self._fresh()
            return None
        problem = self._check()
        if problem:
            self._reset(problem)
            return problem
        self._open_existing()
        return None

    _index: object | None = None  # the engine's open index; each engine sets its own type

    @property
    def is_open(self) -> bool:
        return self._index is not None

    def _ensure_open(self) -> None:
        if not self.is_open:
            self.open()

    def _reset(self, problem: str) -> None:
        """Clear a damaged index (``problem`` says how); the next update rebuilds it."""
        self._note(f"The search index {problem}; it will be rebuilt from the policy files.")
        self.damaged = problem
        self.close()
        self._fresh()

    def _unreadable(self, exc: BaseException) -> IndexDamagedError:
        """Clear the index after a failed read; the error to raise (its message says the
        index is rebuilt). An update under way rebuilds it when it has finished."""
        problem = f"is damaged ({type(exc).__name__}: {exc})"
        if self._updating:
            self._failed_during_update = problem
            return IndexDamagedError(
                f"The search index {problem}. It will be rebuilt from the policy files "
                "when the indexing under way has finished; search again then.")
        self._reset(problem)
        return IndexDamagedError(
            f"The search index {problem}. It was cleared and is being rebuilt from the "
            "policy files; search again when indexing has finished.")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Any failure to read the index (not a bad query) clears it for a rebuild."""
        try:
            yield
        except SearchError:
            raise
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a damaged index fails in many ways
            # (tantivy's Rust panics arrive as pyo3's PanicException, a BaseException)
            raise self._unreadable(exc) from exc

    def rebuild(self, progress: ProgressCallback | None = None,
                cancelled: CancelCheck | None = None, workers: int | None = None
                ) -> UpdateReport:
        """Build the index again from nothing (File > Rebuild Index, ``index --rebuild``)."""
        self._reset("was cleared on request")
        return self.update(progress, cancelled, workers)

    def _record_files(self) -> None:
        """Remember each index file's size and digest (checked on open and update).

        Between the commits of a build tantivy merges segments in its own threads, writing
        files through temporary ``.tmp*`` names and deleting merged ones: such a file is
        no committed index file, and one that goes while it is read is skipped (it made
        a build fail with FileNotFoundError)."""
        old = self._recorded_files() or {}
        record = {}
        for path in self.folder.iterdir():
            if (path.name in _NOT_RECORDED or path.name.endswith(".lock")
                    or path.name.startswith(".tmp")):
                continue
            try:
                if not path.is_file():
                    continue
                stat = path.stat()
                known = old.get(path.name)
                if known and known[0] == stat.st_size and known[2] == stat.st_mtime_ns:
                    record[path.name] = known
                else:
                    record[path.name] = [stat.st_size, _file_hash(path), stat.st_mtime_ns]
            except FileNotFoundError:
                continue
        (self.folder / FILES_RECORD).write_text(json.dumps(record), "utf-8")

    def _recorded_files(self) -> dict[str, list] | None:
        try:
            return json.loads((self.folder / FILES_RECORD).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def verify(self, full: bool = False) -> str | None:
        """Why the index files differ from those last committed (a file missing, of
        another size, or rewritten with other content), or ``None``. Files not modified
        since (same size and time) are trusted unless ``full``: a check then costs
        microseconds; a failed read catches what it misses."""
        record = self._recorded_files()
        if not record:
            return None  # made before files were recorded
        for name, (size, digest, mtime_ns) in sorted(record.items()):
            path = self.folder / name
            try:
                stat = path.stat()
                if stat.st_size != size:
                    return f"is damaged (the file {name} has changed size)"
                if (full or stat.st_mtime_ns != mtime_ns) and _file_hash(path) != digest:
                    return f"is damaged (the file {name} has changed)"
            except FileNotFoundError:
                return f"is damaged (the file {name} is missing)"
        return None

    def _check(self) -> str | None:
        try:
            if not self._exists():
                return "is missing or incomplete"
        except Exception as exc:  # noqa: BLE001 - unreadable table of contents
            return f"is damaged ({type(exc).__name__})"
        try:
            meta = json.loads((self.folder / VERSION_FILE).read_text("utf-8"))
            if meta.get("schema") != self.schema_version:
                return "was made by another version of the app"
            if meta.get("model") != model_digest():
                return "holds categories from another practice model"
        except (OSError, ValueError):
            return "has no version record"
        problem = self.verify()
        if problem:
            return problem
        marker = self.folder / BUILD_MARKER
        if marker.exists():
            try:
                pid = int(marker.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if not _process_alive(pid):
                marker.unlink(missing_ok=True)
                self._note("The last indexing run stopped before it finished; "
                           "the index is brought up to date from the policy files.")
        return self._readable()

    def close(self) -> None:
        with self._search_lock:
            self._close_engine()

    def doc_count(self) -> int:
        self._ensure_open()
        with self._reading():
            return self._count_docs()

    # -- incremental update ------------------------------------------------------------

    def plan(self) -> tuple[list[PolicyEntry], list[PolicyEntry], list[str], int]:
        """(new, changed, deleted paths, unchanged count) comparing files with the index."""
        self._ensure_open()
        known: dict[str, tuple[int, float, str]] = {}
        with self._reading():
            for stored in self._stored():
                known[stored["path"]] = (stored["size"], stored["mtime"], stored["digest"])
        new, changed = [], []
        unchanged = 0
        seen = set()
        for entry in self.corpus.entries:
            key = str(entry.path)
            seen.add(key)
            record = known.get(key)
            if record is None:
                new.append(entry)
            elif record[0] == entry.size and record[1] == entry.mtime:
                unchanged += 1
            elif record[0] == entry.size and _safe_digest(entry.path) == record[2]:
                unchanged += 1  # touched, not changed
            else:
                changed.append(entry)
        deleted = [path for path in known if path not in seen]
        return new, changed, deleted, unchanged

    def update(self, progress: ProgressCallback | None = None,
               cancelled: CancelCheck | None = None, workers: int | None = None,
               lock_timeout: float = 10.0) -> UpdateReport:
        """Bring the index up to date with the corpus folder; commits in batches.

        Policies are read, classified and counted by worker processes (see
        :meth:`_documents`) and written by the engine.
        """
        started = time.perf_counter()
        report = UpdateReport()
        if not self.is_open:
            report.rebuilt_because = self.open()
        problem = self.verify()  # garbled, truncated or missing files
        if problem:
            self._reset(problem)
        listing = self.corpus_state()
        if not self.damaged and self._recorded_corpus() == listing:
            # Up to date with this very listing: no need to read every policy's record.
            report.unchanged = len(self.corpus.entries)
            report.seconds = time.perf_counter() - started
            return report
        while True:
            try:
                new, changed, deleted, report.unchanged = self.plan()
            except IndexDamagedError:  # cleared it
                new, changed, deleted, report.unchanged = self.plan()
            report.rebuilt_because = report.rebuilt_because or self.damaged
            todo = new + changed
            if progress:
                progress(Progress(0, len(todo), 0.0))
            if todo or deleted:
                self._updating = True
                (self.folder / CORPUS_RECORD).unlink(missing_ok=True)
                try:
                    self._write(report, todo, changed, deleted, progress, cancelled,
                                workers, lock_timeout)
                finally:
                    self._updating = False
            if not self._failed_during_update or report.cancelled:
                break
            # A search failed to read the index meanwhile: clear it and build it again.
            self._reset(self._failed_during_update)
            self._failed_during_update = None
            report = UpdateReport(rebuilt_because=self.damaged)
        self.damaged = None
        if not report.cancelled and not report.failed:
            self._record_corpus(listing)
        report.seconds = time.perf_counter() - started
        return report

    def corpus_state(self) -> str:
        """A digest of the corpus listing: every policy's path, size and time
        (:meth:`reader.sources.corpus.Corpus.listing_digest`)."""
        return self.corpus.listing_digest()

    def _recorded_corpus(self) -> str | None:
        try:
            return json.loads((self.folder / CORPUS_RECORD).read_text("utf-8"))["listing"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _record_corpus(self, listing: str) -> None:
        """Remember the listing the index now holds (the next update with the same
        listing has nothing to do); cleared when an update starts writing."""
        with suppress(OSError):
            (self.folder / CORPUS_RECORD).write_text(json.dumps({"listing": listing}),
                                                     "utf-8")

    def _marked_build(self) -> contextmanager:
        """A marker file that says a build is under way (a crash leaves it behind)."""
        return _build_marker(self.folder / BUILD_MARKER)

    @staticmethod
    def _finish_report(report: UpdateReport, changed: list[PolicyEntry]) -> None:
        changed_paths = {str(e.path) for e in changed}
        report.changed = sum(1 for path in report.indexed_paths if path in changed_paths)
        report.added = len(report.indexed_paths) - report.changed

    @contextmanager
    def _documents(self, todo: list[PolicyEntry], workers: int,
                   make: Callable[[list[tuple]], list[dict]]) -> Iterator[Iterator[dict]]:
        """The index documents of ``todo`` (``make`` turns a batch of entry readings into
        documents), in order. With several workers, worker processes read, classify and
        count the policies; otherwise this process does."""
        if workers <= 1 or len(todo) < 50:
            yield (doc for e in todo for doc in make([entry_reading(e)]))
            return
        # Forking a process that runs Qt threads is unsafe; spawn there.
        context = multiprocessing.get_context("fork" if _may_fork() else "spawn")
        args = [entry_reading(e) for e in todo]
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=close_inherited_locks) as pool:
            yield _bounded_map(pool, args, ahead=128, make=make)

    # -- metadata for listings ---------------------------------------------------------

    def metadata(self) -> dict[str, dict]:
        """Stored fields per domain (title, date, words, categories) for fast listings."""
        self._ensure_open()
        with self._reading():
            return {s["domain"]: s for s in self._stored()}

    # -- searching ---------------------------------------------------------------------

    def search(self, text: str, limit: int | None = DEFAULT_LIMIT, snippets: bool = True,
               offset: int = 0) -> SearchResults:
        """The hits ranked ``offset`` to ``offset + limit`` (``limit`` None: all of them) and
        the total; pages of a long result list are asked for with growing ``offset``."""
        started = time.perf_counter()
        self._ensure_open()
        terms = strength_terms(self.parse(text))
        if terms is None:
            ranked, finder = self._rank(text, limit, offset)
        else:  # field terms only: ranked by strength, then newest first
            ranked, finder = self._rank_by_strength(text, terms, limit, offset)
        if ranked is None:
            return SearchResults(text, 0, [], None, time.perf_counter() - started,
                                 index_empty=True)
        asked = [term.partition(":")[2] for term in terms or ()
                 if term.startswith("category:")]
        hits = [Hit(domain=f["domain"], title=f["title"], date=f["date"] or None,
                    score=float(score), path=f["path"],
                    categories=[c for c in f["category"].split(",") if c],
                    facts=[c for c in (f.get("facts") or "").split(",") if c],
                    practices=asked)
                for f, score in ranked.found]
        if snippets:
            for hit in hits:
                fill_matches(hit, finder)
        return SearchResults(text, ranked.total, hits, ranked.suggestion,
                             time.perf_counter() - started, total_is_exact=ranked.exact,
                             finder=finder)

    @staticmethod
    def category_suggestion(text: str) -> str | None:
        """A near-miss ``category:``, fact (``collects:email`` ...) or language
        (``language:french``) corrected, or None."""
        return (category_suggestion(text, {c.id: c.name for c in categories()})
                or fact_suggestion(text) or language_suggestion(text))


def strength(stored: dict, terms: list[str]) -> float:
    """How strongly a policy states the category and fact terms of a query: the sum of
    its stored strengths (paragraphs of a category, a fact's best evidence score)."""
    held = stored.get("strength") or {}
    return float(sum(held.get(term, 0.0) for term in terms))


def by_strength(found: list[tuple[dict, float]], terms: list[str]
                ) -> list[tuple[dict, float]]:
    """Hits of a query made only of field terms, strongest first (score = strength when
    it names categories or facts), then newest first, then by domain: a fixed order."""
    scored = [(stored, strength(stored, terms) if terms else score)
              for stored, score in found]
    scored.sort(key=lambda item: (item[0].get("domain") or "", item[0].get("path") or ""))
    scored.sort(key=lambda item: (item[1], item[0].get("date") or ""), reverse=True)
    return scored


def index_folder(corpus_root: Path, engine: str) -> Path:
    """Where an engine keeps the index of a corpus folder (Whoosh: the folder of earlier
    versions, so their indexes stay in use)."""
    base = index_dir_for(corpus_root)
    return base if engine == "whoosh" else base.with_name(f"{base.name}-{engine}")


def chosen_engine(corpus: Corpus, setting: str | None = None) -> str:
    """The engine for ``corpus``: the setting (or ``PRIVACY_READER_ENGINE``) when it names
    one, else tantivy from :data:`TANTIVY_FROM` policies on (Whoosh when tantivy cannot
    be imported)."""
    wanted = (setting or os.environ.get(ENGINE_VARIABLE) or "auto").strip().lower()
    if wanted not in {*ENGINES, "auto"}:
        log.warning("Unknown search engine %r in %s; choosing by corpus size.",
                    wanted, ENGINE_VARIABLE)
        wanted = "auto"
    if wanted == "auto":
        wanted = "tantivy" if len(corpus.entries) >= TANTIVY_FROM else "whoosh"
    if wanted == "tantivy" and not tantivy_available():
        log.warning("The tantivy search engine is not installed; using Whoosh.")
        return "whoosh"
    return wanted


@lru_cache(maxsize=1)
def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def open_index(corpus: Corpus, engine: str | None = None,
               folder: Path | None = None) -> SearchIndex:
    """The search index of ``corpus`` in the chosen engine (not opened yet)."""
    if chosen_engine(corpus, engine) == "tantivy":
        from reader.search.tantivy_index import TantivyIndex

        return TantivyIndex(corpus, folder)
    from reader.search.index import PolicyIndex

    return PolicyIndex(corpus, folder)


@contextmanager
def _build_marker(marker: Path) -> Iterator[None]:
    marker.write_text(str(os.getpid()))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def _may_fork() -> bool:
    """Worker processes are forked only from the main thread (CLI, scripts)."""
    return threading.current_thread() is threading.main_thread()


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _file_hash(path: Path) -> str:
    """A digest of an index file (fast: ~1 GB/s), to notice damage."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _safe_digest(path: Path) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def close_inherited_locks() -> None:
    """In a forked worker process: close the index lock files the parent had open when
    it forked. tantivy holds a lock (``.tantivy-meta.lock``, ``.tantivy-writer.lock``) by
    keeping its file open with ``flock``: a copy left open here keeps the lock held after
    the parent lets it go, and the parent's next commit then waits forever (seen when a
    fork met tantivy's meta.json watcher holding the meta lock)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return
    for entry in list(fds.iterdir()):
        try:
            name = os.path.basename(os.readlink(entry))
        except OSError:
            continue
        if name.startswith(".tantivy-") and name.endswith(".lock"):
            with suppress(OSError, ValueError):
                os.close(int(entry.name))


def _bounded_map(pool: ProcessPoolExecutor, args: list[tuple], ahead: int,
                 make: Callable[[list[tuple]], list[dict]], batch: int = 8
                 ) -> Iterator[dict]:
    """``make`` of each batch of entry readings, in order, computed by ``pool`` with at
    most ``ahead`` batches waiting: the workers outpace the writer, and unbounded results
    would pile up in memory. Closing the iterator cancels the batches not started."""
    waiting: deque = deque()
    try:
        for start in range(0, len(args), batch):
            waiting.append(pool.submit(make, args[start:start + batch]))
            if len(waiting) >= ahead:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()
    finally:
        for future in waiting:
            future.cancel()


def _hit_body(hit: Hit) -> str:
    """The markdown body of a hit's policy file, as read_policy reads it; raises
    :class:`PolicyLoadError`."""
    return parse_header(read_policy_text(Path(hit.path)))[1]


def fill_matches(hit: Hit, matcher: MatchFinder) -> None:
    """Read the hit's policy file; fill its match count and snippets (from the source text,
    which is fast). The viewer finds positions in its own text with ``hit.finder``."""
    hit.finder = matcher
    try:
        body = _hit_body(hit)
    except PolicyLoadError as exc:
        hit.snippets = [html_lib.escape(f"(cannot read the policy: {exc})")]
        return
    matches, found = matcher.first(body, SNIPPET_MATCHES)
    # Counted in the words a reader sees, as the viewer counts: a word in a link target or
    # a tag is no match there (umich.edu: 6 "cookie" in the source, 4 on screen).
    hit.match_count = matcher.count_shown(body, found)
    # snippet_text: links read as their text; no match marked inside a link's target
    snippets = make_snippets(body, shown_matches(body, matches))
    if len(snippets) < SNIPPETS_PER_HIT and found > len(matches):
        snippets = make_snippets(body, shown_matches(body, matcher.find(body)))  # dense
    hit.snippets = snippets or [html_lib.escape(policy_opening(body))]


# A bigger policy keeps its opening in the results of a search by category: analysing it
# (seconds for a few MB) would hold Python's lock while the window is used.
PRACTICE_SNIPPET_MAX_BYTES = 1_000_000


def practice_snippet(hit: Hit) -> str | None:
    """The passage the side panel lists first (the most confident) for the first of the
    practices a search by category found the hit for, as a snippet (HTML), or ``None``:
    what the app shows of each such hit instead of the policy's opening, once it is
    worked out (an analysis of the policy: too slow for the results themselves, so the
    app fills these in after them). Decided by the one decision (its passages, without
    the facts: the same passages)."""
    from reader.analysis.practices import analyze_policy

    if not hit.practices:
        return None
    try:
        if Path(hit.path).stat().st_size > PRACTICE_SNIPPET_MAX_BYTES:
            return None
        body = _hit_body(hit)
    except (OSError, PolicyLoadError):
        return None
    analysis = analyze_policy(body, facts=False)
    for category_id in hit.practices:
        passages = analysis.passages(category_id)
        if passages:
            return html_lib.escape(opening(analysis.passage_text(passages[0])))
    return None


def policy_opening(body: str) -> str:
    """:func:`opening` of the policy's words, from as little of its source as gives the
    same text (a hit that matched only its category or company: the whole source of a
    long policy cleaned for a 180-character opening took 5-40 ms a hit)."""
    head = 4096
    while head < len(body):
        words = " ".join(snippet_text(body[:head]).split())
        # Far more words than the opening, and no link or tag begins in it (one cut at
        # the end of the head would show there as "[" or "<").
        if len(words) >= 1000 and "[" not in words[:300] and "<" not in words[:300]:
            return opening(words)
        head *= 4
    return opening(snippet_text(body))
